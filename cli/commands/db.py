"""`dangjian db …` (status, upgrade, backup, restore) and `dangjian log`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, default_db_path, pass_app
from dangjian.cli.output import Column, render
from dangjian.domain.identity import mask_id_number, mask_phone


def _target(app: App) -> str:
    from dangjian.store.connection import describe

    return describe(app.target or default_db_path())


def _backend(db) -> str:
    import peewee as pw

    if isinstance(db, pw.PostgresqlDatabase):
        return "PostgreSQL"
    if isinstance(db, pw.MySQLDatabase):
        return "MySQL/MariaDB"
    return "SQLite"


def _counts_text(counts: dict[str, int]) -> str:
    from dangjian.audit.trail import ENTITY_LABELS

    shown = [
        f"{ENTITY_LABELS.get(t, (t, '行'))[0]}{n}{ENTITY_LABELS.get(t, (t, '行'))[1]}"
        for t, n in counts.items()
        if n and t != "audit_subject"
    ]
    return "、".join(shown) or "没有数据"


@click.group("db")
def db_group() -> None:
    """数据库：结构版本、升级、备份与恢复。"""


@db_group.command("status")
@FORMAT_OPTION
@pass_app
def db_status(app: App, fmt) -> None:
    """显示数据库的位置、类型、结构版本、待执行的升级和各表行数。

    \b
    例：
      dangjian db status
      dangjian --db postgresql://dj@localhost/county db status --format json
    """
    from dangjian.io.backup import row_counts
    from dangjian.store.connection import SCHEMA_VERSION
    from dangjian.store.migrations import pending, read_version

    db = app.open(create=False)  # neither create, upgrade nor refuse: only look
    version = read_version(db)
    todo = pending(version) if version is not None and version <= SCHEMA_VERSION else []
    counts = row_counts() if version == SCHEMA_VERSION else {}
    info = {
        "target": _target(app),
        "backend": _backend(db),
        "schema_version": version,
        "code_schema_version": SCHEMA_VERSION,
        "pending": [{"version": m.version, "title": m.title} for m in todo],
        "tables": counts,
    }
    if fmt != "table":
        rows = [{"table": t, "rows": n} for t, n in counts.items()]
        click.echo(render(fmt, [Column("table", "表"), Column("rows", "行数")], rows, json_data=info), nl=fmt != "csv")
        return
    lines = [f"数据库：{info['target']}（{info['backend']}）"]
    if version is None:
        lines.append(f"结构版本：尚未建立（首次使用时按第{SCHEMA_VERSION}版建立）")
    else:
        lines.append(f"结构版本：第{version}版（本程序为第{SCHEMA_VERSION}版）")
    if version is not None and version > SCHEMA_VERSION:
        lines.append("这个数据库由更新版本的 dangjian 写入，请先升级 dangjian。")
    elif todo:
        lines.append(
            "待执行的升级："
            + "；".join(f"第{m.version}版 {m.title}" for m in todo)
            + "（运行 dangjian db upgrade，或任一命令打开时自动执行）"
        )
    elif version is not None:
        lines.append("已是最新结构。")
    if counts:
        lines.append("数据：" + _counts_text(counts))
    click.echo("\n".join(lines))


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """把数据库结构升级到本程序的版本。

    SQLite 数据库会先在同一目录写一份升级前的备份（如 dangjian.v1-backup.db）；
    升级在一个事务中进行，失败时数据库保持原样。任一命令打开旧数据库时也会自动升级。

    \b
    例：
      dangjian db upgrade
      dangjian --db postgresql://dj@localhost/county db upgrade
    """
    from dangjian.store import migrations

    db = app.open(upgrade=False)
    result = migrations.upgrade(db)
    if not result.changed:
        click.echo(f"数据库已是最新结构（第{result.to_version}版），无需升级。")
        return
    kept = f"；升级前的备份：{result.backup}" if result.backup else ""
    click.echo(f"已将数据库结构由第{result.from_version}版升级到第{result.to_version}版{kept}。")


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sqlite", "json"]),
    default=None,
    help="sqlite：SQLite 数据库文件（只适用于 SQLite）；json：可移植的 JSON（任何数据库）。"
    "默认按文件名：以 .json 结尾为 JSON，否则为 SQLite 文件。",
)
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@pass_app
def db_backup(app: App, file, fmt, force) -> None:
    """备份整个数据库：SQLite 在线备份为 .db 文件，或导出为 JSON（任何数据库）。

    备份时其他人可以继续使用数据库；文件写完整后才出现，只有本人可读。

    \b
    例：
      dangjian db backup 备份/党建-2024-06-30.db
      dangjian --db postgresql://dj@localhost/county db backup county.json
    """
    from dangjian.io.backup import backup

    result = backup(app.db, file, fmt, force)
    kind = "JSON" if result.format == "json" else "SQLite 文件"
    click.echo(f"已备份到“{result.path}”（{kind}）：{_counts_text(result.counts)}。")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="数据库中已有数据时，用备份替换全部数据。")
@pass_app
def db_restore(app: App, file, force) -> None:
    """从备份（.db 文件或 JSON）恢复全部数据，在一个事务中完成。

    只恢复到没有数据的数据库；已有数据时须加 --force，备份将替换全部数据。
    可以跨数据库恢复，例如把 SQLite 的 JSON 备份恢复到 PostgreSQL。

    \b
    例：
      dangjian --db 新电脑.db db restore 备份/党建-2024-06-30.db
      dangjian --db postgresql://dj@localhost/county db restore county.json
    """
    from dangjian.io.backup import restore

    result = restore(app.db, file, force)
    click.echo(f"已从“{result.source}”恢复（结构第{result.schema_version}版）：{_counts_text(result.counts)}。")


# ---------------------------------------------------------------- log

_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _mask_text(text: str | None) -> str | None:
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group().upper()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _mask_changes(value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "id_number" and isinstance(v, str):
                out[k] = mask_id_number(v)
            elif k == "phone" and isinstance(v, str):
                out[k] = mask_phone(v)
            else:
                out[k] = _mask_changes(v)
        return out
    if isinstance(value, list):
        return [_mask_changes(v) for v in value]
    if isinstance(value, str):
        return _mask_text(value)
    return value


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone()


def _utc(d: date) -> datetime:
    """Local midnight of day `d` as a naive UTC datetime (how entries are stored)."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


