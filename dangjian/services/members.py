"""Writes and reads of members and their membership history (组织关系).

Every write runs inside one transaction; a transfer closes the old membership
and opens a new one, so the history of who belonged where is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangjian.domain import policies
from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org
from dangjian.store.models import Member, Membership, Organization
from dangjian.vocab import MEMBER_STATUSES


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
) -> MemberAdded:
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


def transfer_member(
    ref: str, on: date, to: str | None = None, out: bool = False, group: str | None = None, note: str | None = None
) -> Transferred:
    """Move a member to another branch (or out of the system) from day `on`."""
    policies.text(note, "备注", None, "note")
    if bool(to) == bool(out):
        raise InputError("请在 --to 组织 与 --out（转出本系统）之间选一个。")
    with database.atomic():
        m = find_member(ref)
        if m.status != "active":
            raise InputError(f"{m.name}的状态是“{MEMBER_STATUSES.label(m.status)}”，不能再转接。")
        current = Membership.get_or_none((Membership.member == m.id) & Membership.end.is_null())
        if current is None:
            raise InputError(f"{m.name}目前没有组织关系，无法转接。")
        if current.start is not None and on < current.start:
            raise InputError(f"转接日期{format_date(on)}早于{m.name}转入现支部的日期{format_date(current.start)}。")
        if m.birth_date is not None and on < m.birth_date:
            raise InputError(f"转接日期{format_date(on)}早于出生日期。")
        src = Organization.get_by_id(current.org_id)
        dst = grp = None
        if to:
            dst = _branch(to)
            policies.org_exists_on(dst, on, "转入组织", field="to")
            if group:
                grp = find_group(group, dst)
            if dst.id == src.id and (grp is None or grp.id == current.group_id):
                raise InputError(f"{m.name}已在{dst.name}，不需要转接。")
        if dst is not None and dst.id == src.id and current.start == on:
            current.group = grp  # a change of group on the day the membership began
            current.save()
            return Transferred(m.name, src.name, dst.name, on)
        current.end = on
        current.save()
        if dst is not None:
            Membership.create(member=m, org=dst, group=grp, start=on, note=note or f"由{src.name}转入")
        else:
            m.status = "transferred-out"
            m.save()
        return Transferred(m.name, src.name, dst.name if dst else None, on)
