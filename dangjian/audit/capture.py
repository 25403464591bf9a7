"""Capturing writes as they are sent: the `Audited` mixin of the database classes.

Every INSERT, UPDATE and DELETE that the models send while an audit context is set
(`audit.context(...)`; the CLI sets one for every command) is turned into a `Record`
of what it changed, before it runs (an UPDATE's old values, a DELETE's rows). Just
before the transaction that made them commits, the records are handed to the
database's `write_records` (the audit trail's writer, which `store.connection` names),
in that same transaction, so a refused or failed command leaves no entry and no
committed change goes unrecorded. A write made outside a transaction is wrapped in
one. Savepoints that roll back drop what they captured.

The rows of a query are read through `store.peewee_internals`, the one place that
touches peewee's private query attributes. Never prints, never imports click.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import peewee as pw

from dangjian.audit.context import capturing
from dangjian.store.base import DatabaseMixin, database, primary_key
from dangjian.store.peewee_internals import condition, insert_columns, insert_rows, update_values

#: Tables whose writes are not themselves audited.
UNAUDITED = frozenset({"audit_entry", "audit_subject", "schema_version"})
#: How many rows of each entity and operation keep their values in an entry.
DETAIL_LIMIT = 50
#: Entities an entry is linked to (`dangjian log --member/--org`).
LINKED = ("member", "organization", "party_group", "session")


# ---------------------------------------------------------------- values


def jsonable(value: Any) -> Any:
    """A value as JSON: ISO dates, decimals as text (exact), model instances as their id."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, pw.Model):
        return value.get_id()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, pw.Node):
        return "（表达式）"
    return str(value)


def _field(model: type[pw.Model], key: Any) -> pw.Field | None:
    if isinstance(key, pw.Field):
        return key
    meta = model._meta
    return meta.fields.get(key) or meta.columns.get(key)


# ---------------------------------------------------------------- records


@dataclass
class Record:
    """What one statement changed."""

    entity: str
    op: str
    count: int = 0
    ids: list[Any] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    refs: dict[str, set[Any]] = field(default_factory=dict)  # entity -> ids mentioned
    #: every row's before-image, whatever DETAIL_LIMIT keeps: (id, old values) of an UPDATE,
    #: the whole rows of a DELETE (an INSERT's are its `ids`); see `audit.steps`
    undo: list[Any] = field(default_factory=list)
    #: what the write says about itself in its entry (an undo: which entry it reverted)
    notes: dict[str, Any] = field(default_factory=dict)

    def ref(self, entity: str, value: Any) -> None:
        if entity in LINKED and isinstance(value, int) and not isinstance(value, bool):
            self.refs.setdefault(entity, set()).add(value)


def _note_values(rec: Record, model: type[pw.Model], values: dict[str, Any]) -> None:
    """Collect the ids a row mentions through its foreign keys."""
    for name, value in values.items():
        f = model._meta.fields.get(name)
        if isinstance(f, pw.ForeignKeyField):
            rec.ref(f.rel_model._meta.table_name, value)


def _row_dict(model: type[pw.Model], row: Any, columns: Sequence[Any]) -> dict[str, Any]:
    items = row.items() if isinstance(row, Mapping) else zip(columns, row)
    out = {}
    for key, value in items:
        f = _field(model, key)
        if f is not None:
            out[f.name] = jsonable(value)
    return out


def insert_record(query: pw.ModelInsert) -> Record:
    model = query.model
    rec = Record(model._meta.table_name, "insert")
    rows = insert_rows(query)
    if rows is None:
        rec.count = -1  # INSERT … SELECT: the rows are not known here
        return rec
    columns = insert_columns(query) if rows and not isinstance(rows[0], Mapping) else ()
    pk = primary_key(model)
    for row in rows[:DETAIL_LIMIT]:
        values = _row_dict(model, row, columns)
        _note_values(rec, model, values)
        if values.get(pk.name) is not None:
            rec.ids.append(values[pk.name])
            rec.ref(rec.entity, values[pk.name])
        rec.rows.append(values)
    if len(rows) > DETAIL_LIMIT:
        _note_bulk(rec, model, rows[DETAIL_LIMIT:], columns)
    rec.count = len(rows)
    return rec