@click.command("log")
@click.option("--member", "member_ref", help="只看涉及这名党员的操作（编号、身份证号或姓名）。")
@click.option("--org", "org_ref", help="只看涉及这个组织的操作。")
@click.option("--since", type=DATE, help="从这一天起（含）。")
@click.option("--until", type=DATE, help="到这一天止（含）。")
@click.option("--limit", type=click.IntRange(min=1), help="只显示最近的若干条。")
@FORMAT_OPTION
@pass_app
def log(app: App, member_ref, org_ref, since, until, limit, fmt) -> None:
    """操作日志：每次写入的时间、操作系统用户、命令和改动内容。

    每个写入数据的命令都在同一个事务里记一条日志；被拒绝或失败的命令不留日志。

    \b
    例：
      dangjian log --since 2024-06-01
      dangjian log --member 王建国 --format json
    """
    from dangjian.audit.trail import describe_changes, list_entries

    app.db
    entries = list_entries(
        member=member_ref,
        org=org_ref,
        since=_utc(since) if since else None,
        until=_utc(until + timedelta(days=1)) if until and until < date.max else None,
        limit=limit,
    )
    rows = []
    for e in entries:
        changes = e["changes"] if app.show_private else _mask_changes(e["changes"])
        command = e["command"] if app.show_private else _mask_text(e["command"])
        at = _local(e["at"])
        rows.append(
            {
                "id": e["id"],
                "at": at.isoformat(timespec="seconds"),
                "at_shown": f"{at.year}年{at.month}月{at.day}日 {at:%H:%M:%S}",
                "user": e["user"],
                "host": e["host"],
                "action": e["action"],
                "command": command,
                "summary": describe_changes(changes),
                "changes": changes,
            }
        )
    if fmt == "json":
        click.echo(render("json", [], [], json_data=[{k: v for k, v in r.items() if k != "at_shown"} for r in rows]))
        return
    if fmt == "csv":
        cols = [Column(k, k) for k in ("id", "at", "user", "host", "action", "command", "summary")]
        click.echo(render("csv", cols, rows), nl=False)
        return
    cols = [
        Column("id", "编号"),
        Column("at_shown", "时间"),
        Column("user", "用户"),
        Column("action", "操作"),
        Column("summary", "内容", _short),
    ]
    out = render("table", cols, rows)
    click.echo(out or "没有符合条件的操作记录。")


def _short(text: str) -> str:
    """A long summary (an import, the demo) cut for the table; JSON and CSV keep all of it."""
    return text if len(text) <= 100 else text[:99] + "…"


db_group.add_command(db_status, "version")

COMMANDS = [db_group, log]
