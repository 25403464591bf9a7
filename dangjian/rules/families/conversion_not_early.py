"""conversion-not-early: `converted` is not before probation_ends (admitted + 1 year + extensions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Plan, declare
from dangjian.rules.dossier import dossiers, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "conversion-not-early"
AREA = "development"
PARAMS = declare()
SETTINGS = declare()


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        c = d.first("converted")
        if c is None or not rule.in_force_on(c.on):
            continue
        ends = d.probation_ends(until=c.on)
        if ends is not None and c.on < ends:
            out.append(
                member_finding(
                    rule,
                    d,
                    "violated",
                    c.on,
                    f"预备期至{format_date(ends)}届满，{format_date(c.on)}即讨论转正，提前了{(ends - c.on).days}天",
                )
            )
    return out
