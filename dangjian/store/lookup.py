"""Finding orgs, groups and members by what a user typed: an id, a 身份证号 or a name.

An unknown reference raises `NotFoundError`; a name shared by several records
raises `AmbiguousError` listing the candidates with their ids and orgs.
"""

from __future__ import annotations

from datetime import date

import peewee as pw

from dangjian.errors import AmbiguousError, NotFoundError
from dangjian.periods import format_date
from dangjian.store.models import Member, Membership, Organization, PartyGroup
from dangjian.vocab import ORG_KINDS


def _as_id(ref: str) -> int | None:
    s = str(ref).strip()
    if s.startswith("#"):
        s = s[1:]
    return int(s) if s.isdecimal() and len(s) < 12 else None


def org_label(org: Organization) -> str:
    extra = ""
    if org.dissolved_on is not None:
        extra = f"，{format_date(org.dissolved_on)}起{'已合并' if org.merged_into_id else '已撤销'}"
    return f"{org.name}（编号{org.id}，{ORG_KINDS.label(org.kind)}{extra}）"


def find_org(ref: str) -> Organization:
    """An org by id or name; a live org wins over dissolved ones of the same name."""
    oid = _as_id(ref)
    if oid is not None:
        org = Organization.get_or_none(Organization.id == oid)
        if org is not None:
            return org
    name = str(ref).strip()
    found = list(Organization.select().where(Organization.name == name).order_by(Organization.id))
    if not found:
        raise NotFoundError(f"没有名为“{name}”的组织，可用 dangjian org list 查看。")
    live = [o for o in found if o.dissolved_on is None]
    pool = live or found
    if len(pool) > 1:
        raise AmbiguousError(
            f"名为“{name}”的组织有{len(pool)}个：" + "；".join(org_label(o) for o in pool) + "，请用编号指明。"
        )
    return pool[0]


def find_group(ref: str, org: Organization | None = None) -> PartyGroup:
    """A party group by id or name, within `org` when given."""
    gid = _as_id(ref)
    q = PartyGroup.select(PartyGroup, Organization).join(Organization)
    if gid is not None:
        g = q.where(PartyGroup.id == gid).first()
        if g is not None:
            if org is not None and g.org_id != org.id:
                raise NotFoundError(f"党小组“{g.name}”（编号{g.id}）不属于{org.name}，而属于{g.org.name}。")
            return g
    name = str(ref).strip()
    q = q.where(PartyGroup.name == name)
    if org is not None:
        q = q.where(PartyGroup.org == org.id)
    found = list(q.order_by(PartyGroup.id))
    if not found:
        if org is not None:
            others = list(PartyGroup.select(PartyGroup, Organization).join(Organization).where(PartyGroup.name == name))
            if others:
                raise NotFoundError(
                    f"党小组“{name}”不是{org.name}的党小组（它属于" + "、".join(g.org.name for g in others) + "）。"
                )
            raise NotFoundError(f"{org.name}没有名为“{name}”的党小组，可用 dangjian group list 查看。")
        raise NotFoundError(f"没有名为“{name}”的党小组，可用 dangjian group list 查看。")
    live = [g for g in found if g.dissolved_on is None] or found
    if len(live) > 1:
        raise AmbiguousError(
            f"名为“{name}”的党小组有{len(live)}个："
            + "；".join(f"编号{g.id}（{g.org.name}）" for g in live)
            + "，请用编号或 --org 指明。"
        )
    return live[0]


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


def find_member(ref: str, among: pw.Query | None = None, context: str = "") -> Member:
    """A member by id, 身份证号 or name; `among` restricts the candidates (a Member query)."""
    s = str(ref).strip()
    base = among if among is not None else Member.select()
    if not s:
        raise NotFoundError("没有给出党员（编号、身份证号或姓名）。")
    mid = _as_id(s)
    if mid is not None:
        m = base.where(Member.id == mid).first()
        if m is not None:
            return m
    if len(s) == 18:
        m = base.where(Member.id_number == s.upper()).first()
        if m is not None:
            return m
    found = list(base.where(Member.name == s).order_by(Member.id))
    if not found:
        raise NotFoundError(
            f"{context}没有找到党员“{s}”。" if context else f"没有找到党员“{s}”，可用 dangjian member list 查看。"
        )
    if len(found) > 1:
        orgs = current_orgs([m.id for m in found])
        raise AmbiguousError(
            f"{context}名为“{s}”的人有{len(found)}个："
            + "；".join(f"编号{m.id}（{orgs.get(m.id, '无组织关系')}）" for m in found)
            + "，请用编号指明。"
        )
    return found[0]


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
