"""What every read model shares: private fields, internal fields, and the one JSON encoding.

Read models are frozen dataclasses. A field holding a 身份证号 or a phone number is
declared with `private(mask)`; `masked()` returns the record with every private field
masked, so whoever prints a record masks by that declaration, not by remembering.
A field declared `internal()` is for the code (sorting, the table) and is left out of
JSON. `json_default` is the one encoder: ISO dates, decimals as numbers, dataclasses
by their fields in order, and objects with `to_dict()` (the engine's findings) by it.
Pure: no database, no printing.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_PRIVATE = "dangjian.private"
_INTERNAL = "dangjian.internal"

Mask = Callable[[Any], Any]


def private(mask: Mask, default: Any = None) -> Any:
    """A field whose value is masked by `mask` in every output unless private data is asked for."""
    return dataclasses.field(default=default, metadata={_PRIVATE: mask})


def internal(default: Any = None) -> Any:
    """A field the code reads (a status to sort or label by) that is not part of the JSON contract."""
    return dataclasses.field(default=default, metadata={_INTERNAL: True})


@functools.cache
def _plan(cls: type) -> tuple[tuple[tuple[str, Mask], ...], tuple[str, ...]] | None:
    """For a record type: its private fields with their masks, and the fields that may hold records
    with private fields (by their declared types); None for a type that is not a record."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = dataclasses.fields(cls)
    private_ = tuple((f.name, f.metadata[_PRIVATE]) for f in fields if _PRIVATE in f.metadata)
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # a type named only for the type checker: look inside at run time
        hints = {}
    nested = tuple(
        f.name for f in fields if f.init and _PRIVATE not in f.metadata and _may_hide(hints.get(f.name, Any))
    )
    return private_, nested


def _may_hide(tp: Any) -> bool:
    """Whether a value of the declared type may hold a record with a private field."""
    if tp is Any:
        return True
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _hides(tp)
    return any(_may_hide(arg) for arg in typing.get_args(tp) if arg is not Ellipsis)


@functools.cache
def _hides(cls: type) -> bool:
    plan = _plan(cls)
    return plan is not None and bool(plan[0] or plan[1])


@functools.cache
def _json_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if _INTERNAL not in f.metadata)


def masked(value: Any) -> Any:
    """The value with every private field of every record in it masked (records in lists and tuples too).

    Derived fields (`field(init=False)` computed in `__post_init__`) are computed again from
    the masked values, so a summary never shows what its source hides. What has nothing to
    mask is returned as it is.
    """
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        if not any(_hides(v.__class__) or isinstance(v, (list, tuple)) for v in value):
            return value
        items = [masked(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items if isinstance(value, list) else tuple(items)
    plan = _plan(value.__class__)
    if plan is None:
        return value
    private_, nested = plan
    changes = {}
    for name, mask in private_:
        before = getattr(value, name)
        after = mask(before)
        if after != before:
            changes[name] = after
    for name in nested:
        inner = getattr(value, name)
        after = masked(inner)
        if after is not inner:
            changes[name] = after
    if not changes:
        return value
    if hasattr(value, "__post_init__") or not hasattr(value, "__dict__"):
        return dataclasses.replace(value, **changes)  # derived fields are computed again
    # a frozen record without derived fields: a copy with the masked values, without __init__ per row
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)
    return copy


def json_default(value: Any) -> Any:
    """For `json.dumps(default=…)`: what a value that JSON does not know is written as."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None and callable(to_dict):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _json_fields(type(value))}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a value: records as dicts, ISO dates, numbers for decimals."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return plain(json_default(value))
