"""Writes and reads of members and their membership history (组织关系).

Every write runs inside one transaction; a transfer closes the old membership
and opens a new one, so the history of who belonged where is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import peewee as pw

from dangjian.domain import policies
from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.store.base import local_today
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org
from dangjian.store.models import Member, Membership, Organization, PartyGroup, Session
from dangjian.vocab import MEMBER_STATUSES

#: Statuses that take a person off every roster from their date (`member status`).
ENDING_STATUSES = ("deceased", "expelled", "lapsed", "withdrawn", "stopped")
#: How the end of a membership by a status reads in its history.
ENDING_WORDS = {
    "deceased": "去世",
    "expelled": "开除党籍",
    "lapsed": "除名（自行脱党）",
    "withdrawn": "退党",
    "stopped": "停止党籍",
}


@dataclass(frozen=True)
class MemberAdded:
    id: int
    name: str
    stage: str


@dataclass(frozen=True)
class Transferred:
    """A transfer: `member` moved from branch `source` to `to` (None: out of the system) from day `on`."""

    member: str
    source: str
    to: str | None
    on: date
    group: str | None = None


def _branch(ref: str) -> Organization:
    org = find_org(ref)
    policies.may_hold_members(org)
    return org


def add_member(
    name: str,
    org: str,
    group: str | None = None,
    stage: str = "full",
    joined_on: date | None = None,
    full_since: date | None = None,
    since: date | None = None,
    gender: str | None = None,
    birth_date: date | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    education: str | None = None,
    unit: str | None = None,
    job: str | None = None,
    same_name: bool = False,
) -> MemberAdded:
    """Register a person in a branch; refused when the branch already has a live member of that
    name (unless `same_name`), and once the branch has sessions, without `since`."""
    today = local_today()
    policies.happened_by(birth_date, today, "出生日期", "birth_date")
    policies.happened_by(joined_on, today, "入党日期", "joined_on")
    policies.happened_by(full_since, today, "转正日期", "full_since")
    policies.happened_by(since, today, "转入日期", "since")
    f = policies.member_fields(name, stage, gender, birth_date, id_number, phone, joined_on, full_since, since)
    name, stage, gender, birth_date, id_number, phone = f.name, f.stage, f.gender, f.birth_date, f.id_number, f.phone
    policies.text(name, "姓名", Member.name.max_length, "name")
    policies.text(education, "学历", Member.education.max_length, "education")
    policies.text(unit, "工作单位", Member.unit.max_length, "unit")
    policies.text(job, "职务", Member.job.max_length, "job")
    with database.atomic():
        branch = find_org(org)
        policies.may_join(branch, since)
        grp = None
        if group:
            grp = find_group(group, branch)
            policies.may_join_group(grp, since)
        if not same_name:  # "already here" says more than "say since when", so it comes first
            twin = namesake(name, branch)
            policies.name_new_in_branch(name, branch.name, twin.id if twin is not None else None)
        policies.since_given(since, branch.name, first_session_date(branch))
        if id_number:
            clash = Member.get_or_none(Member.id_number == id_number)
            policies.id_number_free(id_number, (clash.id, clash.name) if clash is not None else None)
        member = Member.create(
            name=name,
            gender=gender,
            birth_date=birth_date,
            id_number=id_number or None,
            phone=phone or None,
            education=education,
            unit=unit,
            job=job,
            stage=stage,
            status="active",
            joined_on=joined_on,
            full_since=full_since,
        )
        Membership.create(member=member, org=branch, group=grp, start=since)
        return MemberAdded(member.id, member.name, member.stage)


def first_session_date(branch: Organization) -> date | None:
    """The day of the branch's first recorded session (its groups' included), None before any."""
    first: date | None = Session.select(pw.fn.MIN(Session.held_on)).where(Session.org == branch.id).scalar()
    return first


def namesake(name: str, branch: Organization, but: int | None = None) -> Member | None:
    """A live member of `branch` called `name` (other than `but`), if any."""
    q = (
        Member.select()
        .join(Membership, on=(Membership.member == Member.id))
        .where(
            (Member.name == name)
            & (Member.status == "active")
            & (Membership.org == branch.id)
            & Membership.end.is_null()
        )
        .order_by(Member.id)
    )
    if but is not None:
        q = q.where(Member.id != but)
    return q.first()


NO_GROUP = ("none", "无", "不分组")


def _group_or_none(ref: str | None, branch: Organization) -> PartyGroup | None:
    if ref is None or ref.strip().casefold() in NO_GROUP:
        return None
    return find_group(ref, branch)


def _open_membership(m: Member) -> Membership | None:
    return Membership.get_or_none((Membership.member == m.id) & Membership.end.is_null())


def _last_membership(m: Member) -> Membership | None:
    rows = list(Membership.select().where(Membership.member == m.id))
    if not rows:
        return None
    return max(rows, key=lambda r: (r.end is None, r.end or date.min, r.id))


def _successor(org: Organization, on: date) -> Organization:
    """The org that holds `org`'s members on day `on`: itself, or what it was merged into by then."""
    seen = {org.id}
    while org.merged_into_id is not None and org.dissolved_on is not None and org.dissolved_on <= on:
        org = Organization.get_by_id(org.merged_into_id)
        if org.id in seen:
            break
        seen.add(org.id)
    return org


