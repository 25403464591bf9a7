"""decision-votes: a decision voted by the branch meeting has more than `quorum` of the entitled
present and more than `majority` of the entitled in favour (never divided by those present)."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding, number
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "decision-votes"
AREA = "development"
PARAMS = declare(
    Param("quorum", float, 0.5, "到会有表决权的正式党员应超过应到人数的比例", min=0, max=1),
    Param("majority", float, 0.5, "赞成票应超过应到会有表决权的正式党员的比例", min=0, max=1),
)
SETTINGS = declare(
    Param(
        "events",
        list,
        ["admitted", "converted", "extended", "disqualified"],
        "由支部大会表决的环节",
        choices=tuple(EVENTS.slugs),
    ),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    events = rule.setting("events")
    quorum = Fraction(str(rule.param("quorum")))
    majority = Fraction(str(rule.param("majority")))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        for e in d.events:
            if e.event not in events or not e.details.get("entitled") or not rule.in_force_on(e.on):
                continue
            entitled = int(number(e.details["entitled"]))
            present, yes = e.details.get("present"), e.details.get("yes")
            for problem in vote_problems(entitled, present, yes, quorum, majority):
                out.append(
                    member_finding(rule, d, "violated", e.on, f"{label(e.event)}（{format_date(e.on)}）：{problem}")
                )
    return out


def vote_problems(
    entitled: int, present: Any, yes: Any, quorum: Fraction = Fraction(1, 2), majority: Fraction = Fraction(1, 2)
) -> list[str]:
    """What is wrong with a vote; thresholds divide by the entitled, never by those present."""
    out = []
    if present is not None and not Fraction(int(present)) > quorum * entitled:
        out.append(f"到会有表决权的正式党员{int(present)}人，未超过应到{entitled}人的{_fraction(quorum)}")
    if yes is not None and not Fraction(int(yes)) > majority * entitled:
        out.append(f"赞成{int(yes)}票，未超过应到会有表决权的正式党员{entitled}人的{_fraction(majority)}")
    return out


def _fraction(f: Fraction) -> str:
    return "半数" if f == Fraction(1, 2) else f"{f.numerator}/{f.denominator}"
