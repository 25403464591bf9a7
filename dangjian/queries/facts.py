"""The reads the engine needs, in a fixed number of queries whatever the data size.

`load_facts` turns database rows into the engine's frozen facts. It reads four
tables with one query each, plus two for the development record (members with
their branch, and their events); scoping (--org) filters in SQL, never per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import date

import peewee as pw
from dateutil.relativedelta import relativedelta

from dangjian.rules.facts import EventFact, Facts, GroupFact, MemberFact, MembershipFact, OrgFact, SessionFact, Window
from dangjian.store.models import Member, MemberEvent, Membership, Organization, PartyGroup, Session, SessionKind

#: How far outside the window facts are read: a year period ending in the window
#: starts up to a year before it, and an annual meeting may be held the year after.
_MARGIN = relativedelta(years=1, days=1)


def _rows(query, date_columns: tuple[int, ...] = ()) -> list[tuple]:
    """The query's raw rows, converting only the date columns.

    Letting peewee convert every value of a county's 100,000 rows costs more than reading
    them; SQLite returns dates as ISO text, the server drivers as `date` already.
    """
    cursor = query.model._meta.database.execute(query)
    rows = cursor.fetchall()
    if not date_columns or not rows:
        return rows
    iso = date.fromisoformat

    def fix(row: tuple) -> tuple:
        values = list(row)
        for i in date_columns:
            v = values[i]
            if isinstance(v, str):
                values[i] = iso(v[:10])
        return tuple(values)

    return [fix(r) for r in rows]


def load_orgs() -> list[OrgFact]:
    rows = Organization.select(
        Organization.id,
        Organization.name,
        Organization.kind,
        Organization.parent,
        Organization.established_on,
        Organization.dissolved_on,
        Organization.merged_into,
        Organization.village,
    ).order_by(Organization.id)
    return [
        OrgFact(
            id=r[0],
            name=r[1],
            kind=r[2],
            parent_id=r[3],
            established_on=r[4],
            dissolved_on=r[5],
            merged_into_id=r[6],
            village=bool(r[7]),
        )
        for r in _rows(rows, (4, 5))
    ]


def subtree(orgs: list[OrgFact], root_id: int) -> set[int]:
    """The org and everything under it (by parent)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for o in orgs:
        children[o.parent_id].append(o.id)
    out, stack = set(), [root_id]
    while stack:
        oid = stack.pop()
        if oid in out:
            continue
        out.add(oid)
        stack.extend(children.get(oid, ()))
    return out


def with_merge_sources(orgs: list[OrgFact], ids: set[int]) -> set[int]:
    """`ids` plus every org merged (directly or in a chain) into one of them."""
    into: dict[int, list[int]] = defaultdict(list)
    for o in orgs:
        if o.merged_into_id is not None:
            into[o.merged_into_id].append(o.id)
    out, stack = set(ids), list(ids)
    while stack:
        for src in into.get(stack.pop(), ()):
            if src not in out:
                out.add(src)
                stack.append(src)
    return out


def load_facts(window: Window, as_of: date, root_org_id: int | None = None) -> Facts:
    """Everything `engine.check` needs for the window, seen from as_of, in four queries."""
    orgs = load_orgs()
    scope: frozenset[int] | None = None
    read_ids: set[int] | None = None
    if root_org_id is not None:
        scope = frozenset(subtree(orgs, root_org_id))
        read_ids = with_merge_sources(orgs, set(scope))

    lo = window.start - _MARGIN
    hi = min(as_of, window.end + _MARGIN)

    gq = PartyGroup.select(
        PartyGroup.id, PartyGroup.name, PartyGroup.org, PartyGroup.established_on, PartyGroup.dissolved_on
    )
    if read_ids is not None:
        gq = gq.where(PartyGroup.org.in_(sorted(read_ids)))
    groups = tuple(
        GroupFact(id=r[0], name=r[1], org_id=r[2], established_on=r[3], dissolved_on=r[4]) for r in _rows(gq, (3, 4))
    )

    mq = (
        Membership.select(
            Membership.member,
            Membership.org,
            Membership.group,
            Membership.start,
            Membership.end,
            Member.stage,
            Member.joined_on,
            Member.full_since,
        )
        .join(Member)
        .where(
            (Membership.start.is_null() | (Membership.start <= hi))
            & (Membership.end.is_null() | (Membership.end >= lo))
        )
    )
    if read_ids is not None:
        mq = mq.where(Membership.org.in_(sorted(read_ids)))
    memberships = tuple(
        MembershipFact(
            member_id=r[0],
            org_id=r[1],
            group_id=r[2],
            start=r[3],
            end=r[4],
            stage=r[5],
            joined_on=r[6],
            full_since=r[7],
        )
        for r in _rows(mq, (3, 4, 6, 7))
    )

    sq = (
        Session.select(Session.id, Session.org, Session.group, Session.held_on, Session.for_year, SessionKind.kind)
        .join(SessionKind)
        .where((Session.held_on >= lo) & (Session.held_on <= hi))
        .order_by(Session.id)
    )
    if read_ids is not None:
        sq = sq.where(Session.org.in_(sorted(read_ids)))
    kinds: dict[int, set[str]] = defaultdict(set)
    base: dict[int, tuple] = {}
    for sid, org_id, group_id, held_on, for_year, kind in _rows(sq, (3,)):
        kinds[sid].add(kind)
        base[sid] = (org_id, group_id, held_on, for_year)
    sessions = tuple(
        SessionFact(id=sid, org_id=b[0], group_id=b[1], held_on=b[2], for_year=b[3], kinds=frozenset(kinds[sid]))
        for sid, b in base.items()
    )
    members, events = load_development(orgs, as_of, read_ids)
    return Facts(
        orgs=tuple(orgs),
        groups=groups,
        memberships=memberships,
        sessions=sessions,
        scope=scope,
        members=members,
        events=events,
    )


