"""What one migration is, and the few steps migrations share.

A migration works against table definitions frozen inside it, never against the current
models, so it means the same thing however the models change later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw
from playhouse.migrate import SchemaMigrator

from dangjian.store.base import utcnow


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    #: brings a database at `version - 1` to `version`
    up: Callable[[pw.Database, SchemaMigrator], None]
    #: undoes `up`, also when `up` stopped halfway (MySQL/MariaDB do not roll DDL back)
    down: Callable[[pw.Database, SchemaMigrator], None]


def create_tables(db: pw.Database, models: list[type[pw.Model]]) -> None:
    """Create frozen tables in `db`, with the character set every MySQL table of ours has."""
    settings = ["DEFAULT CHARSET=utf8mb4", "COLLATE=utf8mb4_bin"] if isinstance(db, pw.MySQLDatabase) else []
    for model in models:
        model._meta.table_settings = settings
    with db.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        db.create_tables(models)


def record_version(db: pw.Database, version: int) -> None:
    """Note in schema_version that the database is now at `version` (plain SQL: no model involved)."""
    db.execute_sql(
        f"INSERT INTO schema_version (version, applied_at) VALUES ({db.param}, {db.param})",
        (version, str(utcnow())),  # the text peewee itself writes for a DateTimeField
    )
