"""The before-image of a write, in the order it was sent: what `dangjian undo` reverts.

An entry's `changes` keeps a few rows of each kind for people to read (`DETAIL_LIMIT`);
its `steps` keep, for every statement, what it takes to put the rows back, however many:

- ``{"entity": "member", "op": "insert", "ids": [[7, 7]]}`` — the new rows' ids, as runs;
- ``{"entity": "membership", "op": "update", "rows": [{"ids": [[3, 5]], "before": {"end": null}}]}``
  — the old values of the columns that changed, rows with the same old values together;
- ``{"entity": "attendance", "op": "delete", "rows": [{…every column…}]}`` — the whole rows;
- ``{"entity": "…", "op": "insert", "unknown": true}`` — rows whose ids were not known
  (an INSERT … SELECT): such an entry cannot be undone;
- ``{"entity": "…", "op": "delete", "dropped": 1200}`` — the before-image of that many rows
  did not fit in the entry (`ENTRY_BUDGET`, the size of a text column on MySQL): nor can it.

Pure: turns capture records into steps and reads steps back; touches no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from dangjian.audit.capture import Record


def runs(ids: Iterable[int]) -> list[list[int]]:
    """Ids as [first, last] runs of consecutive numbers, in the order given."""
    out: list[list[int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def expand(spans: Iterable[list[int]]) -> Iterator[int]:
    for first, last in spans:
        yield from range(first, last + 1)


def step_of(rec: Record) -> dict[str, Any]:
    """The step that reverts one captured statement."""
    step: dict[str, Any] = {"entity": rec.entity, "op": rec.op}
    if rec.op == "insert":
        ids = list(dict.fromkeys(rec.ids))
        if rec.count < 0 or len(ids) != rec.count or not all(isinstance(i, int) for i in ids):
            step["unknown"] = True
        else:
            step["ids"] = runs(ids)
    elif rec.op == "update":
        groups: dict[str, dict[str, Any]] = {}
        for rid, before in rec.undo:
            key = json.dumps(before, sort_keys=True, ensure_ascii=False)
            groups.setdefault(key, {"ids": [], "before": before})["ids"].append(rid)
        step["rows"] = [{"ids": runs(g["ids"]), "before": g["before"]} for g in groups.values()]
    else:
        step["rows"] = list(rec.undo)
    return step


def steps_of(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The steps of a transaction's statements in the order sent (an UPDATE that changed nothing has none)."""
    out = []
    for rec in records:
        step = step_of(rec)
        if step.get("rows") == []:
            continue
        out.append(step)
    return out


#: The most an entry's JSON may take, in UTF-8 bytes: MySQL's TEXT holds 65,535.
ENTRY_BUDGET = 60_000


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def entry_size(summary: dict[str, Any]) -> int:
    """An entry's size as stored (UTF-8 bytes of its JSON)."""
    return _size(summary)


def fit_steps(summary: dict[str, Any], budget: int) -> None:
    """Drop the biggest before-images from `summary["steps"]` until the entry fits in `budget` bytes."""
    steps = summary.get("steps") or []
    over = _size(summary) - budget
    for i in sorted(range(len(steps)), key=lambda i: -_size(steps[i])):
        if over <= 0:
            return
        step = steps[i]
        if step.get("dropped") or step.get("unknown"):
            continue
        count = len(step.get("rows", [])) or sum(b - a + 1 for a, b in step.get("ids", []))
        small = {"entity": step["entity"], "op": step["op"], "dropped": count}
        over -= _size(step) - _size(small)
        steps[i] = small


def complete(steps: Iterable[dict[str, Any]]) -> bool:
    """Whether the steps say every row they wrote (none dropped, none unknown)."""
    return not any(s.get("dropped") or s.get("unknown") for s in steps)


def touched(steps: Iterable[dict[str, Any]]) -> dict[str, set[int]]:
    """The rows the steps' statements wrote: entity -> ids."""
    out: dict[str, set[int]] = {}
    for step in steps:
        ids = out.setdefault(step["entity"], set())
        if step["op"] == "insert":
            ids.update(expand(step.get("ids", [])))
        elif step["op"] == "update":
            for group in step["rows"]:
                ids.update(expand(group["ids"]))
        else:
            ids.update(r["id"] for r in step["rows"] if isinstance(r.get("id"), int))
    return out


def deleted(steps: Iterable[dict[str, Any]]) -> dict[str, set[int]]:
    """The rows the steps' statements deleted: entity -> ids."""
    out: dict[str, set[int]] = {}
    for step in steps:
        if step["op"] == "delete":
            out.setdefault(step["entity"], set()).update(r["id"] for r in step["rows"] if isinstance(r.get("id"), int))
    return out
