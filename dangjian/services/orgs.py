"""Writes and reads of organisations and party groups.

Every write runs inside one transaction; merges and dissolutions close
intervals and never delete rows.
"""

from __future__ import annotations

from datetime import date

import peewee as pw

from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import Member, Membership, Organization, PartyGroup
from dangjian.vocab import BRANCH_KINDS, ORG_KINDS


def _require_live_name_free(name: str) -> None:
    clash = Organization.get_or_none((Organization.name == name) & Organization.dissolved_on.is_null())
    if clash is not None:
        raise InputError(f"已有名为“{name}”的组织（编号{clash.id}），组织名称不能重复。")


def add_org(
    name: str,
    kind: str = "branch",
    parent: str | None = None,
    established_on: date | None = None,
    village: bool = False,
    code: str | None = None,
) -> Organization:
    name = (name or "").strip()
    if not name:
        raise InputError("组织名称不能为空。")
    if kind not in ORG_KINDS:
        kind = ORG_KINDS.parse(kind)
    with database.atomic():
        _require_live_name_free(name)
        parent_org = None
        if parent:
            parent_org = find_org(parent)
            if parent_org.kind in BRANCH_KINDS:
                raise InputError(
                    f"上级组织“{parent_org.name}”是{ORG_KINDS.label(parent_org.kind)}，党支部下面不能再设组织。"
                )
            if parent_org.dissolved_on is not None:
                raise InputError(f"上级组织“{parent_org.name}”已于{format_date(parent_org.dissolved_on)}撤销。")
        return Organization.create(
            name=name, kind=kind, parent=parent_org, established_on=established_on, village=village, code=code
        )


def _live_on(org: Organization, on: date, what: str) -> None:
    if org.established_on is not None and on < org.established_on:
        raise InputError(f"{what}“{org.name}”在{format_date(on)}尚未成立（成立于{format_date(org.established_on)}）。")
    if org.dissolved_on is not None and on >= org.dissolved_on:
        verb = "已合并" if org.merged_into_id else "已撤销"
        raise InputError(f"{what}“{org.name}”在{format_date(on)}{verb}（{format_date(org.dissolved_on)}起）。")


def merge_orgs(sources: list[str], into: str, on: date) -> dict:
    """Merge branches into an existing org from day `on`: members move with their history."""
    if not sources:
        raise InputError("请给出要合并的组织。")
    with database.atomic():
        dst = find_org(into)
        _live_on(dst, on, "合并后的组织")
        if dst.kind not in BRANCH_KINDS:
            raise InputError(f"合并后的组织“{dst.name}”是{ORG_KINDS.label(dst.kind)}，只能合并为党支部或联合党支部。")
        moved = 0
        merged = []
        seen: set[int] = set()
        for ref in sources:
            src = find_org(ref)
            if src.id == dst.id:
                raise InputError(f"“{src.name}”不能合并到它自己。")
            if src.id in seen:
                raise InputError(f"“{src.name}”重复出现。")
            seen.add(src.id)
            _live_on(src, on, "被合并的组织")
            if src.kind not in BRANCH_KINDS:
                raise InputError(f"“{src.name}”是{ORG_KINDS.label(src.kind)}，只能合并党支部或联合党支部。")
            if (
                Organization.select()
                .where((Organization.parent == src.id) & Organization.dissolved_on.is_null())
                .exists()
            ):
                raise InputError(f"“{src.name}”下还有未撤销的组织。")
            moved += _move_members(src, dst, on, f"随{src.name}并入{dst.name}")
            (
                PartyGroup.update(dissolved_on=on)
                .where(
                    (PartyGroup.org == src.id) & (PartyGroup.dissolved_on.is_null() | (PartyGroup.dissolved_on > on))
                )
                .execute()
            )
            src.dissolved_on = on
            src.merged_into = dst
            src.save()
            merged.append(src.name)
        return {"into": dst.name, "on": on, "sources": merged, "members_moved": moved}


