"""What every model shares: the database proxy they are bound to, the base model, portable field types.

`database` is a `DatabaseProxy`: `connection.open_database` points it at a SQLite file,
PostgreSQL or MySQL/MariaDB at run time, so nothing here knows which backend it talks to.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import peewee as pw

database = pw.DatabaseProxy()

if TYPE_CHECKING:
    from peewee import Database as DatabaseMixin
else:
    # The base of the mixins for our database classes (length check, audit capture):
    # nothing at run time, so they sit in the MRO before peewee's class; peewee's
    # Database for the type checker, so their `super()` calls are checked.
    DatabaseMixin = object


def utcnow() -> datetime:
    """Now in UTC to the second, naive: the form every stored timestamp takes."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_today() -> date:
    """Today on this machine's calendar: the last day a recorded fact may bear (a write's bound, never a check's)."""
    return datetime.now().date()


def primary_key(model: type[pw.Model]) -> pw.Field:
    """A model's primary key (every table here has one; peewee's types also allow `False`)."""
    pk = model._meta.primary_key
    assert isinstance(pk, pw.Field), f"{model.__name__} has no primary key"
    return pk


class BaseModel(pw.Model):
    # peewee adds this same field when a model declares no key; declared here so that
    # type checkers know `Member.id` (a field) and `member.id` (an int)
    id = pw.AutoField()

    class Meta:
        database = database
        legacy_table_names = False


class JSONText(pw.TextField):
    """A dict stored as JSON text, portable across the three backends."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value: Any) -> Any:
        return {} if value in (None, "") else json.loads(value)
