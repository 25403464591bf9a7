"""The audit trail's tables: one entry per committed write, and the orgs and members it is about."""

from __future__ import annotations

import peewee as pw

from dangjian.store.base import BaseModel, JSONText, utcnow


class AuditEntry(BaseModel):
    """One committed write: when, by whom, with which command, and what changed (see dangjian.audit)."""

    at = pw.DateTimeField(default=utcnow, index=True)  # UTC
    user = pw.CharField(max_length=100)
    host = pw.CharField(max_length=100, null=True)
    action = pw.CharField(max_length=100)
    command = pw.TextField(null=True)
    changes = JSONText(null=True)


class AuditSubject(BaseModel):
    """An org or member an audit entry is about, so `dangjian log --member` is one indexed query."""

    entry = pw.ForeignKeyField(AuditEntry, backref="subjects", on_delete="CASCADE")
    entity = pw.CharField(max_length=30)
    entity_id = pw.IntegerField()

    entry_id: pw.ForeignKeyField[int]

    class Meta:
        indexes = ((("entity", "entity_id"), False),)
