"""One renderer for every read command: table (aligned for Chinese), JSON or CSV.

Tables show Chinese headers, Chinese dates and Chinese labels; JSON and CSV carry
English keys, ISO dates and the slugs, so scripts can rely on them.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dangjian.periods import format_date

FORMATS = ("table", "json", "csv")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: how the table shows the value (labels, Chinese dates); JSON/CSV keep the raw value
    show: Callable[[Any], str] | None = None


def table_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "、".join(table_value(v) for v in value)
    return str(value)


def plain(value: Any) -> Any:
    """A JSON-ready value: ISO dates, numbers for decimals."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@functools.lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    from wcwidth import wcswidth

    n = wcswidth(text)
    return n if n >= 0 else len(text)


def render_table(columns: list[Column], rows: Iterable[dict]) -> str:
    """A plain aligned table (header, a rule of dashes, rows; two spaces between columns).

    Widths are measured with wcwidth so Chinese text lines up; each distinct cell text is
    measured once, which keeps a county's 20,000-row check under a second to render.
    """
    body = [[_cell(c.show(r.get(c.key)) if c.show else table_value(r.get(c.key))) for c in columns] for r in rows]
    if not body:
        return ""
    headers = [c.header for c in columns]
    # a column is at least two wider than its header, so short values do not crowd it
    widths = [max(display_width(h) + 2, *(display_width(row[i]) for row in body)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(x + " " * (w - display_width(x)) for x, w in zip(cells, widths)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in body)
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ") if ("\n" in text or "\r" in text) else text


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return plain(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_dump = functools.partial(json.dumps, ensure_ascii=False, default=_json_default)


def render_json(data: Any) -> str:
    """JSON with one record per line: every list item of the top level (or of a top-level
    object's values) on its own line. Readable, grep-friendly, and it keeps Python's fast
    C encoder (an indented dump is pure Python and dominated a county-wide check)."""

    def block(value: Any, pad: str) -> str:
        if isinstance(value, (list, tuple)) and value:
            return "[\n" + ",\n".join(f"{pad}  {_dump(v)}" for v in value) + f"\n{pad}]"
        return _dump(value)

    if isinstance(data, dict) and data:
        return "{\n" + ",\n".join(f"  {_dump(str(k))}: {block(v, '  ')}" for k, v in data.items()) + "\n}"
    return block(data, "")


def csv_value(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def render_csv(columns: list[Column], rows: Iterable[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for r in rows:
        writer.writerow([csv_value(r.get(c.key)) for c in columns])
    return "\ufeff" + buf.getvalue()


def render(fmt: str, columns: list[Column], rows: list[dict], json_data: Any = None) -> str:
    """Render rows as a table, JSON (rows, or `json_data` when given) or CSV."""
    if fmt == "json":
        return render_json(rows if json_data is None else json_data)
    if fmt == "csv":
        return render_csv(columns, rows)
    return render_table(columns, rows)