def load_development(
    orgs: list[OrgFact], as_of: date, org_ids: set[int] | None = None, member_ids: list[int] | None = None
) -> tuple[tuple[MemberFact, ...], tuple[EventFact, ...]]:
    """The people the development rules look at, with their branch on as_of, and their events.

    Two queries whatever the number of people: members joined to their memberships
    begun by as_of, then their events. Only people not yet full members, or with a
    recorded event, are read; `org_ids` keeps those who ever belonged there.
    """
    who = (Member.stage != "full") | Member.id.in_(MemberEvent.select(MemberEvent.member))
    if member_ids is not None:
        who = Member.id.in_(member_ids)
    if org_ids is not None:
        who &= Member.id.in_(Membership.select(Membership.member).where(Membership.org.in_(sorted(org_ids))))
    rows = (
        Member.select(
            Member.id,
            Member.name,
            Member.stage,
            Member.status,
            Member.birth_date,
            Member.joined_on,
            Member.full_since,
            Membership.org,
            Membership.start,
            Membership.end,
        )
        .join(
            Membership,
            pw.JOIN.LEFT_OUTER,
            on=((Membership.member == Member.id) & (Membership.start.is_null() | (Membership.start <= as_of))),
        )
        .where(who)
        .order_by(Member.id)
    )
    rows = _rows(rows, (4, 5, 6, 8, 9))
    names = {o.id: o.name for o in orgs}
    people: dict[int, tuple] = {}
    branch: dict[int, tuple] = {}
    for mid, name, stage, status, birth, joined, full_since, org_id, start, end in rows:
        people[mid] = (name, stage, status, birth, joined, full_since)
        if org_id is None:
            continue
        # the membership open on as_of wins, else the one that ended last
        key = (end is None or end > as_of, end or date.max, start or date.min)
        if mid not in branch or key > branch[mid][0]:
            branch[mid] = (key, org_id)
    members = tuple(
        MemberFact(
            id=mid,
            name=p[0],
            stage=p[1],
            status=p[2],
            birth_date=p[3],
            joined_on=p[4],
            full_since=p[5],
            org_id=branch[mid][1] if mid in branch else None,
            org_name=names.get(branch[mid][1]) if mid in branch else None,
        )
        for mid, p in people.items()
    )
    if not members:
        return members, ()
    # events after as_of are read too (the engine's time machine ignores them), because the
    # cached stage and dates of a member already reflect them
    eq = (
        MemberEvent.select(MemberEvent.id, MemberEvent.member, MemberEvent.event, MemberEvent.on, MemberEvent.details)
        .join(Member)
        .where(who)
        .order_by(MemberEvent.member, MemberEvent.on, MemberEvent.id)
    )
    events = tuple(
        EventFact(
            member_id=mid,
            event=event,
            on=on,
            details=(json.loads(details) if isinstance(details, str) and details else details) or {},
            id=eid,
        )
        for eid, mid, event, on, details in _rows(eq, (3,))
    )
    recorded: dict[int, set[str]] = defaultdict(set)
    for e in events:
        recorded[e.member_id].add(e.event)
    members = tuple(replace(m, recorded=frozenset(recorded.get(m.id, ()))) for m in members)
    return members, events
