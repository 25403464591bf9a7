"""Listings and details of members, as frozen records; 身份证号 and phone numbers are private fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import peewee as pw

from dangjian.domain.identity import mask_id_number, mask_phone
from dangjian.queries.facts import load_orgs, subtree
from dangjian.reports.records import private
from dangjian.rules.asof import is_full_on, is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.store.lookup import find_member, find_org
from dangjian.store.models import Attendance, Member, MemberEvent, Membership, Organization, PartyGroup, Session
from dangjian.vocab import STAGES


def _masked_id_number(value: str | None) -> str | None:
    return mask_id_number(value) or None


def _masked_phone(value: str | None) -> str | None:
    return mask_phone(value) or None


@dataclass(frozen=True)
class MemberRow:
    """One person in a listing, with their current branch and group."""

    id: int
    name: str
    gender: str | None
    stage: str
    status: str
    org: str | None
    group: str | None
    joined_on: date | None
    full_since: date | None
    birth_date: date | None
    id_number: str | None = private(_masked_id_number)
    phone: str | None = private(_masked_phone)


@dataclass(frozen=True)
class MembershipSpan:
    """One stretch of a person's belonging to a branch (and group); `end` None while it lasts."""

    org: str
    group: str | None
    start: date | None
    end: date | None
    note: str | None


@dataclass(frozen=True)
class EventRecord:
    """One step of a person's development record (发展纪实)."""

    event: str
    on: date
    details: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class AttendanceCount:
    """How often a person was recorded 出席 / 请假 / 缺席 in a year (`year` None: all years)."""

    year: int | None
    present: int
    leave: int
    absent: int

    @property
    def total(self) -> int:
        return self.present + self.leave + self.absent


@dataclass(frozen=True)
class MemberDetail:
    """Everything `member show` tells about a person."""

    id: int
    name: str
    gender: str | None
    birth_date: date | None
    id_number: str | None = private(_masked_id_number)
    phone: str | None = private(_masked_phone)
    education: str | None = None
    unit: str | None = None
    job: str | None = None
    stage: str = "full"
    status: str = "active"
    joined_on: date | None = None
    full_since: date | None = None
    org: str | None = None
    memberships: tuple[MembershipSpan, ...] = ()
    events: tuple[EventRecord, ...] = ()
    #: attendance per year, oldest first, then the total (year None)
    attendance: tuple[AttendanceCount, ...] = ()


def list_members(org: str | None = None, stage: str | None = None, include_former: bool = False) -> list[MemberRow]:
    """Members with their current branch and group, in one query (two with --org)."""
    q = (
        Member.select(
            Member,
            Membership.start,
            Organization.name.alias("org_name"),
            PartyGroup.name.alias("group_name"),
            Membership.org,
        )
        .join(Membership, pw.JOIN.LEFT_OUTER, on=((Membership.member == Member.id) & Membership.end.is_null()))
        .join(Organization, pw.JOIN.LEFT_OUTER, on=(Membership.org == Organization.id))
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Membership.group == PartyGroup.id))
        .order_by(Member.id)
    )
    if org:
        root = find_org(org)
        q = q.where(Membership.org.in_(sorted(subtree(load_orgs(), root.id))))
    if stage:
        q = q.where(Member.stage == (stage if stage in STAGES else STAGES.parse(stage)))
    if not include_former:
        q = q.where(Member.status == "active")
    return [
        MemberRow(
            id=m.id,
            name=m.name,
            gender=m.gender,
            stage=m.stage,
            status=m.status,
            org=m.org_name,
            group=m.group_name,
            joined_on=m.joined_on,
            full_since=m.full_since,
            birth_date=m.birth_date,
            id_number=m.id_number,
            phone=m.phone,
        )
        for m in q.objects()
    ]