def _note_bulk(rec: Record, model: type[pw.Model], rows: Sequence[Any], columns: Sequence[Any]) -> None:
    """Past the rows kept in full, only the ids: of the rows, and of the members, orgs… they name."""
    wanted: dict[pw.Field, str] = {
        f: f.rel_model._meta.table_name
        for f in model._meta.sorted_fields
        if isinstance(f, pw.ForeignKeyField) and f.rel_model._meta.table_name in LINKED
    }
    pk = primary_key(model)
    wanted[pk] = rec.entity
    keys: list[tuple[Any, str, bool]]
    get: Callable[[Any, Any], Any]
    first = rows[0]
    # (key, entity it refers to, whether it is the row's own id); fields compare by identity:
    # `==` on a peewee field builds an expression, which is always true
    if isinstance(first, Mapping):
        keys = [(k, wanted[f], f is pk) for k in first if (f := _field(model, k)) in wanted]
        get = lambda row, k: row.get(k)  # noqa: E731
    else:
        keys = [(i, wanted[f], f is pk) for i, c in enumerate(columns) if (f := _field(model, c)) in wanted]
        get = lambda row, i: row[i]  # noqa: E731
    sets = {entity: rec.refs.setdefault(entity, set()) for _, entity, _ in keys if entity in LINKED}
    for row in rows:
        for k, entity, is_own in keys:
            value = get(row, k)
            if isinstance(value, pw.Model):
                value = value.get_id()
            if value is not None:
                if is_own:
                    rec.ids.append(value)
                if entity in sets:
                    sets[entity].add(value)


def _select_affected(query: pw.ModelUpdate | pw.ModelDelete, fields: list[pw.Field]) -> list[tuple[Any, ...]]:
    model = query.model
    pk = primary_key(model)
    q = model.select(pk, *[f for f in fields if f is not pk])
    where = condition(query)
    if where is not None:
        q = q.where(where)
    return list(q.order_by(pk).tuples())


def update_record(query: pw.ModelUpdate) -> Record:
    model = query.model
    rec = Record(model._meta.table_name, "update")
    sets = {}
    for key, value in update_values(query).items():
        f = _field(model, key)
        if f is not None:
            sets[f] = value
    fields = [f for f in sets if f is not model._meta.primary_key]
    # the members, orgs, groups and sessions a changed row belongs to, for the log and its filters
    context: list[pw.Field] = [
        f
        for f in model._meta.sorted_fields
        if isinstance(f, pw.ForeignKeyField) and f.rel_model._meta.table_name in LINKED
    ]
    new = {f.name: jsonable(sets[f]) for f in fields}
    _note_values(rec, model, new)
    for row in _select_affected(query, fields + context):
        rid = row[0]
        old = {f.name: jsonable(v) for f, v in zip(fields, row[1:])}
        about = {f.name: v for f, v in zip(context, row[1 + len(fields) :])}
        rec.ids.append(rid)
        rec.ref(rec.entity, rid)
        _note_values(rec, model, old)
        _note_values(rec, model, about)
        changed = [k for k in new if new[k] != old.get(k)]
        if changed:
            rec.undo.append((rid, {k: old.get(k) for k in changed}))
        if len(rec.rows) < DETAIL_LIMIT:
            rec.rows.append(
                {"id": rid, **about, "before": {k: old.get(k) for k in changed}, "after": {k: new[k] for k in changed}}
            )
        rec.count += 1
    return rec


def delete_record(query: pw.ModelDelete) -> Record:
    model = query.model
    rec = Record(model._meta.table_name, "delete")
    pk = primary_key(model)
    fields = [f for f in model._meta.sorted_fields if f is not pk]
    for row in _select_affected(query, fields):
        values = {pk.name: row[0], **{f.name: jsonable(v) for f, v in zip(fields, row[1:])}}
        rec.ids.append(row[0])
        rec.ref(rec.entity, row[0])
        _note_values(rec, model, values)
        rec.undo.append(values)
        if len(rec.rows) < DETAIL_LIMIT:
            rec.rows.append(values)
        rec.count += 1
    return rec


# ---------------------------------------------------------------- the database mixin


class _State(threading.local):
    def __init__(self) -> None:
        self.records: list[Record] = []
        self.last_insert: Record | None = None
        self.savepoints: dict[str, int] = {}  # savepoint name -> how many records existed when it began
        self.notes: dict[str, Any] = {}  # what the transaction's entry says about itself (`annotate`)
        self.autoinc_step: int | None = None  # MySQL's auto_increment_increment, read once


