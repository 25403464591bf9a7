"""periodic-step: from `start` until `until`, `step` is recorded at least every `max_gap`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import STAGE_OF_EVENT, dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "periodic-step"
AREA = "development"
PARAMS = declare(Param("max_gap", Duration, None, "两次之间最长的间隔", required=True))
SETTINGS = declare(
    Param("start", str, None, "从哪一环节开始", choices=tuple(EVENTS.slugs), required=True),
    Param("step", str, None, "定期进行的环节", choices=tuple(EVENTS.slugs), required=True),
    Param("until", str, None, "到哪一环节为止", choices=tuple(EVENTS.slugs), required=True),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    start, step, until = rule.setting("start"), rule.setting("step"), rule.setting("until")
    gap: Duration = rule.param("max_gap")
    gap_delta = gap.delta()
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        s = d.first(start)
        if s is None or not rule.in_force_on(s.on):
            continue
        end = d.first(until)
        if end is not None and end.on < s.on:
            end = None  # out of order: event-order reports it
        points = [s.on] + sorted(e.on for e in d.all(step) if e.on > s.on and (end is None or e.on <= end.on))
        if end is not None:
            points.append(end.on)
        for p, q in zip(points, points[1:]):
            deadline = p + gap_delta
            if q > deadline:
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        deadline,
                        f"{format_date(p)}至{format_date(q)}之间超过{gap.label}没有{label(step)}"
                        f"（应在{format_date(deadline)}前）",
                    )
                )
        if end is not None or not d.still_open() or d.stage_on(tl.as_of) != STAGE_OF_EVENT.get(start, start):
            continue
        last = points[-1]
        deadline = last + gap_delta
        if tl.as_of > deadline:
            out.append(
                member_finding(
                    rule,
                    d,
                    "overdue",
                    deadline,
                    f"自{format_date(last)}起超过{gap.label}没有{label(step)}（应在{format_date(deadline)}前）",
                )
            )
        else:
            out.append(
                member_finding(
                    rule,
                    d,
                    "due",
                    deadline,
                    f"下一次{label(step)}应在{format_date(deadline)}前（上次{format_date(last)}）",
                )
            )
    return out
