"""Writes and reads of organisations and party groups.

Every write runs inside one transaction; merges and dissolutions close
intervals and never delete rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import peewee as pw

from dangjian.domain import policies
from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import Member, Membership, Organization, PartyGroup
from dangjian.vocab import BRANCH_KINDS, ORG_KINDS


@dataclass(frozen=True)
class OrgAdded:
    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class Merged:
    """What `merge_orgs` did: the sources merged into `into` from day `on`."""

    into: str
    on: date
    sources: tuple[str, ...]
    members_moved: int


@dataclass(frozen=True)
class Dissolved:
    id: int
    name: str
    on: date


@dataclass(frozen=True)
class GroupAdded:
    id: int
    name: str
    org_id: int
    org_name: str


def _text(value: str | None, what: str, column: pw.Field, field: str) -> str | None:
    return policies.text(value, what, column.max_length, field)


def add_org(
    name: str,
    kind: str = "branch",
    parent: str | None = None,
    established_on: date | None = None,
    village: bool = False,
    code: str | None = None,
) -> OrgAdded:
    name = (name or "").strip()
    if not name:
        raise InputError("组织名称不能为空。", field="name")
    _text(name, "组织名称", Organization.name, "name")
    _text(code, "组织代码", Organization.code, "code")
    if kind not in ORG_KINDS:
        kind = ORG_KINDS.parse(kind)
    with database.atomic():
        policies.org_name_free(
            name, Organization.get_or_none((Organization.name == name) & Organization.dissolved_on.is_null())
        )
        parent_org = None
        if parent:
            parent_org = find_org(parent)
            policies.may_have_children(parent_org)
        o = Organization.create(
            name=name, kind=kind, parent=parent_org, established_on=established_on, village=village, code=code
        )
        return OrgAdded(o.id, o.name, o.kind)


def merge_orgs(sources: list[str], into: str, on: date) -> Merged:
    """Merge branches into an existing org from day `on`: members move with their history."""
    if not sources:
        raise InputError("请给出要合并的组织。")
    with database.atomic():
        dst = find_org(into)
        policies.org_exists_on(dst, on, "合并后的组织", field="into")
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
            policies.org_exists_on(src, on, "被合并的组织", field="sources")
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
        return Merged(into=dst.name, on=on, sources=tuple(merged), members_moved=moved)


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


def dissolve_org(ref: str, on: date) -> Dissolved:
    with database.atomic():
        org = find_org(ref)
        policies.org_exists_on(org, on, field="name")
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
        return Dissolved(org.id, org.name, on)


# ---------------------------------------------------------------- groups


def add_group(name: str, org_ref: str, leader: str | None = None, established_on: date | None = None) -> GroupAdded:
    name = (name or "").strip()
    if not name:
        raise InputError("党小组名称不能为空。", field="name")
    _text(name, "党小组名称", PartyGroup.name, "name")
    with database.atomic():
        org = find_org(org_ref)
        policies.may_hold_groups(org, established_on)
        policies.group_name_free(
            org,
            name,
            PartyGroup.get_or_none(
                (PartyGroup.org == org.id) & (PartyGroup.name == name) & PartyGroup.dissolved_on.is_null()
            ),
        )
        leader_member = None
        if leader:
            leader_member = _field(
                "leader", lambda: find_member(leader, among=_current_members(org), context=f"{org.name}中")
            )
        group = PartyGroup.create(name=name, org=org, leader=leader_member, established_on=established_on)
        if leader_member is not None:
            _put_in_group(leader_member, org, group, established_on)
        return GroupAdded(group.id, group.name, org.id, org.name)


T = TypeVar("T")


def _field(field: str, find: Callable[[], T]) -> T:
    """find(), with a refusal pointed at `field` when it names none."""
    try:
        return find()
    except InputError as exc:
        if exc.field is None or exc.field in ("org", "group"):
            exc.field = field
        raise


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
