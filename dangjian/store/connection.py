"""Opening the database: a SQLite path, or a sqlite:///, postgresql:// or mysql:// URL.

`database` (from `store.base`) is the proxy the models are bound to; `open_database`
initialises it, creates the schema on first use and records its version, or upgrades
an older one. The database classes built here check text lengths and keep the audit
trail (`audit.capture`, writing through `audit.trail`) on every backend alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peewee as pw

from dangjian.audit import trail
from dangjian.audit.capture import Audited, Record
from dangjian.domain import policies
from dangjian.errors import DatabaseUnavailable, InputError
from dangjian.store.base import DatabaseMixin, database
from dangjian.store.models import MODELS, SCHEMA_VERSION, SchemaVersion
from dangjian.store.peewee_internals import insert_columns, insert_rows, update_values
from dangjian.store.targets import describe

if TYPE_CHECKING:
    from dangjian.store.migrations import Upgrade


#: Seconds a writer waits for another program's write to finish before giving up.
SQLITE_BUSY_TIMEOUT = 10.0

BUSY_MESSAGE = "数据库正被另一个程序占用，请稍后再试。"


_TEXT_LABELS = {
    ("organization", "name"): "组织名称",
    ("organization", "code"): "组织代码",
    ("member", "name"): "姓名",
    ("member", "education"): "学历",
    ("member", "unit"): "工作单位",
    ("member", "job"): "职务",
    ("member", "phone"): "电话号码",
    ("party_group", "name"): "党小组名称",
    ("session", "topic"): "主题",
    ("session", "location"): "地点",
    ("session", "lecturer_name"): "授课人",
    ("attendance", "reason"): "原因",
}


class FitsColumns(DatabaseMixin):
    """Refuse text longer than its column before writing it, the same way on every backend
    (SQLite would keep it, PostgreSQL fail with a database error, MySQL cut it short)."""

    def execute(self, query: Any, **options: Any) -> Any:
        if isinstance(query, (pw.ModelInsert, pw.ModelUpdate)):
            _check_lengths(query)
        return super().execute(query, **options)


def _check_lengths(query: pw.ModelInsert | pw.ModelUpdate) -> None:
    model = query.model
    limits = _char_limits(model)
    if not limits:
        return
    rows = [update_values(query)] if isinstance(query, pw.ModelUpdate) else insert_rows(query)
    if not rows:
        return
    first = rows[0]
    if isinstance(first, Mapping):
        # bulk rows share their keys: find the text columns once, then look only at those
        keys = [(k, limits[f]) for k in first if (f := _field_of(model, k)) in limits]
        for row in rows:
            if len(row) != len(first):
                keys = [(k, limits[f]) for k in row if (f := _field_of(model, k)) in limits]
            for k, n in keys:
                v = row.get(k)
                if v.__class__ is str and len(v) > n:
                    _too_long(model, _field_of(model, k), v, n)
    else:
        columns = insert_columns(query)
        at = [(i, limits[f]) for i, c in enumerate(columns) if (f := _field_of(model, c)) in limits]
        for row in rows:
            for i, n in at:
                v = row[i]
                if v.__class__ is str and len(v) > n:
                    _too_long(model, _field_of(model, columns[i]), v, n)


def _char_limits(model: type[pw.Model]) -> dict[pw.Field, int]:
    return {f: f.max_length for f in model._meta.sorted_fields if isinstance(f, pw.CharField) and f.max_length}


def _field_of(model: type[pw.Model], key: Any) -> pw.Field | None:
    if isinstance(key, pw.Field):
        return key
    return model._meta.fields.get(key) or model._meta.columns.get(key)


def _too_long(model: type[pw.Model], f: pw.Field | None, value: str, limit: int) -> None:
    assert f is not None  # found among the model's text fields by the caller
    policies.text(value, _TEXT_LABELS.get((model._meta.table_name, f.name), f.name), limit)


class Database(FitsColumns, Audited):
    """What every backend's database does here: the length check, then the audit capture."""

    #: What `open_database` did to an older schema (None when nothing was to be done).
    dangjian_upgrade: Upgrade | None = None

    def write_records(self, records: list[Record]) -> None:
        trail.write_changes(records)  # what the transaction changed becomes one entry of the trail


class SqliteDatabase(Database, pw.SqliteDatabase):
    """SQLite with the audit trail; every transaction takes the write lock when it begins,
    so two writers queue up instead of failing halfway."""


class PostgresqlDatabase(Database, pw.PostgresqlDatabase):
    """PostgreSQL with the audit trail."""


class MySQLDatabase(Database, pw.MySQLDatabase):
    """MySQL/MariaDB with the audit trail."""


_URL_SCHEMES = ("sqlite:", "postgresql:", "postgres:", "mysql:", "mariadb:")