def _follow_merges(current: Membership, on: date) -> Membership:
    """An open membership in a branch merged by `on` continues in its successor from the merge date."""
    src = Organization.get_by_id(current.org_id)
    while src.merged_into_id is not None and src.dissolved_on is not None and src.dissolved_on <= on:
        dst = Organization.get_by_id(src.merged_into_id)
        start = src.dissolved_on
        if current.start is not None and current.start > start:
            start = current.start
        current.end = start
        current.save()
        current = Membership.create(
            member=current.member_id, org=dst, group=None, start=start, note=f"随{src.name}并入{dst.name}"
        )
        src = dst
    return current


def transfer_member(
    ref: str, on: date, to: str | None = None, out: bool = False, group: str | None = None, note: str | None = None
) -> Transferred:
    """Move a member to another branch (or out of the system, or to another group of their branch) from day `on`.

    A member transferred out comes back with `to`; a member of a merged branch moves from its successor.
    """
    policies.text(note, "备注", None, "note")
    policies.happened_by(on, local_today(), "转接日期")
    if to and out:
        raise InputError("请在 --to 组织 与 --out（转出本系统）之间选一个。")
    if not to and not out and group is None:
        raise InputError("请用 --to 写明转入的组织、用 --out 转出本系统，或用 --group 换党小组。")
    if out and group is not None:
        raise InputError("转出本系统（--out）时不能同时指定党小组（--group）。", field="group")
    with database.atomic():
        m = find_member(ref)
        if m.birth_date is not None and on < m.birth_date:
            raise InputError(f"转接日期{format_date(on)}早于出生日期。")
        if m.status == "transferred-out":
            if not to:
                raise InputError(f"{m.name}已转出本系统；转回请用 --to 写明转入的党支部。", field="to")
            return _come_back(m, on, to, group, note)
        if m.status != "active":
            raise InputError(f"{m.name}的状态是“{MEMBER_STATUSES.label(m.status)}”，不能再转接。")
        current = _open_membership(m)
        if current is None:
            raise InputError(f"{m.name}目前没有组织关系，无法转接。")
        if current.start is not None and on < current.start:
            raise InputError(f"转接日期{format_date(on)}早于{m.name}转入现支部的日期{format_date(current.start)}。")
        carried = _follow_merges(current, on)
        followed, current = carried.id != current.id, carried
        src = Organization.get_by_id(current.org_id)
        dst: Organization | None = None
        grp = None
        if to:
            dst = _branch(to)
            policies.org_exists_on(dst, on, "转入组织", field="to")
        elif not out:
            dst = src
        if dst is not None:
            grp = _group_or_none(group, dst) if group is not None else None
            if grp is not None:
                policies.group_exists_on(grp, on)
            if dst.id == src.id and (grp.id if grp is not None else None) == current.group_id:
                if followed:  # the merge already moved them there: what was asked holds
                    if note:
                        current.note = note
                        current.save()
                    return Transferred(m.name, src.name, dst.name, on, grp.name if grp is not None else None)
                where = f"{dst.name}{grp.name}" if grp is not None else dst.name
                raise InputError(f"{m.name}在{format_date(on)}已在{where}，不需要转接。")
        if dst is not None and dst.id == src.id and current.start == on:
            current.group = grp  # a change of group on the day the membership began
            current.save()
            return Transferred(m.name, src.name, dst.name, on, grp.name if grp is not None else None)
        current.end = on
        current.save()
        if dst is not None:
            if dst.id == src.id:
                default = f"调入{grp.name}" if grp is not None else "不再编入党小组"
            else:
                default = f"由{src.name}转入"
            Membership.create(member=m, org=dst, group=grp, start=on, note=note or default)
        else:
            m.status = "transferred-out"
            m.save()
        return Transferred(m.name, src.name, dst.name if dst else None, on, grp.name if grp is not None else None)


