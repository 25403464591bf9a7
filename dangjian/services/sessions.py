"""Recording and reading sessions (组织生活：会议、党课、活动) and their attendance.

The roster (应到) of an org or group on a day is its full and probationary
members on that day; anyone else of the org may be recorded as attending (列席);
naming someone who did not belong to the org on that day is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from dangjian.errors import InputError, NotFoundError
from dangjian.periods import format_date
from dangjian.rules.asof import is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.services.orgs import _live_on
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import Attendance, Member, Organization, PartyGroup, Session, SessionKind
from dangjian.vocab import ATTENDANCE, GROUP_SESSION_KINDS, SESSION_KINDS

_SPLIT = re.compile(r"[,，、;；]")
_BRANCH_ONLY = frozenset({"general-meeting", "committee-meeting"})


def split_names(text: str | None) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def split_leave(text: str | None) -> list[tuple[str, str | None]]:
    """'张三:出差,李四' -> [('张三', '出差'), ('李四', None)]."""
    out = []
    for item in split_names(text):
        ref, _, reason = item.replace("：", ":").partition(":")
        out.append((ref.strip(), reason.strip() or None))
    return out


@dataclass
class AttendanceInput:
    all_present: bool = False
    present: list[str] | None = None
    leave: list[tuple[str, str | None]] | None = None
    absent: list[str] | None = None


def _parse_hours(hours) -> Decimal | None:
    if hours is None or hours == "":
        return None
    try:
        h = Decimal(str(hours))
    except InvalidOperation:
        raise InputError(f"学时“{hours}”不是数字。") from None
    if not h.is_finite() or h < 0 or h > 24:
        raise InputError(f"学时“{hours}”应在0到24之间。")
    return h


def roster_on(org: Organization, on: date, group: PartyGroup | None = None) -> tuple[list[Member], list[Member]]:
    """(expected, others): members of org (or group) on day `on`, split by 应到 or not."""
    members = list(members_of_org_on(org, on, group).order_by(Member.id))
    expected, others = [], []
    for m in members:
        fact = MembershipFact(
            member_id=m.id, org_id=org.id, stage=m.stage, joined_on=m.joined_on, full_since=m.full_since
        )
        (expected if is_on_roster(fact, on) else others).append(m)
    return expected, others


def _resolve_person(ref: str, org: Organization, on: date, role: str) -> Member:
    """A host, recorder or lecturer: preferably someone of the org that day, else anyone."""
    try:
        return find_member(ref, among=members_of_org_on(org, on), context=f"{org.name}中")
    except NotFoundError:
        try:
            return find_member(ref)
        except NotFoundError:
            raise NotFoundError(f"没有找到{role}“{ref}”。") from None


def parse_kinds(kinds: list[str]) -> list[str]:
    """Session kinds as typed (slugs or labels, each maybe "a,b" or "a、b") -> distinct slugs."""
    if not kinds:
        raise InputError(f"请用 --kind 给出会议类型，可用的有：{SESSION_KINDS.choices()}。")
    parsed = []
    for k in kinds:
        for part in split_names(k):
            slug = part if part in SESSION_KINDS else SESSION_KINDS.parse(part)
            if slug not in parsed:
                parsed.append(slug)
    if not parsed:
        raise InputError(f"请用 --kind 给出会议类型，可用的有：{SESSION_KINDS.choices()}。")
    return parsed


def check_for_year(for_year: int | None, held_on: date) -> None:
    if for_year is not None and for_year not in (held_on.year, held_on.year - 1):
        raise InputError(
            f"所属年度{for_year}不对：{format_date(held_on)}召开的会议"
            f"只能算作{held_on.year - 1}年或{held_on.year}年的。"
        )


def check_holder(parsed: list[str], grp, held_on: date) -> None:
    """A group's session: the group exists that day and the kinds are a group's; else no group kinds."""
    if grp is not None:
        if grp.established_on is not None and held_on < grp.established_on:
            raise InputError(f"党小组“{grp.name}”在{format_date(held_on)}尚未成立。")
        if grp.dissolved_on is not None and held_on >= grp.dissolved_on:
            raise InputError(f"党小组“{grp.name}”已于{format_date(grp.dissolved_on)}撤销。")
        bad = [k for k in parsed if k in _BRANCH_ONLY]
        if bad:
            raise InputError(f"{SESSION_KINDS.label(bad[0])}由党支部召开，不能记在党小组“{grp.name}”名下。")
    elif any(k in GROUP_SESSION_KINDS for k in parsed):
        raise InputError("党小组会须用 --group 指明是哪个党小组。")


def add_session(
    kinds: list[str],
    held_on: date,
    org: str | None = None,
    group: str | None = None,
    hours=None,
    topic: str | None = None,
    location: str | None = None,
    host: str | None = None,
    recorder: str | None = None,
    lecturer: str | None = None,
    attendance: AttendanceInput | None = None,
    for_year: int | None = None,
    minutes: str | None = None,
    decisions: str | None = None,
) -> Session:
    parsed = parse_kinds(kinds)
    if not org and not group:
        raise InputError("请用 --org 给出党支部，或用 --group 给出党小组。")
    hours_value = _parse_hours(hours)
    check_for_year(for_year, held_on)
    attendance = attendance or AttendanceInput()

    with database.atomic():
        branch = find_org(org) if org else None
        grp = find_group(group, branch) if group else None
        if grp is not None:
            branch = Organization.get_by_id(grp.org_id)
        _live_on(branch, held_on, "组织")
        check_holder(parsed, grp, held_on)

        host_m = _resolve_person(host, branch, held_on, "主持人") if host else None
        recorder_m = _resolve_person(recorder, branch, held_on, "记录人") if recorder else None
        lecturer_m, lecturer_name = None, None
        if lecturer:
            try:
                lecturer_m = _resolve_person(lecturer, branch, held_on, "授课人")
            except NotFoundError:
                lecturer_name = lecturer.strip()

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
        return session


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

    def resolve(ref: str, status_label: str) -> Member:
        try:
            return find_member(ref, among=candidates, context=f"{org.name}中")
        except NotFoundError:
            raise NotFoundError(f"“{ref}”在{format_date(on)}不属于{org.name}，不能记为{status_label}。") from None

    status: dict[int, tuple[str, str | None]] = {}
    named: dict[int, str] = {}

    def put(m: Member, st: str, reason: str | None) -> None:
        if m.id in named:
            raise InputError(f"{m.name}同时被记为{ATTENDANCE.label(named[m.id])}和{ATTENDANCE.label(st)}。")
        named[m.id] = st
        status[m.id] = (st, reason)

    if a.all_present:
        for m in expected:
            status[m.id] = ("present", None)
    for ref in a.present or []:
        put(resolve(ref, "出席"), "present", None)
    for ref, reason in a.leave or []:
        put(resolve(ref, "请假"), "leave", reason)
    for ref in a.absent or []:
        put(resolve(ref, "缺席"), "absent", None)
    if not status and (a.present or a.leave or a.absent):
        raise InputError(f"{where}没有可记录的出勤。")
    return [{"member": mid, "status": st, "reason": reason} for mid, (st, reason) in status.items()]
