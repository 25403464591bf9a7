"""The rule engine: pure functions from (rules, facts, window, as_of) to findings and notes.

No database, no clock, no printing, no state kept between calls: the facts (with the
work calendar) and `as_of` come in as arguments. Each rule is run by its family, looked
up in the explicit `registry`; a finding is reported when its date lies in the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dangjian.rules.asof import Timeline
from dangjian.rules.facts import Facts, Window
from dangjian.rules.findings import Finding, Note
from dangjian.rules.loader import Rule, RuleSet


@dataclass(frozen=True)
class Outcome:
    """What one check found, and what the caller should tell the user about how it counted."""

    findings: list[Finding]
    notes: tuple[str, ...] = ()


def evaluate(rules: RuleSet | Iterable[Rule], facts: Facts, window: Window, as_of: date) -> Outcome:
    """Every finding of the enabled rules whose date lies in `window`, seen from `as_of`, and the notes."""
    tl = Timeline(facts, as_of)
    out: list[Finding] = []
    notes: list[str] = []
    for rule in rules:
        if not rule.enabled:
            continue
        for item in rule.family_module.check(rule, tl, window):
            if isinstance(item, Note):
                if item.text not in notes:
                    notes.append(item.text)
            elif window.contains(item.date):
                out.append(item)
    out.sort(key=lambda f: (f.date, f.subject.type != "org", f.subject.org or f.subject.name, f.subject.name, f.rule))
    return Outcome(out, tuple(notes))


def check(rules: RuleSet | Iterable[Rule], facts: Facts, window: Window, as_of: date) -> list[Finding]:
    """The findings of `evaluate`, for callers that say nothing about how working days were counted."""
    return evaluate(rules, facts, window, as_of).findings
