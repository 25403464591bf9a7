"""The version of the schema these models describe, and the table that records a database's version."""

from __future__ import annotations

import peewee as pw

from dangjian.store.base import BaseModel, utcnow

#: The schema version this code writes; an older database is upgraded by `store.migrations`,
#: whose newest migration carries this number (tests/test_migrations.py checks they agree).
SCHEMA_VERSION = 2


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=utcnow)
