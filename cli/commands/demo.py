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


@click.command()
@click.option(
    "--db",
    "target",
    metavar="TARGET",
    help="示例数据库（默认是用户数据目录中的 demo.db，与日常使用的数据库分开）。每次运行都会重建。",
)
@FORMAT_OPTION
@pass_app
def demo(app, target, fmt) -> None:
    """生成一个县政府办公室2021年的示例数据库，并打印检查结果。

    示例包括：机关党委下的机关第一、第二党支部和离退休党支部，2021年7月1日两个机关支部
    合并为机关党支部；二十多名党员；全年的三会一课，其中有几处真实的缺漏；2021年度的
    组织生活会和民主评议于2022年1月召开。检查以2022年3月31日为准，结果每次相同。

    \b
    例：
      dangjian demo
      dangjian demo --db 示例.db --format json
    """
    from dangjian.demo.build import AS_OF, YEAR, build_demo
    from dangjian.reports.compliance import make_window, run_check
    from dangjian.store.connection import close_database, database, drop_schema, open_database

    target = target or _default_demo_path()
    if "://" not in target:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.remove(target + suffix)
            except FileNotFoundError:
                pass
    db = open_database(target)
    try:
        if "://" in target:
            drop_schema(db)
            from dangjian.store.connection import create_schema

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
