"""`dangjian timeline` and `dangjian due`: where each person stands, and what falls due."""

from __future__ import annotations

import click

from dangjian.cli.main import FORMAT_OPTION, App, as_of_option, pass_app, today
from dangjian.cli.output import Column, render
from dangjian.periods import format_date
from dangjian.vocab import EVENTS, SESSION_KINDS, SEVERITIES, STAGES

PROBATION_STATUS = {
    "in-probation": "预备期内",
    "overdue": "逾期未转正",
    "extended": "已延长预备期",
    "converted": "已转正",
    "disqualified": "已取消资格",
}
_SHORT = {"applied": "申请", "activist": "积极分子", "candidate": "发展对象", "admitted": "接收"}
_PROBLEMS = ("violated", "overdue")


def what_label(what: str) -> str:
    if what in EVENTS:
        return EVENTS.label(what)
    if what in SESSION_KINDS:
        return SESSION_KINDS.label(what)
    return what


def _stage_text(e: dict) -> str:
    text = STAGES.label(e["stage"]) if e["stage"] else "（尚无记录）"
    if e["status"] and e["status"] != "in-probation":
        text += f"（{PROBATION_STATUS[e['status']]}）"
    return text


def _key_dates(e: dict) -> str:
    if e["admitted_on"] is not None:
        text = f"接收 {format_date(e['admitted_on'])}；期满 {format_date(e['probation_ends'])}"
        if e["extension_months"]:
            text += f"（延长{e['extension_months']}个月）"
        return text
    firsts = {}
    for ev in e["events"]:
        firsts.setdefault(ev["event"], ev["on"])
    for event in ("candidate", "activist", "applied"):
        if event in firsts:
            return f"{_SHORT[event]} {format_date(firsts[event])}"
    return ""


def _days_left(e: dict) -> str:
    n = e["days_left"]
    if n is None:
        return ""
    return f"逾期{-n}天" if n < 0 else str(n)


def _next_text(e: dict) -> str:
    step = e["next_step"]
    if not step:
        return ""
    text = EVENTS.label(step["event"])
    if step["deadline"] is not None:
        return f"{text}（{format_date(step['deadline'])}前）"
    if step["earliest"] is not None:
        return f"{text}（{format_date(step['earliest'])}起）"
    return text


def _deadlines_text(e: dict) -> str:
    return "；".join(
        f"{what_label(d['what'])} {format_date(d['date'])}{'（已逾期）' if d['status'] == 'overdue' else '前'}"
        for d in e["deadlines"]
    )


def _problems_text(e: dict) -> str:
    n = sum(1 for f in e["findings"] if f["status"] in _PROBLEMS)
    return f"{n}项" if n else ""


TIMELINE_COLUMNS = [
    Column("name", "姓名"),
    Column("org", "所在支部"),
    Column("stage_text", "阶段"),
    Column("key_dates", "关键日期"),
    Column("days_left_text", "剩余天数"),
    Column("next_text", "下一步"),
    Column("deadlines_text", "期限"),
    Column("problems_text", "问题"),
]
TIMELINE_CSV_COLUMNS = [
    Column(k, k)
    for k in (
        "member_id",
        "name",
        "org",
        "stage",
        "admitted_on",
        "probation_ends",
        "extension_months",
        "days_left",
        "status",
        "next_step",
        "next_step_earliest",
        "next_step_deadline",
        "events",
        "findings",
    )
]


def _rows(entries: list[dict]) -> list[dict]:
    rows = []
    for e in entries:
        step = e["next_step"] or {}
        rows.append(
            {
                **e,
                "member_id": e["member"]["id"],
                "name": e["member"]["name"],
                "stage_text": _stage_text(e),
                "key_dates": _key_dates(e),
                "days_left_text": _days_left(e),
                "next_text": _next_text(e),
                "deadlines_text": _deadlines_text(e),
                "problems_text": _problems_text(e),
                "next_step": step.get("event"),
                "next_step_earliest": step.get("earliest"),
                "next_step_deadline": step.get("deadline"),
                "events": ";".join(f"{ev['event']}:{ev['on'].isoformat()}" for ev in e["events"]),
                "findings": ";".join(f"{f['rule']}:{f['status']}:{f['date']}" for f in e["findings"]),
            }
        )
    return rows


