"""Undo (撤销): revert one logged write from the before-image its audit entry keeps.

Generic over the captured rows (`audit.steps`), not per command: rows the write
inserted are deleted, rows it updated get their old values back, rows it deleted
are inserted again with their ids, in the reverse of the order they were written.
The undo is one transaction and itself one logged write (its entry names the entry
it reverted in `reverts`), so it can be undone too.

An entry is refused when a later write changed the same rows, wrote rows that refer
to them, or deleted a row the restored rows would refer to; a later entry and the
undo that reverted it count as nothing. Never prints, never reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import peewee as pw

from dangjian.audit import steps as audit_steps
from dangjian.audit.describe import ENTITY_LABELS, describe_changes
from dangjian.audit.trail import LINKED, annotate
from dangjian.errors import InputError
from dangjian.store.base import primary_key
from dangjian.store.connection import database
from dangjian.store.models import MODELS, AuditEntry, AuditSubject

#: ids per `IN (…)` list
_CHUNK = 500


@dataclass(frozen=True)
class Undone:
    """What an undo did: `entry` (with its time, in UTC, and command line) was reverted by entry `by`."""

    entry: int
    at: datetime
    command: str | None
    action: str
    by: int
    summary: str


def _model(entity: str) -> type[pw.Model]:
    for m in MODELS:
        if m._meta.table_name == entity:
            return m
    raise InputError(f"操作日志提到的表“{entity}”已不存在，不能撤销。")


def local_time(at: datetime) -> str:
    """An entry's time (naive UTC) as the local wall clock, as `log` shows it."""
    t = at.replace(tzinfo=UTC).astimezone()
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M:%S}"


def _named(e: AuditEntry) -> str:
    """An entry as a refusal names it: 第N条记录（时间，命令）."""
    return f"第{e.id}条记录（{local_time(e.at)}，{e.command or e.action}）"


def _target(entry_id: int | None) -> AuditEntry:
    if entry_id is None:
        e = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
        if e is None:
            raise InputError("操作日志是空的，没有可以撤销的写入。")
        return e
    e = AuditEntry.get_or_none(AuditEntry.id == entry_id)
    if e is None:
        raise InputError(f"操作日志中没有第{entry_id}条记录（用 dangjian log 查看编号）。", field="entry")
    return e


def _steps(e: AuditEntry) -> list[dict[str, Any]]:
    """The steps that revert entry `e`, or the one sentence why it cannot be undone."""
    changes: dict[str, Any] = e.changes or {}
    if "restore" in changes:
        raise InputError(f"第{e.id}条记录是从备份恢复全部数据，不能撤销；要回到恢复前，请恢复当时的备份。")
    if "upgrade" in changes:
        raise InputError(f"第{e.id}条记录是数据库结构升级，不能撤销。")
    steps = changes.get("steps")
    if not steps:
        raise InputError(f"第{e.id}条记录没有逐行记下改动前的内容（早于撤销功能，或没有改动），不能撤销。")
    for step in steps:
        label = ENTITY_LABELS.get(step["entity"], (step["entity"],))[0]
        if step.get("unknown"):
            raise InputError(f"第{e.id}条记录新增的{label}没有逐行记下编号，不能撤销。")
        if step.get("dropped"):
            raise InputError(
                f"第{e.id}条记录改动的{label}太多（{step['dropped']}行），日志没有记下它们改动前的全部内容，不能撤销。"
            )
    return steps


def _needs(steps: list[dict[str, Any]]) -> dict[str, set[int]]:
    """The rows that the rows an undo puts back refer to (entity -> ids): they must still be there."""
    out: dict[str, set[int]] = {}
    for step in steps:
        if step["op"] == "insert":
            continue
        model = _model(step["entity"])
        values = step["rows"] if step["op"] == "delete" else [g["before"] for g in step["rows"]]
        for row in values:
            for name, value in row.items():
                f = model._meta.fields.get(name)
                if isinstance(f, pw.ForeignKeyField) and isinstance(value, int):
                    out.setdefault(f.rel_model._meta.table_name, set()).add(value)
    return out


def _meets(a: dict[str, set[int]], b: dict[str, set[int]]) -> bool:
    return any(a.get(entity, set()) & ids for entity, ids in b.items())


def _referring(after: int, rows: dict[str, set[int]]) -> set[int]:
    """The entries after `after` whose rows refer to (or are) one of `rows` (members, orgs, groups, sessions)."""
    out: set[int] = set()
    for entity in LINKED:
        ids = sorted(rows.get(entity, ()))
        for chunk in pw.chunked(ids, _CHUNK):
            q = AuditSubject.select(AuditSubject.entry).where(
                (AuditSubject.entry > after) & (AuditSubject.entity == entity) & AuditSubject.entity_id.in_(chunk)
            )
            out.update(r[0] for r in q.tuples())
    return out


