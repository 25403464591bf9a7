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
from typing import Any

from dangjian.domain import policies
from dangjian.domain.policies import AttendanceInput
from dangjian.errors import InputError, NotFoundError
from dangjian.periods import format_date
from dangjian.refs import session_id
from dangjian.rules.asof import is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.store.base import local_today
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import (
    Attendance,
    Member,
    MemberEvent,
    Organization,
    PartyGroup,
    Session,
    SessionKind,
)
from dangjian.vocab import EVENTS, SESSION_KINDS

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
    again: bool = False,
) -> SessionAdded:
    """Record a session; one that repeats a recorded one (same holder, day and kinds) only `again`."""
    parsed = parse_kinds(kinds)
    if not org and not group:
        raise InputError("请用 --org 给出党支部，或用 --group 给出党小组。", field="org")
    hours_value = parse_hours(hours)
    policies.happened_by(held_on, local_today(), "会议日期")
    policies.for_year_fits(for_year, held_on)
    _check_texts(topic, location, minutes, decisions)
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
        if not again:
            policies.session_not_twice(
                _same_session(branch, grp, held_on, parsed), _holder(branch, grp), held_on, _in_order(parsed)
            )

        host_m = _resolve_person(host, branch, held_on, "主持人", "host") if host else None
        recorder_m = _resolve_person(recorder, branch, held_on, "记录人", "recorder") if recorder else None
        lecturer_m, lecturer_name = _resolve_lecturer(lecturer, branch, held_on)

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


def _check_texts(topic: str | None, location: str | None, minutes: str | None, decisions: str | None) -> None:
    for value, what, column, key in (
        (topic, "主题", Session.topic, "topic"),
        (location, "地点", Session.location, "location"),
        (minutes, "会议记录", Session.minutes, "minutes"),
        (decisions, "决议事项", Session.decisions, "decisions"),
    ):
        policies.text(value, what, getattr(column, "max_length", None), key)


def _resolve_lecturer(lecturer: str | None, branch: Organization, on: date) -> tuple[Member | None, str | None]:
    """A lecturer is a member when one is found, else the name (and title) of a guest, as text."""
    if not lecturer:
        return None, None
    try:
        return _resolve_person(lecturer, branch, on, "授课人", "lecturer"), None
    except NotFoundError:
        return None, policies.text(lecturer.strip(), "授课人", Session.lecturer_name.max_length, "lecturer")


def _holder(branch: Organization, grp: PartyGroup | None) -> str:
    return f"{branch.name}{grp.name}" if grp is not None else branch.name


def _same_session(
    branch: Organization, grp: PartyGroup | None, on: date, kinds: list[str], other_than: int | None = None
) -> int | None:
    """The id of a recorded session of the same holder, day and kinds (besides `other_than`), if any."""
    q = Session.select(Session.id).where(
        (Session.org == branch.id)
        & (Session.group.is_null() if grp is None else Session.group == grp.id)
        & (Session.held_on == on)
    )
    if other_than is not None:
        q = q.where(Session.id != other_than)
    found: dict[int, set[str]] = {sid: set() for (sid,) in q.tuples()}
    if not found:
        return None
    for sid, k in (
        SessionKind.select(SessionKind.session, SessionKind.kind).where(SessionKind.session.in_(list(found))).tuples()
    ):
        found[sid].add(k)
    return next((sid for sid in sorted(found) if found[sid] == set(kinds)), None)


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


# ---------------------------------------------------------------- correcting and removing


class _Keep:
    """The value of a field an edit does not change."""

    def __repr__(self) -> str:
        return "KEEP"


#: an `edit_session` argument left as it is
KEEP: Any = _Keep()


@dataclass(frozen=True)
class SessionEdited:
    """What `edit_session` changed: the session's own fields (library names) and attendance rows."""

    id: int
    fields: tuple[str, ...]
    attendance: int

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.attendance)


@dataclass(frozen=True)
class SessionDeleted:
    """A session removed with its kinds and attendance."""

    id: int
    held_on: date
    holder: str
    kinds: tuple[str, ...]
    topic: str | None
    attendance: int


