"""Listings and details of members."""

from __future__ import annotations

import peewee as pw

from dangjian.queries.facts import load_orgs, subtree
from dangjian.store.lookup import find_member, find_org
from dangjian.store.models import Member, MemberEvent, Membership, Organization, PartyGroup
from dangjian.vocab import STAGES


def list_members(org: str | None = None, stage: str | None = None, include_former: bool = False) -> list[dict]:
    """Members with their current branch and group, in one query (two with --org)."""
    q = (
        Member.select(
            Member,
            Membership.start,
            Organization.name.alias("org_name"),
            PartyGroup.name.alias("group_name"),
            Membership.org,
        )
        .join(Membership, pw.JOIN.LEFT_OUTER, on=((Membership.member == Member.id) & Membership.end.is_null()))
        .join(Organization, pw.JOIN.LEFT_OUTER, on=(Membership.org == Organization.id))
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Membership.group == PartyGroup.id))
        .order_by(Member.id)
    )
    if org:
        root = find_org(org)
        q = q.where(Membership.org.in_(sorted(subtree(load_orgs(), root.id))))
    if stage:
        q = q.where(Member.stage == (stage if stage in STAGES else STAGES.parse(stage)))
    if not include_former:
        q = q.where(Member.status == "active")
    out = []
    for m in q.objects():
        out.append(
            {
                "id": m.id,
                "name": m.name,
                "gender": m.gender,
                "stage": m.stage,
                "status": m.status,
                "org": m.org_name,
                "group": m.group_name,
                "joined_on": m.joined_on,
                "full_since": m.full_since,
                "birth_date": m.birth_date,
                "id_number": m.id_number,
                "phone": m.phone,
            }
        )
    return out


def member_history(member: Member) -> list[dict]:
    rows = (
        Membership.select(Membership, Organization.name.alias("org_name"), PartyGroup.name.alias("group_name"))
        .join(Organization, on=(Membership.org == Organization.id))
        .switch(Membership)
        .join(PartyGroup, pw.JOIN.LEFT_OUTER, on=(Membership.group == PartyGroup.id))
        .where(Membership.member == member.id)
        .order_by(Membership.start.asc(nulls="first"), Membership.id)
        .objects()
    )
    return [{"org": r.org_name, "group": r.group_name, "start": r.start, "end": r.end, "note": r.note} for r in rows]


def show_member(ref: str) -> dict:
    m = find_member(ref)
    events = [
        {"event": e.event, "on": e.on, "details": e.details, "note": e.note}
        for e in MemberEvent.select().where(MemberEvent.member == m.id).order_by(MemberEvent.on, MemberEvent.id)
    ]
    history = member_history(m)
    return {
        "id": m.id,
        "name": m.name,
        "gender": m.gender,
        "birth_date": m.birth_date,
        "id_number": m.id_number,
        "phone": m.phone,
        "education": m.education,
        "unit": m.unit,
        "job": m.job,
        "stage": m.stage,
        "status": m.status,
        "joined_on": m.joined_on,
        "full_since": m.full_since,
        "org": next((h["org"] for h in history if h["end"] is None), None),
        "memberships": history,
        "events": events,
    }
