"""Listings and details of sessions, as frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import peewee as pw

from dangjian.errors import InputError, NotFoundError
from dangjian.queries.facts import load_orgs, subtree
from dangjian.refs import id_of
from dangjian.rules.asof import is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.services.sessions import roster_on
from dangjian.store.lookup import find_group, find_member, find_org
from dangjian.store.models import Attendance, Member, Membership, Organization, PartyGroup, Session, SessionKind
from dangjian.vocab import SESSION_KINDS


@dataclass(frozen=True)
class SessionRow:
    """One session in a listing, with its kinds and its attendance counts."""

    id: int
    held_on: date
    org: str
    group: str | None
    kinds: tuple[str, ...]
    topic: str | None
    hours: Decimal | None
    for_year: int | None
    present: int
    leave: int
    absent: int


@dataclass(frozen=True)
class AttendanceRow:
    """One person at a session: recorded (`status`), or expected and not recorded (`status` None)."""

    member_id: int
    name: str
    status: str | None
    reason: str | None
    expected: bool


@dataclass(frozen=True)
class SessionDetail:
    """Everything `session show` tells about a session; `present` counts the expected who attended."""

    id: int
    org: str
    group: str | None
    held_on: date
    kinds: tuple[str, ...]
    topic: str | None
    hours: Decimal | None
    location: str | None
    host: str | None
    recorder: str | None
    lecturer: str | None
    for_year: int | None
    minutes: str | None
    decisions: str | None
    expected: int
    present: int
    attendance: tuple[AttendanceRow, ...]


def list_sessions(
    org: str | None = None,
    kind: str | None = None,
    start: date | None = None,
    end: date | None = None,
    group: str | None = None,
) -> list[SessionRow]:
    """Sessions with their kinds and attendance counts, in three queries."""
    q = (
        Session.select(Session, Organization.name.alias("org_name"), PartyGroup.name.alias("group_name"))
        .join(Organization, on=(Session.org == Organization.id))
        .switch(Session)
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Session.group == PartyGroup.id))
        .order_by(Session.held_on, Session.id)
    )
    if org:
        root = find_org(org)
        q = q.where(Session.org.in_(sorted(subtree(load_orgs(), root.id))))
    if group:
        q = q.where(Session.group == find_group(group, find_org(org) if org else None).id)
    if kind:
        slug = kind if kind in SESSION_KINDS else SESSION_KINDS.parse(kind)
        q = q.where(Session.id.in_(SessionKind.select(SessionKind.session).where(SessionKind.kind == slug)))
    if start:
        q = q.where(Session.held_on >= start)
    if end:
        q = q.where(Session.held_on <= end)
    sessions = list(q.objects())
    ids = [s.id for s in sessions]
    kinds: dict[int, list[str]] = {}
    counts: dict[int, dict[str, int]] = {}
    if ids:
        sub = q.select(Session.id)
        order = {k: i for i, k in enumerate(SESSION_KINDS.slugs)}
        for sid, k in (
            SessionKind.select(SessionKind.session, SessionKind.kind).where(SessionKind.session.in_(sub)).tuples()
        ):
            kinds.setdefault(sid, []).append(k)
        for v in kinds.values():
            v.sort(key=lambda k: order.get(k, 99))
        for sid, st, n in (
            Attendance.select(Attendance.session, Attendance.status, pw.fn.COUNT(Attendance.id))
            .where(Attendance.session.in_(sub))
            .group_by(Attendance.session, Attendance.status)
            .tuples()
        ):
            counts.setdefault(sid, {})[st] = n
    return [
        SessionRow(
            id=s.id,
            held_on=s.held_on,
            org=s.org_name,
            group=s.group_name,
            kinds=tuple(kinds.get(s.id, ())),
            topic=s.topic,
            hours=s.hours,
            for_year=s.for_year,
            present=counts.get(s.id, {}).get("present", 0),
            leave=counts.get(s.id, {}).get("leave", 0),
            absent=counts.get(s.id, {}).get("absent", 0),
        )
        for s in sessions
    ]


def show_session(ref: str) -> SessionDetail:
    sid = id_of(ref)
    if sid is None:
        raise InputError(f"会议编号“{ref}”应是数字，可用 dangjian session list 查看。")
    s = Session.get_or_none(Session.id == sid)
    if s is None:
        raise NotFoundError(f"没有编号为{sid}的会议记录。")
    org = Organization.get_by_id(s.org_id)
    grp = PartyGroup.get_by_id(s.group_id) if s.group_id else None
    expected, _ = roster_on(org, s.held_on, grp)
    rows = list(
        Attendance.select(Attendance, Member).join(Member).where(Attendance.session == s.id).order_by(Member.id)
    )
    recorded = {a.member_id for a in rows}
    expected_ids = {m.id for m in expected}
    attendance = [
        AttendanceRow(a.member_id, a.member.name, a.status, a.reason, a.member_id in expected_ids) for a in rows
    ]
    attendance += [AttendanceRow(m.id, m.name, None, None, True) for m in expected if m.id not in recorded]
    people = {
        m.id: m.name
        for m in Member.select(Member.id, Member.name).where(
            Member.id.in_([x for x in (s.host_id, s.recorder_id, s.lecturer_id) if x] or [0])
        )
    }
    kinds = [k for (k,) in SessionKind.select(SessionKind.kind).where(SessionKind.session == s.id).tuples()]
    order = {k: i for i, k in enumerate(SESSION_KINDS.slugs)}
    return SessionDetail(
        id=s.id,
        org=org.name,
        group=grp.name if grp else None,
        held_on=s.held_on,
        kinds=tuple(sorted(kinds, key=lambda k: order.get(k, 99))),
        topic=s.topic,
        hours=s.hours,
        location=s.location,
        host=people.get(s.host_id),
        recorder=people.get(s.recorder_id),
        lecturer=people.get(s.lecturer_id) or s.lecturer_name,
        for_year=s.for_year,
        minutes=s.minutes,
        decisions=s.decisions,
        expected=len(expected),
        present=sum(1 for a in attendance if a.status == "present" and a.expected),
        attendance=tuple(attendance),
    )


@dataclass(frozen=True)
class MemberAttendanceRow:
    """One session a person is recorded at: their status and reason, and whether they were expected
    (应到); recorded present while not expected is attending as a non-voting guest (列席)."""

    session_id: int
    held_on: date
    org: str
    group: str | None
    kinds: tuple[str, ...]
    topic: str | None
    status: str
    reason: str | None
    expected: bool


def member_attendance(
    ref: str, kind: str | None = None, start: date | None = None, end: date | None = None
) -> list[MemberAttendanceRow]:
    """The sessions a person is recorded at, oldest first, in four queries."""
    member = find_member(ref)
    q = (
        Attendance.select(
            Attendance.status,
            Attendance.reason,
            Session.id.alias("sid"),
            Session.held_on,
            Session.org,
            Session.group,
            Session.topic,
            Organization.name.alias("org_name"),
            PartyGroup.name.alias("group_name"),
        )
        .join(Session)
        .join(Organization, on=(Session.org == Organization.id))
        .switch(Session)
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Session.group == PartyGroup.id))
        .where(Attendance.member == member.id)
        .order_by(Session.held_on, Session.id)
    )
    if kind:
        slug = kind if kind in SESSION_KINDS else SESSION_KINDS.parse(kind)
        q = q.where(Session.id.in_(SessionKind.select(SessionKind.session).where(SessionKind.kind == slug)))
    if start:
        q = q.where(Session.held_on >= start)
    if end:
        q = q.where(Session.held_on <= end)
    rows = list(q.dicts())
    kinds: dict[int, list[str]] = {}
    order = {k: i for i, k in enumerate(SESSION_KINDS.slugs)}
    for sid, k in (
        SessionKind.select(SessionKind.session, SessionKind.kind)
        .where(SessionKind.session.in_([r["sid"] for r in rows] or [0]))
        .tuples()
    ):
        kinds.setdefault(sid, []).append(k)
    spans = list(Membership.select().where(Membership.member == member.id))

    def expected(r: dict) -> bool:
        on = r["held_on"]
        for ms in spans:
            if ms.org_id != r["org"] or not (ms.start is None or ms.start <= on) or not (ms.end is None or on < ms.end):
                continue
            if r["group"] is not None and ms.group_id != r["group"]:
                continue
            fact = MembershipFact(
                member.id, ms.org_id, stage=member.stage, joined_on=member.joined_on, full_since=member.full_since
            )
            return is_on_roster(fact, on)
        return False

    return [
        MemberAttendanceRow(
            session_id=r["sid"],
            held_on=r["held_on"],
            org=r["org_name"],
            group=r["group_name"],
            kinds=tuple(sorted(kinds.get(r["sid"], []), key=lambda k: order.get(k, 99))),
            topic=r["topic"],
            status=r["status"],
            reason=r["reason"],
            expected=expected(r),
        )
        for r in rows
    ]