def member_history(member: Member) -> list[MembershipSpan]:
    rows = (
        Membership.select(Membership, Organization.name.alias("org_name"), PartyGroup.name.alias("group_name"))
        .join(Organization, on=(Membership.org == Organization.id))
        .switch(Membership)
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Membership.group == PartyGroup.id))
        .where(Membership.member == member.id)
        .order_by(Membership.start.asc(nulls="first"), Membership.id)
        .objects()
    )
    return [MembershipSpan(r.org_name, r.group_name, r.start, r.end, r.note) for r in rows]


def show_member(ref: str) -> MemberDetail:
    m = find_member(ref)
    events = tuple(
        EventRecord(e.event, e.on, e.details, e.note)
        for e in MemberEvent.select().where(MemberEvent.member == m.id).order_by(MemberEvent.on, MemberEvent.id)
    )
    history = tuple(member_history(m))
    return MemberDetail(
        attendance=attendance_summary(m.id),
        id=m.id,
        name=m.name,
        gender=m.gender,
        birth_date=m.birth_date,
        id_number=m.id_number,
        phone=m.phone,
        education=m.education,
        unit=m.unit,
        job=m.job,
        stage=m.stage,
        status=m.status,
        joined_on=m.joined_on,
        full_since=m.full_since,
        org=next((h.org for h in history if h.end is None), None),
        memberships=history,
        events=events,
    )


def attendance_summary(member_id: int) -> tuple[AttendanceCount, ...]:
    """A person's recorded attendance counted per year of the sessions, and in total (one query)."""
    rows = (
        Attendance.select(Session.held_on, Attendance.status)
        .join(Session, on=(Attendance.session == Session.id))
        .where(Attendance.member == member_id)
        .tuples()
    )
    per: dict[int, dict[str, int]] = {}
    for held_on, status in rows:
        if isinstance(held_on, str):
            held_on = date.fromisoformat(held_on)
        counts = per.setdefault(held_on.year, {"present": 0, "leave": 0, "absent": 0})
        counts[status] = counts.get(status, 0) + 1
    if not per:
        return ()
    out = [AttendanceCount(y, c["present"], c["leave"], c["absent"]) for y, c in sorted(per.items())]
    out.append(
        AttendanceCount(None, sum(c.present for c in out), sum(c.leave for c in out), sum(c.absent for c in out))
    )
    return tuple(out)


@dataclass(frozen=True)
class RosterRow:
    """One person on a branch's roster (应到) on a day: a full or probationary member, with their group."""

    id: int
    name: str
    gender: str | None
    stage: str
    org: str
    group: str | None
    since: date | None
    joined_on: date | None
    full_since: date | None
    id_number: str | None = private(_masked_id_number)
    phone: str | None = private(_masked_phone)


def roster_on(org: str, on: date) -> list[RosterRow]:
    """Who was on the roster of `org` (and the branches under it) on day `on`, with their group, in
    a fixed number of queries: the stage is the one they had that day (probationary or full)."""
    root = find_org(org)
    ids = sorted(subtree(load_orgs(), root.id))
    q = (
        Member.select(
            Member,
            Membership.start.alias("ms_start"),
            Organization.name.alias("org_name"),
            PartyGroup.name.alias("group_name"),
        )
        .join(Membership, on=(Membership.member == Member.id))
        .join(Organization, on=(Membership.org == Organization.id))
        .switch(Membership)
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Membership.group == PartyGroup.id))
        .where(
            Membership.org.in_(ids)
            & (Membership.start.is_null() | (Membership.start <= on))
            & (Membership.end.is_null() | (Membership.end > on))
        )
        .order_by(Organization.id, Member.id)
    )
    out = []
    for m in q.objects():
        fact = MembershipFact(member_id=m.id, org_id=0, stage=m.stage, joined_on=m.joined_on, full_since=m.full_since)
        if not is_on_roster(fact, on):
            continue
        out.append(
            RosterRow(
                id=m.id,
                name=m.name,
                gender=m.gender,
                stage="full" if is_full_on(fact, on) else "probationary",
                org=m.org_name,
                group=m.group_name,
                since=m.ms_start,
                joined_on=m.joined_on,
                full_since=m.full_since,
                id_number=m.id_number,
                phone=m.phone,
            )
        )
    return out