def get_session(ref: str | int) -> Session:
    """A session by its id (`12`, `#12`)."""
    sid = session_id(ref)
    s = Session.get_or_none(Session.id == sid)
    if s is None:
        raise NotFoundError(f"没有编号为{sid}的会议记录，可用 dangjian session list 查看。", field="session")
    return s


def _in_order(kinds: list[str]) -> list[str]:
    """Kinds in the vocabulary's order (how every listing shows them)."""
    order = {k: i for i, k in enumerate(SESSION_KINDS.slugs)}
    return sorted(kinds, key=lambda k: order.get(k, 99))


def _kinds_of(sid: int) -> list[str]:
    return _in_order([k for (k,) in SessionKind.select(SessionKind.kind).where(SessionKind.session == sid).tuples()])


def _for_year(value: int | str | None) -> int | None:
    """所属年度 as typed: a four-digit year, or empty (none)."""
    if value is None or isinstance(value, int):
        return value
    text = value.strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{4}", text):
        raise InputError(f"所属年度“{value}”应是四位年份，如 2021。", field="for_year")
    return int(text)


def _cleared(value: str | None) -> str | None:
    """An edit's text: an empty string clears the field."""
    return value if value is None or value.strip() else None


def edit_session(
    ref: str | int,
    held_on: date | Any = KEEP,
    kinds: list[str] | Any = KEEP,
    group: str | None | Any = KEEP,
    hours: object = KEEP,
    topic: str | None | Any = KEEP,
    location: str | None | Any = KEEP,
    host: str | None | Any = KEEP,
    recorder: str | None | Any = KEEP,
    lecturer: str | None | Any = KEEP,
    for_year: int | str | None | Any = KEEP,
    minutes: str | None | Any = KEEP,
    decisions: str | None | Any = KEEP,
    attendance: AttendanceInput | None = None,
    again: bool = False,
) -> SessionEdited:
    """Correct a recorded session: only the arguments given change (`KEEP` leaves a field as it is;
    None or an empty text clears it).

    `kinds` replaces the kinds; `attendance` sets the status of the people it names and keeps
    everyone else's. The session is checked as `add_session` checks a new one: a new day is not
    after today, the org (and group) exist that day, and everyone recorded as attending belongs
    to the org that day; it may not become the copy of another recorded session unless `again`.
    """
    texts = {
        k: _cleared(v) for k, v in (("topic", topic), ("location", location), ("minutes", minutes)) if v is not KEEP
    }
    if decisions is not KEEP:
        texts["decisions"] = _cleared(decisions)
    _check_texts(texts.get("topic"), texts.get("location"), texts.get("minutes"), texts.get("decisions"))
    new_kinds = parse_kinds(kinds) if kinds is not KEEP else None
    hours_value = parse_hours(hours) if hours is not KEEP else KEEP
    year_value = _for_year(for_year) if for_year is not KEEP else KEEP
    if held_on is not KEEP:
        if held_on is None:
            raise InputError("会议日期不能为空。", field="held_on")
        policies.happened_by(held_on, local_today(), "会议日期")

    with database.atomic():
        s = get_session(ref)
        branch = Organization.get_by_id(s.org_id)
        old_kinds = _kinds_of(s.id)
        on = s.held_on if held_on is KEEP else held_on
        if group is KEEP:
            grp = PartyGroup.get_by_id(s.group_id) if s.group_id else None
        elif group is None or not str(group).strip() or str(group).strip().lower() == "none":
            grp = None
        else:
            grp = find_group(group, branch)
        the_kinds = new_kinds if new_kinds is not None else old_kinds
        year: int | None = s.for_year if year_value is KEEP else _for_year(year_value)

        policies.org_exists_on(branch, on)
        policies.session_holder(the_kinds, grp, on)
        policies.for_year_fits(year, on)
        if not again:
            policies.session_not_twice(
                _same_session(branch, grp, on, the_kinds, other_than=s.id),
                _holder(branch, grp),
                on,
                _in_order(the_kinds),
            )

        values: dict[str, Any] = {}
        if on != s.held_on:
            belongs = {m.id for m in members_of_org_on(branch, on)}
            strangers = [
                a.member.name
                for a in Attendance.select(Attendance, Member)
                .join(Member)
                .where(Attendance.session == s.id)
                .order_by(Member.id)
                if a.member_id not in belongs
            ]
            policies.attendees_belong(strangers, branch.name, on)
            policies.session_day_kept(s.id, _citing_steps(s.id), on)
            values["held_on"] = on
        if (grp.id if grp else None) != s.group_id:
            values["group"] = grp.id if grp else None
        if year != s.for_year:
            values["for_year"] = year
        if hours_value is not KEEP and hours_value != s.hours:
            values["hours"] = hours_value
        for key, value in texts.items():
            if value != getattr(s, key):
                values[key] = value
        for key, role, value in (("host", "主持人", host), ("recorder", "记录人", recorder)):
            if value is KEEP:
                continue
            typed = _cleared(value)
            person = _resolve_person(typed, branch, on, role, key) if typed else None
            if (person.id if person else None) != getattr(s, f"{key}_id"):
                values[key] = person.id if person else None
        if lecturer is not KEEP:
            lecturer_m, lecturer_name = _resolve_lecturer(_cleared(lecturer), branch, on)
            if (lecturer_m.id if lecturer_m else None) != s.lecturer_id or lecturer_name != s.lecturer_name:
                values["lecturer"] = lecturer_m.id if lecturer_m else None
                values["lecturer_name"] = lecturer_name

        if values:
            Session.update({getattr(Session, k): v for k, v in values.items()}).where(Session.id == s.id).execute()
        fields = [k for k in values if k != "lecturer_name" or "lecturer" not in values]
        if new_kinds is not None and set(new_kinds) != set(old_kinds):
            gone = [k for k in old_kinds if k not in new_kinds]
            if gone:
                SessionKind.delete().where((SessionKind.session == s.id) & SessionKind.kind.in_(gone)).execute()
            added = [k for k in new_kinds if k not in old_kinds]
            if added:
                SessionKind.insert_many([{"session": s.id, "kind": k} for k in added]).execute()
            fields.append("kinds")
        changed = _set_attendance(s.id, attendance, branch, grp, on) if attendance is not None else 0
        return SessionEdited(s.id, tuple(fields), changed)


