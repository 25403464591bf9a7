"""Whether a database is the demo's own, so that rebuilding the demo there loses nothing.

A database is the demo's own when it holds nothing of anyone's: no file yet, an empty
file, or a database with no tables of any program and no rows in ours; or when it holds
exactly what a run of `dangjian demo` wrote there: every entry of its audit trail was
written by `demo`, and each table holds as many rows as the last of those entries
inserted. Anything else (a member added, a session recorded, another program's table,
a file that is not a SQLite database) makes it someone's, and the demo refuses it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import peewee as pw

from dangjian.errors import InputError
from dangjian.store.models import MODELS, AuditEntry, SchemaVersion
from dangjian.store.targets import describe

#: the audit trail's action for the entries `dangjian demo` writes
DEMO_ACTION = "demo"
_SQLITE_HEADER = b"SQLite format 3\x00"
_OURS_UNCOUNTED = {AuditEntry._meta.table_name, "audit_subject", SchemaVersion._meta.table_name}


def refusal(target: str, why: str) -> InputError:
    return InputError(
        f"“{describe(target)}”{why}，不是示例自己的数据库，示例不会覆盖它；"
        "请用 dangjian demo --db 新文件名 另建一个示例数据库（或不写 --db，使用默认的 demo.db）。",
        field="target",
    )


def check_sqlite_file(path: str, target: str) -> None:
    """Before opening: a file that exists must be empty or a SQLite database."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise InputError(f"“{path}”是一个目录，请给出示例数据库的文件名。", field="target")
    if not p.exists():
        return
    try:
        with p.open("rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"无法读取“{path}”：{exc.strerror}。", field="target") from None
    if head and head != _SQLITE_HEADER:
        raise refusal(target, "不是 SQLite 数据库文件")


def check_own(db: pw.Database, target: str) -> None:
    """Refuse (InputError) unless the open database `db` holds nothing but the demo's own data."""
    tables = set(db.get_tables())
    ours = {m._meta.table_name for m in MODELS}
    foreign = sorted(tables - ours)
    if foreign:
        raise refusal(target, f"中有其他程序的表（{'、'.join(foreign[:3])}）")
    if not tables:
        return
    if ours - tables:
        raise refusal(target, "中的表不完整")
    try:
        counts = {m._meta.table_name: m.select().count() for m in MODELS if m._meta.table_name not in _OURS_UNCOUNTED}
        entries = list(AuditEntry.select(AuditEntry.id, AuditEntry.action, AuditEntry.changes).order_by(AuditEntry.id))
    except pw.DatabaseError:
        db.rollback()
        raise refusal(target, "的结构无法识别") from None
    if not entries:
        if any(counts.values()):
            raise refusal(target, "中已有数据")
        return
    others = [e for e in entries if e.action != DEMO_ACTION]
    if others:
        raise refusal(target, f"中有示例以外的操作记录（{others[0].action}等{len(others)}条）")
    if _inserted(entries[-1].changes) != Counter({k: v for k, v in counts.items() if v}):
        raise refusal(target, "中的数据与示例生成的不一致")


def _inserted(changes: object) -> Counter[str]:
    """How many rows of each table an audit entry's changes leave: inserts less deletes."""
    rows: Counter[str] = Counter()
    items = changes.get("changes", []) if isinstance(changes, dict) else []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("count"), int):
            continue
        if item.get("op") == "insert":
            rows[str(item.get("entity"))] += item["count"]
        elif item.get("op") == "delete":
            rows[str(item.get("entity"))] -= item["count"]
    return +rows
