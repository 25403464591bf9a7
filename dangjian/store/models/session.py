"""Organisational life: meetings, lectures and activities, the kinds each counts as, and attendance."""

from __future__ import annotations

import peewee as pw

from dangjian.store.base import BaseModel, utcnow
from dangjian.store.models.member import Member
from dangjian.store.models.org import Organization, PartyGroup


class Session(BaseModel):
    """One meeting, lecture or activity; it may count as several kinds."""

    org = pw.ForeignKeyField(Organization, backref="sessions")
    group = pw.ForeignKeyField(PartyGroup, null=True, backref="sessions")
    held_on = pw.DateField(index=True)
    hours = pw.DecimalField(max_digits=6, decimal_places=1, null=True, auto_round=True)
    topic = pw.CharField(max_length=200, null=True)
    location = pw.CharField(max_length=200, null=True)
    host = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="hosted")
    recorder = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="recorded")
    lecturer = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="lectured")
    lecturer_name = pw.CharField(max_length=100, null=True)
    for_year = pw.IntegerField(null=True)
    minutes = pw.TextField(null=True)
    decisions = pw.TextField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    org_id: pw.ForeignKeyField[int]
    group_id: pw.ForeignKeyField[int | None]
    host_id: pw.ForeignKeyField[int | None]
    recorder_id: pw.ForeignKeyField[int | None]
    lecturer_id: pw.ForeignKeyField[int | None]


class SessionKind(BaseModel):
    session = pw.ForeignKeyField(Session, backref="kind_rows", on_delete="CASCADE")
    kind = pw.CharField(max_length=30)

    session_id: pw.ForeignKeyField[int]

    class Meta:
        indexes = ((("session", "kind"), True), (("kind",), False))


class Attendance(BaseModel):
    session = pw.ForeignKeyField(Session, backref="attendance", on_delete="CASCADE")
    member = pw.ForeignKeyField(Member, backref="attendance", on_delete="CASCADE")
    status = pw.CharField(max_length=10)
    reason = pw.CharField(max_length=200, null=True)

    session_id: pw.ForeignKeyField[int]
    member_id: pw.ForeignKeyField[int]

    class Meta:
        indexes = ((("session", "member"), True),)
