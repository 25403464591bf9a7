"""One way to print: a command builds a `View`; `emit` renders it as a table, JSON or CSV.

Tables show Chinese headers, Chinese dates and Chinese labels, aligned for Chinese with
tabulate and wcwidth; JSON and CSV carry English keys, ISO dates and the slugs, so
scripts can rely on them. Private fields (身份证号, phone numbers) are masked here, by
the read model's declaration, in every format, unless `--show-private` is given.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from dangjian.periods import format_date
from dangjian.reports.records import json_default, masked, plain

if TYPE_CHECKING:
    from dangjian.cli.main import App

FORMATS = ("table", "json", "csv")


@dataclass(frozen=True)
class Column:
    """A column: `key` names the record's field (JSON/CSV key), `header` is the table's heading.

    `value` computes the raw value from the record instead (a derived column); `show` turns
    the raw value into the table's text (labels, Chinese dates). CSV writes the raw value.
    """

    key: str
    header: str
    show: Callable[[Any], str] | None = None
    value: Callable[[Any], Any] | None = None

    def get(self, record: Any) -> Any:
        if self.value is not None:
            return self.value(record)
        if isinstance(record, dict):
            return record.get(self.key)
        return getattr(record, self.key, None)

    def text(self, record: Any) -> str:
        raw = self.get(record)
        return self.show(raw) if self.show is not None else table_value(raw)


def keyed(columns: Sequence[Column]) -> list[Column]:
    """The same columns headed by their keys (what CSV shows anyway)."""
    return [Column(c.key, c.key, c.show, c.value) for c in columns]


_ROWS: Any = object()  # the JSON payload of a view is its rows unless it says otherwise


@dataclass(frozen=True)
class View:
    """What a read command prints, in every format.

    - table: `head` lines, then the table of `columns` over `rows` (or `empty` when there
      are none), then `foot` lines; a detail view gives `page`, which turns the (masked)
      payload into the whole text instead.
    - JSON: `payload` (the rows unless given).
    - CSV: `csv_columns` (the table's columns unless given) over `csv_rows` (or the rows).
    """

    columns: Sequence[Column] = ()
    rows: Sequence[Any] = ()
    payload: Any = _ROWS
    empty: str | None = None
    head: Sequence[str] = ()
    foot: Sequence[str] = ()
    page: Callable[[Any], str] | None = None
    csv_columns: Sequence[Column] | None = None
    csv_rows: Sequence[Any] | None = None


def emit(app: App, view: View, fmt: str) -> None:
    """Print the view in the chosen format; private fields masked unless the user asked for them."""
    click.echo(render(view, fmt, show_private=app.show_private), nl=fmt != "csv")


def render(view: View, fmt: str, show_private: bool = False) -> str:
    """The view as the text of one format (CSV ends in its own line break)."""
    hide = masked if not show_private else _same
    if fmt == "json":
        return render_json(hide(view.rows if view.payload is _ROWS else view.payload))
    if fmt == "csv":
        rows = view.rows if view.csv_rows is None else view.csv_rows
        columns = view.columns if view.csv_columns is None else view.csv_columns
        return render_csv(columns, hide(rows))
    if view.page is not None:
        return view.page(hide(view.rows if view.payload is _ROWS else view.payload))
    parts = list(view.head)
    table = render_table(view.columns, hide(view.rows)) if view.columns else ""
    if table:
        parts.append(table)
    elif view.empty is not None:
        parts.append(view.empty)
    parts.extend(view.foot)
    return "\n".join(parts)


def _same(value: Any) -> Any:
    return value


# ---------------------------------------------------------------- table


def table_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "、".join(table_value(v) for v in value)
    return str(value)


def render_table(columns: Sequence[Column], rows: Sequence[Any]) -> str:
    """A plain aligned table: header, a rule of dashes, rows; two spaces between columns.

    tabulate's "simple" format with every cell pre-formatted as text (numbers are not
    parsed, so an id like 0012 stays text) and whitespace kept (the tree's indentation);
    widths come from wcwidth, so Chinese text lines up. A column is at least two wider
    than its header. Trailing spaces are cut from each line. Nothing when there are no rows.
    """
    if not rows:
        return ""
    from tabulate import tabulate

    body = [[_one_line(c.text(r)) for c in columns] for r in rows]
    text = tabulate(
        body,
        headers=[c.header for c in columns],
        tablefmt="simple",
        disable_numparse=True,
        preserve_whitespace=True,
    )
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _one_line(text: str) -> str:
    """A cell on one line: line breaks become spaces, other control characters (a tab, an escape) are
    shown escaped (`\\t`), so they neither break the alignment nor turn a row into a rule."""
    if text.isprintable():
        return text
    return "".join(_CONTROL_SHOWN[c] for c in text)


class _ControlShown(dict):
    def __missing__(self, c: str) -> str:
        shown = " " if c in "\r\n" else repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c
        self[c] = shown
        return shown


_CONTROL_SHOWN = _ControlShown()


# ---------------------------------------------------------------- JSON


_dump = functools.partial(json.dumps, ensure_ascii=False, default=json_default)


def render_json(data: Any) -> str:
    """JSON with one record per line: every list item of the top level (or of a top-level
    object's values) on its own line. Readable, grep-friendly, and it keeps Python's fast
    C encoder (an indented dump is pure Python and dominated a county-wide check)."""
    if not isinstance(data, (dict, list, tuple, str, int, float, bool)) and data is not None:
        data = json_default(data)  # a record at the top: its fields become the object's lines

    def block(value: Any, pad: str) -> str:
        if isinstance(value, (list, tuple)) and value:
            return "[\n" + ",\n".join(f"{pad}  {_dump(v)}" for v in value) + f"\n{pad}]"
        return _dump(value)

    if isinstance(data, dict) and data:
        return "{\n" + ",\n".join(f"  {_dump(str(k))}: {block(v, '  ')}" for k, v in data.items()) + "\n}"
    return block(data, "")


# ---------------------------------------------------------------- CSV


def csv_value(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def render_csv(columns: Sequence[Column], rows: Sequence[Any]) -> str:
    """CSV for Excel: a BOM, the keys as the header row, raw values (ISO dates, slugs)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for r in rows:
        writer.writerow([csv_value(c.get(r)) for c in columns])
    return "\ufeff" + buf.getvalue()
