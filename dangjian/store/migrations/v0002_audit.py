"""Schema version 2: the audit trail (audit_entry, audit_subject)."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from dangjian.store.migrations.migration import Migration, create_tables


def _tables() -> list[type[pw.Model]]:
    """The two tables exactly as version 2 created them. Do not edit."""

    class Base(pw.Model):
        class Meta:
            legacy_table_names = False

    class AuditEntry(Base):
        at = pw.DateTimeField()
        user = pw.CharField(max_length=100)
        host = pw.CharField(max_length=100, null=True)
        action = pw.CharField(max_length=100)
        command = pw.TextField(null=True)
        changes = pw.TextField(null=True)

        class Meta:
            table_name = "audit_entry"

    class AuditSubject(Base):
        entry = pw.ForeignKeyField(AuditEntry, backref="+", on_delete="CASCADE")
        entity = pw.CharField(max_length=30)
        entity_id = pw.IntegerField()

        class Meta:
            table_name = "audit_subject"

    return [AuditEntry, AuditSubject]


def _up(db: pw.Database, migrator: SchemaMigrator) -> None:
    create_tables(db, _tables())
    migrate(
        migrator.add_index("audit_entry", ("at",), False),
        migrator.add_index("audit_subject", ("entity", "entity_id"), False),
    )


def _down(db: pw.Database, migrator: SchemaMigrator) -> None:
    tables = set(db.get_tables())
    for table in ("audit_subject", "audit_entry"):
        if table in tables:
            migrate(migrator.drop_table(table))


MIGRATION = Migration(2, "操作日志（audit_entry、audit_subject）", _up, _down)
