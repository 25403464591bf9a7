"""Schema upgrades: numbered migrations, applied in order; a database is at one version.

Each migration is a file of this package (`v0002_audit.py` …) written with
`playhouse.migrate` against table definitions frozen in the file itself, never against
the current models; version 1, the first schema, is frozen in `v0001_initial.py`
(`create_v1_schema`), so an old database can be built for tests whatever the current
models look like. A new migration gets its own file, goes at the end of `MIGRATIONS`,
and `store.models.SCHEMA_VERSION` follows it; tests check that upgrading a version-1
database gives exactly the fresh schema. This module is the runner.

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
from dataclasses import dataclass
from pathlib import Path

import peewee as pw
from playhouse.migrate import SchemaMigrator

from dangjian.audit import trail as audit
from dangjian.errors import DatabaseUnavailable
from dangjian.store.files import copy_sqlite
from dangjian.store.migrations import v0002_audit
from dangjian.store.migrations.migration import Migration, record_version
from dangjian.store.migrations.v0001_initial import create_v1_schema, v1_models
from dangjian.store.models.schema import SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "Migration",
    "MigrationFailed",
    "SchemaTooNew",
    "Upgrade",
    "backup_name",
    "check_version",
    "create_schema_at",
    "create_v1_schema",
    "pending",
    "read_version",
    "upgrade",
    "v1_models",
]


class SchemaTooNew(DatabaseUnavailable):
    """The database was written by a newer dangjian."""


class MigrationFailed(DatabaseUnavailable):
    """A migration failed; the database was left at its old version."""


@dataclass(frozen=True)
class Upgrade:
    from_version: int
    to_version: int
    backup: str | None = None

    @property
    def changed(self) -> bool:
        return self.to_version != self.from_version


#: Every migration after version 1, oldest first.
MIGRATIONS: list[Migration] = [
    v0002_audit.MIGRATION,
]


def read_version(db: pw.Database) -> int | None:
    """The database's schema version, or None when it has no schema_version table."""
    if "schema_version" not in db.get_tables():
        return None
    return db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()[0]


def pending(version: int) -> list[Migration]:
    return [m for m in MIGRATIONS if m.version > version]


def _too_new(version: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"数据库的结构是第{version}版，比本程序支持的第{SCHEMA_VERSION}版新，请先升级 dangjian 再使用这个数据库。"
    )


def check_version(db: pw.Database) -> None:
    """Refuse a database written by a newer program (exit 3)."""
    version = read_version(db)
    if version is not None and version > SCHEMA_VERSION:
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


def _version_to_upgrade(db: pw.Database) -> int:
    version = read_version(db)
    if version is None:
        raise DatabaseUnavailable("这不是 dangjian 的数据库（没有 schema_version 表），无法升级。")
    return version


def upgrade(db: pw.Database, backup: bool = True) -> Upgrade:
    """Apply the pending migrations (after a backup copy on SQLite); see the module docstring."""
    start = _version_to_upgrade(db)
    if start > SCHEMA_VERSION:
        raise _too_new(start)
    if not pending(start):
        return Upgrade(start, start)
    migrator = SchemaMigrator.from_database(db)
    started: list[Migration] = []
    backup_path: str | None = None
    try:
        with db.atomic():  # on SQLite this takes the write lock (BEGIN IMMEDIATE)
            start = _version_to_upgrade(db)  # another program may have upgraded meanwhile
            if start > SCHEMA_VERSION:
                raise _too_new(start)
            todo = pending(start)
            if not todo:
                return Upgrade(start, start)
            source = _sqlite_file(db)
            if backup and source:
                try:
                    target = backup_name(source, start)
                    copy_sqlite(source, target)
                except (OSError, sqlite3.Error) as exc:
                    raise MigrationFailed(f"无法写入升级前的备份（{exc}），数据库未作改动。") from None
                backup_path = str(target)
            for m in todo:
                started.append(m)
                m.up(db, migrator)
                record_version(db, m.version)
            if todo[-1].version >= 2:
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


def _undo(db: pw.Database, migrator: SchemaMigrator, started: list[Migration], start: int) -> None:
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
                record_version(db, m.version)
