"""Each write invariant, once, with its message. Pure: no peewee, no clock, no printing.

The single-record services, the bulk writer and the importer all call these
functions, so a row is refused for the same reason in the same words whichever
way it comes in. Each refusal is an `InputError` whose `field` names what it is
about in the library's words (`org`, `group`, `hours`, `id_number`, …): the
command line turns that into its option, the importer into its column.

The records checked are anything with the right attributes (a stored model, the
importer's in-memory entries): see `OrgLike` and `GroupLike`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from dangjian.domain.identity import birth_date_of, gender_of, normalize_id_number, normalize_phone
from dangjian.errors import InputError
from dangjian.periods import Lifetime, format_date
from dangjian.vocab import ATTENDANCE, BRANCH_KINDS, GENDERS, GROUP_SESSION_KINDS, ORG_KINDS, SESSION_KINDS, STAGES

# ---------------------------------------------------------------- what is checked


class OrgLike(Protocol):
    """An organisation as the policies read it."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def established_on(self) -> date | None: ...
    @property
    def dissolved_on(self) -> date | None: ...
    @property
    def merged_into_id(self) -> int | None: ...


class GroupLike(Protocol):
    """A party group as the policies read it."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def org_id(self) -> int: ...
    @property
    def established_on(self) -> date | None: ...
    @property
    def dissolved_on(self) -> date | None: ...


def lifetime(record: OrgLike | GroupLike) -> Lifetime:
    """When an org or a group exists: from its establishment to its dissolution or merge (half-open)."""
    return Lifetime(record.established_on, record.dissolved_on)


# ---------------------------------------------------------------- existing on a day


def org_exists_on(org: OrgLike, on: date, what: str = "组织", field: str | None = "org") -> None:
    """The org exists on day `on` (established by then, not yet dissolved or merged)."""
    life = lifetime(org)
    if not life.begun_by(on):
        raise InputError(
            f"{what}“{org.name}”在{format_date(on)}尚未成立（成立于{format_date(org.established_on)}）。", field=field
        )
    if life.ended_by(on):
        verb = "已合并" if org.merged_into_id else "已撤销"
        raise InputError(
            f"{what}“{org.name}”在{format_date(on)}{verb}（{format_date(org.dissolved_on)}起）。", field=field
        )


def group_exists_on(group: GroupLike, on: date, field: str | None = "group") -> None:
    """The group exists on day `on`."""
    life = lifetime(group)
    if not life.begun_by(on):
        raise InputError(f"党小组“{group.name}”在{format_date(on)}尚未成立。", field=field)
    if life.ended_by(on):
        raise InputError(f"党小组“{group.name}”已于{format_date(group.dissolved_on)}撤销。", field=field)


# ---------------------------------------------------------------- facts happened


def happened_by(on: date | None, today: date, what: str, field: str | None = "on") -> None:
    """A recorded fact (a session held, a step taken, a transfer, a birth) is not dated after `today`."""
    if on is not None and on > today:
        raise InputError(
            f"{what}{format_date(on)}晚于今天（{format_date(today)}）：只能记录已经发生的事。", field=field
        )


def since_given(since: date | None, org_name: str, first_session: date | None, field: str | None = "since") -> None:
    """A member added once the branch has sessions says from when they belong.

    Before the first session (setting a branch up) no date means "has always belonged"; after it,
    that would silently put the person on the roster (应到) of every meeting already recorded.
    """
    if since is None and first_session is not None:
        raise InputError(
            f"“{org_name}”自{format_date(first_session)}起已有会议记录，不写转入日期会把此人算进已记录会议的应到人数；"
            "请写明此人从哪一天起属于该组织。",
            field=field,
        )


# ---------------------------------------------------------------- the tree of orgs


def may_have_children(parent: OrgLike) -> None:
    """A branch has no child orgs, and a dissolved org gets no new ones."""
    if parent.kind in BRANCH_KINDS:
        raise InputError(
            f"上级组织“{parent.name}”是{ORG_KINDS.label(parent.kind)}，党支部下面不能再设组织。", field="parent"
        )
    if parent.dissolved_on is not None:
        raise InputError(f"上级组织“{parent.name}”已于{format_date(parent.dissolved_on)}撤销。", field="parent")


def may_hold_groups(org: OrgLike, established_on: date | None = None) -> None:
    """Party groups only under a live branch (and, when dated, one that exists that day)."""
    if org.kind not in BRANCH_KINDS:
        raise InputError(f"“{org.name}”是{ORG_KINDS.label(org.kind)}，党小组只能设在党支部下。", field="org")
    if org.dissolved_on is not None:
        raise InputError(f"“{org.name}”已于{format_date(org.dissolved_on)}撤销，不能再设党小组。", field="org")
    if established_on is not None:
        org_exists_on(org, established_on, field="established_on")


def may_hold_members(org: OrgLike) -> None:
    """A member's organisational relationship (组织关系) is in a branch, never in a committee."""
    if org.kind not in BRANCH_KINDS:
        raise InputError(f"“{org.name}”是{ORG_KINDS.label(org.kind)}，党员的组织关系应在党支部。", field="org")


