"""Listings of organisations and groups."""

from __future__ import annotations

import peewee as pw

from dangjian.store.lookup import find_org
from dangjian.store.models import Member, Membership, Organization, PartyGroup


def list_orgs() -> list[dict]:
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
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind,
            "parent": names.get(o.parent_id),
            "established_on": o.established_on,
            "dissolved_on": o.dissolved_on,
            "merged_into": names.get(o.merged_into_id),
            "village": o.village,
            "code": o.code,
            "members": counts.get(o.id, 0),
            "parent_id": o.parent_id,
        }
        for o in orgs
    ]


def org_tree(rows: list[dict]) -> list[tuple[int, dict]]:
    """(depth, row) pairs in tree order: each org followed by its children."""
    children: dict[int | None, list[dict]] = {}
    ids = {r["id"] for r in rows}
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in ids else None
        children.setdefault(parent, []).append(r)
    out: list[tuple[int, dict]] = []

    def walk(pid: int | None, depth: int) -> None:
        for r in children.get(pid, []):
            out.append((depth, r))
            walk(r["id"], depth + 1)

    walk(None, 0)
    return out


def show_org(ref: str) -> dict:
    org = find_org(ref)
    rows = list_orgs()
    me = next(r for r in rows if r["id"] == org.id)
    me["children"] = [r["name"] for r in rows if r["parent_id"] == org.id]
    me["merged_from"] = [o.name for o in Organization.select().where(Organization.merged_into == org.id)]
    me["groups"] = [
        {"id": g.id, "name": g.name, "dissolved_on": g.dissolved_on}
        for g in PartyGroup.select().where(PartyGroup.org == org.id).order_by(PartyGroup.id)
    ]
    members = (
        Member.select(Member, Membership)
        .join(Membership)
        .where((Membership.org == org.id) & Membership.end.is_null())
        .order_by(Member.id)
    )
    me["members_now"] = [{"id": m.id, "name": m.name, "stage": m.stage} for m in members]
    return me


def list_groups(org_ref: str | None = None) -> list[dict]:
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
        {
            "id": g.id,
            "name": g.name,
            "org": g.org.name,
            "leader": leaders.get(g.leader_id),
            "established_on": g.established_on,
            "dissolved_on": g.dissolved_on,
            "members": counts.get(g.id, 0),
        }
        for g in groups
    ]