def _come_back(m: Member, on: date, to: str, group: str | None, note: str | None) -> Transferred:
    """A member transferred out of the system is transferred back in, from day `on`."""
    last = _last_membership(m)
    if last is not None and last.end is not None and on < last.end:
        raise InputError(f"转回日期{format_date(on)}早于{m.name}转出的日期{format_date(last.end)}。")
    dst = _branch(to)
    policies.org_exists_on(dst, on, "转入组织", field="to")
    grp = _group_or_none(group, dst)
    if grp is not None:
        policies.group_exists_on(grp, on)
    Membership.create(member=m, org=dst, group=grp, start=on, note=note or "转回本系统")
    m.status = "active"
    m.save()
    return Transferred(m.name, "本系统外", dst.name, on, grp.name if grp is not None else None)


@dataclass(frozen=True)
class StatusChanged:
    """A member's status from day `on`: `before` → `status`; `org` the branch they left or rejoined."""

    member: str
    status: str
    before: str
    on: date
    org: str | None


def set_status(ref: str, status: str, on: date, note: str | None = None) -> StatusChanged:
    """Record that a member died, was expelled, lapsed, withdrew, was stopped (from `on` on no roster),
    or is restored (`active`: on their branch's roster again from `on`). The history is kept."""
    status = status if status in MEMBER_STATUSES else MEMBER_STATUSES.parse(status)
    if status not in (*ENDING_STATUSES, "active"):
        choices = "、".join(f"{s}（{MEMBER_STATUSES.label(s)}）" for s in (*ENDING_STATUSES, "active"))
        raise InputError(
            f"“{MEMBER_STATUSES.label(status)}”不能用 member status 记录，可用的有：{choices}。", field="status"
        )
    note = policies.text((note or "").strip() or None, "备注", None, "note")
    policies.happened_by(on, local_today(), "状态变更日期")
    with database.atomic():
        m = find_member(ref)
        before = m.status
        if m.birth_date is not None and on < m.birth_date:
            raise InputError(f"日期{format_date(on)}早于{m.name}的出生日期{format_date(m.birth_date)}。")
        if status != "active" and m.joined_on is not None and on < m.joined_on:
            raise InputError(f"日期{format_date(on)}早于{m.name}的入党日期{format_date(m.joined_on)}。")
        org: str | None
        if status == "active":
            org = _restore(m, on, note)
        else:
            org = _end(m, status, on, note)
        m.status = status
        m.save()
        return StatusChanged(m.name, status, before, on, org)


def _end(m: Member, status: str, on: date, note: str | None) -> str | None:
    label = MEMBER_STATUSES.label(status)
    if m.status == status:
        raise InputError(f"{m.name}的状态已是“{label}”。", field="status")
    if m.status not in ("active", "stopped"):
        raise InputError(f"{m.name}的状态是“{MEMBER_STATUSES.label(m.status)}”，不能再记为“{label}”。")
    current = _open_membership(m)
    if current is None:
        return None
    if current.start is not None and on < current.start:
        raise InputError(f"日期{format_date(on)}早于{m.name}转入现支部的日期{format_date(current.start)}。")
    current = _follow_merges(current, on)
    current.end = on
    why = ENDING_WORDS[status] + (f"：{note}" if note else "")
    current.note = (current.note + "；" if current.note else "") + why
    current.save()
    return str(Organization.get_by_id(current.org_id).name)


