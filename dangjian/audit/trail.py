"""The audit trail (操作日志): when, which OS user, which command, and what changed.

Writes are captured where they happen: every INSERT, UPDATE and DELETE that the
models send to the database while an audit context is set (`audit.context(...)`;
the CLI sets one for every command). Just before the transaction that made them
commits, one `AuditEntry` is written in that same transaction, so a refused or
failed command leaves no entry and no committed change goes unrecorded. A write
made outside a transaction is wrapped in one. Savepoints that roll back drop
what they captured.

The capture lives in `Audited`, a mixin of the three database classes that
`db.open_database` builds, so services need no hooks: a new write path is
audited the day it is written. Never prints, never imports click.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import peewee as pw

#: Tables whose writes are not themselves audited.
UNAUDITED = frozenset({"audit_entry", "audit_subject", "schema_version"})
#: How many rows of each entity and operation keep their values in an entry.
DETAIL_LIMIT = 50
#: Entities an entry is linked to (`dangjian log --member/--org`), and those that have names.
LINKED = ("member", "organization", "party_group", "session")
NAMED = ("member", "organization", "party_group")


@dataclass
class AuditContext:
    """Who is writing and with which command; set by the program's entry point."""

    command: str
    user: str
    host: str | None = None
    #: e.g. "member add", or a function that tells it when an entry is written
    action: str | Callable[[], str | None] | None = None


_current: ContextVar[AuditContext | None] = ContextVar("dangjian_audit", default=None)
_paused: ContextVar[bool] = ContextVar("dangjian_audit_paused", default=False)


def os_user() -> str:
    """The OS user name, or the numeric uid when the system has no name for it."""
    try:
        import getpass  # here, not at start-up: read commands never need it

        return getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def host_name() -> str | None:
    try:
        import socket

        return socket.gethostname() or None
    except OSError:
        return None


