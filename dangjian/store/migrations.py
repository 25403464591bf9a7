"""Schema upgrades: numbered migrations, applied in order; a database is at one version.

Version 1 is the first schema. It is kept here frozen (`create_v1_schema`), so an
old database can be built for tests whatever the current models look like. Each
later version is a `Migration` written with `playhouse.migrate` against table
definitions frozen in the migration itself, never against the current models.
A new migration goes at the end of `MIGRATIONS` and `db.SCHEMA_VERSION` follows it;
tests check that upgrading a version-1 database gives exactly the fresh schema.

How an upgrade keeps the data safe:
- SQLite: first the file is copied next to itself (`dangjian.v1-backup.db`) with
  the online backup API, while this program holds the write lock, so the copy is
  exactly the database the migrations start from.
- The migrations of one upgrade run in one transaction. SQLite and PostgreSQL roll
  DDL back with it: a failure leaves the database as it was.
- MySQL/MariaDB commit each DDL statement on their own, so there every migration
  also has a `down` that undoes it and tolerates half-done work. When one fails,
  the upgrade runs the `down` of each migration it started, newest first, and
  removes their version rows, which brings the database back to where it was.
- Two programs upgrading at once: the version is read again under the write lock.
- A database newer than this program is refused (`SchemaTooNew`, exit 3).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from dangjian.errors import DatabaseUnavailable


class SchemaTooNew(DatabaseUnavailable):
    """The database was written by a newer dangjian."""


class MigrationFailed(DatabaseUnavailable):
    """A migration failed; the database was left at its old version."""


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    up: Callable[[pw.Database, SchemaMigrator], None]
    down: Callable[[pw.Database, SchemaMigrator], None]


@dataclass(frozen=True)
class Upgrade:
    from_version: int
    to_version: int
    backup: str | None = None

    @property
    def changed(self) -> bool:
        return self.to_version != self.from_version


def _code_version() -> int:
    from dangjian.store.connection import SCHEMA_VERSION

    return SCHEMA_VERSION


def _create(db: pw.Database, models: list[type[pw.Model]]) -> None:
    settings = ["DEFAULT CHARSET=utf8mb4", "COLLATE=utf8mb4_bin"] if isinstance(db, pw.MySQLDatabase) else []
    for model in models:
        model._meta.table_settings = settings
    with db.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        db.create_tables(models)


def _now() -> str:
    from dangjian.store.models import utcnow

    return str(utcnow())  # the text peewee itself writes for a DateTimeField


# ---------------------------------------------------------------- version 1, frozen


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
        _create(db, models)
        _record_version(db, 1)
    return {m._meta.table_name: m for m in models}


# ---------------------------------------------------------------- version 2: the audit trail


def _v2_audit_models() -> list[type[pw.Model]]:
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


def _up_2(db: pw.Database, migrator: SchemaMigrator) -> None:
    _create(db, _v2_audit_models())
    migrate(
        migrator.add_index("audit_entry", ("at",), False),
        migrator.add_index("audit_subject", ("entity", "entity_id"), False),
    )


def _down_2(db: pw.Database, migrator: SchemaMigrator) -> None:
    tables = set(db.get_tables())
    for table in ("audit_subject", "audit_entry"):
        if table in tables:
            migrate(migrator.drop_table(table))


MIGRATIONS: list[Migration] = [
    Migration(2, "操作日志（audit_entry、audit_subject）", _up_2, _down_2),
]


# ---------------------------------------------------------------- applying


def _record_version(db: pw.Database, version: int) -> None:
    db.execute_sql(
        f"INSERT INTO schema_version (version, applied_at) VALUES ({db.param}, {db.param})", (version, _now())
    )


def read_version(db: pw.Database) -> int | None:
    """The database's schema version, or None when it has no schema_version table."""
    if "schema_version" not in db.get_tables():
        return None
    return db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0]


def pending(version: int) -> list[Migration]:
    return [m for m in MIGRATIONS if m.version > version]