def _set_attendance(sid: int, a: AttendanceInput, branch: Organization, grp: PartyGroup | None, on: date) -> int:
    """Set the status of the people `a` names at session `sid`; keep everyone else's. How many rows changed."""
    rows = _attendance_rows(a, branch, grp, on)
    now = {x.member_id: x for x in Attendance.select().where(Attendance.session == sid)}
    changed = 0
    new = []
    for r in rows:
        old = now.get(r["member"])
        if old is None:
            new.append({"session": sid, **r})
        elif (old.status, old.reason) != (r["status"], r["reason"]):
            Attendance.update(status=r["status"], reason=r["reason"]).where(Attendance.id == old.id).execute()
            changed += 1
    if new:
        Attendance.insert_many(new).execute()
    return changed + len(new)


def delete_session(ref: str | int) -> SessionDeleted:
    """Remove a session with its kinds and attendance; refused while a development step cites it."""
    with database.atomic():
        s = get_session(ref)
        policies.session_not_cited(s.id, _citing_steps(s.id))
        branch = Organization.get_by_id(s.org_id)
        grp = PartyGroup.get_by_id(s.group_id) if s.group_id else None
        kinds = _kinds_of(s.id)
        n = Attendance.delete().where(Attendance.session == s.id).execute()
        SessionKind.delete().where(SessionKind.session == s.id).execute()
        Session.delete().where(Session.id == s.id).execute()
        return SessionDeleted(s.id, s.held_on, _holder(branch, grp), tuple(kinds), s.topic, n)


def _citing_steps(sid: int) -> list[tuple[str, str, date]]:
    """(member name, step label, date) of the development steps that cite session `sid`."""
    return [
        (e.member.name, EVENTS.label(e.event), e.on)
        for e in MemberEvent.select(MemberEvent, Member)
        .join(Member)
        .where(MemberEvent.session == sid)
        .order_by(MemberEvent.on, MemberEvent.id)
    ]