def _later_rows(e: AuditEntry) -> tuple[dict[str, set[int]], dict[str, set[int]]] | None:
    """The rows a later entry wrote and deleted, or None when it does not say them all (so it may touch any)."""
    changes: dict[str, Any] = e.changes or {}
    if "restore" in changes or "upgrade" in changes:
        return None
    if "steps" in changes:
        if not audit_steps.complete(changes["steps"]):
            return None
        return audit_steps.touched(changes["steps"]), audit_steps.deleted(changes["steps"])
    wrote: dict[str, set[int]] = {}
    gone: dict[str, set[int]] = {}
    for ch in changes.get("changes", []):
        if changes.get("truncated") or ch.get("count", 0) < 0 or len(ch.get("ids", [])) != ch.get("count", 0):
            return None
        wrote.setdefault(ch["entity"], set()).update(ch["ids"])
        if ch.get("op") == "delete":
            gone.setdefault(ch["entity"], set()).update(ch["ids"])
    return wrote, gone


def _blocker(target: AuditEntry, steps: list[dict[str, Any]]) -> AuditEntry | None:
    """The first later entry that depends on `target`'s rows (or that they depend on), if any."""
    later = list(AuditEntry.select().where(AuditEntry.id > target.id).order_by(AuditEntry.id))
    # an entry and the undo that reverted it cancel out (unless that undo was itself undone)
    cancelled: set[int] = set()
    for e in reversed(later):
        if e.id in cancelled:
            continue
        reverts = (e.changes or {}).get("reverts")
        if reverts == target.id:
            raise InputError(f"第{target.id}条记录已经由第{e.id}条记录撤销。")
        if isinstance(reverts, int) and reverts > target.id:
            cancelled.update((e.id, reverts))
    live = [e for e in later if e.id not in cancelled]
    if not live:
        return None
    mine = audit_steps.touched(steps)
    needs = _needs(steps)
    referring = _referring(target.id, mine)
    for e in live:
        if e.id in referring:
            return e
        rows = _later_rows(e)
        if rows is None:
            return e
        wrote, gone = rows
        if _meets(wrote, mine) or _meets(gone, needs):
            return e
    return None


def _python(f: pw.Field, value: Any) -> Any:
    """A value as the trail wrote it (JSON) back as the field takes it."""
    if value is None:
        return None
    if isinstance(f, pw.ForeignKeyField):
        return value
    if isinstance(f, pw.DateTimeField) and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(f, pw.DateField) and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(f, pw.DecimalField):
        return Decimal(str(value))
    if isinstance(f, pw.BooleanField):
        return bool(value)
    return value


def _values(model: type[pw.Model], row: dict[str, Any]) -> dict[pw.Field, Any]:
    out = {}
    for name, value in row.items():
        f = model._meta.fields.get(name)
        if f is None:
            raise InputError(f"操作日志记下的列“{name}”已不存在，不能撤销。")
        out[f] = _python(f, value)
    return out


def _gone(entry: AuditEntry) -> InputError:
    return InputError(f"第{entry.id}条记录写入的行已不在原处（被日志以外的方式改动过），不能撤销。")


def _revert(entry: AuditEntry, step: dict[str, Any]) -> None:
    model = _model(step["entity"])
    pk = primary_key(model)
    if step["op"] == "insert":
        for chunk in pw.chunked(list(audit_steps.expand(step["ids"])), _CHUNK):
            if model.delete().where(pk.in_(chunk)).execute() != len(chunk):
                raise _gone(entry)
    elif step["op"] == "update":
        for group in step["rows"]:
            before = _values(model, group["before"])
            for chunk in pw.chunked(list(audit_steps.expand(group["ids"])), _CHUNK):
                if model.update(before).where(pk.in_(chunk)).execute() != len(chunk):
                    raise _gone(entry)
    else:
        rows = [_values(model, r) for r in step["rows"]]
        for chunk in pw.chunked(rows, 100):
            fields = list(chunk[0])
            if all(list(r) == fields for r in chunk):
                model.insert_many([tuple(r.values()) for r in chunk], fields=fields).execute()
            else:
                for r in chunk:
                    model.insert(r).execute()


def undo(entry_id: int | None = None) -> Undone:
    """Revert entry `entry_id` (the latest entry by default) in one transaction, itself logged."""
    with database.atomic():
        target = _target(entry_id)
        steps = _steps(target)
        blocker = _blocker(target, steps)
        if blocker is not None:
            raise InputError(
                f"不能撤销第{target.id}条记录：之后的{_named(blocker)}改动或用到了同样的记录，"
                f"请先撤销第{blocker.id}条。"
            )
        annotate("reverts", target.id)
        for step in reversed(steps):
            _revert(target, step)
    mine = AuditEntry.select().where(AuditEntry.id > target.id).order_by(AuditEntry.id.desc()).first()
    changes = mine.changes if mine is not None else {}
    by = mine.id if mine is not None and (changes or {}).get("reverts") == target.id else 0
    return Undone(
        entry=target.id,
        at=target.at,
        command=target.command,
        action=target.action,
        by=by,
        summary=describe_changes(changes or {}),
    )