def may_join(org: OrgLike, since: date | None) -> None:
    """A new member joins a branch that exists on the day they join (or now, without a date)."""
    may_hold_members(org)
    if since is not None:
        org_exists_on(org, since, field="since")
    elif org.dissolved_on is not None:
        raise InputError(f"“{org.name}”已于{format_date(org.dissolved_on)}撤销或合并。", field="org")


def may_join_group(group: GroupLike, since: date | None) -> None:
    """A new member is placed in a group not dissolved by the day they join."""
    if group.dissolved_on is not None and (since is None or since >= group.dissolved_on):
        raise InputError(f"党小组“{group.name}”已于{format_date(group.dissolved_on)}撤销。", field="group")


# ---------------------------------------------------------------- names and numbers


def org_name_free(name: str, clash: OrgLike | None) -> None:
    """No two live orgs share a name; `clash` is the live org of that name, if any."""
    if clash is not None:
        raise InputError(f"已有名为“{name}”的组织（编号{clash.id}），组织名称不能重复。", field="name")


def group_name_free(org: OrgLike, name: str, clash: GroupLike | None) -> None:
    """No two live groups of one branch share a name."""
    if clash is not None:
        raise InputError(f"{org.name}已有名为“{name}”的党小组（编号{clash.id}）。", field="name")


def masked_id_number(number: str) -> str:
    return f"{number[:6]}…{number[-4:]}"


def id_number_free(number: str, holder: tuple[int, str] | None) -> None:
    """A 身份证号 is registered once; `holder` is (id, name) of whoever has it already."""
    if holder is not None:
        mid, name = holder
        raise InputError(
            f"身份证号{masked_id_number(number)}已登记为编号{mid}（{name}），不能重复登记。", field="id_number"
        )


# ---------------------------------------------------------------- a member's own fields


@dataclass(frozen=True)
class MemberFields:
    """A new member's own fields, checked against each other and normalised."""

    name: str
    stage: str
    gender: str | None
    birth_date: date | None
    id_number: str | None
    phone: str | None


def member_fields(
    name: str | None,
    stage: str = "full",
    gender: str | None = None,
    birth_date: date | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    joined_on: date | None = None,
    full_since: date | None = None,
    since: date | None = None,
) -> MemberFields:
    """Validate a new member's name, stage, gender, birth date, 身份证号 and phone, and the dates
    against them; the 身份证号 gives the birth date and gender when they are not written."""
    name = (name or "").strip()
    if not name:
        raise InputError("姓名不能为空。", field="name")
    text(name, "姓名", field="name")
    stage = stage if stage in STAGES else _parse(STAGES.parse, stage, "stage")
    if gender is not None and gender not in GENDERS:
        gender = _parse(GENDERS.parse, gender, "gender")
    if id_number:
        id_number = _parse(normalize_id_number, id_number, "id_number")
        born = birth_date_of(id_number)
        if birth_date is not None and birth_date != born:
            raise InputError(
                f"出生日期{format_date(birth_date)}与身份证号中的{format_date(born)}不一致。", field="birth_date"
            )
        birth_date = born
        if gender is not None and gender != gender_of(id_number):
            raise InputError(f"性别“{GENDERS.label(gender)}”与身份证号不一致。", field="gender")
        gender = gender or gender_of(id_number)
    if phone:
        phone = _parse(normalize_phone, phone, "phone")
    if full_since is not None and stage != "full":
        raise InputError(f"只有正式党员才有转正日期，而“{name}”的类别是{STAGES.label(stage)}。", field="full_since")
    if joined_on is not None and stage not in ("probationary", "full"):
        raise InputError(f"{STAGES.label(stage)}还没有入党日期，只有预备党员和正式党员才有。", field="joined_on")
    if joined_on is not None and full_since is not None and full_since < joined_on:
        raise InputError(f"转正日期{format_date(full_since)}早于入党日期{format_date(joined_on)}。", field="full_since")
    if birth_date is not None:
        for what, key, d in (
            ("入党日期", "joined_on", joined_on),
            ("转正日期", "full_since", full_since),
            ("转入日期", "since", since),
        ):
            if d is not None and d < birth_date:
                raise InputError(f"{what}{format_date(d)}早于出生日期{format_date(birth_date)}。", field=key)
    return MemberFields(name, stage, gender, birth_date, id_number, phone)


def _parse(fn: Callable[[str], str], value: str, field: str) -> str:
    """fn(value), with the refusal pointed at `field`."""
    try:
        return fn(value)
    except InputError as exc:
        raise InputError(str(exc), field=field) from None


