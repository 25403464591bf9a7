"""Backups and restore: a copy of a SQLite file, or a portable JSON dump of every table.

- `backup(db, path)`: SQLite to a `.db` file with the online backup API (a
  consistent copy even while others write), or, for any backend, a JSON dump
  read in one consistent snapshot and written row by row. The file appears only
  when complete (written aside, then renamed) and is readable by its owner only.
- `restore(db, path)`: a `.db` copy or a JSON dump, into a database without
  data (`force=True` replaces the data it has), in one transaction; ids are kept,
  so references between tables survive, and PostgreSQL's id sequences are moved
  past them. A dump from an older schema version restores as long as its tables
  and columns still exist; one from a newer version is refused.

The schema_version table is not data: it describes the database it sits in, so it
is neither dumped nor restored (the dump records its version in the header).
Never prints.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import peewee as pw

from dangjian.audit import trail as audit
from dangjian.audit.trail import jsonable
from dangjian.errors import InputError
from dangjian.store.base import primary_key
from dangjian.store.files import copy_sqlite, private_file
from dangjian.store.models import MODELS, SCHEMA_VERSION, JSONText, SchemaVersion

FORMAT = "dangjian-backup"
FORMAT_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
_CHUNK = 500


def data_models() -> list[type[pw.Model]]:
    """Every table that holds data, parents before children."""
    return [m for m in MODELS if m is not SchemaVersion]


# ---------------------------------------------------------------- values


def to_json(field: pw.Field, value: Any) -> Any:
    return jsonable(value)  # the same text the audit trail uses: ISO dates, exact decimals


def from_json(field: pw.Field, value: Any) -> Any:
    """A JSON value back as the Python value the field expects; ValueError when it cannot be."""
    if value is None:
        return None
    if isinstance(field, pw.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, pw.DateField):
        return date.fromisoformat(value)
    if isinstance(field, pw.DecimalField):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(value) from None
    if isinstance(field, JSONText):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(field, pw.BooleanField):
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if isinstance(field, (pw.IntegerField, pw.AutoField, pw.ForeignKeyField)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(value)
        return value
    if isinstance(field, (pw.CharField, pw.TextField)) and not isinstance(value, str):
        raise ValueError(value)
    return value


def table_rows(model: type[pw.Model]) -> Iterator[tuple]:
    """Every row of a table as a tuple of Python values, in id order, without caching."""
    fields = model._meta.sorted_fields
    return model.select(*fields).order_by(model._meta.primary_key).tuples().iterator()


def snapshot() -> dict[str, list[tuple]]:
    """Every data table, row for row (tests compare it before and after a command)."""
    return {m._meta.table_name: list(table_rows(m)) for m in data_models()}


def row_counts() -> dict[str, int]:
    return {m._meta.table_name: m.select().count() for m in data_models()}


@contextmanager
def _read_snapshot(db: pw.Database) -> Iterator[None]:
    """One consistent view of every table while a dump reads them."""
    if isinstance(db, pw.SqliteDatabase):
        with db.atomic(lock_type="DEFERRED"):  # a reader: WAL keeps its snapshot, writers go on
            yield
    else:
        with db.atomic(isolation_level="REPEATABLE READ"):
            yield


# ---------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupResult:
    path: str
    format: str
    counts: dict[str, int]


def _check_destination(path: Path, force: bool, db: pw.Database) -> None:
    if path.is_dir():
        raise InputError(f"“{path}”是一个目录，请给出备份文件名。")
    if not path.parent.exists():
        raise InputError(f"目录“{path.parent}”不存在。")
    if isinstance(db, pw.SqliteDatabase) and path.exists() and path.resolve() == Path(db.database).resolve():
        raise InputError("备份文件不能是数据库文件本身。")
    if path.exists() and not force:
        raise InputError(f"文件“{path}”已存在；要覆盖它请加 --force。")


def write_json(db: pw.Database, path: str | Path) -> dict[str, int]:
    """Dump every data table to `path` as JSON, row by row; returns the row counts."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    private_file(tmp)
    counts: dict[str, int] = {}
    try:
        with open(tmp, "w", encoding="utf-8") as out, _read_snapshot(db):
            out.write(
                f'{{"format": {json.dumps(FORMAT)}, "format_version": {FORMAT_VERSION:d}, '
                f'"schema_version": {SCHEMA_VERSION:d},\n "tables": {{'
            )
            for i, model in enumerate(data_models()):
                fields = model._meta.sorted_fields
                table = model._meta.table_name
                out.write(
                    ("," if i else "") + f'\n  {json.dumps(table)}: {{"columns": '
                    f'{json.dumps([f.column_name for f in fields])}, "rows": ['
                )
                n = 0
                for row in table_rows(model):
                    values = [to_json(f, v) for f, v in zip(fields, row)]
                    out.write(("," if n else "") + "\n   " + json.dumps(values, ensure_ascii=False))
                    n += 1
                out.write("\n  ]}")
                counts[table] = n
            out.write("\n }\n}\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return counts


def backup(db: pw.Database, path: str | Path, fmt: str | None = None, force: bool = False) -> BackupResult:
    """Back the open database up to `path`: `fmt` is "sqlite" or "json" (default: by the file name)."""
    path = Path(path).expanduser()
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "sqlite")
    if fmt not in ("sqlite", "json"):
        raise InputError(f"不支持的备份格式“{fmt}”，可用 sqlite 或 json。")
    is_sqlite = isinstance(db, pw.SqliteDatabase)
    if fmt == "sqlite" and not is_sqlite:
        raise InputError(
            "只有 SQLite 数据库能备份为 .db 文件；其他数据库请备份为 JSON：文件名以 .json 结尾，或加 --format json。"
        )
    _check_destination(path, force, db)
    try:
        if fmt == "json":
            counts = write_json(db, path)
        else:
            copy_sqlite(db.database, path)
            counts = _sqlite_counts(path)
    except OSError as exc:
        raise InputError(f"无法写入备份文件“{path}”：{exc.strerror or exc}。") from None
    return BackupResult(str(path), fmt, counts)


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        return {
            m._meta.table_name: conn.execute(f'SELECT COUNT(*) FROM "{m._meta.table_name}"').fetchone()[0]
            for m in data_models()
        }
    finally:
        conn.close()


