"""The audit trail (操作日志): when, which OS user, which command, and what changed.

`audit.capture` records what each write changes as it is sent; just before the
transaction commits, the database hands those records to `write_changes`, which
writes one `AuditEntry` (and the `AuditSubject` rows that index it by member and
org) in that same transaction. `write_entry` writes an entry that describes
itself (restore, upgrade); `list_entries` reads them back.

This module is the audit layer's face for its callers: it also re-exports the
context (`audit.context(...)`, `paused`), the capture's `note_insert` and the
descriptions, so `from dangjian.audit import trail as audit` is all they import.
Never prints, never imports click.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from dangjian.audit.capture import DETAIL_LIMIT, LINKED, UNAUDITED, Record, annotate, jsonable, note_insert
from dangjian.audit.context import AuditContext, context, current, host_name, os_user, paused
from dangjian.audit.describe import ENTITY_LABELS, FIELD_LABELS, NAMED, OP_LABELS, REFERS_TO, describe_changes
from dangjian.audit.steps import ENTRY_BUDGET, entry_size, fit_steps, steps_of
from dangjian.store.lookup import find_member, find_org
from dangjian.store.models import AuditEntry, AuditSubject, Member, Organization, PartyGroup

__all__ = [
    "DETAIL_LIMIT",
    "ENTITY_LABELS",
    "FIELD_LABELS",
    "LINKED",
    "NAMED",
    "OP_LABELS",
    "REFERS_TO",
    "UNAUDITED",
    "AuditContext",
    "annotate",
    "context",
    "current",
    "describe_changes",
    "host_name",
    "jsonable",
    "list_entries",
    "note_insert",
    "os_user",
    "paused",
    "write_changes",
    "write_entry",
]


# ---------------------------------------------------------------- writing entries


def _merge(records: list[Record]) -> tuple[list[dict], dict[str, set[int]], bool]:
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
    out: dict[str, dict[str, str]] = {}
    named: tuple[tuple[str, type[Member | Organization | PartyGroup]], ...] = (
        ("member", Member),
        ("organization", Organization),
        ("party_group", PartyGroup),
    )
    for entity, model in named:
        ids = sorted(refs.get(entity, ()))[: 10 * DETAIL_LIMIT]
        if ids:
            rows = model.select(model.id, model.name).where(model.id.in_(ids)).tuples()
            # peewee's stubs say a .tuples() query yields models; it yields (id, name) here
            out[entity] = {str(i): n for i, n in cast("Iterable[tuple[int, str]]", rows)}
    return out


def write_changes(records: list[Record]) -> None:
    """Write the entry for what one transaction changed (the database calls this just before commit)."""
    changes, refs, truncated = _merge(records)
    names = _names(refs)
    for r in records:  # a deleted row's name is no longer there to read: its captured row has it
        if r.op == "delete" and r.entity in NAMED:
            known = names.setdefault(r.entity, {})
            for row in r.undo:
                if isinstance(row.get("name"), str):
                    known.setdefault(str(row.get("id")), row["name"])
    summary: dict[str, Any] = {"changes": changes, "names": names, "steps": steps_of(records)}
    if truncated:
        summary["truncated"] = True
    for r in records:
        summary.update(r.notes)
    fit_steps(summary, ENTRY_BUDGET)
    write_entry(summary, refs)


def write_entry(summary: dict, refs: dict[str, set[int]] | None = None, action: str | None = None) -> int:
    """Write one entry now, in the current transaction (restore and upgrade describe themselves)."""
    ctx = current() or AuditContext(command="", user=os_user(), host=host_name())
    action = action or ctx.action_name() or "（程序调用）"
    # every entry fits MySQL's TEXT column, whichever path wrote it: before-images go first,
    # and an entry left without them cannot be undone (undo says so)
    fit_steps(summary, ENTRY_BUDGET)
    if summary.get("steps") and entry_size(summary) > ENTRY_BUDGET:
        summary["steps"] = [{"entity": "*", "op": "insert", "unknown": True}]
    entry_id: int = AuditEntry.insert(
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


def _about(entity: str, entity_id: int) -> Any:
    """The ids of the entries that touched one member or org (a subquery)."""
    return AuditSubject.select(AuditSubject.entry).where(
        (AuditSubject.entity == entity) & (AuditSubject.entity_id == entity_id)
    )


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
    q = AuditEntry.select()
    if member:
        q = q.where(AuditEntry.id.in_(_about("member", find_member(member).id)))
    if org:
        q = q.where(AuditEntry.id.in_(_about("organization", find_org(org).id)))
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
