"""requires-step: someone who reached `at` has `step` on record at all (a late one is event-order's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "requires-step"
AREA = "development"
PARAMS = declare()
SETTINGS = declare(
    Param("at", str, "admitted", "到达哪一环节时检查", choices=tuple(EVENTS.slugs)),
    Param("step", str, None, "应有记录的环节", choices=tuple(EVENTS.slugs), required=True),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    at, step = rule.setting("at"), rule.setting("step")
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        e = d.first(at)
        if e is None or d.first(step) is not None or not rule.in_force_on(e.on):
            continue
        out.append(
            member_finding(rule, d, "violated", e.on, f"{label(at)}（{format_date(e.on)}）时没有{label(step)}的记录")
        )
    return out
