"""Schema version 1, the first released schema, frozen: the starting point of every upgrade.

Kept so an old database can be built for tests whatever the current models look like.
"""

from __future__ import annotations

import peewee as pw

from dangjian.store.migrations.migration import create_tables, record_version


def v1_models() -> list[type[pw.Model]]:
    """The tables of schema version 1 exactly as they were released. Do not edit."""

    class Base(pw.Model):
        class Meta:
            legacy_table_names = False

    class SchemaVersion(Base):
        version = pw.IntegerField()
        applied_at = pw.DateTimeField()

        class Meta:
            table_name = "schema_version"

    class Organization(Base):
        name = pw.CharField(max_length=100, index=True)
        kind = pw.CharField(max_length=20)
        parent = pw.ForeignKeyField("self", null=True, backref="+")
        established_on = pw.DateField(null=True)
        dissolved_on = pw.DateField(null=True)
        merged_into = pw.ForeignKeyField("self", null=True, backref="+")
        village = pw.BooleanField(default=False)
        code = pw.CharField(max_length=50, null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "organization"

    class Member(Base):
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
        joined_on = pw.DateField(null=True)
        full_since = pw.DateField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "member"

    class PartyGroup(Base):
        name = pw.CharField(max_length=100)
        org = pw.ForeignKeyField(Organization, backref="+")
        leader = pw.ForeignKeyField(Member, null=True, backref="+", on_delete="SET NULL")
        established_on = pw.DateField(null=True)
        dissolved_on = pw.DateField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "party_group"

    class Membership(Base):
        member = pw.ForeignKeyField(Member, backref="+", on_delete="CASCADE")
        org = pw.ForeignKeyField(Organization, backref="+")
        group = pw.ForeignKeyField(PartyGroup, null=True, backref="+")
        start = pw.DateField(null=True)
        end = pw.DateField(null=True)
        note = pw.TextField(null=True)

        class Meta:
            table_name = "membership"
            indexes = ((("org", "start"), False),)

    class Session(Base):
        org = pw.ForeignKeyField(Organization, backref="+")
        group = pw.ForeignKeyField(PartyGroup, null=True, backref="+")
        held_on = pw.DateField(index=True)
        hours = pw.DecimalField(max_digits=6, decimal_places=1, null=True, auto_round=True)
        topic = pw.CharField(max_length=200, null=True)
        location = pw.CharField(max_length=200, null=True)
        host = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="+")
        recorder = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="+")
        lecturer = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL", backref="+")
        lecturer_name = pw.CharField(max_length=100, null=True)
        for_year = pw.IntegerField(null=True)
        minutes = pw.TextField(null=True)
        decisions = pw.TextField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "session"

    class SessionKind(Base):
        session = pw.ForeignKeyField(Session, backref="+", on_delete="CASCADE")
        kind = pw.CharField(max_length=30)

        class Meta:
            table_name = "session_kind"
            indexes = ((("session", "kind"), True), (("kind",), False))

    class Attendance(Base):
        session = pw.ForeignKeyField(Session, backref="+", on_delete="CASCADE")
        member = pw.ForeignKeyField(Member, backref="+", on_delete="CASCADE")
        status = pw.CharField(max_length=10)
        reason = pw.CharField(max_length=200, null=True)

        class Meta:
            table_name = "attendance"
            indexes = ((("session", "member"), True),)

    class MemberEvent(Base):
        member = pw.ForeignKeyField(Member, backref="+", on_delete="CASCADE")
        event = pw.CharField(max_length=30)
        on = pw.DateField()
        details = pw.TextField(null=True)
        note = pw.TextField(null=True)
        session = pw.ForeignKeyField(Session, null=True, on_delete="SET NULL", backref="+")
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "member_event"
            indexes = ((("member", "on"), False),)

    return [SchemaVersion, Organization, Member, PartyGroup, Membership, Session, SessionKind, Attendance, MemberEvent]


def create_v1_schema(db: pw.Database) -> dict[str, type[pw.Model]]:
    """Create the version-1 tables in an empty database; returns the frozen models by table name."""
    models = v1_models()
    with db.atomic():
        create_tables(db, models)
        record_version(db, 1)
    return {m._meta.table_name: m for m in models}
