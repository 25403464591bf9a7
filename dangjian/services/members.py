"""Writes and reads of members and their membership history (组织关系).

Every write runs inside one transaction; a transfer closes the old membership
and opens a new one, so the history of who belonged where is never lost.
"""

from __future__ import annotations

from datetime import date

from dangjian.domain.identity import birth_date_of, gender_of, normalize_id_number, normalize_phone
from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.services.orgs import _live_on
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org
from dangjian.store.models import Member, Membership, Organization
from dangjian.vocab import BRANCH_KINDS, GENDERS, MEMBER_STATUSES, ORG_KINDS, STAGES


def _branch(ref: str) -> Organization:
    org = find_org(ref)
    if org.kind not in BRANCH_KINDS:
        raise InputError(f"“{org.name}”是{ORG_KINDS.label(org.kind)}，党员的组织关系应在党支部。")
    return org


def check_member_fields(
    name: str,
    stage: str = "full",
    gender: str | None = None,
    birth_date: date | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    joined_on: date | None = None,
    full_since: date | None = None,
    since: date | None = None,
) -> dict:
    """Validate and normalise a new member's own fields (no database): name, stage, gender,
    birth_date, id_number and phone, checked against each other and the dates."""
    name = (name or "").strip()
    if not name:
        raise InputError("姓名不能为空。")
    stage = stage if stage in STAGES else STAGES.parse(stage)
    if gender is not None and gender not in GENDERS:
        gender = GENDERS.parse(gender)
    if id_number:
        id_number = normalize_id_number(id_number)
        born = birth_date_of(id_number)
        if birth_date is not None and birth_date != born:
            raise InputError(f"出生日期{format_date(birth_date)}与身份证号中的{format_date(born)}不一致。")
        birth_date = born
        if gender is not None and gender != gender_of(id_number):
            raise InputError(f"性别“{GENDERS.label(gender)}”与身份证号不一致。")
        gender = gender or gender_of(id_number)
    if phone:
        phone = normalize_phone(phone)
    if full_since is not None and stage != "full":
        raise InputError(f"只有正式党员才有转正日期，而“{name}”的类别是{STAGES.label(stage)}。")
    if joined_on is not None and stage not in ("probationary", "full"):
        raise InputError(f"{STAGES.label(stage)}还没有入党日期，只有预备党员和正式党员才有。")
    if joined_on is not None and full_since is not None and full_since < joined_on:
        raise InputError(f"转正日期{format_date(full_since)}早于入党日期{format_date(joined_on)}。")
    if birth_date is not None:
        for what, d in (("入党日期", joined_on), ("转正日期", full_since), ("转入日期", since)):
            if d is not None and d < birth_date:
                raise InputError(f"{what}{format_date(d)}早于出生日期{format_date(birth_date)}。")
    return {
        "name": name,
        "stage": stage,
        "gender": gender,
        "birth_date": birth_date,
        "id_number": id_number,
        "phone": phone,
    }


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
) -> Member:
    fields = check_member_fields(name, stage, gender, birth_date, id_number, phone, joined_on, full_since, since)
    name, stage, gender, birth_date, id_number, phone = (
        fields[k] for k in ("name", "stage", "gender", "birth_date", "id_number", "phone")
    )
    with database.atomic():
        branch = _branch(org)
        if since is not None:
            _live_on(branch, since, "组织")
        elif branch.dissolved_on is not None:
            raise InputError(f"“{branch.name}”已于{format_date(branch.dissolved_on)}撤销或合并。")
        grp = None
        if group:
            grp = find_group(group, branch)
            if grp.dissolved_on is not None and (since is None or since >= grp.dissolved_on):
                raise InputError(f"党小组“{grp.name}”已于{format_date(grp.dissolved_on)}撤销。")
        if id_number:
            clash = Member.get_or_none(Member.id_number == id_number)
            if clash is not None:
                raise InputError(
                    f"身份证号{id_number[:6]}…{id_number[-4:]}已登记为编号{clash.id}（{clash.name}），不能重复登记。"
                )
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
        return member


def transfer_member(
    ref: str, on: date, to: str | None = None, out: bool = False, group: str | None = None, note: str | None = None
) -> dict:
    """Move a member to another branch (or out of the system) from day `on`."""
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
            _live_on(dst, on, "转入组织")
            if group:
                grp = find_group(group, dst)
            if dst.id == src.id and (grp is None or grp.id == current.group_id):
                raise InputError(f"{m.name}已在{dst.name}，不需要转接。")
        if dst is not None and dst.id == src.id and current.start == on:
            current.group = grp  # a change of group on the day the membership began
            current.save()
            return {"member": m.name, "from": src.name, "to": dst.name, "on": on}
        current.end = on
        current.save()
        if dst is not None:
            Membership.create(member=m, org=dst, group=grp, start=on, note=note or f"由{src.name}转入")
        else:
            m.status = "transferred-out"
            m.save()
        return {"member": m.name, "from": src.name, "to": dst.name if dst else None, "on": on}