# ---------------------------------------------------------------- hours


@dataclass(frozen=True)
class HoursRange:
    """What a number of 学时 may be: finite, above (or at) `low`, at most `high`."""

    low: int
    high: int
    low_allowed: bool
    message: str


#: a session's 学时: one day at most
SESSION_HOURS = HoursRange(0, 24, True, "应在0到24之间")
#: a training's 学时 (集中培训): a few weeks of full days at most
TRAINING_HOURS = HoursRange(0, 1000, False, "应大于0且不超过1000")


def hours(value: object, limits: HoursRange, field: str = "hours") -> Decimal | None:
    """学时 as typed (text or a number) -> a finite Decimal within `limits`; None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"学时“{value}”{limits.message}。", field=field)
    try:
        h = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(f"学时“{value}”不是数字。", field=field) from None
    # NaN, sNaN and ±Infinity are Decimals too; comparing a NaN would raise
    if not h.is_finite():
        raise InputError(f"学时“{value}”{limits.message}。", field=field)
    too_low = h < limits.low if limits.low_allowed else h <= limits.low
    if too_low or h > limits.high:
        raise InputError(f"学时“{value}”{limits.message}。", field=field)
    return h


# ---------------------------------------------------------------- text


def text(value: str | None, what: str, limit: int | None = None, field: str | None = None) -> str | None:
    """Text kept as given, refused when it holds a NUL character or is longer than `limit` characters.

    The limits are the columns' own (the same for `org add` and `import orgs`);
    PostgreSQL cannot store a NUL at all, so no backend is given one.
    """
    if value is None:
        return None
    if "\x00" in value:
        raise InputError(f"{what}中含有空字符（NUL），请删去后再试。", field=field)
    if limit is not None and len(value) > limit:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise InputError(f"{what}“{shown}”太长：最多{limit}个字，现有{len(value)}个字。", field=field)
    return value


# ---------------------------------------------------------------- sessions


def session_holder(kinds: Iterable[str], group: GroupLike | None, held_on: date, how: str = "写明") -> None:
    """A group's session: the group exists that day and the kinds are a group's; else no group kinds.

    `how` says how a caller's user names the group (the importer: 在“党小组”一列写明)."""
    kinds = list(kinds)
    if group is not None:
        group_exists_on(group, held_on)
        bad = [k for k in kinds if k in BRANCH_ONLY_KINDS]
        if bad:
            raise InputError(
                f"{SESSION_KINDS.label(bad[0])}由党支部召开，不能记在党小组“{group.name}”名下。", field="kinds"
            )
    elif any(k in GROUP_SESSION_KINDS for k in kinds):
        raise InputError(f"党小组会须{how}是哪个党小组。", field="group")


#: kinds a group cannot hold
BRANCH_ONLY_KINDS = frozenset({"general-meeting", "committee-meeting"})


def for_year_fits(for_year: int | None, held_on: date) -> None:
    """An annual meeting counts for the year it is held in or the year before."""
    if for_year is not None and for_year not in (held_on.year, held_on.year - 1):
        raise InputError(
            f"所属年度{for_year}不对：{format_date(held_on)}召开的会议"
            f"只能算作{held_on.year - 1}年或{held_on.year}年的。",
            field="for_year",
        )


@dataclass(frozen=True)
class AttendanceInput:
    """Who attended, as typed: references of people, a leave with its reason."""

    all_present: bool = False
    present: Sequence[str] | None = None
    leave: Sequence[tuple[str, str | None]] | None = None
    absent: Sequence[str] | None = None


