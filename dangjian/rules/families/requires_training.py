"""requires-training: someone admitted has concentrated training of at least `days` days or `hours` hours."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding, number
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "requires-training"
AREA = "development"
PARAMS = declare(
    Param("days", float, 3, "集中培训至少的天数（与学时满足其一即可）", min=0, max=366),
    Param("hours", float, 24, "集中培训至少的学时（与天数满足其一即可）", min=0, max=1000),
)
SETTINGS = declare(
    Param("at", str, "admitted", "到达哪一环节时检查", choices=tuple(EVENTS.slugs)),
    Param("step", str, "trained", "培训环节", choices=tuple(EVENTS.slugs)),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    at, step = rule.setting("at"), rule.setting("step")
    need_days, need_hours = number(rule.param("days")), number(rule.param("hours"))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        e = d.first(at)
        if e is None or not rule.in_force_on(e.on):
            continue
        trainings = d.all(step)
        days = sum(number(t.details.get("days")) for t in trainings)
        hours = sum(number(t.details.get("hours")) for t in trainings)
        if days >= need_days or hours >= need_hours:
            continue
        if not trainings:
            message = f"{label(at)}（{format_date(e.on)}）时没有{label(step)}的记录"
        elif not days and not hours:
            message = f"{label(step)}没有记录天数或学时，无法确认达到{_num(need_days)}天或{_num(need_hours)}学时"
        else:
            message = (
                f"{label(step)}只有{_num(days)}天、{_num(hours)}学时，"
                f"应不少于{_num(need_days)}天或{_num(need_hours)}学时"
            )
        out.append(member_finding(rule, d, "violated", e.on, message))
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