def _sqlite(path: str) -> SqliteDatabase:
    p = Path(path).expanduser()
    if p.is_dir():
        raise InputError(f"数据库路径“{path}”是一个目录，请给出文件名。")
    if not p.parent.exists():
        raise DatabaseUnavailable(f"无法打开数据库“{path}”：目录“{p.parent}”不存在。")
    if not p.exists():
        # A new file is readable by its owner only: it holds 身份证号 and phone numbers.
        try:
            fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            pass  # another program created it a moment ago
        except OSError as exc:
            raise DatabaseUnavailable(f"无法创建数据库文件“{path}”：{exc.strerror}。") from None
    return SqliteDatabase(
        str(p),
        pragmas={
            "foreign_keys": 1,
            "journal_mode": "wal",
            "busy_timeout": int(SQLITE_BUSY_TIMEOUT * 1000),
            "synchronous": "normal",
        },
        timeout=SQLITE_BUSY_TIMEOUT,
        lock_type="IMMEDIATE",
    )


def make_database(target: str) -> Database:
    """Build (but do not connect) the peewee database for a path or URL."""
    target = (target or "").strip()
    if not target:
        raise InputError("没有给出数据库（--db 或 DANGJIAN_DB）。")
    lowered = target.lower()
    if not lowered.startswith(_URL_SCHEMES):
        if "://" in target:
            raise InputError(
                f"不支持的数据库地址“{target}”，请用文件路径或 sqlite:///、postgresql://、mysql:// 开头的地址。"
            )
        return _sqlite(target)
    if lowered.startswith("sqlite:"):
        if lowered.startswith("sqlite:///"):
            path = target[len("sqlite:///") :]
            # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative
            return _sqlite(path)
        raise InputError(
            f"数据库地址“{target}”有误：SQLite 地址须写成 sqlite:///文件路径（三个斜杠），"
            "两个斜杠会打开一个不保存的内存数据库。"
        )
    from playhouse.db_url import parse  # start-up: only for server URLs (it loads every driver it knows)

    try:
        scheme = lowered.split(":", 1)[0]
        params = parse(target if scheme != "mariadb" else "mysql" + target[len("mariadb") :])
    except Exception:
        raise InputError(f"无法解析数据库地址“{target}”。") from None
    name = params.pop("database", None)
    if not name:
        raise InputError(f"数据库地址“{target}”缺少数据库名。")
    if scheme in ("postgresql", "postgres"):
        try:
            import psycopg2  # noqa: F401  # optional: the driver is an extra, checked when a URL needs it
        except ImportError:
            raise DatabaseUnavailable("要使用 PostgreSQL，请先安装：pip install 'dangjian[postgres]'。") from None
        return PostgresqlDatabase(name, **params)
    try:
        import pymysql  # noqa: F401  # optional: the driver is an extra, checked when a URL needs it
    except ImportError:
        raise DatabaseUnavailable("要使用 MySQL/MariaDB，请先安装：pip install 'dangjian[mysql]'。") from None
    params.setdefault("charset", "utf8mb4")
    return MySQLDatabase(name, **params)


def open_database(target: str, create: bool = True, upgrade: bool = True) -> Database:
    """Open a SQLite path or a sqlite:///, postgresql://, mysql:// URL and bind the models.

    The schema is created on first use and its version recorded; an older schema is
    upgraded (`upgrade=False` leaves that to `migrations.upgrade`), a newer one refused.
    """
    db = make_database(target)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if create:
            db.dangjian_upgrade = create_schema(db, upgrade)
    except pw.OperationalError as exc:
        if _is_busy(exc):
            raise DatabaseUnavailable(BUSY_MESSAGE) from None
        raise DatabaseUnavailable(f"无法打开数据库“{describe(target)}”：{_reason(exc)}。") from None
    except pw.DatabaseError as exc:
        raise DatabaseUnavailable(f"数据库“{describe(target)}”已损坏或不是本程序的数据库：{_reason(exc)}。") from None
    return db


def _is_busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip("。.")


def _table_options(db: pw.Database) -> None:
    settings = ["DEFAULT CHARSET=utf8mb4", "COLLATE=utf8mb4_bin"] if isinstance(db, pw.MySQLDatabase) else []
    for model in MODELS:
        model._meta.table_settings = settings


def create_schema(db: pw.Database, upgrade: bool = True) -> Upgrade | None:
    """Create the tables of a new database; upgrade an older one (returns what was done)."""
    _table_options(db)
    if SchemaVersion.table_exists():
        if SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar() == SCHEMA_VERSION:
            return None  # the common case: nothing to upgrade
        from dangjian.store import migrations  # start-up: with playhouse.migrate, only for an older schema

        if upgrade:
            return migrations.upgrade(db)
        migrations.check_version(db)
        return None
    with db.atomic():
        if not SchemaVersion.table_exists():  # another program may have just created it
            db.create_tables(MODELS)
            SchemaVersion.create(version=SCHEMA_VERSION)
    return None


def drop_schema(db: pw.Database) -> None:
    """Drop every table of ours (tests and `demo` use it on their own databases)."""
    db.drop_tables(list(reversed(MODELS)), safe=True)


def schema_version() -> int | None:
    version: int | None = SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()
    return version


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()
