"""`dangjian timeline` and `dangjian due`: where each person stands, and what falls due."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from dangjian.cli.main import FORMAT_OPTION, App, as_of_option, pass_app, today
from dangjian.cli.output import Column, View, emit, keyed
from dangjian.periods import format_date
from dangjian.vocab import EVENTS, SESSION_KINDS, SEVERITIES, STAGES

if TYPE_CHECKING:  # the report is imported when the command runs, not when its module loads
    from dangjian.reports.timeline import TimelineEntry

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


def _stage_text(e: TimelineEntry) -> str:
    text = STAGES.label(e.stage) if e.stage else "（尚无记录）"
    if e.status and e.status != "in-probation":
        text += f"（{PROBATION_STATUS[e.status]}）"
    return text


def _key_dates(e: TimelineEntry) -> str:
    if e.admitted_on is not None:
        text = f"接收 {format_date(e.admitted_on)}；期满 {format_date(e.probation_ends)}"
        if e.extension_months:
            text += f"（延长{e.extension_months}个月）"
        return text
    firsts: dict[str, date] = {}
    for ev in e.events:
        firsts.setdefault(ev.event, ev.on)
    for event in ("candidate", "activist", "applied"):
        if event in firsts:
            return f"{_SHORT[event]} {format_date(firsts[event])}"
    return ""


def _days_left(e: TimelineEntry) -> str:
    n = e.days_left
    if n is None:
        return ""
    return f"逾期{-n}天" if n < 0 else str(n)


def _next_text(e: TimelineEntry) -> str:
    step = e.next_step
    if not step:
        return ""
    text = EVENTS.label(step.event)
    if step.deadline is not None:
        return f"{text}（{format_date(step.deadline)}前）"
    if step.earliest is not None:
        return f"{text}（{format_date(step.earliest)}起）"
    return text


def _deadlines_text(e: TimelineEntry) -> str:
    return "；".join(
        f"{what_label(d.what)} {format_date(d.date)}{'（已逾期）' if d.status == 'overdue' else '前'}"
        for d in e.deadlines
    )


def _problems_text(e: TimelineEntry) -> str:
    n = sum(1 for f in e.findings if f.status in _PROBLEMS)
    return f"{n}项" if n else ""


TIMELINE_COLUMNS = [
    Column("name", "姓名", value=lambda e: e.member.name),
    Column("org", "所在支部"),
    Column("stage_text", "阶段", value=_stage_text),
    Column("key_dates", "关键日期", value=_key_dates),
    Column("days_left_text", "剩余天数", value=_days_left),
    Column("next_text", "下一步", value=_next_text),
    Column("deadlines_text", "期限", value=_deadlines_text),
    Column("problems_text", "问题", value=_problems_text),
]
TIMELINE_CSV_COLUMNS = keyed(
    [
        Column("member_id", "", value=lambda e: e.member.id),
        Column("name", "", value=lambda e: e.member.name),
        Column("org", ""),
        Column("stage", ""),
        Column("admitted_on", ""),
        Column("probation_ends", ""),
        Column("extension_months", ""),
        Column("days_left", ""),
        Column("status", ""),
        Column("next_step", "", value=lambda e: e.next_step.event if e.next_step else None),
        Column("next_step_earliest", "", value=lambda e: e.next_step.earliest if e.next_step else None),
        Column("next_step_deadline", "", value=lambda e: e.next_step.deadline if e.next_step else None),
        Column("events", "", value=lambda e: ";".join(f"{ev.event}:{ev.on.isoformat()}" for ev in e.events)),
        Column(
            "findings", "", value=lambda e: ";".join(f"{f.rule}:{f.status}:{f.date.isoformat()}" for f in e.findings)
        ),
    ]
)


def _problem_lines(entries: list[TimelineEntry]) -> list[str]:
    """Under the table: each violated or overdue finding, one line each."""
    problems = [(e, f) for e in entries for f in e.findings if f.status in _PROBLEMS]
    if not problems:
        return []
    return ["\n问题："] + [
        f"  {e.member.name}  {format_date(f.date)}  "
        f"［{SEVERITIES.label(f.severity)}］{f.message}（{f.rule}；{f.source}）"
        for e, f in problems
    ]


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
    app.open_db()
    entries = build(rules, as_of, ref=ref, org=org_ref, include_all=include_all, calendar=app.calendar, notes=app.notes)
    view = View(
        TIMELINE_COLUMNS,
        entries,
        head=(f"截至{format_date(as_of)}",),
        foot=_problem_lines(entries),
        empty="没有预备党员。" if not include_all else "没有正在发展中的人员。",
        csv_columns=TIMELINE_CSV_COLUMNS,
    )
    emit(app, view, fmt)


DUE_COLUMNS = [
    Column("date", "日期"),
    Column("state", "状态", value=lambda i: "逾期" if i.status == "overdue" else "待办"),
    Column("what_text", "事项", value=lambda i: what_label(i.what)),
    Column("subject_name", "对象", value=lambda i: i.subject.name),
    Column("subject_org", "所属支部", value=lambda i: _subject_org(i.subject)),
    Column("message", "说明"),
]
DUE_CSV_COLUMNS = keyed(
    [
        Column("date", ""),
        Column("what", ""),
        Column("rule", ""),
        Column("subject_type", "", value=lambda i: i.subject.type),
        Column("subject_id", "", value=lambda i: i.subject.id),
        Column("subject_name", "", value=lambda i: i.subject.name),
        Column("subject_org", "", value=lambda i: _subject_org(i.subject)),
        Column("message", ""),
    ]
)


def _subject_org(subject) -> str | None:
    """The branch of a group or member subject, as its JSON says (an org subject names none)."""
    return subject.org if subject.type != "org" else None


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
    from dangjian.reports.timeline import due_items

    as_of = as_of or today()
    rules = app.rules
    app.open_db()
    items = due_items(rules, as_of, within=within, org=org_ref, calendar=app.calendar, notes=app.notes)
    head = f"截至{format_date(as_of)}，今后{within}天内到期和已经逾期的事项，以及本月、本季度、本年度尚未召开的会议："
    emit(app, View(DUE_COLUMNS, items, head=(head,), empty="没有。", csv_columns=DUE_CSV_COLUMNS), fmt)


COMMANDS = [timeline, due]
