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
from dangjian.store.base import local_today
from dangjian.store.connection import database
from dangjian.store.lookup import find_group, find_member, find_org, members_of_org_on
from dangjian.store.models import Member, Membership, Organization, PartyGroup, Session
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


def merge_orgs(sources: list[str], into: str, on: date, keep_groups: bool = False) -> Merged:
    """Merge branches into an existing org from day `on`: members move with their history.

    Every membership in a source that is open on `on` ends that day and goes on in `into` from it;
    one recorded as starting later (a transfer in) is in `into` from its start; one recorded as
    ending later (a transfer out) ends in `into` on its recorded day. So whatever was recorded before
    or after the merge, nobody is left in a merged branch from `on`, with no gap and no overlap.
    With `keep_groups`, each source group goes on in `into` as a group of the same name and leader
    from `on` (its members with it); otherwise the source groups close on `on`.
    """
    if not sources:
        raise InputError("请给出要合并的组织。")
    policies.happened_by(on, local_today(), "合并日期")
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
            later = Session.select().where((Session.org == src.id) & (Session.held_on >= on)).count()
            if later:
                raise InputError(
                    f"“{src.name}”在{format_date(on)}及以后还有{later}次会议记录，合并后它不再开会；"
                    "请先更正这些会议或另选合并日期。",
                    field="on",
                )
            successors = _carry_groups(src, dst, on) if keep_groups else {}
            moved += _move_members(src, dst, on, f"随{src.name}并入{dst.name}", successors)
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


def _carry_groups(src: Organization, dst: Organization, on: date) -> dict[int, int]:
    """A group in dst, from `on`, for each group of src alive on `on`: old id -> new id."""
    successors: dict[int, int] = {}
    live = PartyGroup.select().where(
        (PartyGroup.org == src.id)
        & (PartyGroup.dissolved_on.is_null() | (PartyGroup.dissolved_on > on))
        & (PartyGroup.established_on.is_null() | (PartyGroup.established_on <= on))
    )
    for g in live.order_by(PartyGroup.id):
        policies.group_name_free(
            dst,
            g.name,
            PartyGroup.get_or_none(
                (PartyGroup.org == dst.id) & (PartyGroup.name == g.name) & PartyGroup.dissolved_on.is_null()
            ),
        )
        new = PartyGroup.create(name=g.name, org=dst, leader=g.leader_id, established_on=on)
        successors[g.id] = new.id
    return successors


def _move_members(
    src: Organization, dst: Organization, on: date, note: str, successors: dict[int, int] | None = None
) -> int:
    """Every membership of src from `on` goes to dst: split at `on` when it began before; count the people."""
    successors = successors or {}
    rows = list(
        Membership.select()
        .where((Membership.org == src.id) & (Membership.end.is_null() | (Membership.end > on)))
        .order_by(Membership.id)
    )
    people: set[int] = set()
    for m in rows:
        group = successors.get(m.group_id) if m.group_id is not None else None
        people.add(m.member_id)
        if m.start is not None and m.start >= on:
            m.org = dst
            m.group = group
            m.save()
            continue
        end = m.end
        m.end = on
        m.save()
        Membership.create(member=m.member_id, org=dst, group=group, start=on, end=end, note=note)
    return len(people)


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


# ---------------------------------------------------------------- corrections


@dataclass(frozen=True)
class Edited:
    """What an edit changed: (field, before, after) for each field given that differs."""

    id: int
    name: str
    changes: tuple[tuple[str, object, object], ...]


_UNSET: object = object()


def _nothing_given() -> InputError:
    return InputError("没有给出要更改的内容。")