def _restore(m: Member, on: date, note: str | None) -> str:
    if m.status == "active":
        raise InputError(f"{m.name}的状态已是“在册”。", field="status")
    if m.status == "transferred-out":
        raise InputError(f"{m.name}已转出本系统；转回请用 member transfer --to。", field="status")
    last = _last_membership(m)
    if last is None:
        raise InputError(f"{m.name}没有组织关系记录，无法恢复；请用 member transfer --to 写明党支部。")
    if last.end is None:
        raise InputError(f"{m.name}仍在{Organization.get_by_id(last.org_id).name}，不需要恢复。")
    if on < last.end:
        raise InputError(f"恢复日期{format_date(on)}早于{m.name}离开组织的日期{format_date(last.end)}。")
    org = _successor(Organization.get_by_id(last.org_id), on)
    policies.org_exists_on(org, on, "原所在组织")
    grp = None
    if last.group_id is not None and org.id == last.org_id:
        g = PartyGroup.get_by_id(last.group_id)
        if not policies.lifetime(g).ended_by(on):
            grp = g
    Membership.create(member=m, org=org, group=grp, start=on, note="恢复党籍" + (f"：{note}" if note else ""))
    return str(org.name)


@dataclass(frozen=True)
class MemberEdited:
    """What `member edit` changed: field -> (before, after)."""

    id: int
    name: str
    changes: dict[str, tuple[object, object]]


def edit_member(
    ref: str,
    *,
    name: str | None = None,
    gender: str | None = None,
    birth_date: date | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    joined_on: date | None = None,
    full_since: date | None = None,
    education: str | None = None,
    unit: str | None = None,
    job: str | None = None,
    same_name: bool = False,
) -> MemberEdited:
    """Change only the given fields of a person, through the same checks as `add_member`."""
    today = local_today()
    policies.happened_by(birth_date, today, "出生日期", "birth_date")
    policies.happened_by(joined_on, today, "入党日期", "joined_on")
    policies.happened_by(full_since, today, "转正日期", "full_since")
    if name is not None:
        policies.text(name, "姓名", Member.name.max_length, "name")
    policies.text(education, "学历", Member.education.max_length, "education")
    policies.text(unit, "工作单位", Member.unit.max_length, "unit")
    policies.text(job, "职务", Member.job.max_length, "job")
    with database.atomic():
        m = find_member(ref)
        new_id = id_number if id_number is not None else m.id_number
        # a new 身份证号 gives the birth date and gender unless they are written too
        birth = birth_date if birth_date is not None else (None if id_number else m.birth_date)
        sex = gender if gender is not None else (None if id_number else m.gender)
        f = policies.member_fields(
            name if name is not None else m.name,
            m.stage,
            sex,
            birth,
            new_id,
            phone if phone is not None else m.phone,
            joined_on if joined_on is not None else m.joined_on,
            full_since if full_since is not None else m.full_since,
        )
        policies.text(f.name, "姓名", Member.name.max_length, "name")
        if f.id_number and f.id_number != m.id_number:
            clash = Member.get_or_none((Member.id_number == f.id_number) & (Member.id != m.id))
            policies.id_number_free(f.id_number, (clash.id, clash.name) if clash is not None else None)
        if f.name != m.name and not same_name:
            current = _open_membership(m)
            if current is not None:
                branch = Organization.get_by_id(current.org_id)
                twin = namesake(f.name, branch, but=m.id)
                policies.name_new_in_branch(f.name, branch.name, twin.id if twin is not None else None)
        new = {
            "name": f.name,
            "gender": f.gender,
            "birth_date": f.birth_date,
            "id_number": f.id_number or None,
            "phone": f.phone or None,
            "joined_on": joined_on if joined_on is not None else m.joined_on,
            "full_since": full_since if full_since is not None else m.full_since,
            "education": education if education is not None else m.education,
            "unit": unit if unit is not None else m.unit,
            "job": job if job is not None else m.job,
        }
        changes = {k: (getattr(m, k), v) for k, v in new.items() if getattr(m, k) != v}
        if changes:
            for k, (_, v) in changes.items():
                setattr(m, k, v)
            m.save()
        return MemberEdited(m.id, m.name, changes)
