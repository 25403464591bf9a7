"""One person's development record as seen on as_of, and the arithmetic the rules share.

Pure: the probation arithmetic, the stage a person was at on a day, and the finding
about a member, used by the development families, by planning and by the services
(which must agree with the engine on them). No database, no clock, no printing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from dangjian.rules.asof import Timeline
from dangjian.rules.facts import EventFact, MemberFact
from dangjian.rules.findings import Finding, Subject
from dangjian.vocab import EVENTS, PARTY_STAGES

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

#: Events that move a person to a stage.
STAGE_OF_EVENT: Mapping[str, str] = MappingProxyType(
    {
        "applied": "applicant",
        "activist": "activist",
        "candidate": "candidate",
        "admitted": "probationary",
        "converted": "full",
    }
)
STAGE_ORDER = ("applicant", "activist", "candidate", "probationary", "full")
_RANK = {s: i + 1 for i, s in enumerate(STAGE_ORDER)}
#: The branch meeting's decisions at the end of probation.
DECISIONS = ("converted", "extended", "disqualified")


def probation_end(admitted: date, extension_months: int = 0) -> date:
    """The day a probationary member becomes full: admitted + 1 year + extensions.

    admitted 2020-07-01 -> 2021-07-01; extended 6 months -> 2022-01-01.
    """
    return admitted + (_ONE_YEAR if not extension_months else relativedelta(years=1, months=extension_months))


_ONE_YEAR = relativedelta(years=1)


def age_on(birth: date, d: date) -> int:
    """Full years (周岁) on day d; someone born on 29 February turns a year older on 28 February."""
    return relativedelta(d, birth).years


def label(event: str) -> str:
    return EVENTS.label(event)


def as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


class Dossier:
    """One person's record as seen on as_of: the member and their events in date order."""

    def __init__(self, member: MemberFact, events: Iterable[EventFact]):
        self.member = member
        self.events = sorted(events, key=lambda e: (e.on, e.id))
        self._by: dict[str, list[EventFact]] = defaultdict(list)
        for e in self.events:
            self._by[e.event].append(e)
        #: the first occurrence of each kind of event
        self.firsts = {event: found[0] for event, found in self._by.items()}
        self.recorded = member.recorded | {e.event for e in self.events}
        self.has_stage_events = any(e in STAGE_OF_EVENT for e in self.recorded)

    def all(self, event: str) -> list[EventFact]:
        return self._by.get(event, [])

    def first(self, event: str) -> EventFact | None:
        found = self._by.get(event)
        return found[0] if found else None

    def on(self, event: str) -> date | None:
        e = self.first(event)
        return e.on if e is not None else None

    @property
    def subject(self) -> Subject:
        return Subject("member", self.member.id, self.member.name, self.member.org_name)

    @property
    def admitted_on(self) -> date | None:
        """The admission date: the `admitted` event, else the 入党日期 entered with the member."""
        if "admitted" in self.recorded:
            return self.on("admitted")
        if self.member.stage in PARTY_STAGES:
            return self.member.joined_on
        return None

    def extension_months(self, until: date | None = None) -> int:
        return sum(int(number(e.details.get("months"))) for e in self.all("extended") if until is None or e.on <= until)

    def probation_ends(self, until: date | None = None) -> date | None:
        """probation_ends counting the extensions decided by `until` (all of them by default)."""
        if until is None and "_ends" in self.__dict__:
            cached: date | None = self.__dict__["_ends"]
            return cached
        admitted = self.admitted_on
        ends = None if admitted is None else probation_end(admitted, self.extension_months(until))
        if until is None:
            self.__dict__["_ends"] = ends
        return ends

    def stage_on(self, d: date) -> str | None:
        """The stage on day d; None before the first recorded step."""
        best = 0
        for e in self.events:
            if e.on > d:
                break
            s = STAGE_OF_EVENT.get(e.event)
            if s is not None:
                best = max(best, _RANK[s])
        m = self.member
        if m.stage in PARTY_STAGES:
            joined = self.admitted_on
            if "admitted" not in self.recorded and (joined is None or joined <= d):
                best = max(best, _RANK["probationary"])
            if m.stage == "full" and "converted" not in self.recorded and best >= _RANK["probationary"]:
                full_from = m.full_since or joined
                if full_from is None or full_from <= d:
                    best = _RANK["full"]
        elif not self.has_stage_events:
            best = max(best, _RANK.get(m.stage, 0))
        return STAGE_ORDER[best - 1] if best else None

    def disqualified_by(self, d: date) -> bool:
        q = self.on("disqualified")
        return q is not None and q <= d

    def still_open(self) -> bool:
        """Whether the branch still owes this person steps (not disqualified, left or dead)."""
        if self.first("disqualified") is not None:
            return False
        # a status of `disqualified` without the event means the event lies after as_of
        return self.member.status in ("active", "disqualified")


def dossiers(tl: Timeline) -> list[Dossier]:
    """Every in-scope member's record on the timeline, built once per timeline."""
    cached = tl.__dict__.get("_dossiers")
    if cached is None:
        by_member: dict[int, list[EventFact]] = defaultdict(list)
        for e in tl.events:
            by_member[e.member_id].append(e)
        cached = [
            Dossier(m, by_member.get(m.id, ()))
            for m in tl.members.values()
            if (tl.scope is None or (m.org_id is not None and tl.in_scope(m.org_id)))
        ]
        tl.__dict__["_dossiers"] = cached
    return cached


def member_finding(
    rule: Rule,
    d: Dossier,
    status: str,
    on: date,
    message: str,
    expected: int | None = None,
    actual: int | None = None,
    severity: str | None = None,
) -> Finding:
    return Finding(
        rule.id, severity or rule.severity, status, d.subject, None, on, expected, actual, message, rule.source
    )
