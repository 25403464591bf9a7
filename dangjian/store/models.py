"""The peewee models: organisations, groups, members and their history, sessions.

All models are bound to `db.database`, a proxy that `open_database` points at a
SQLite file, PostgreSQL or MySQL/MariaDB at run time.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import peewee as pw

from dangjian.store.connection import database


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class JSONText(pw.TextField):
    """A dict stored as JSON text, portable across the three backends."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return {} if value in (None, "") else json.loads(value)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=utcnow)


class Organization(BaseModel):
    name = pw.CharField(max_length=100, index=True)
    kind = pw.CharField(max_length=20)
    parent = pw.ForeignKeyField("self", null=True, backref="children")
    established_on = pw.DateField(null=True)
    dissolved_on = pw.DateField(null=True)  # also the merge date when merged_into is set
    merged_into = pw.ForeignKeyField("self", null=True, backref="merged_from")
    village = pw.BooleanField(default=False)
    code = pw.CharField(max_length=50, null=True)
    created_at = pw.DateTimeField(default=utcnow)

    def exists_on(self, d: date) -> bool:
        return (self.established_on is None or self.established_on <= d) and (
            self.dissolved_on is None or d < self.dissolved_on
        )


class Member(BaseModel):
    name = pw.CharField(max_length=50, index=True)
    gender = pw.CharField(max_length=10, null=True)
    birth_date = pw.DateField(null=True)
    id_number = pw.CharField(max_length=18, null=True, unique=True)
    phone = pw.CharField(max_length=20, null=True)
    education = pw.CharField(max_length=50, null=True)
    unit = pw.CharField(max_length=100, null=True)
    job = pw.CharField(max_length=100, null=True)
    stage = pw.CharField(max_length=20)
    status = pw.CharField(max_length=20, default="active")
    joined_on = pw.DateField(null=True)  # 入党日期: the day the branch meeting admitted
    full_since = pw.DateField(null=True)  # 转正日期
    created_at = pw.DateTimeField(default=utcnow)


class PartyGroup(BaseModel):
    name = pw.CharField(max_length=100)
    org = pw.ForeignKeyField(Organization, backref="groups")
    leader = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL")
    established_on = pw.DateField(null=True)
    dissolved_on = pw.DateField(null=True)
    created_at = pw.DateTimeField(default=utcnow)


class Membership(BaseModel):
    """Which branch (and group) a member belonged to, from `start` until before `end`."""

    member = pw.ForeignKeyField(Member, backref="memberships", on_delete="CASCADE")
    org = pw.ForeignKeyField(Organization, backref="memberships")
    group = pw.ForeignKeyField(PartyGroup, null=True, backref="memberships")
    start = pw.DateField(null=True)
    end = pw.DateField(null=True)
    note = pw.TextField(null=True)

    class Meta:
        indexes = ((("org", "start"), False),)


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


class SessionKind(BaseModel):
    session = pw.ForeignKeyField(Session, backref="kind_rows", on_delete="CASCADE")
    kind = pw.CharField(max_length=30)

    class Meta:
        indexes = ((("session", "kind"), True), (("kind",), False))


class Attendance(BaseModel):
    session = pw.ForeignKeyField(Session, backref="attendance", on_delete="CASCADE")
    member = pw.ForeignKeyField(Member, backref="attendance", on_delete="CASCADE")
    status = pw.CharField(max_length=10)
    reason = pw.CharField(max_length=200, null=True)

    class Meta:
        indexes = ((("session", "member"), True),)


class MemberEvent(BaseModel):
    """A dated fact of a member's development (发展纪实)."""

    member = pw.ForeignKeyField(Member, backref="events", on_delete="CASCADE")
    event = pw.CharField(max_length=30)
    on = pw.DateField()
    details = JSONText(null=True)
    note = pw.TextField(null=True)
    session = pw.ForeignKeyField(Session, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "on"), False),)


class AuditEntry(BaseModel):
    """One committed write: when, by whom, with which command, and what changed (see audit.py)."""

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

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


MODELS = [
    SchemaVersion,
    Organization,
    Member,
    PartyGroup,
    Membership,
    Session,
    SessionKind,
    Attendance,
    MemberEvent,
    AuditEntry,
    AuditSubject,
]
