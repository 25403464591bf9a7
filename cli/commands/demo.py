"""`dangjian demo`: build the sample in its own database and print its check."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dangjian.cli.commands.check import check_view
from dangjian.cli.main import FORMAT_OPTION, pass_app
from dangjian.cli.output import emit
from dangjian.periods import format_date


def _default_demo_path() -> str:
    folder = Path(click.get_app_dir("dangjian"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "demo.db")


def _chosen_target(ctx: click.Context, own: str | None) -> str:
    """`demo --db X`, else the global `--db X` typed on the command line, else demo.db.

    DANGJIAN_DB names the everyday database, so the demo does not take it from there.
    """
    if own:
        return own
    parent = ctx.parent
    if parent is not None and parent.get_parameter_source("target") == click.core.ParameterSource.COMMANDLINE:
        return str(parent.params["target"])
    return _default_demo_path()


@click.command()
@click.option(
    "--db",
    "target",
    metavar="TARGET",
    help="示例数据库（默认是用户数据目录中的 demo.db，与日常使用的数据库分开；也可写在命令前：dangjian --db X demo）。"
    "只会重建示例自己的数据库：不存在或空的数据库，或只有示例写入的数据（操作记录全部来自 demo）。",
)
@FORMAT_OPTION
@pass_app
@click.pass_context
def demo(ctx, app, target, fmt) -> None:
    """生成一个县政府办公室2021年的示例数据库，并打印检查结果。

    示例包括：机关党委下的机关第一、第二党支部和离退休党支部，2021年7月1日两个机关支部
    合并为机关党支部；二十多名党员；全年的三会一课，其中有几处真实的缺漏；2021年度的
    组织生活会和民主评议于2022年1月召开。检查以2022年3月31日为准，结果每次相同。

    示例每次运行都重建它的数据库，所以只用示例自己的数据库：新文件、空数据库，或以前由
    dangjian demo 生成、之后没有其他操作记录的数据库。其他数据库（例如已记录了党员或会议的）
    一律拒绝（退出码2），不作任何改动；请另给一个新文件名。

    \b
    例：
      dangjian demo
      dangjian demo --db 示例.db --format json
    """
    from dangjian.demo.build import AS_OF, YEAR, build_demo
    from dangjian.demo.ownership import check_own, check_sqlite_file
    from dangjian.reports.compliance import make_window, run_check
    from dangjian.store.connection import (
        SqliteDatabase,
        close_database,
        create_schema,
        database,
        drop_schema,
        make_database,
        open_database,
    )

    target = _chosen_target(ctx, target)
    probe = make_database(target)
    path = probe.database if isinstance(probe, SqliteDatabase) else None
    if path is not None:
        check_sqlite_file(path, target)
    db = open_database(target, create=False)
    try:
        check_own(db, target)
        if path is not None:
            close_database()
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.remove(path + suffix)
                except FileNotFoundError:
                    pass
            db = open_database(target)
        else:
            drop_schema(db)
            create_schema(db)
        with database.atomic():
            build_demo()
        result = run_check(app.rules, AS_OF, make_window(AS_OF, year=YEAR), calendar=app.calendar)
        app.note(result.notes)
    finally:
        close_database()
    head = (
        f"示例数据库：{target}",
        f"以下是{YEAR}年度的检查结果（截至{format_date(AS_OF)}）。"
        f"可接着运行：dangjian --db {target} check --year {YEAR} --as-of {AS_OF.isoformat()}",
    )
    emit(app, check_view(result, head), fmt)


COMMANDS = [demo]