# ---------------------------------------------------------------- reading a backup


@dataclass
class Dump:
    """A backup being read: its schema version and, per table, its columns and rows (Python values)."""

    source: str
    schema_version: int
    tables: dict[str, tuple[list[str], Iterable[list]]]
    raw: bool = False  # values as a SQLite file stores them (else as the JSON dump writes them)
    close: Callable[[], None] | None = None


def _bad(path: Path, why: str) -> InputError:
    return InputError(f"“{path}”不是可用的 dangjian 备份：{why}。")


def read_backup(path: str | Path) -> Dump:
    """Open a backup: a SQLite copy (recognised by its header) or a JSON dump."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"备份文件“{path}”不存在。")
    if path.is_dir():
        raise InputError(f"“{path}”是一个目录，不是备份文件。")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"无法读取备份文件“{path}”：{exc.strerror or exc}。") from None
    if head == SQLITE_HEADER:
        return _read_sqlite(path)
    return _read_json(path)


def _read_json(path: Path) -> Dump:
    try:
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
    except UnicodeDecodeError:
        raise _bad(path, "不是 UTF-8 文本") from None
    except json.JSONDecodeError as exc:
        raise _bad(path, f"JSON 第{exc.lineno}行有误（{exc.msg}）") from None
    except OSError as exc:
        raise InputError(f"无法读取备份文件“{path}”：{exc.strerror or exc}。") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(path, '缺少 "format": "dangjian-backup" 标记')
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _bad(path, "缺少结构版本 schema_version")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise _bad(path, "缺少 tables")
    out = {}
    for name, table in tables.items():
        if (
            not isinstance(table, dict)
            or not isinstance(table.get("columns"), list)
            or not isinstance(table.get("rows"), list)
            or not all(isinstance(c, str) for c in table["columns"])
        ):
            raise _bad(path, f"表“{name}”应有 columns 和 rows 两项")
        out[name] = (table["columns"], table["rows"])
    return Dump(str(path), version, out)


def _read_sqlite(path: Path) -> Dump:
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "schema_version" not in names:
            conn.close()
            raise _bad(path, "其中没有 schema_version 表")
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _bad(path, f"SQLite 文件无法读取（{exc}）") from None
    if not isinstance(version, int):
        conn.close()
        raise _bad(path, "其中没有结构版本")
    tables: dict[str, tuple[list[str], Iterable[list]]] = {}
    for name in sorted(names - {"schema_version"}):
        if name.startswith("sqlite_"):
            continue
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        order = "ORDER BY id" if "id" in columns else ""
        cols = ", ".join(f'"{c}"' for c in columns)
        tables[name] = (columns, _raw_rows(conn, f'SELECT {cols} FROM "{name}" {order}'))
    return Dump(str(path), version, tables, raw=True, close=conn.close)


def _raw_rows(conn: sqlite3.Connection, sql: str) -> Iterator[list]:
    for row in conn.execute(sql):
        yield list(row)


# ---------------------------------------------------------------- restore


@dataclass(frozen=True)
class RestoreResult:
    source: str
    schema_version: int
    counts: dict[str, int]


def existing_data() -> dict[str, int]:
    """Row counts of the tables that hold any row."""
    return {t: n for t, n in row_counts().items() if n}


def restore(db: pw.Database, path: str | Path, force: bool = False) -> RestoreResult:
    """Load a backup into the open database in one transaction (see the module docstring)."""
    dump = read_backup(path)
    if dump.raw and isinstance(db, pw.SqliteDatabase) and Path(dump.source).resolve() == Path(db.database).resolve():
        raise InputError("不能从数据库文件本身恢复。")
    try:
        return _restore(db, dump, force)
    finally:
        if dump.close:
            dump.close()


def _restore(db: pw.Database, dump: Dump, force: bool) -> RestoreResult:
    models = {m._meta.table_name: m for m in data_models()}
    if dump.schema_version > SCHEMA_VERSION:
        raise InputError(
            f"备份“{dump.source}”来自更新版本的 dangjian（结构第{dump.schema_version}版，"
            f"本程序支持到第{SCHEMA_VERSION}版），请先升级 dangjian。"
        )
    for name, (columns, _) in dump.tables.items():
        model = models.get(name)
        if model is None:
            raise InputError(f"备份中有本程序不认识的表“{name}”，无法恢复。")
        unknown = [c for c in columns if c not in model._meta.columns]
        if unknown:
            raise InputError(f"备份中表“{name}”的列“{unknown[0]}”本程序不认识，无法恢复。")
        pk = primary_key(model).column_name
        if pk not in columns:
            raise InputError(f"备份中表“{name}”缺少编号列“{pk}”，无法恢复。")
    counts: dict[str, int] = {}
    with db.atomic(), audit.paused():
        present = existing_data()
        if present and not force:
            what = "、".join(f"{_label(t)}{n}{_unit(t)}" for t, n in present.items() if t != "audit_subject")
            raise InputError(f"数据库中已有数据（{what}），恢复会替换全部数据；确认要覆盖请加 --force。")
        if present:
            _clear(list(models.values()))
        for name, model in models.items():
            if name in dump.tables:
                columns, rows = dump.tables[name]
                try:
                    counts[name] = _load(model, columns, rows, raw=dump.raw)
                except pw.IntegrityError as exc:
                    reason = " ".join(str(exc).split()).rstrip("。.")
                    raise InputError(f"备份中表“{name}”的数据不合约束（{reason}），没有恢复任何数据。") from None
            else:
                counts[name] = 0
        _reset_sequences(db, list(models.values()))
        audit.write_entry(
            {
                "restore": {
                    "file": os.path.basename(dump.source),
                    "schema_version": dump.schema_version,
                    "rows": sum(counts.values()),
                    "tables": counts,
                    "replaced": present,
                }
            },
            action="db restore",
        )
    return RestoreResult(dump.source, dump.schema_version, counts)


def _clear(models: list[type[pw.Model]]) -> None:
    for model in reversed(models):
        # rows of one table may refer to each other (an org's parent): cut those links first
        selfrefs = [
            f
            for f in model._meta.fields.values()
            if isinstance(f, pw.ForeignKeyField) and f.rel_model is model and f.null
        ]
        if selfrefs:
            model.update({f: None for f in selfrefs}).execute()
        model.delete().execute()


def _load(model: type[pw.Model], columns: list[str], rows: Iterable[list], raw: bool) -> int:
    fields = [model._meta.columns[c] for c in columns]
    order = {m: i for i, m in enumerate(data_models())}
    # a reference to a row that may come later (same table, or a later one) is set afterwards
    deferred = [
        i
        for i, f in enumerate(fields)
        if isinstance(f, pw.ForeignKeyField) and order.get(f.rel_model, -1) >= order[model] and f.null
    ]
    pk_index = columns.index(primary_key(model).column_name)
    later: dict[tuple[int, Any], list] = {}
    n = 0
    batch: list[list] = []

    def flush() -> None:
        if batch:
            model.insert_many(batch, fields=fields).execute()
            batch.clear()

    for line, row in enumerate(rows, 1):
        if not isinstance(row, list) or len(row) != len(fields):
            raise InputError(f"备份中表“{model._meta.table_name}”第{line}行的列数不对。")
        try:
            values = [f.python_value(v) if raw else from_json(f, v) for f, v in zip(fields, row)]
        except (ValueError, TypeError):
            bad = next((c for f, c, v in zip(fields, columns, row) if not _converts(f, v, raw)), columns[0])
            raise InputError(f"备份中表“{model._meta.table_name}”第{line}行“{bad}”列的值不对。") from None
        for i in deferred:
            if values[i] is not None:
                later.setdefault((i, values[i]), []).append(values[pk_index])
                values[i] = None
        batch.append(values)
        n += 1
        if len(batch) >= _CHUNK:
            flush()
    flush()
    pk = primary_key(model)
    for (i, value), ids in later.items():
        for start in range(0, len(ids), _CHUNK):
            model.update({fields[i]: value}).where(pk.in_(ids[start : start + _CHUNK])).execute()
    return n


def _converts(field: pw.Field, value: Any, raw: bool) -> bool:
    try:
        field.python_value(value) if raw else from_json(field, value)
    except (ValueError, TypeError):
        return False
    return True


def _reset_sequences(db: pw.Database, models: list[type[pw.Model]]) -> None:
    """PostgreSQL hands out ids from sequences: move each past the restored ids."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return
    for model in models:
        pk = model._meta.primary_key
        if isinstance(pk, pw.AutoField):
            table, col = model._meta.table_name, pk.column_name
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'COALESCE((SELECT MAX("{col}") FROM "{table}"), 0) + 1, false)',
                (table, col),
            )


def _label(table: str) -> str:
    return audit.ENTITY_LABELS.get(table, (table, "行"))[0]


def _unit(table: str) -> str:
    return audit.ENTITY_LABELS.get(table, (table, "行"))[1]