class Audited(DatabaseMixin):
    """Mixin for peewee databases: capture writes, hand them to `write_records` just before commit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._audit_state = _State()
        super().__init__(*args, **kwargs)

    def execute(self, query: Any, **options: Any) -> Any:
        if (
            not isinstance(query, (pw.ModelInsert, pw.ModelUpdate, pw.ModelDelete))
            or not capturing()
            or query.model._meta.table_name in UNAUDITED
        ):
            return super().execute(query, **options)
        if not self.in_transaction():
            with self.atomic():
                return self._execute_audited(query, options)
        return self._execute_audited(query, options)

    def _execute_audited(self, query: pw.ModelInsert | pw.ModelUpdate | pw.ModelDelete, options: dict) -> Any:
        state = self._audit_state
        if isinstance(query, pw.ModelInsert):
            rec = insert_record(query)
        elif isinstance(query, pw.ModelUpdate):
            rec = update_record(query)
        else:
            rec = delete_record(query)
        cursor = super().execute(query, **options)
        if rec.count:
            state.records.append(rec)
            state.last_insert = rec if rec.op == "insert" else None
        return cursor

    def last_insert_id(self, cursor: Any, query_type: Any = None) -> Any:
        rv = super().last_insert_id(cursor, query_type)
        state = self._audit_state
        rec, state.last_insert = state.last_insert, None
        if rec is not None and not rec.ids:
            if query_type == pw.Insert.SIMPLE and isinstance(rv, int):
                rec.ids = [rv]
                rec.ref(rec.entity, rv)
                if rec.rows:
                    rec.rows[0] = {"id": rv, **rec.rows[0]}
            elif query_type == pw.Insert.MULTI and isinstance(rv, pw.CursorWrapper):
                rec.ids = [row[0] for row in rv]  # RETURNING ids (PostgreSQL); the rows stay cached
            elif query_type == pw.Insert.MULTI and isinstance(rv, int) and rec.count > 0:
                rec.ids = self._multi_ids(rv, rec.count)
            if query_type == pw.Insert.MULTI:
                for rid, row in zip(rec.ids, rec.rows):
                    row["id"] = rid
                for rid in rec.ids:
                    rec.ref(rec.entity, rid)
        return rv

    def _multi_ids(self, rv: int, count: int) -> list[int]:
        """The ids of a multi-row INSERT from the one id the driver tells, so an undo can find the rows.

        SQLite tells the last row's id and numbers one statement's rows one after another
        (the write lock is held); MySQL tells the first, and steps by auto_increment_increment.
        """
        if isinstance(self, pw.MySQLDatabase):
            state = self._audit_state
            if state.autoinc_step is None:
                state.autoinc_step = int(super().execute_sql("SELECT @@auto_increment_increment").fetchone()[0] or 1)
            return [rv + i * state.autoinc_step for i in range(count)]
        if isinstance(self, pw.SqliteDatabase):
            return list(range(rv - count + 1, rv + 1))
        return []

    def begin(self, *args: Any, **kwargs: Any) -> None:
        self._audit_state.records.clear()
        self._audit_state.savepoints.clear()
        self._audit_state.notes.clear()
        return super().begin(*args, **kwargs)

    def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        # savepoints are plain statements (also when opened through the DatabaseProxy):
        # one that rolls back forgets what was captured since it began
        if sql.startswith(("SAVEPOINT ", "ROLLBACK TO SAVEPOINT ", "RELEASE SAVEPOINT ")):
            result = super().execute_sql(sql, params, *args, **kwargs)
            state = self._audit_state
            name = sql.rsplit(" ", 1)[-1].rstrip(";")
            if sql.startswith("SAVEPOINT "):
                state.savepoints[name] = len(state.records)
            elif sql.startswith("ROLLBACK TO "):
                del state.records[state.savepoints.get(name, len(state.records)) :]
            else:
                state.savepoints.pop(name, None)
            return result
        return super().execute_sql(sql, params, *args, **kwargs)

    def write_records(self, records: list[Record]) -> None:
        """Write the entry for what a transaction changed, inside that transaction.

        The database classes that mix this in name the writer (`store.connection`: the audit trail).
        """
        raise NotImplementedError

    def commit(self) -> None:
        state = self._audit_state
        state.last_insert = None
        notes, state.notes = state.notes, {}
        if state.records:
            records, state.records = state.records, []
            records[0].notes.update(notes)
            self.write_records(records)
        return super().commit()

    def rollback(self) -> None:
        self._audit_state.records.clear()
        self._audit_state.notes.clear()
        self._audit_state.last_insert = None
        return super().rollback()


def annotate(key: str, value: Any) -> None:
    """Say something about the running transaction in its entry (an undo names the entry it reverts)."""
    db = database.obj
    if isinstance(db, Audited) and capturing():
        db._audit_state.notes[key] = jsonable(value)


def note_insert(
    db: pw.Database, model: type[pw.Model], fields: list[pw.Field], rows: list, ids: list[int] | None = None
) -> None:
    """Capture an insert that was sent as prepared SQL text (the bulk path), as `execute` would."""
    if not isinstance(db, Audited) or not capturing() or model._meta.table_name in UNAUDITED:
        return
    rec = insert_record(model.insert_many(rows, fields=fields))
    if not rec.count:
        return
    if ids:
        rec.ids = list(ids)
        for rid in ids:
            rec.ref(rec.entity, rid)
        for rid, row in zip(ids, rec.rows):
            row["id"] = rid
    db._audit_state.records.append(rec)
