"""Listings and details of organisations and groups, as frozen records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import peewee as pw

from dangjian.store.lookup import find_org
from dangjian.store.models import Member, Membership, Organization, PartyGroup


@dataclass(frozen=True)
class OrgRow:
    """One organisation with its parent's name and its current member count."""

    id: int
    name: str
    kind: str
    parent: str | None
    established_on: date | None
    dissolved_on: date | None
    merged_into: str | None
    village: bool
    code: str | None
    members: int
    parent_id: int | None


@dataclass(frozen=True)
class OrgTreeRow(OrgRow):
    """An organisation in tree order, `depth` levels below the top."""

    depth: int = 0


@dataclass(frozen=True)
class GroupBrief:
    id: int
    name: str
    dissolved_on: date | None


@dataclass(frozen=True)
class MemberBrief:
    id: int
    name: str
    stage: str


@dataclass(frozen=True)
class OrgDetail(OrgRow):
    """Everything `org show` tells about an organisation."""

    children: tuple[str, ...] = ()
    merged_from: tuple[str, ...] = ()
    groups: tuple[GroupBrief, ...] = ()
    members_now: tuple[MemberBrief, ...] = ()


@dataclass(frozen=True)
class GroupRow:
    """One party group with its branch, its leader and its current member count."""

    id: int
    name: str
    org: str
    leader: str | None
    established_on: date | None
    dissolved_on: date | None
    members: int


def list_orgs() -> list[OrgRow]:
    """Every org with its parent's name and its current member count, in two queries."""
    orgs = list(Organization.select().order_by(Organization.id))
    names = {o.id: o.name for o in orgs}
    counts = dict(
        Membership.select(Membership.org, pw.fn.COUNT(Membership.id))
        .where(Membership.end.is_null())
        .group_by(Membership.org)
        .tuples()
    )
    return [
        OrgRow(
            id=o.id,
            name=o.name,
            kind=o.kind,
            parent=names.get(o.parent_id),
            established_on=o.established_on,
            dissolved_on=o.dissolved_on,
            merged_into=names.get(o.merged_into_id),
            village=o.village,
            code=o.code,
            members=counts.get(o.id, 0),
            parent_id=o.parent_id,
        )
        for o in orgs
    ]


def org_tree(rows: list[OrgRow]) -> list[OrgTreeRow]:
    """The rows in tree order, each org followed by its children, with its depth."""
    children: dict[int | None, list[OrgRow]] = {}
    ids = {r.id for r in rows}
    for r in rows:
        parent = r.parent_id if r.parent_id in ids else None
        children.setdefault(parent, []).append(r)
    out: list[OrgTreeRow] = []

    def walk(pid: int | None, depth: int) -> None:
        for r in children.get(pid, []):
            out.append(OrgTreeRow(**_fields(r), depth=depth))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def _fields(row: OrgRow) -> dict:
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(OrgRow)}


def show_org(ref: str) -> OrgDetail:
    org = find_org(ref)
    rows = list_orgs()
    me = next(r for r in rows if r.id == org.id)
    groups = tuple(
        GroupBrief(g.id, g.name, g.dissolved_on)
        for g in PartyGroup.select().where(PartyGroup.org == org.id).order_by(PartyGroup.id)
    )
    members = (
        Member.select(Member, Membership)
        .join(Membership)
        .where((Membership.org == org.id) & Membership.end.is_null())
        .order_by(Member.id)
    )
    return OrgDetail(
        **_fields(me),
        children=tuple(r.name for r in rows if r.parent_id == org.id),
        merged_from=tuple(o.name for o in Organization.select().where(Organization.merged_into == org.id)),
        groups=groups,
        members_now=tuple(MemberBrief(m.id, m.name, m.stage) for m in members),
    )


def list_groups(org_ref: str | None = None) -> list[GroupRow]:
    q = PartyGroup.select(PartyGroup, Organization).join(Organization).order_by(Organization.id, PartyGroup.id)
    if org_ref:
        org = find_org(org_ref)
        q = q.where(PartyGroup.org == org.id)
    groups = list(q)
    counts = dict(
        Membership.select(Membership.group, pw.fn.COUNT(Membership.id))
        .where(Membership.end.is_null() & Membership.group.is_null(False))
        .group_by(Membership.group)
        .tuples()
    )
    leaders = (
        {
            m.id: m.name
            for m in Member.select(Member.id, Member.name).where(
                Member.id.in_([g.leader_id for g in groups if g.leader_id])
            )
        }
        if any(g.leader_id for g in groups)
        else {}
    )
    return [
        GroupRow(
            id=g.id,
            name=g.name,
            org=g.org.name,
            leader=leaders.get(g.leader_id),
            established_on=g.established_on,
            dissolved_on=g.dissolved_on,
            members=counts.get(g.id, 0),
        )
        for g in groups
    ]