@click.command()
@click.argument("ref", required=False)
@click.option("--org", "org_ref", help="只看这个组织（含下级）的人员。")
@click.option(
    "--all", "include_all", is_flag=True, help="也列出入党申请人、入党积极分子和发展对象（默认只列预备党员）。"
)
@as_of_option()
@FORMAT_OPTION
@pass_app
def timeline(app: App, ref, org_ref, include_all, as_of, fmt) -> None:
    """发展党员时间表：每名预备党员的预备期、剩余天数、下一步和问题。

    给出 REF（编号、身份证号或姓名）只看这一个人；--all 也列出仍在发展中的
    申请人、积极分子和发展对象，显示下一步最早何时可以进行、哪些期限正在计算。

    \b
    例：
      dangjian timeline
      dangjian timeline --all --org 机关党支部
      dangjian timeline 郭芳 --as-of 2021-06-15 --format json
    """
    from dangjian.reports.timeline import timeline as build

    as_of = as_of or today()
    rules = app.rules
    app.db
    entries = build(rules, as_of, ref=ref, org=org_ref, include_all=include_all, calendar=app.calendar, notes=app.notes)
    if fmt == "json":
        click.echo(render("json", [], [], json_data=entries))
        return
    rows = _rows(entries)
    if fmt == "csv":
        click.echo(render("csv", TIMELINE_CSV_COLUMNS, rows), nl=False)
        return
    click.echo(f"截至{format_date(as_of)}")
    if not rows:
        click.echo("没有预备党员。" if not include_all else "没有正在发展中的人员。")
        return
    click.echo(render("table", TIMELINE_COLUMNS, rows))
    problems = [(e, f) for e in entries for f in e["findings"] if f["status"] in _PROBLEMS]
    if problems:
        click.echo("\n问题：")
        for e, f in problems:
            click.echo(
                f"  {e['member']['name']}  {format_date(_date(f['date']))}  "
                f"［{SEVERITIES.label(f['severity'])}］{f['message']}（{f['rule']}；{f['source']}）"
            )


def _date(iso: str):
    from datetime import date

    return date.fromisoformat(iso)


DUE_COLUMNS = [
    Column("date", "日期"),
    Column("state", "状态"),
    Column("what_text", "事项"),
    Column("subject_name", "对象"),
    Column("subject_org", "所属支部"),
    Column("message", "说明"),
]
DUE_CSV_COLUMNS = [
    Column(k, k)
    for k in ("date", "what", "rule", "subject_type", "subject_id", "subject_name", "subject_org", "message")
]


@click.command()
@click.option("--within", type=int, default=30, show_default=True, help="列出今后多少天内到期的事项。")
@click.option("--org", "org_ref", help="只看这个组织（含下级）。")
@as_of_option()
@FORMAT_OPTION
@pass_app
def due(app: App, within, org_ref, as_of, fmt) -> None:
    """到期事项：今后若干天内到期的和已经逾期的，按日期排列。

    包括预备期届满、逾期未讨论转正、接收后3个月内审批、申请后1个月内谈话、
    积极分子每半年考察和满1年，以及本月、本季度、本年度还没有召开的会议
    （这些会议不论期限远近都列出）。

    \b
    例：
      dangjian due
      dangjian due --within 60 --org 机关党支部
      dangjian due --as-of 2022-03-31 --format json
    """
    from dangjian.reports.timeline import due_items, public_item

    as_of = as_of or today()
    rules = app.rules
    app.db
    items = due_items(rules, as_of, within=within, org=org_ref, calendar=app.calendar, notes=app.notes)
    if fmt == "json":
        click.echo(render("json", [], [], json_data=[public_item(i) for i in items]))
        return
    rows = [
        {
            **i,
            "what_text": what_label(i["what"]),
            "subject_type": i["subject"]["type"],
            "subject_id": i["subject"]["id"],
            "subject_name": i["subject"]["name"],
            "subject_org": i["subject"].get("org"),
            "state": "逾期" if i["_status"] == "overdue" else "待办",
        }
        for i in items
    ]
    if fmt == "csv":
        click.echo(render("csv", DUE_CSV_COLUMNS, rows), nl=False)
        return
    click.echo(
        f"截至{format_date(as_of)}，今后{within}天内到期和已经逾期的事项，以及本月、本季度、本年度尚未召开的会议："
    )
    if not rows:
        click.echo("没有。")
        return
    click.echo(render("table", DUE_COLUMNS, rows))


COMMANDS = [timeline, due]
