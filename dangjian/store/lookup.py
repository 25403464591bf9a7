"""Finding orgs, groups and members by what a user typed: an id, a 身份证号 or a name.

The database's `Resolver` (see `domain.resolving`): references are read by
`dangjian.refs`, and the choice among candidates is `domain.resolving`'s, shared
with the in-memory directory of bulk writes and imports.

An unknown reference raises `NotFoundError`; a name shared by several records
raises `AmbiguousError` listing the candidates with their ids and orgs.
"""

from __future__ import annotations

from datetime import date

import peewee as pw

from dangjian.domain import resolving
from dangjian.domain.policies import OrgLike
from dangjian.errors import NotFoundError
from dangjian.refs import parse_ref
from dangjian.store.models import Member, Membership, Organization, PartyGroup


def find_org(ref: str | int) -> Organization:
    """An org by id or name; a live org wins over dissolved ones of the same name."""
    r = parse_ref(ref)
    if r.id is not None:
        org = Organization.get_or_none(Organization.id == r.id)
        if org is not None:
            return org
    found = list(Organization.select().where(Organization.name == r.name).order_by(Organization.id))
    return resolving.choose_org(r, found)


def _org_name(org_id: int) -> str:
    return Organization.get_by_id(org_id).name


def find_group(ref: str | int, org: Organization | None = None) -> PartyGroup:
    """A party group by id or name, within `org` when given."""
    r = parse_ref(ref)
    q = PartyGroup.select(PartyGroup, Organization).join(Organization)
    if r.id is not None:
        g = q.where(PartyGroup.id == r.id).first()
        if g is not None:
            return resolving.group_by_id(g, org, lambda _: g.org.name)
    names = {}
    found = list(q.where(PartyGroup.name == r.name).order_by(PartyGroup.id))
    for g in found:
        names[g.org_id] = g.org.name
    if org is not None:
        names[org.id] = org.name
    named = [g for g in found if org is None or g.org_id == org.id]
    elsewhere = [g for g in found if org is not None and g.org_id != org.id]
    return resolving.choose_group(r, org, named, elsewhere, names.__getitem__)


class DatabaseResolver:
    """The `Resolver` that asks the database, one query per reference."""

    def org(self, ref: str | int) -> Organization:
        return find_org(ref)

    def group(self, ref: str | int, org: OrgLike | None = None) -> PartyGroup:
        return find_group(ref, Organization.get_by_id(org.id) if org is not None else None)


def current_orgs(member_ids: list[int]) -> dict[int, str]:
    """The name of each member's current (open) membership org, in one query."""
    if not member_ids:
        return {}
    rows = (
        Membership.select(Membership.member, Organization.name)
        .join(Organization)
        .where(Membership.member.in_(member_ids) & Membership.end.is_null())
        .tuples()
    )
    return {mid: name for mid, name in rows}


def find_member(ref: str | int, among: pw.Query | None = None, context: str = "") -> Member:
    """A member by id, 身份证号 or name; `among` restricts the candidates (a Member query)."""
    r = parse_ref(ref)
    s = r.text
    base = among if among is not None else Member.select()
    if not s:
        raise NotFoundError("没有给出党员（编号、身份证号或姓名）。")
    if r.id is not None:
        m = base.where(Member.id == r.id).first()
        if m is not None:
            return m
    if r.id_number is not None:
        m = base.where(Member.id_number == r.id_number).first()
        if m is not None:
            return m
    found = list(base.where(Member.name == s).order_by(Member.id))
    orgs = current_orgs([m.id for m in found]) if len(found) > 1 else {}
    one = resolving.choose_person(r, found, lambda m: f"编号{m.id}（{orgs.get(m.id, '无组织关系')}）", context)
    if one is None:
        raise NotFoundError(
            f"{context}没有找到党员“{s}”。" if context else f"没有找到党员“{s}”，可用 dangjian member list 查看。"
        )
    return one


def members_of_org_on(org: Organization, on: date, group: PartyGroup | None = None) -> pw.Query:
    """A Member query: everyone with a membership in `org` (and `group`) on day `on`."""
    cond = (
        (Membership.org == org.id)
        & (Membership.start.is_null() | (Membership.start <= on))
        & (Membership.end.is_null() | (Membership.end > on))
    )
    if group is not None:
        cond &= Membership.group == group.id
    return Member.select().join(Membership).where(cond).distinct()
