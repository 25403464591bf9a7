"""What a write query carries, read from peewee's query objects before they run.

peewee has no public way to see the rows of an INSERT or the values and condition of an
UPDATE or DELETE before it sends them; the length check (`connection.FitsColumns`) and the
audit capture (`audit.capture`) need exactly that. These functions are the only code that
reads peewee's private query attributes (`_insert`, `_columns`, `_update`, `_where`), so a
peewee release that renames them breaks here and nowhere else; setup.cfg keeps peewee below
its next major version and tests/test_peewee_internals.py fails loudly when the shape changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import peewee as pw

# The parameters are `Any`: the attributes read here are not part of peewee's typed interface.


def insert_rows(query: Any) -> Sequence[Any] | None:
    """The rows an INSERT will write, each a mapping or a positional tuple; None for INSERT … SELECT.

    Rows given as a generator are read into a list here and handed back to the query, so the
    query still has them when it runs.
    """
    data = query._insert
    if isinstance(data, Mapping):
        return [data]
    if isinstance(data, (list, tuple)):
        return data
    if isinstance(data, (pw.Node, pw.SelectBase)) or data is None:
        return None
    rows = query._insert = list(data)
    return rows


def insert_columns(query: Any) -> Sequence[Any]:
    """The fields (or column names) that positional INSERT rows fill, in order."""
    return query._columns or query.get_default_columns() or ()


def update_values(query: Any) -> Mapping[Any, Any]:
    """An UPDATE's new values, keyed by field (or field name)."""
    return query._update


def condition(query: Any) -> Any:
    """The WHERE expression of an UPDATE or DELETE, or None when it touches every row."""
    return query._where
