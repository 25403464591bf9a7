"""`dangjian undo [ENTRY]`: revert the latest logged write, or the one the log numbers ENTRY."""

from __future__ import annotations

import click

from dangjian.cli.main import App, pass_app


@click.command("undo")
@click.argument("entry", type=click.IntRange(min=1), required=False)
@pass_app
def undo(app: App, entry: int | None) -> None:
    """撤销最近一次写入，或操作日志中编号为 ENTRY 的一次写入（编号见 dangjian log）。

    按操作日志记下的改动前内容恢复：新增的记录删除，修改的记录改回原值，删除的记录按原编号恢复，
    在一个事务中完成。之后的写入改动或用到了同样的记录时拒绝（退出码 2），并指出是哪一条，
    须先撤销那一条。撤销本身也记入操作日志，可以再撤销（即重做）。
    从备份恢复和数据库结构升级不能撤销。

    \b
    例：
      dangjian undo            撤销最近一次写入
      dangjian log --limit 5   查看最近的记录及其编号
      dangjian undo 42         撤销第42条记录
    """
    from dangjian.reports.log import mask_text
    from dangjian.services.undo import undo as undo_entry

    app.open_db()
    done = undo_entry(entry)
    shown = (lambda t: t) if app.show_private else mask_text
    # the action (`member status`), not the whole command line: `log` shows that, with its --db
    restored = f"：恢复了改动前的记录：{shown(done.summary)}" if done.summary else ""
    click.echo(f"已撤销第{done.entry}条记录（{done.action}）{restored}。")
