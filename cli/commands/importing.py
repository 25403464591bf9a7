"""`dangjian import orgs|members|sessions FILE`: CSV files checked row by row, written in one transaction."""

from __future__ import annotations

import sys

import click

from dangjian.cli.main import App, pass_app, printable

_DRY_RUN = click.option("--dry-run", is_flag=True, help="只检查并报告将导入的内容，不写入数据库。")
_SKIP = click.option(
    "--skip-invalid", is_flag=True, help="导入无误的行、跳过有错的行（默认只要有一行有错，整个文件都不导入）。"
)
_UPDATE = click.option(
    "--update",
    is_flag=True,
    help="与已有记录是同一个但有不同的行，按文件修改已有记录（在同一个事务中，记入操作日志，可撤销）。",
)
_FILE = click.argument("file", type=click.Path(dir_okay=False))


@click.group("import")
def import_() -> None:
    """从 CSV 文件批量导入组织、党员、会议。

    文件为 UTF-8 编码（可带 BOM，Excel 另存为“CSV UTF-8”即可），第一行是列名，英文或中文均可。
    先逐行检查，有错的行全部列出（行号、列名、原因）；默认只要有一行有错，整个文件都不导入，
    退出码为 2。没有错时整个文件在一个事务中写入。建议按组织、党员、会议的顺序导入。
    与数据库中已有记录完全相同的行算作“已存在”并跳过，同一文件导入两次，第二次什么也不写；
    与已有记录是同一个（组织：同一上级下的同名组织；人员：同一身份证号，没有时同一支部的同名人员）
    但有不同的行，列出行号和不同的列，整个文件不导入；加 --update 则按文件修改这些记录
    （组织的类型，人员的支部、党小组、转入日期，会议的出勤不在此列）。

    \b
    例（同一文件再导入一次，什么也不写）：
      $ dangjian import members 党员.csv
      已导入人员0人，已存在3行（与数据库中的记录相同，已跳过）。

    \b
    例：
      dangjian import orgs 组织.csv --dry-run
      dangjian import members 党员.csv
      dangjian import sessions 会议.csv
    """


def _run(app: App, kind: str, file: str, dry_run: bool, skip_invalid: bool, update: bool = False) -> None:
    from dangjian.io.importing import read_csv, run_import

    source = read_csv(kind, file)
    app.open_db()
    total = len(source.rows) * (1 if dry_run else 2)
    if sys.stderr.isatty() and total:
        with click.progressbar(length=total, label="检查" if dry_run else "检查并导入", file=sys.stderr) as bar:
            report = run_import(source, dry_run=dry_run, skip_invalid=skip_invalid, progress=bar.update, update=update)
    else:
        report = run_import(source, dry_run=dry_run, skip_invalid=skip_invalid, update=update)
    _echo(report, skip_invalid)
    if report.rejected and not (skip_invalid and report.accepted):
        click.get_current_context().exit(2)


def _summary(report) -> str:
    from dangjian.vocab import ORG_KINDS, SESSION_KINDS, STAGES

    c, d = report.created, report.details
    if report.kind == "orgs":
        parts = "、".join(
            f"{ORG_KINDS.label(k)}{n}个"
            for k, n in sorted(d.get("kind", {}).items(), key=lambda kv: ORG_KINDS.slugs.index(kv[0]))
        )
        return f"组织{c['orgs']}个" + (f"（{parts}）" if parts else "")
    if report.kind == "members":
        parts = "、".join(
            f"{STAGES.label(k)}{n}人"
            for k, n in sorted(d.get("stage", {}).items(), key=lambda kv: STAGES.slugs.index(kv[0]))
        )
        text = f"人员{c['members']}人" + (f"（{parts}）" if parts else "")
        if c.get("groups"):
            text += f"，新建党小组{c['groups']}个"
        return text
    parts = "、".join(
        f"{SESSION_KINDS.label(k)}{n}次"
        for k, n in sorted(d.get("kind", {}).items(), key=lambda kv: SESSION_KINDS.slugs.index(kv[0]))
    )
    return f"会议{c['sessions']}次" + (f"（{parts}）" if parts else "") + f"，出勤记录{c['attendance']}条"


