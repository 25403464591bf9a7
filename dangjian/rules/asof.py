"""The as-of view: facts as they stood on `as_of`, and who was on a roster on a day.

Pure: anything dated after `as_of` (an establishment, an end, a merge, a session, an
event) is unknown to the view. Lifetimes are half-open: a thing exists on day D when it
started on or before D and ends after D.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from dangjian.periods import Period, periods_between
from dangjian.rules.facts import Facts, GroupFact, MembershipFact, OrgFact, Window


class Timeline:
    """Facts as they stood on `as_of`: later establishments, ends and merges are unknown."""

    def __init__(self, facts: Facts, as_of: date):
        self.as_of = as_of
        self.orgs = {o.id: o for o in facts.orgs if _known(o.established_on, as_of)}
        self.groups = {g.id: g for g in facts.groups if g.org_id in self.orgs and _known(g.established_on, as_of)}
        self.memberships = [m for m in facts.memberships if m.org_id in self.orgs and _known(m.start, as_of)]
        self.sessions = [s for s in facts.sessions if s.held_on <= as_of and s.org_id in self.orgs]
        self.scope = facts.scope
        self.members = {m.id: m for m in facts.members}
        self.events = [e for e in facts.events if e.on <= as_of and e.member_id in self.members]
        self.calendar = facts.calendar
        self.sources: dict[int, list[OrgFact]] = defaultdict(list)
        for o in self.orgs.values():
            if o.merged_into_id is not None and self.end_of(o) is not None and o.merged_into_id in self.orgs:
                self.sources[o.merged_into_id].append(o)

    def end_of(self, org: OrgFact) -> date | None:
        d = org.dissolved_on
        return d if d is not None and d <= self.as_of else None

    def org_exists_on(self, org: OrgFact, d: date) -> bool:
        end = self.end_of(org)
        return (org.established_on is None or org.established_on <= d) and (end is None or d < end)

    def group_exists_on(self, group: GroupFact, d: date) -> bool:
        org = self.orgs[group.org_id]
        if not self.org_exists_on(org, d):
            return False
        if group.established_on is not None and d < group.established_on:
            return False
        end = group.dissolved_on if group.dissolved_on is not None and group.dissolved_on <= self.as_of else None
        return end is None or d < end

    def in_scope(self, org_id: int) -> bool:
        return self.scope is None or org_id in self.scope

    def merge_sources_in(self, org: OrgFact, period: Period) -> list[OrgFact]:
        """Sources merged into `org` on a day inside `period` that existed on its first day."""
        return [
            s
            for s in self.sources.get(org.id, ())
            if s.dissolved_on is not None and period.contains(s.dissolved_on) and self.org_exists_on(s, period.start)
        ]


def _known(d: date | None, as_of: date) -> bool:
    return d is None or d <= as_of


def is_full_on(m: MembershipFact, d: date) -> bool:
    """Whether the member was a full member (正式党员) on day d."""
    if m.full_since is not None:
        return m.full_since <= d
    return m.stage == "full" and (m.joined_on is None or m.joined_on <= d)


def is_on_roster(m: MembershipFact, d: date) -> bool:
    """Whether the member was expected to attend (应到: full or probationary) on day d."""
    if is_full_on(m, d):
        return True
    if m.stage not in ("probationary", "full"):
        return False
    return m.joined_on is None or m.joined_on <= d


def membership_active_on(m: MembershipFact, d: date, as_of: date) -> bool:
    end = m.end if m.end is not None and m.end <= as_of else None
    return (m.start is None or m.start <= d) and (end is None or d < end)


def report_periods(kind: str, window: Window, as_of: date) -> list[Period]:
    """Periods whose last day lies in the window and that have started by as_of."""
    return [p for p in periods_between(kind, window.start, window.end) if window.contains(p.end) and p.start <= as_of]
