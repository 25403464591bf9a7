"""min-gap: `step` comes no earlier than `min_gap` after `after`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "min-gap"
AREA = "development"
PARAMS = declare(Param("min_gap", Duration, None, "前一环节之后至少经过的时长", required=True))
SETTINGS = declare(
    Param("after", str, None, "从哪一环节起算", choices=tuple(EVENTS.slugs), required=True),
    Param("step", str, None, "不得过早进行的环节", choices=tuple(EVENTS.slugs), required=True),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"), after=rule.setting("after"), earliest=rule.param("min_gap"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    after, step = rule.setting("after"), rule.setting("step")
    gap: Duration = rule.param("min_gap")
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        a, b = d.first(after), d.first(step)
        if a is None or b is None or b.on < a.on or not rule.in_force_on(b.on):
            continue
        earliest = gap.after(a.on)
        if b.on < earliest:
            out.append(
                member_finding(
                    rule,
                    d,
                    "violated",
                    b.on,
                    f"{label(step)}（{format_date(b.on)}）距{label(after)}（{format_date(a.on)}）"
                    f"不满{gap.label}，最早应在{format_date(earliest)}",
                )
            )
    return out
