"""`dangjian db …` (status, upgrade, backup, restore) and `dangjian log`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, default_db_path, pass_app
from dangjian.cli.output import Column, View, emit

if TYPE_CHECKING:
    from dangjian.reports.database import DatabaseStatus


def _target(app: App) -> str:
    from dangjian.store.connection import describe

    return describe(app.target or default_db_path())


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
    from dangjian.reports.database import database_status

    db = app.open(create=False)  # neither create, upgrade nor refuse: only look
    info = database_status(db, _target(app))
    rows = [{"table": t, "rows": n} for t, n in info.tables.items()]
    emit(app, View([Column("table", "表"), Column("rows", "行数")], rows, payload=info, page=_status_page), fmt)


def _status_page(info: DatabaseStatus) -> str:
    """`db status` as text."""
    version, code_version, todo = info.schema_version, info.code_schema_version, info.pending
    lines = [f"数据库：{info.target}（{info.backend}）"]
    if version is None:
        lines.append(f"结构版本：尚未建立（首次使用时按第{code_version}版建立）")
    else:
        lines.append(f"结构版本：第{version}版（本程序为第{code_version}版）")
    if version is not None and version > code_version:
        lines.append("这个数据库由更新版本的 dangjian 写入，请先升级 dangjian。")
    elif todo:
        lines.append(
            "待执行的升级："
            + "；".join(f"第{m.version}版 {m.title}" for m in todo)
            + "（运行 dangjian db upgrade，或任一命令打开时自动执行）"
        )
    elif version is not None:
        lines.append("已是最新结构。")
    if info.tables:
        lines.append("数据：" + _counts_text(info.tables))
    return "\n".join(lines)


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
    from dangjian.reports.log import list_log

    app.open_db()
    entries = list_log(member=member_ref, org=org_ref, since=since, until=until, limit=limit)
    columns = [
        Column("id", "编号"),
        Column("at", "时间", lambda at: f"{at.year}年{at.month}月{at.day}日 {at:%H:%M:%S}"),
        Column("user", "用户"),
        Column("action", "操作"),
        Column("summary", "内容", _short),
    ]
    csv_columns = [Column(k, k) for k in ("id", "at", "user", "host", "action", "command", "summary")]
    emit(app, View(columns, entries, empty="没有符合条件的操作记录。", csv_columns=csv_columns), fmt)


def _short(text: str) -> str:
    """A long summary (an import, the demo) cut for the table; JSON and CSV keep all of it."""
    return text if len(text) <= 100 else text[:99] + "…"


db_group.add_command(db_status, "version")

COMMANDS = [db_group, log]