def _echo(report, skip_invalid: bool) -> None:
    """The rejected rows on stderr, then one line on stdout saying what was (or would be) imported."""
    if report.rejected:
        n = len(report.rejected_lines)
        if report.written:
            head = f"文件“{report.file}”有{n}行有错，已跳过这些行："
        elif report.dry_run and skip_invalid:
            head = f"文件“{report.file}”有{n}行有错，导入时将跳过这些行："
        elif report.dry_run:
            head = f"文件“{report.file}”有{n}行有错，导入时整个文件将不被接受："
        else:
            head = f"文件“{report.file}”有{n}行有错，整个文件未导入："
        click.echo(f"错误：{printable(head)}", err=True)
        for r in report.rejected:
            where = f"第{r.line}行" + (f"“{r.column}”列" if r.column else "")
            click.echo(f"  {where}：{printable(r.reason)}", err=True)
    existing = f"，已存在{report.existing}行" if report.existing else ""
    if report.updated:
        existing += f"，{'可' if report.dry_run else '已'}按文件修改{report.updated}行"
    if report.written:
        click.echo(f"已导入{_summary(report)}{existing}。")
    elif report.dry_run and (skip_invalid or not report.rejected):
        click.echo(f"试运行，未写入：共{report.rows}行，可导入{_summary(report)}{existing}。")
    elif report.existing and not report.dry_run and (skip_invalid or not report.rejected):
        click.echo(f"已导入{_summary(report)}{existing}（与数据库中的记录相同，已跳过）。")
    elif not report.rejected:
        click.echo(f"文件“{report.file}”没有数据行，未导入任何内容。")


@import_.command("orgs")
@_FILE
@_DRY_RUN
@_SKIP
@_UPDATE
@pass_app
def import_orgs(app: App, file, dry_run, skip_invalid, update) -> None:
    """导入组织。

    列：name/名称（必填）、kind/类型（默认党支部）、parent/上级、established/成立日期，
    可选 village/村社区（是/否）、code/组织代码。上级组织可以是已有的组织，也可以是同一文件中的组织。

    \b
    例：
      dangjian import orgs 组织.csv --dry-run
      dangjian import orgs 组织.csv
    \b
    其中 组织.csv 为：
      名称,类型,上级,成立日期
      城关镇党委,党委,,2005-03-01
      城关镇第一党支部,党支部,城关镇党委,2005-04-01
    """
    _run(app, "orgs", file, dry_run, skip_invalid, update)


@import_.command("members")
@_FILE
@_DRY_RUN
@_SKIP
@_UPDATE
@pass_app
def import_members(app: App, file, dry_run, skip_invalid, update) -> None:
    """导入党员（及入党申请人等）。

    列：name/姓名、org/支部（必填），group/党小组、stage/类别（默认正式党员）、
    joined/入党日期、full_since/转正日期、gender/性别、birth/出生日期、id_number/身份证号、phone/手机，
    可选 since/转入日期、education/学历、unit/工作单位、job/职务。检查与 member add 相同（身份证号校验位、
    文件内和数据库中的重复、日期先后）；党小组不存在时在该支部新建。

    \b
    例：
      dangjian import members 党员.csv --dry-run
      dangjian import members 党员.csv
    \b
    其中 党员.csv 为：
      姓名,支部,党小组,类别,入党日期,转正日期,性别,身份证号,手机
      王建国,城关镇第一党支部,第一党小组,正式党员,1996-06-20,1997-06-20,男,110105197203140017,13912345678
    """
    _run(app, "members", file, dry_run, skip_invalid, update)


@import_.command("sessions")
@_FILE
@_DRY_RUN
@_SKIP
@_UPDATE
@pass_app
def import_sessions(app: App, file, dry_run, skip_invalid, update) -> None:
    """导入会议及出勤。

    列：org/支部、kind/类型、on/日期（必填），group/党小组、hours/学时、topic/主题、
    host/主持人、recorder/记录人、present/出席、leave/请假（姓名:原因）、absent/缺席、for_year/所属年度，
    可选 location/地点、lecturer/授课人。几个类型或几个人用逗号或顿号分隔；人员按当天所在支部的姓名查找，
    重名的行不导入（可改用编号）。检查与 session add 相同。

    \b
    例：
      dangjian import sessions 会议.csv --dry-run
      dangjian import sessions 会议.csv
    \b
    其中 会议.csv 为：
      支部,党小组,类型,日期,主题,主持人,记录人,出席,请假,缺席
      城关镇第一党支部,,党员大会、党课,2021-03-05,学习党史,王建国,李娜,王建国、李娜,张伟:出差,
    """
    _run(app, "sessions", file, dry_run, skip_invalid, update)


COMMANDS = [import_]