class Attendee(Protocol):
    """A person as attendance resolution reads them."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...


#: (member id, status slug, reason)
AttendanceRow = tuple[int, str, "str | None"]


def resolve_attendance(
    a: AttendanceInput,
    roster: Iterable[Attendee],
    find: Callable[[str], Attendee | None],
    org_name: str,
    on: date,
    where: str,
) -> tuple[list[AttendanceRow], list[InputError]]:
    """The attendance rows a request names, and every reason it cannot be recorded.

    `roster` is who was expected (应到) that day, marked present by `all_present`;
    `find(ref)` names one person of the org that day (None when nobody; it raises
    `AmbiguousError` for a shared name). Anyone else is refused, and nobody is
    recorded twice. The errors carry the field (`present`, `leave`, `absent`).
    """
    status: dict[int, tuple[str, str | None]] = {}
    named: dict[int, str] = {}
    errors: list[InputError] = []

    def put(ref: str, st: str, reason: str | None, field: str) -> None:
        try:
            m = find(ref)
        except InputError as exc:
            errors.append(InputError(str(exc), field=field))
            return
        if m is None:
            errors.append(
                InputError(f"“{ref}”在{format_date(on)}不属于{org_name}，不能记为{ATTENDANCE.label(st)}。", field=field)
            )
            return
        if m.id in named:
            errors.append(
                InputError(f"{m.name}同时被记为{ATTENDANCE.label(named[m.id])}和{ATTENDANCE.label(st)}。", field=field)
            )
            return
        named[m.id] = st
        status[m.id] = (st, reason)

    if a.all_present:
        for m in roster:
            status[m.id] = ("present", None)
    for ref in a.present or []:
        put(ref, "present", None, "present")
    for ref, reason in a.leave or []:
        put(ref, "leave", reason, "leave")
    for ref in a.absent or []:
        put(ref, "absent", None, "absent")
    if not status and not errors and (a.present or a.leave or a.absent):
        errors.append(InputError(f"{where}没有可记录的出勤。", field="present"))
    return [(mid, st, reason) for mid, (st, reason) in status.items()], errors


# ---------------------------------------------------------------- correcting orgs and groups


def established_by(
    established_on: date | None, what: str, first_record: date | None, field: str = "established"
) -> None:
    """An org or group is established no later than the first thing recorded in it (a session, a membership)."""
    if established_on is not None and first_record is not None and established_on > first_record:
        raise InputError(
            f"{what}成立日期{format_date(established_on)}晚于它最早的记录（{format_date(first_record)}）："
            "成立日期应不晚于该日；如果那条记录有误，请先更正它。",
            field=field,
        )


def session_not_twice(existing: int | None, holder: str, held_on: date, kinds: Iterable[str]) -> None:
    """The same holder, day and kinds make the same session: `existing` is its id when one is recorded.

    Running a command twice must not record a meeting twice; a second meeting of the same
    kinds on the same day is said explicitly (the field `again`)."""
    if existing is not None:
        what = "、".join(SESSION_KINDS.label(k) for k in kinds)
        raise InputError(
            f"{holder}{format_date(held_on)}的{what}已记录为会议#{existing}；如确是同一天的另一次会议，请注明再记一次。",
            field="again",
        )


def attendees_belong(strangers: Sequence[str], org_name: str, on: date, field: str | None = "on") -> None:
    """Everyone recorded at a session belongs to its org on its day; `strangers` names those who do not."""
    if strangers:
        raise InputError(
            f"{'、'.join(strangers)}在{format_date(on)}不属于{org_name}，"
            "而会议的出勤记录里有其名字：会议不能改到这一天。",
            field=field,
        )


def ends_after_start(
    record: OrgLike | GroupLike, on: date, what: str, began: date | None = None, field: str = "on"
) -> None:
    """An org or group ends (dissolved, merged) after it began and only once.

    `began` is when it began when it has no date of its own (a group lives as long as its branch).
    """
    if record.dissolved_on is not None:
        raise InputError(f"{what}“{record.name}”已于{format_date(record.dissolved_on)}撤销或合并。", field=field)
    start = record.established_on or began
    if start is not None and on <= start:
        raise InputError(
            f"{what}“{record.name}”成立于{format_date(start)}，撤销日期{format_date(on)}应在其后。", field=field
        )


# ---------------------------------------------------------------- never the same person twice


def name_new_in_branch(name: str, branch_name: str, holder_id: int | None, field: str | None = "name") -> None:
    """A branch does not get a second live member of the same name by accident (`--same-name` says it is
    another person); `holder_id` is the id of the live member of that name there, if any."""
    if holder_id is None:
        return
    raise InputError(
        f"{branch_name}已有党员“{name}”（编号{holder_id}）；若确是另一个同名的人，请加 --same-name 再登记。",
        field=field,
    )


def session_not_cited(session_id: int, steps: Sequence[tuple[str, str, date]]) -> None:
    """A session that a development step cites (the meeting that decided it) is not removed from under it.

    `steps` are (member name, the step's label, date) of the steps that cite it."""
    if steps:
        name, event, on = steps[0]
        more = f"等{len(steps)}个发展步骤" if len(steps) > 1 else ""
        raise InputError(
            f"会议#{session_id}是{name}“{event}”（{format_date(on)}）{more}的依据，不能删除；"
            "请先改正或撤下该步骤（dangjian member unrecord），或改正这次会议而不是删除它。",
            field="session",
        )


def session_day_kept(session_id: int, steps: Sequence[tuple[str, str, date]], on: date) -> None:
    """A development step is taken on the day of the session that decided it: a cited session keeps its day.

    `steps` are (member name, the step's label, date) of the steps that cite the session."""
    moved = [s for s in steps if s[2] != on]
    if moved:
        name, event, day = moved[0]
        raise InputError(
            f"会议#{session_id}是{name}“{event}”（{format_date(day)}）的依据，"
            f"改到{format_date(on)}会与该步骤的日期不一致；请先改正该步骤。",
            field="held_on",
        )
