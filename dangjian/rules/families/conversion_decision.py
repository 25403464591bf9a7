"""conversion-decision: once probation has ended (plus `grace`), the branch has converted or disqualified."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "conversion-decision"
AREA = "development"
PARAMS = declare(Param("grace", Duration, "0 days", "预备期届满后讨论转正的宽限时长"))
SETTINGS = declare()


def plan(rule: Rule) -> Plan:
    return Plan(asks_for="converted")


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    grace: Duration = rule.param("grace")
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        if d.first("converted") is not None or d.first("disqualified") is not None:
            continue
        ends = d.probation_ends()
        if ends is None or not rule.in_force_on(ends) or not d.still_open():
            continue
        if d.stage_on(tl.as_of) != "probationary":
            continue
        deadline = grace.after(ends)
        extended = "（已延长预备期）" if d.all("extended") else ""
        if tl.as_of > deadline:
            out.append(
                member_finding(
                    rule,
                    d,
                    "overdue",
                    deadline,
                    f"预备期已于{format_date(ends)}届满{extended}，已过{(tl.as_of - ends).days}天仍未讨论转正",
                )
            )
        else:
            out.append(
                member_finding(
                    rule,
                    d,
                    "due",
                    deadline,
                    f"预备期将于{format_date(ends)}届满{extended}，届时应及时讨论能否转为正式党员",
                )
            )
    return out
