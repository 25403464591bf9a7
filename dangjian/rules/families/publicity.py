"""publicity: a 公示 of at least `workdays` working days ends before `step` (dates from its --until).

Working days come from the work calendar carried by the facts; a year the calendar does
not know is counted Monday to Friday, and a `Note` says which years were.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from dangjian.domain.workdays import WorkCalendar
from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import as_date, dossiers, label, member_finding
from dangjian.rules.facts import EventFact, Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "publicity"
AREA = "development"
PARAMS = declare(Param("workdays", int, 5, "公示期至少的工作日数", min=1, max=100))
SETTINGS = declare(
    Param("step", str, "candidate", "公示之后的环节", choices=tuple(EVENTS.slugs)),
    Param("event", str, "publicized", "公示环节", choices=tuple(EVENTS.slugs)),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    step, event = rule.setting("step"), rule.setting("event")
    need = int(rule.param("workdays"))
    calendar = tl.calendar if tl.calendar is not None else WorkCalendar()
    guessed: set[int] = set()
    out: list[Finding | Note] = []

    def until(p: EventFact) -> date:
        return as_date(p.details.get("until")) or p.on

    def count(start: date, end: date) -> int:
        guessed.update(calendar.guessed_years(start, end))
        return calendar.count(start, end)

    for d in dossiers(tl):
        c = d.first(step)
        if c is None or not rule.in_force_on(c.on):
            continue
        started = [p for p in d.all(event) if p.on <= c.on]
        ended = [(p, until(p)) for p in started if until(p) < c.on]
        actual: int | None
        if not started:
            message = f"{label(step)}（{format_date(c.on)}）前没有{label(event)}记录"
            actual = 0
        elif not ended:
            p = started[-1]
            message = f"{label(event)}至{format_date(until(p))}，未在{label(step)}（{format_date(c.on)}）之前结束"
            actual = None
        else:
            actual, p, u = max(((count(p.on, u), p, u) for p, u in ended), key=lambda t: t[0])
            if actual >= need:
                continue
            message = (
                f"{label(event)}（{format_date(p.on)}至{format_date(u)}）只有{actual}个工作日，应不少于{need}个工作日"
            )
        out.append(member_finding(rule, d, "violated", c.on, message, expected=need, actual=actual))
    note = calendar.fallback_note(guessed)
    if note is not None:
        out.append(Note(note))
    return out
