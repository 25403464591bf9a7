"""extension-length: an extension of probation is between `min_months` and `max_months`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, member_finding, number
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "extension-length"
AREA = "development"
PARAMS = declare(
    Param("min_months", int, 6, "延长预备期最少的月数", min=0, max=120),
    Param("max_months", int, 12, "延长预备期最多的月数", min=0, max=120),
)
SETTINGS = declare()


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    lo, hi = int(rule.param("min_months")), int(rule.param("max_months"))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        for e in d.all("extended"):
            months = int(number(e.details.get("months")))
            if rule.in_force_on(e.on) and not lo <= months <= hi:
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        e.on,
                        f"{format_date(e.on)}延长预备期{months}个月，应为{lo}至{hi}个月",
                        expected=lo if months < lo else hi,
                        actual=months,
                    )
                )
    return out
