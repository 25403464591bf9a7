"""`dangjian check` and `dangjian rules …`."""

from __future__ import annotations

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, as_of_option, pass_app, today
from dangjian.cli.output import Column, View, emit, keyed
from dangjian.periods import format_date
from dangjian.reports.compliance import CheckResult, make_window, run_check
from dangjian.rules.findings import exit_status, summarize
from dangjian.vocab import FINDING_STATUSES, SEVERITIES

FINDING_COLUMNS = [
    Column("severity", "级别", SEVERITIES.label),
    Column("status", "状态", FINDING_STATUSES.label),
    Column("subject_name", "对象", value=lambda f: f.subject.name),
    Column("subject_org", "所属支部", value=lambda f: f.subject.org),
    Column("period_label", "期间", value=lambda f: f.period_label or f.period or ""),
    Column("date", "日期"),
    Column("message", "问题"),
    Column("source", "依据"),
]
FINDING_CSV_COLUMNS = keyed(
    [
        Column("rule", ""),
        Column("severity", ""),
        Column("status", ""),
        Column("subject_type", "", value=lambda f: f.subject.type),
        Column("subject_id", "", value=lambda f: f.subject.id),
        Column("subject_name", "", value=lambda f: f.subject.name),
        Column("subject_org", "", value=lambda f: f.subject.org),
        Column("period", ""),
        Column("date", ""),
        Column("expected", ""),
        Column("actual", ""),
        Column("message", ""),
        Column("source", ""),
    ]
)


def summary_line(findings) -> str:
    s = summarize(findings)
    return f"共{len(findings)}项：错误{s['error']}项，警告{s['warning']}项，提示{s['info']}项。"


def check_view(result: CheckResult, head: tuple[str, ...] = ()) -> View:
    """A check's findings: the table between the window and the summary; JSON the whole result."""
    w = result.window
    window_line = f"检查范围：{format_date(w.start)}至{format_date(w.end)}，截至{format_date(result.as_of)}"
    return View(
        FINDING_COLUMNS,
        result.findings,
        payload=result,
        head=(*head, window_line),
        foot=(summary_line(result.findings),) if result.findings else (),
        empty="未发现问题。",
        csv_columns=FINDING_CSV_COLUMNS,
    )


@click.command()
@click.option("--org", "org_ref", help="只检查这个组织及其下级。")
@click.option("--year", type=int, help="检查哪一年（默认 --as-of 所在年）。")
@click.option("--from", "start", type=DATE, help="检查期间的开始日期。")
@click.option("--to", "end", type=DATE, help="检查期间的结束日期。")
@as_of_option()
@FORMAT_OPTION
@pass_app
def check(app: App, org_ref, year, start, end, as_of, fmt) -> None:
    """对照规定检查三会一课等组织生活。

    已结束的期间缺开为“未完成”（missed），进行中的期间为“待完成”（due）。
    有“错误”级别的未完成、违规或逾期问题时退出码为 1。

    \b
    例：
      dangjian check --year 2021
      dangjian check --org 机关党支部 --as-of 2021-06-30
      dangjian check --from 2021-01-01 --to 2021-06-30 --format json
    """
    as_of = as_of or today()
    window = make_window(as_of, year, start, end)
    rules = app.rules
    app.open_db()
    result = run_check(rules, as_of, window, org_ref, calendar=app.calendar)
    app.note(result.notes)
    emit(app, check_view(result), fmt)
    click.get_current_context().exit(exit_status(result.findings))


@click.group()
def rules() -> None:
    """检查规则。"""


@rules.command("list")
@FORMAT_OPTION
@pass_app
def rules_list(app: App, fmt) -> None:
    """列出每条规则：编号、要求、可调整的数字、级别、依据和施行日期。

    用 --rules 文件（TOML）可在本地调整，例如：

    \b
      [party-lecture-quarterly]
      severity = "error"
      [life-meeting-yearly]
      grace = "0 months"
      [theme-day-monthly]
      enabled = false

    \b
    例：
      dangjian rules list
      dangjian --rules 本县规则.toml rules list --format json
    """
    from dangjian.reports.rules import list_rules

    emit(app, View(RULE_COLUMNS, list_rules(app.rules), csv_columns=keyed(RULE_COLUMNS)), fmt)


RULE_COLUMNS = [
    Column("id", "编号"),
    Column("title", "要求"),
    Column("params_text", "数字"),
    Column("severity", "级别", SEVERITIES.label),
    Column("source", "依据"),
    Column("effective_from", "施行日期"),
    Column("effective_until", "失效日期"),
    Column("enabled", "启用"),
]


COMMANDS = [check, rules]
