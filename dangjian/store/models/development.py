"""The record of a member's development (发展纪实): one dated event per row."""

from __future__ import annotations

import peewee as pw

from dangjian.store.base import BaseModel, JSONText, utcnow
from dangjian.store.models.member import Member
from dangjian.store.models.session import Session


class MemberEvent(BaseModel):
    """A dated fact of a member's development (发展纪实)."""

    member = pw.ForeignKeyField(Member, backref="events", on_delete="CASCADE")
    event = pw.CharField(max_length=30)
    on = pw.DateField()
    details = JSONText(null=True)
    note = pw.TextField(null=True)
    session = pw.ForeignKeyField(Session, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    member_id: pw.ForeignKeyField[int]
    session_id: pw.ForeignKeyField[int | None]

    class Meta:
        indexes = ((("member", "on"), False),)