def _first_record(org: Organization) -> date | None:
    """The earliest day anything is recorded in an org: a session, a membership, a group, a child org."""
    days = [
        Session.select(pw.fn.MIN(Session.held_on)).where(Session.org == org.id).scalar(),
        Membership.select(pw.fn.MIN(Membership.start)).where(Membership.org == org.id).scalar(),
        PartyGroup.select(pw.fn.MIN(PartyGroup.established_on)).where(PartyGroup.org == org.id).scalar(),
        Organization.select(pw.fn.MIN(Organization.established_on)).where(Organization.parent == org.id).scalar(),
    ]
    found = [_as_date(d) for d in days if d is not None]
    return min(found) if found else None


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def edit_org(
    ref: str,
    name: str | None = None,
    established_on: date | None = None,
    code: str | None = None,
    village: bool | None = None,
) -> Edited:
    """Correct an org's name, establishment date, code or village flag: only what is given."""
    if name is None and established_on is None and code is None and village is None:
        raise _nothing_given()
    if name is not None:
        name = name.strip()
        if not name:
            raise InputError("组织名称不能为空。", field="name")
        _text(name, "组织名称", Organization.name, "name")
    _text(code, "组织代码", Organization.code, "code")
    policies.happened_by(established_on, local_today(), "成立日期", field="established")
    with database.atomic():
        org = find_org(ref)
        changes: list[tuple[str, object, object]] = []
        if name is not None and name != org.name:
            if org.dissolved_on is None:
                policies.org_name_free(
                    name,
                    Organization.get_or_none(
                        (Organization.name == name) & Organization.dissolved_on.is_null() & (Organization.id != org.id)
                    ),
                )
            changes.append(("name", org.name, name))
            org.name = name
        if established_on is not None and established_on != org.established_on:
            if org.dissolved_on is not None and established_on >= org.dissolved_on:
                raise InputError(
                    f"成立日期{format_date(established_on)}不早于“{org.name}”的撤销日期{format_date(org.dissolved_on)}。",
                    field="established",
                )
            policies.established_by(established_on, f"“{org.name}”的", _first_record(org))
            changes.append(("established_on", org.established_on, established_on))
            org.established_on = established_on
        if code is not None and (code or None) != org.code:
            changes.append(("code", org.code, code or None))
            org.code = code or None
        if village is not None and village != bool(org.village):
            changes.append(("village", bool(org.village), village))
            org.village = village
        if changes:
            org.save()
        return Edited(org.id, org.name, tuple(changes))


def edit_group(ref: str, org_ref: str, name: str | None = None, leader: str | None = None) -> Edited:
    """Correct a group's name or its leader (`leader=""` clears it): only what is given."""
    if name is None and leader is None:
        raise _nothing_given()
    if name is not None:
        name = name.strip()
        if not name:
            raise InputError("党小组名称不能为空。", field="name")
        _text(name, "党小组名称", PartyGroup.name, "name")
    with database.atomic():
        org = find_org(org_ref)
        group = _field("group", lambda: find_group(ref, org))
        changes: list[tuple[str, object, object]] = []
        if name is not None and name != group.name:
            if group.dissolved_on is None:
                policies.group_name_free(
                    org,
                    name,
                    PartyGroup.get_or_none(
                        (PartyGroup.org == org.id)
                        & (PartyGroup.name == name)
                        & PartyGroup.dissolved_on.is_null()
                        & (PartyGroup.id != group.id)
                    ),
                )
            changes.append(("name", group.name, name))
            group.name = name
        if leader is not None:
            new_leader = None
            if leader.strip():
                new_leader = _field(
                    "leader", lambda: find_member(leader, among=_current_members(org), context=f"{org.name}中")
                )
            if (new_leader.id if new_leader else None) != group.leader_id:
                before = Member.get_by_id(group.leader_id).name if group.leader_id else None
                changes.append(("leader", before, new_leader.name if new_leader else None))
                group.leader = new_leader
        if changes:
            group.save()
        return Edited(group.id, group.name, tuple(changes))


@dataclass(frozen=True)
class GroupDissolved:
    id: int
    name: str
    org_name: str
    on: date
    members_moved: int


def dissolve_group(ref: str, org_ref: str, on: date) -> GroupDissolved:
    """Dissolve a group from day `on`: it owes no more meetings; its members go on in the branch with no group."""
    policies.happened_by(on, local_today(), "撤销日期")
    with database.atomic():
        org = find_org(org_ref)
        group = _field("group", lambda: find_group(ref, org))
        policies.ends_after_start(group, on, "党小组", began=org.established_on)
        later = Session.select().where((Session.group == group.id) & (Session.held_on >= on)).count()
        if later:
            raise InputError(
                f"党小组“{group.name}”在{format_date(on)}及以后还有{later}次会议记录，撤销日期应在最后一次会议之后。",
                field="on",
            )
        rows = list(
            Membership.select()
            .where((Membership.group == group.id) & (Membership.end.is_null() | (Membership.end > on)))
            .order_by(Membership.id)
        )
        people: set[int] = set()
        for m in rows:
            people.add(m.member_id)
            if m.start is not None and m.start >= on:
                m.group = None
                m.save()
                continue
            end = m.end
            m.end = on
            m.save()
            Membership.create(member=m.member_id, org=m.org_id, group=None, start=on, end=end, note=f"{group.name}撤销")
        group.dissolved_on = on
        group.save()
        return GroupDissolved(group.id, group.name, org.name, on, len(people))
