"""What `db status` tells: where the database is, its schema version, pending upgrades, rows per table."""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from dangjian.io.backup import row_counts
from dangjian.store.connection import SCHEMA_VERSION
from dangjian.store.migrations import pending, read_version


@dataclass(frozen=True)
class PendingMigration:
    version: int
    title: str


@dataclass(frozen=True)
class DatabaseStatus:
    """`schema_version` is None before the schema exists; `tables` is empty unless it is current."""

    target: str
    backend: str
    schema_version: int | None
    code_schema_version: int
    pending: tuple[PendingMigration, ...] = ()
    tables: dict[str, int] = field(default_factory=dict)


def backend_name(db: pw.Database) -> str:
    if isinstance(db, pw.PostgresqlDatabase):
        return "PostgreSQL"
    if isinstance(db, pw.MySQLDatabase):
        return "MySQL/MariaDB"
    return "SQLite"


def database_status(db: pw.Database, target: str) -> DatabaseStatus:
    """Read the status without creating, upgrading or refusing anything; `target` as it may be shown."""
    version = read_version(db)
    todo = pending(version) if version is not None and version <= SCHEMA_VERSION else []
    return DatabaseStatus(
        target=target,
        backend=backend_name(db),
        schema_version=version,
        code_schema_version=SCHEMA_VERSION,
        pending=tuple(PendingMigration(m.version, m.title) for m in todo),
        tables=row_counts() if version == SCHEMA_VERSION else {},
    )
