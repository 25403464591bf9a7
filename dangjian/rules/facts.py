"""The facts the engine reads: frozen values built by `queries` (or literally, in tests).

Pure: no database, no clock. A `Facts` holds everything one check looks at, including
the work calendar for 公示 periods, so the same facts always give the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangjian.domain.workdays import WorkCalendar


@dataclass(frozen=True)
class OrgFact:
    id: int
    name: str
    kind: str
    parent_id: int | None = None
    established_on: date | None = None
    dissolved_on: date | None = None  # also the merge date when merged_into_id is set
    merged_into_id: int | None = None
    village: bool = False


@dataclass(frozen=True)
class GroupFact:
    id: int
    name: str
    org_id: int
    established_on: date | None = None
    dissolved_on: date | None = None


@dataclass(frozen=True)
class MembershipFact:
    member_id: int
    org_id: int
    group_id: int | None = None
    start: date | None = None
    end: date | None = None
    stage: str = "full"
    joined_on: date | None = None
    full_since: date | None = None


@dataclass(frozen=True)
class SessionFact:
    id: int
    org_id: int
    held_on: date
    kinds: frozenset[str]
    group_id: int | None = None
    for_year: int | None = None


@dataclass(frozen=True)
class MemberFact:
    """A person the development rules look at; `org_id` is their branch as of as_of."""

    id: int
    name: str
    stage: str = "full"
    status: str = "active"
    birth_date: date | None = None
    joined_on: date | None = None
    full_since: date | None = None
    org_id: int | None = None
    org_name: str | None = None
    #: every kind of event on record, including those after as_of: the cached stage and
    #: dates above already reflect them, so the time machine must know they exist
    recorded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventFact:
    """One dated step of a member's development record (发展纪实)."""

    member_id: int
    event: str
    on: date
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: int = 0


@dataclass(frozen=True)
class Facts:
    orgs: tuple[OrgFact, ...] = ()
    groups: tuple[GroupFact, ...] = ()
    memberships: tuple[MembershipFact, ...] = ()
    sessions: tuple[SessionFact, ...] = ()
    #: the orgs to report on (an --org subtree); None means every org
    scope: frozenset[int] | None = None
    members: tuple[MemberFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    #: working days for 公示 periods; None counts every year Monday to Friday
    calendar: WorkCalendar | None = None


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end