def _move_members(src: Organization, dst: Organization, on: date, note: str) -> int:
    """Close every membership of src open on `on` and open one in dst from that day."""
    rows = list(
        Membership.select().where(
            (Membership.org == src.id)
            & (Membership.start.is_null() | (Membership.start <= on))
            & Membership.end.is_null()
        )
    )
    later = Membership.select().where((Membership.org == src.id) & (Membership.start > on)).count()
    if later:
        raise InputError(f"“{src.name}”有{later}条晚于{format_date(on)}的组织关系记录，无法在该日合并。")
    for m in rows:
        m.end = on
        m.save()
    if rows:
        Membership.insert_many(
            [{"member": m.member_id, "org": dst.id, "group": None, "start": on, "note": note} for m in rows]
        ).execute()
    return len(rows)


def dissolve_org(ref: str, on: date) -> Organization:
    with database.atomic():
        org = find_org(ref)
        _live_on(org, on, "组织")
        live_children = (
            Organization.select()
            .where(
                (Organization.parent == org.id)
                & (Organization.dissolved_on.is_null() | (Organization.dissolved_on > on))
            )
            .count()
        )
        if live_children:
            raise InputError(f"“{org.name}”下还有{live_children}个未撤销的组织，请先撤销或合并它们。")
        remaining = members_of_org_on(org, on).count()
        if remaining:
            raise InputError(
                f"“{org.name}”在{format_date(on)}还有{remaining}人的组织关系，请先用 dangjian member transfer 转接。"
            )
        org.dissolved_on = on
        org.save()
        (
            PartyGroup.update(dissolved_on=on)
            .where((PartyGroup.org == org.id) & PartyGroup.dissolved_on.is_null())
            .execute()
        )
        return org


# ---------------------------------------------------------------- groups


def add_group(name: str, org_ref: str, leader: str | None = None, established_on: date | None = None) -> PartyGroup:
    name = (name or "").strip()
    if not name:
        raise InputError("党小组名称不能为空。")
    with database.atomic():
        org = find_org(org_ref)
        if org.kind not in BRANCH_KINDS:
            raise InputError(f"“{org.name}”是{ORG_KINDS.label(org.kind)}，党小组只能设在党支部下。")
        if org.dissolved_on is not None:
            raise InputError(f"“{org.name}”已于{format_date(org.dissolved_on)}撤销，不能再设党小组。")
        if established_on is not None:
            _live_on(org, established_on, "组织")
        clash = PartyGroup.get_or_none(
            (PartyGroup.org == org.id) & (PartyGroup.name == name) & PartyGroup.dissolved_on.is_null()
        )
        if clash is not None:
            raise InputError(f"{org.name}已有名为“{name}”的党小组（编号{clash.id}）。")
        leader_member = None
        if leader:
            leader_member = find_member(leader, among=_current_members(org), context=f"{org.name}中")
        group = PartyGroup.create(name=name, org=org, leader=leader_member, established_on=established_on)
        if leader_member is not None:
            _put_in_group(leader_member, org, group, established_on)
        return group


def _current_members(org: Organization) -> pw.Query:
    """A Member query: everyone whose membership in `org` is open."""
    return Member.select().join(Membership).where((Membership.org == org.id) & Membership.end.is_null()).distinct()


def _put_in_group(member: Member, org: Organization, group: PartyGroup, on: date | None) -> None:
    ms = Membership.get_or_none(
        (Membership.member == member.id) & (Membership.org == org.id) & Membership.end.is_null()
    )
    if ms is None or ms.group_id == group.id:
        return
    if ms.group_id is None and (on is None or ms.start is None or ms.start >= on):
        ms.group = group
        ms.save()
    elif ms.group_id is None and on is not None:
        ms.end = on
        ms.save()
        Membership.create(member=member, org=org, group=group, start=on, note="编入党小组")


def resolve_group_for(org_ref: str | None, group_ref: str) -> PartyGroup:
    org = find_org(org_ref) if org_ref else None
    return find_group(group_ref, org)