def _too_new(version: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"数据库的结构是第{version}版，比本程序支持的第{_code_version()}版新，请先升级 dangjian 再使用这个数据库。"
    )


def check_version(db: pw.Database) -> None:
    """Refuse a database written by a newer program (exit 3)."""
    version = read_version(db)
    if version is not None and version > _code_version():
        raise _too_new(version)


def backup_name(path: str | Path, version: int) -> Path:
    """Where the pre-upgrade copy of a SQLite file goes: dangjian.db -> dangjian.v1-backup.db."""
    p = Path(path)
    suffix = p.suffix or ".db"
    candidate = p.with_name(f"{p.stem}.v{version}-backup{suffix}")
    n = 2
    while candidate.exists():
        candidate = p.with_name(f"{p.stem}.v{version}-backup-{n}{suffix}")
        n += 1
    return candidate


def _sqlite_file(db: pw.Database) -> str | None:
    if (
        isinstance(db, pw.SqliteDatabase)
        and db.database not in ("", ":memory:")
        and not str(db.database).startswith("file::memory:")
    ):
        return str(db.database)
    return None


def upgrade(db: pw.Database, backup: bool = True) -> Upgrade:
    """Apply the pending migrations (after a backup copy on SQLite); see the module docstring."""
    start = read_version(db)
    if start is None:
        raise DatabaseUnavailable("这不是 dangjian 的数据库（没有 schema_version 表），无法升级。")
    if start > _code_version():
        raise _too_new(start)
    if not pending(start):
        return Upgrade(start, start)
    migrator = SchemaMigrator.from_database(db)
    started: list[Migration] = []
    backup_path = None
    try:
        with db.atomic():  # on SQLite this takes the write lock (BEGIN IMMEDIATE)
            start = read_version(db)  # another program may have upgraded meanwhile
            if start > _code_version():
                raise _too_new(start)
            todo = pending(start)
            if not todo:
                return Upgrade(start, start)
            source = _sqlite_file(db)
            if backup and source:
                from dangjian.io.backup import copy_sqlite

                try:
                    target = backup_name(source, start)
                    copy_sqlite(source, target)
                except (OSError, sqlite3.Error) as exc:
                    raise MigrationFailed(f"无法写入升级前的备份（{exc}），数据库未作改动。") from None
                backup_path = str(target)
            for m in todo:
                started.append(m)
                m.up(db, migrator)
                _record_version(db, m.version)
            if todo[-1].version >= 2:
                from dangjian.audit import trail as audit

                audit.write_entry(
                    {"upgrade": {"from": start, "to": todo[-1].version, "backup": backup_path}}, action="db upgrade"
                )
    except DatabaseUnavailable:
        _undo(db, migrator, started, start)
        raise
    except Exception as exc:
        if not started:
            raise  # e.g. the database was busy: nothing was attempted
        _undo(db, migrator, started, start)
        failed = started[-1]
        kept = f"，升级前的备份在“{backup_path}”" if backup_path else ""
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise MigrationFailed(
            f"数据库由第{start}版升级到第{failed.version}版（{failed.title}）时失败：{reason}；"
            f"数据库仍是第{start}版，未作改动{kept}。"
        ) from exc
    return Upgrade(start, todo[-1].version, backup_path)


def _undo(db: pw.Database, migrator: SchemaMigrator, started: list[Migration], start: int | None) -> None:
    """Where DDL is not transactional, undo what the started migrations did (newest first)."""
    if migrator.transactional_ddl or not started:
        return
    for m in reversed(started):
        m.down(db, migrator)
    db.execute_sql(f"DELETE FROM schema_version WHERE version > {db.param}", (start,))


def create_schema_at(db: pw.Database, version: int) -> None:
    """Build an empty database at an old schema version: version 1, then migrations up to `version`."""
    create_v1_schema(db)
    migrator = SchemaMigrator.from_database(db)
    for m in MIGRATIONS:
        if m.version <= version:
            with db.atomic():
                m.up(db, migrator)
                _record_version(db, m.version)
