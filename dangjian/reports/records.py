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
def _private_fields(cls: type) -> tuple[tuple[str, Mask], ...]:
    return tuple((f.name, f.metadata[_PRIVATE]) for f in dataclasses.fields(cls) if _PRIVATE in f.metadata)


@functools.cache
def _json_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if _INTERNAL not in f.metadata)


def has_private(value: Any) -> bool:
    """Whether a record's type declares a private field."""
    return dataclasses.is_dataclass(value) and not isinstance(value, type) and bool(_private_fields(type(value)))


def masked(value: Any) -> Any:
    """The value with every private field of every record in it masked (records in lists and tuples too).

    Derived fields (`field(init=False)` computed in `__post_init__`) are computed again from
    the masked values, so a summary never shows what its source hides.
    """
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        items = [masked(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes = {name: mask(getattr(value, name)) for name, mask in _private_fields(type(value))}
    for f in dataclasses.fields(value):
        if f.init and f.name not in changes:
            inner = getattr(value, f.name)
            if isinstance(inner, (list, tuple)) or dataclasses.is_dataclass(inner):
                after = masked(inner)
                if after is not inner:
                    changes[f.name] = after
    return dataclasses.replace(value, **changes) if changes else value


def json_default(value: Any) -> Any:
    """For `json.dumps(default=…)`: what a value that JSON does not know is written as."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None and callable(to_dict):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _json_fields(type(value))}
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
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
