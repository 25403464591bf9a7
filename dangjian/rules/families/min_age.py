"""min-age: the applicant is old enough (周岁) on the day of the application."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import age_on, dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "min-age"
AREA = "development"
PARAMS = declare(Param("age", int, 18, "最低年龄（周岁）", min=1, max=150))
SETTINGS = declare(Param("event", str, "applied", "在哪一环节的日期计算年龄", choices=tuple(EVENTS.slugs)))


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    event = rule.setting("event")
    minimum = int(rule.param("age"))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        e, born = d.first(event), d.member.birth_date
        if e is None or born is None or not rule.in_force_on(e.on):
            continue
        age = age_on(born, e.on)
        if age < minimum:
            out.append(
                member_finding(
                    rule,
                    d,
                    "violated",
                    e.on,
                    f"{label(event)}时（{format_date(e.on)}）年龄{age}周岁，未满{minimum}周岁",
                    expected=minimum,
                    actual=age,
                )
            )
    return out