@contextmanager
def context(
    command: str, user: str | None = None, host: str | None = None, action: str | Callable[[], str | None] | None = None
) -> Iterator[AuditContext]:
    """Record every write made inside the block under this command line and user."""
    ctx = AuditContext(
        command=command, user=user or os_user(), host=host if host is not None else host_name(), action=action
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def paused() -> Iterator[None]:
    """Do not capture writes row by row inside the block (restore records one summary instead)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def _capturing() -> bool:
    return _current.get() is not None and not _paused.get()


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


def _field(model, key) -> pw.Field | None:
    if isinstance(key, pw.Field):
        return key
    meta = model._meta
    return meta.fields.get(key) or meta.columns.get(key)


# ---------------------------------------------------------------- capture


@dataclass
class _Record:
    """What one statement changed."""

    entity: str
    op: str
    count: int = 0
    ids: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    refs: dict = field(default_factory=dict)  # entity -> set of ids mentioned

    def ref(self, entity: str, value: Any) -> None:
        if entity in LINKED and isinstance(value, int) and not isinstance(value, bool):
            self.refs.setdefault(entity, set()).add(value)


def _note_values(rec: _Record, model, values: dict[str, Any]) -> None:
    """Collect the ids a row mentions through its foreign keys."""
    for name, value in values.items():
        f = model._meta.fields.get(name)
        if isinstance(f, pw.ForeignKeyField):
            rec.ref(f.rel_model._meta.table_name, value)


def _row_dict(model, row, columns) -> dict[str, Any]:
    if isinstance(row, Mapping):
        items = row.items()
    else:
        items = zip(columns, row)
    out = {}
    for key, value in items:
        f = _field(model, key)
        if f is not None:
            out[f.name] = jsonable(value)
    return out


def _insert_record(query: pw.ModelInsert) -> _Record | None:
    model = query.model
    rec = _Record(model._meta.table_name, "insert")
    data = query._insert
    if isinstance(data, Mapping):
        rows = [data]
    elif isinstance(data, (list, tuple)):
        rows = data
    elif isinstance(data, (pw.Node, pw.SelectBase)) or data is None:
        rec.count = -1  # INSERT … SELECT: the rows are not known here
        return rec
    else:  # a generator: keep it replayable for the insert itself
        rows = list(data)
        query._insert = rows
    columns = query._columns or (query.get_default_columns() if rows and not isinstance(rows[0], Mapping) else ())
    pk = model._meta.primary_key
    for row in rows[:DETAIL_LIMIT]:
        values = _row_dict(model, row, columns)
        _note_values(rec, model, values)
        if pk is not None and values.get(pk.name) is not None:
            rec.ids.append(values[pk.name])
            rec.ref(rec.entity, values[pk.name])
        rec.rows.append(values)
    if len(rows) > DETAIL_LIMIT:
        _note_bulk(rec, model, rows[DETAIL_LIMIT:], columns)
    rec.count = len(rows)
    return rec


def _note_bulk(rec: _Record, model, rows, columns) -> None:
    """Past the rows kept in full, only the ids: of the rows, and of the members, orgs… they name."""
    wanted = {
        f: f.rel_model._meta.table_name
        for f in model._meta.sorted_fields
        if isinstance(f, pw.ForeignKeyField) and f.rel_model._meta.table_name in LINKED
    }
    pk = model._meta.primary_key
    if pk is not None:
        wanted[pk] = rec.entity
    first = rows[0]
    if isinstance(first, Mapping):
        keys = [(k, wanted[f]) for k in first if (f := _field(model, k)) in wanted]
        get = lambda row, k: row.get(k)  # noqa: E731
    else:
        keys = [(i, wanted[f]) for i, c in enumerate(columns) if (f := _field(model, c)) in wanted]
        get = lambda row, i: row[i]  # noqa: E731
    sets = {entity: rec.refs.setdefault(entity, set()) for _, entity in keys if entity in LINKED}
    own = rec.entity
    for row in rows:
        for k, entity in keys:
            value = get(row, k)
            if isinstance(value, pw.Model):
                value = value.get_id()
            if value is not None:
                if entity == own and k in (pk, pk.name, pk.column_name):
                    rec.ids.append(value)
                if entity in sets:
                    sets[entity].add(value)


def _select_affected(query, fields) -> list[tuple]:
    model = query.model
    pk = model._meta.primary_key
    q = model.select(pk, *[f for f in fields if f is not pk])
    if query._where is not None:
        q = q.where(query._where)
    return list(q.order_by(pk).tuples())


def _update_record(query: pw.ModelUpdate) -> _Record:
    model = query.model
    rec = _Record(model._meta.table_name, "update")
    sets = {}
    for key, value in query._update.items():
        f = _field(model, key)
        if f is not None:
            sets[f] = value
    fields = [f for f in sets if f is not model._meta.primary_key]
    # the members, orgs, groups and sessions a changed row belongs to, for the log and its filters
    context = [
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
        if len(rec.rows) < DETAIL_LIMIT:
            rec.rows.append(
                {"id": rid, **about, "before": {k: old.get(k) for k in changed}, "after": {k: new[k] for k in changed}}
            )
        rec.count += 1
    return rec


def _delete_record(query: pw.ModelDelete) -> _Record:
    model = query.model
    rec = _Record(model._meta.table_name, "delete")
    pk = model._meta.primary_key
    fields = [f for f in model._meta.sorted_fields if f is not pk]
    for row in _select_affected(query, fields):
        values = {pk.name: row[0], **{f.name: jsonable(v) for f, v in zip(fields, row[1:])}}
        rec.ids.append(row[0])
        rec.ref(rec.entity, row[0])
        _note_values(rec, model, values)
        if len(rec.rows) < DETAIL_LIMIT:
            rec.rows.append(values)
        rec.count += 1
    return rec


class _State(threading.local):
    def __init__(self) -> None:
        self.records: list[_Record] = []
        self.last_insert: _Record | None = None
        self.savepoints: dict[str, int] = {}  # savepoint name -> how many records existed when it began


class Audited:
    """Mixin for peewee databases: capture writes, write the entry just before commit."""

    def __init__(self, *args, **kwargs):
        self._audit_state = _State()
        super().__init__(*args, **kwargs)

    def execute(self, query, **options):
        if (
            not isinstance(query, (pw.ModelInsert, pw.ModelUpdate, pw.ModelDelete))
            or not _capturing()
            or query.model._meta.table_name in UNAUDITED
        ):
            return super().execute(query, **options)
        if not self.in_transaction():
            with self.atomic():
                return self._execute_audited(query, options)
        return self._execute_audited(query, options)

    def _execute_audited(self, query, options):
        state = self._audit_state
        if isinstance(query, pw.ModelInsert):
            rec = _insert_record(query)
        elif isinstance(query, pw.ModelUpdate):
            rec = _update_record(query)
        else:
            rec = _delete_record(query)
        cursor = super().execute(query, **options)
        if rec is not None and rec.count:
            state.records.append(rec)
            state.last_insert = rec if rec.op == "insert" else None
        return cursor

    def last_insert_id(self, cursor, query_type=None):
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
                for rid, row in zip(rec.ids, rec.rows):
                    row["id"] = rid
                for rid in rec.ids:
                    rec.ref(rec.entity, rid)
        return rv

    def begin(self, *args, **kwargs):
        self._audit_state.records.clear()
        self._audit_state.savepoints.clear()
        return super().begin(*args, **kwargs)

    def execute_sql(self, sql, params=None, *args, **kwargs):
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

    def commit(self):
        state = self._audit_state
        state.last_insert = None
        if state.records:
            records, state.records = state.records, []
            _write_entry(records)
        return super().commit()

    def rollback(self):
        self._audit_state.records.clear()
        self._audit_state.last_insert = None
        return super().rollback()


def note_insert(
    db: pw.Database, model: type[pw.Model], fields: list[pw.Field], rows: list, ids: list[int] | None = None
) -> None:
    """Capture an insert that was sent as prepared SQL text (the bulk path), as `execute` would."""
    if not isinstance(db, Audited) or not _capturing() or model._meta.table_name in UNAUDITED:
        return
    rec = _insert_record(model.insert_many(rows, fields=fields))
    if rec is None or not rec.count:
        return
    if ids:
        rec.ids = list(ids)
        for rid in ids:
            rec.ref(rec.entity, rid)
        for rid, row in zip(ids, rec.rows):
            row["id"] = rid
    db._audit_state.records.append(rec)


# ---------------------------------------------------------------- writing entries


def _merge(records: list[_Record]) -> tuple[list[dict], dict[str, set[int]], bool]:
    merged: dict[tuple[str, str], dict] = {}
    refs: dict[str, set[int]] = {}
    truncated = False
    for r in records:
        m = merged.setdefault((r.entity, r.op), {"entity": r.entity, "op": r.op, "count": 0, "ids": [], "rows": []})
        if r.count < 0 or m["count"] < 0:
            m["count"] = -1
        else:
            m["count"] += r.count
        m["ids"].extend(r.ids)
        room = DETAIL_LIMIT - len(m["rows"])
        m["rows"].extend(r.rows[: max(room, 0)])
        truncated = truncated or r.count > len(r.rows) or room < len(r.rows)
        for entity, ids in r.refs.items():
            refs.setdefault(entity, set()).update(ids)
    changes = []
    for m in merged.values():
        m["ids"] = list(dict.fromkeys(m["ids"]))  # a row changed twice is one row
        if len(m["ids"]) > 10 * DETAIL_LIMIT:
            m["ids"] = m["ids"][: 10 * DETAIL_LIMIT]
            truncated = True
        changes.append(m)
    return changes, refs, truncated


def _names(refs: dict[str, set[int]]) -> dict[str, dict[str, str]]:
    """The names of the members, orgs and groups an entry mentions: one query per kind."""
    from dangjian.store.models import Member, Organization, PartyGroup

    out: dict[str, dict[str, str]] = {}
    for entity, model in (("member", Member), ("organization", Organization), ("party_group", PartyGroup)):
        ids = sorted(refs.get(entity, ()))[: 10 * DETAIL_LIMIT]
        if ids:
            rows = model.select(model.id, model.name).where(model.id.in_(ids)).tuples()
            out[entity] = {str(i): n for i, n in rows}
    return out


def _write_entry(records: list[_Record]) -> None:
    changes, refs, truncated = _merge(records)
    summary: dict[str, Any] = {"changes": changes, "names": _names(refs)}
    if truncated:
        summary["truncated"] = True
    write_entry(summary, refs)


def write_entry(summary: dict, refs: dict[str, set[int]] | None = None, action: str | None = None) -> int:
    """Write one entry now, in the current transaction (restore and upgrade describe themselves)."""
    from dangjian.store.models import AuditEntry, AuditSubject

    ctx = _current.get() or AuditContext(command="", user=os_user(), host=host_name())
    action = action or (ctx.action() if callable(ctx.action) else ctx.action) or "（程序调用）"
    entry_id = AuditEntry.insert(
        user=ctx.user[:100],
        host=(ctx.host or "")[:100] or None,
        action=action[:100],
        command=ctx.command or None,
        changes=summary,
    ).execute()
    links = [
        {"entry": entry_id, "entity": entity, "entity_id": i}
        for entity in LINKED
        for i in sorted((refs or {}).get(entity, ()))
    ]
    for start in range(0, len(links), 500):
        AuditSubject.insert_many(links[start : start + 500]).execute()
    return entry_id


# ---------------------------------------------------------------- reading


def list_entries(
    member: str | None = None,
    org: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Entries, oldest first (the latest `limit` when given), in one query after the lookups.

    `since`/`until` are UTC datetimes (`until` exclusive); `member`/`org` are references
    as users type them and keep the entries that touched that member or org.
    """
    from dangjian.store.lookup import find_member, find_org
    from dangjian.store.models import AuditEntry, AuditSubject

    q = AuditEntry.select()
    if member:
        m = find_member(member)
        q = q.where(
            AuditEntry.id.in_(
                AuditSubject.select(AuditSubject.entry).where(
                    (AuditSubject.entity == "member") & (AuditSubject.entity_id == m.id)
                )
            )
        )
    if org:
        o = find_org(org)
        q = q.where(
            AuditEntry.id.in_(
                AuditSubject.select(AuditSubject.entry).where(
                    (AuditSubject.entity == "organization") & (AuditSubject.entity_id == o.id)
                )
            )
        )
    if since is not None:
        q = q.where(AuditEntry.at >= since)
    if until is not None:
        q = q.where(AuditEntry.at < until)
    if limit is not None:
        rows = list(q.order_by(AuditEntry.id.desc()).limit(max(limit, 0)))[::-1]
    else:
        rows = list(q.order_by(AuditEntry.id))
    return [
        {
            "id": e.id,
            "at": e.at,
            "user": e.user,
            "host": e.host,
            "action": e.action,
            "command": e.command,
            "changes": e.changes or {},
        }
        for e in rows
    ]


# ---------------------------------------------------------------- describing

ENTITY_LABELS = {
    "organization": ("组织", "个"),
    "member": ("党员", "人"),
    "party_group": ("党小组", "个"),
    "membership": ("组织关系", "条"),
    "session": ("会议", "次"),
    "session_kind": ("会议类型", "条"),
    "attendance": ("出勤记录", "条"),
    "member_event": ("发展纪实", "条"),
    "audit_entry": ("操作日志", "条"),
    "audit_subject": ("日志索引", "条"),
}
OP_LABELS = {"insert": "新增", "update": "修改", "delete": "删除"}
FIELD_LABELS = {
    "name": "名称",
    "kind": "类型",
    "parent": "上级",
    "established_on": "成立日期",
    "dissolved_on": "撤销日期",
    "merged_into": "并入",
    "stage": "类别",
    "status": "状态",
    "joined_on": "入党日期",
    "full_since": "转正日期",
    "org": "组织",
    "group": "党小组",
    "start": "起始日期",
    "end": "截止日期",
    "leader": "组长",
    "note": "备注",
    "held_on": "日期",
}


#: Fields whose value is the id of a named row, and the table it names.
REFERS_TO = {
    "org": "organization",
    "parent": "organization",
    "merged_into": "organization",
    "group": "party_group",
    "member": "member",
    "leader": "member",
}


def _shown(value: Any, names: dict | None = None) -> str:
    if value is None:
        return "空"
    if names and str(value) in names:
        return names[str(value)]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{d.year}年{d.month}月{d.day}日"
    return str(value)


def describe_changes(changes: dict) -> str:
    """One line of Chinese for an entry's changes: 新增党员王建国（编号7）；新增组织关系1条."""
    if not changes:
        return ""
    if "restore" in changes:
        r = changes["restore"]
        replaced = "，替换了原有数据" if r.get("replaced") else ""
        return f"从备份“{r.get('file', '')}”恢复：共{r.get('rows', 0)}行{replaced}"
    if "upgrade" in changes:
        u = changes["upgrade"]
        extra = f"，升级前的备份：{u['backup']}" if u.get("backup") else ""
        return f"数据库结构由第{u.get('from')}版升级到第{u.get('to')}版{extra}"
    names = changes.get("names", {})
    chs = changes.get("changes", [])
    kinds: dict[Any, list[str]] = {}
    for ch in chs:
        if ch.get("entity") == "session_kind" and ch.get("op") == "insert":
            for r in ch.get("rows", []):
                kinds.setdefault(r.get("session"), []).append(r.get("kind", ""))
    sessions_added = any(c.get("entity") == "session" and c.get("op") == "insert" for c in chs)
    parts = []
    for ch in chs:
        entity, op = ch.get("entity", ""), ch.get("op", "")
        if entity == "session_kind" and op == "insert" and sessions_added:
            continue  # said with the session
        parts.append(_describe_one(ch, names, kinds))
    return "；".join(parts)


def _describe_one(ch: dict, names: dict, kinds: dict) -> str:
    from dangjian.vocab import SESSION_KINDS

    entity, op = ch.get("entity", ""), ch.get("op", "")
    label, unit = ENTITY_LABELS.get(entity, (entity, "条"))
    verb = OP_LABELS.get(op, op)
    count = ch.get("count", 0)
    more = f"等{count}{unit}" if count > 3 else ""
    rows = ch.get("rows", [])
    if entity == "session" and op == "insert" and rows:
        shown = []
        for r in rows[:3]:
            org = names.get("organization", {}).get(str(r.get("org")), "")
            what = "、".join(SESSION_KINDS.label(k) for k in kinds.get(r.get("id"), []))
            shown.append(
                " ".join(x for x in (_shown(r.get("held_on")), org, what) if x) + f"（编号{r.get('id', '?')}）"
            )
        return f"{verb}{label}：" + "、".join(shown) + more
    who = ""
    if entity in NAMED and ch.get("ids"):
        known, ids = names.get(entity, {}), ch["ids"]
        more = f"等{len(ids)}{unit}" if len(ids) > 3 else ""
        text = f"{verb}{label}" + "、".join(f"{known.get(str(i), '')}（编号{i}）" for i in ids[:3]) + more
    else:
        text = f"{verb}{label}{count if count >= 0 else '若干'}{unit}"
        people = [names.get("member", {}).get(str(r.get("member")), "") for r in rows]
        people = list(dict.fromkeys(p for p in people if p))
        if people and entity != "attendance":
            who = "、".join(people[:3]) + ("等" if len(people) > 3 else "")
    after = rows[0].get("after") if op == "update" and rows else None
    change = "，".join(
        f"{FIELD_LABELS.get(k, k)}→{_shown(v, names.get(REFERS_TO.get(k, ''), {}))}" for k, v in (after or {}).items()
    )
    detail = "：".join(x for x in (who, change) if x)
    return text + (f"（{detail}）" if detail else "")
