"""extension-once: probation is extended at most `max` times."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "extension-once"
AREA = "development"
PARAMS = declare(Param("max", int, 1, "预备期最多延长的次数", min=0, max=10))
SETTINGS = declare()


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    most = int(rule.param("max"))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        for n, e in enumerate(d.all("extended"), start=1):
            if n > most and rule.in_force_on(e.on):
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        e.on,
                        f"{format_date(e.on)}第{n}次延长预备期，预备期只能延长{most}次",
                        expected=most,
                        actual=n,
                    )
                )
    return out
