"""Recording and reading sessions (组织生活：会议、党课、活动) and their attendance.

The roster (应到) of an org or group on a day is its full and probationary
members on that day; anyone else of the org may be recorded as attending (列席);
naming someone who did not belong to the org on that day is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dangjian.domain import policies
from dangjian.domain.policies import AttendanceInput
from dangjian.errors import InputError, NotFoundError
from dangjian.periods import format_date
from dangjian.rules.asof import is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import Attendance, Member, Organization, PartyGroup, Session, SessionKind
from dangjian.vocab import SESSION_KINDS

_SPLIT = re.compile(r"[,，、;；]")


def split_names(text: str | None) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def split_leave(text: str | None) -> list[tuple[str, str | None]]:
    """'张三:出差,李四' -> [('张三', '出差'), ('李四', None)]."""
    out = []
    for item in split_names(text):
        ref, _, reason = item.replace("：", ":").partition(":")
        out.append((ref.strip(), reason.strip() or None))
    return out


@dataclass(frozen=True)
class SessionAdded:
    id: int
    held_on: date
    org_id: int
    group_id: int | None
    kinds: tuple[str, ...]


def parse_hours(value: object) -> Decimal | None:
    """A session's 学时 as typed: finite, from 0 to 24."""
    return policies.hours(value, policies.SESSION_HOURS)


def roster_on(org: Organization, on: date, group: PartyGroup | None = None) -> tuple[list[Member], list[Member]]:
    """(expected, others): members of org (or group) on day `on`, split by 应到 or not."""
    members = list(members_of_org_on(org, on, group).order_by(Member.id))
    expected: list[Member] = []
    others: list[Member] = []
    for m in members:
        fact = MembershipFact(
            member_id=m.id, org_id=org.id, stage=m.stage, joined_on=m.joined_on, full_since=m.full_since
        )
        (expected if is_on_roster(fact, on) else others).append(m)
    return expected, others


def _resolve_person(ref: str, org: Organization, on: date, role: str, field: str) -> Member:
    """A host, recorder or lecturer: preferably someone of the org that day, else anyone."""
    try:
        try:
            return find_member(ref, among=members_of_org_on(org, on), context=f"{org.name}中")
        except NotFoundError:
            try:
                return find_member(ref)
            except NotFoundError:
                raise NotFoundError(f"没有找到{role}“{ref}”。") from None
    except InputError as exc:
        exc.field = field
        raise


def parse_kinds(kinds: list[str]) -> list[str]:
    """Session kinds as typed (slugs or labels, each maybe "a,b" or "a、b") -> distinct slugs."""
    parsed: list[str] = []
    for k in kinds or []:
        for part in split_names(k):
            try:
                slug = part if part in SESSION_KINDS else SESSION_KINDS.parse(part)
            except InputError as exc:
                raise InputError(str(exc), field="kinds") from None
            if slug not in parsed:
                parsed.append(slug)
    if not parsed:
        raise InputError(f"没有给出会议类型，可用的有：{SESSION_KINDS.choices()}。", field="kinds")
    return parsed


def add_session(
    kinds: list[str],
    held_on: date,
    org: str | None = None,
    group: str | None = None,
    hours: object = None,
    topic: str | None = None,
    location: str | None = None,
    host: str | None = None,
    recorder: str | None = None,
    lecturer: str | None = None,
    attendance: AttendanceInput | None = None,
    for_year: int | None = None,
    minutes: str | None = None,
    decisions: str | None = None,
) -> SessionAdded:
    parsed = parse_kinds(kinds)
    if not org and not group:
        raise InputError("请用 --org 给出党支部，或用 --group 给出党小组。", field="org")
    hours_value = parse_hours(hours)
    policies.for_year_fits(for_year, held_on)
    for value, what, column, key in (
        (topic, "主题", Session.topic, "topic"),
        (location, "地点", Session.location, "location"),
        (minutes, "会议记录", Session.minutes, "minutes"),
        (decisions, "决议事项", Session.decisions, "decisions"),
    ):
        policies.text(value, what, getattr(column, "max_length", None), key)
    attendance = attendance or AttendanceInput()

    with database.atomic():
        branch = find_org(org) if org else None
        if group:
            grp = find_group(group, branch)
            branch = Organization.get_by_id(grp.org_id)
        else:
            grp = None
        assert branch is not None  # an org or a group was given
        policies.org_exists_on(branch, held_on)
        policies.session_holder(parsed, grp, held_on)

        host_m = _resolve_person(host, branch, held_on, "主持人", "host") if host else None
        recorder_m = _resolve_person(recorder, branch, held_on, "记录人", "recorder") if recorder else None
        lecturer_m, lecturer_name = None, None
        if lecturer:
            try:
                lecturer_m = _resolve_person(lecturer, branch, held_on, "授课人", "lecturer")
            except NotFoundError:
                lecturer_name = policies.text(lecturer.strip(), "授课人", Session.lecturer_name.max_length, "lecturer")

        rows = _attendance_rows(attendance, branch, grp, held_on)
        session = Session.create(
            org=branch,
            group=grp,
            held_on=held_on,
            hours=hours_value,
            topic=topic,
            location=location,
            host=host_m,
            recorder=recorder_m,
            lecturer=lecturer_m,
            lecturer_name=lecturer_name,
            for_year=for_year,
            minutes=minutes,
            decisions=decisions,
        )
        SessionKind.insert_many([{"session": session.id, "kind": k} for k in parsed]).execute()
        if rows:
            Attendance.insert_many([{"session": session.id, **r} for r in rows]).execute()
        return SessionAdded(session.id, held_on, branch.id, grp.id if grp else None, tuple(parsed))


def _attendance_rows(a: AttendanceInput, org: Organization, grp: PartyGroup | None, on: date) -> list[dict]:
    expected, others = roster_on(org, on, grp)
    # attendees may come from the whole branch even for a group's meeting (列席)
    if grp is not None:
        exp_all, oth_all = roster_on(org, on)
        pool = {m.id: m for m in exp_all + oth_all}
    else:
        pool = {m.id: m for m in expected + others}
    where = f"{format_date(on)}的{grp.name if grp else org.name}"
    candidates = Member.select().where(Member.id.in_(list(pool) or [0]))

    def find(ref: str) -> Member | None:
        try:
            return find_member(ref, among=candidates, context=f"{org.name}中")
        except NotFoundError:
            return None

    for _, reason in a.leave or []:
        policies.text(reason, "原因", Attendance.reason.max_length, "leave")
    rows, errors = policies.resolve_attendance(a, expected, find, org.name, on, where)
    if errors:
        raise errors[0]
    return [{"member": mid, "status": st, "reason": reason} for mid, st, reason in rows]
