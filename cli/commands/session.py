"""`dangjian session …`."""

from __future__ import annotations

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, pass_app
from dangjian.cli.output import Column, View, emit, table_value
from dangjian.io.userfiles import read_text
from dangjian.periods import format_date
from dangjian.reports import sessions as session_listing
from dangjian.services import sessions
from dangjian.vocab import ATTENDANCE, SESSION_KINDS


@click.group()
def session() -> None:
    """组织生活：会议、党课、主题党日等，及其出勤。"""


@session.command("add")
@click.option("--org", "org_ref", help="召开的党支部。")
@click.option("--group", "group_ref", help="召开的党小组（党小组会必填）。")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    required=True,
    help="类型，可重复：general-meeting/支部党员大会、committee-meeting/支委会、group-meeting/党小组会、"
    "party-lecture/党课、theme-day/主题党日、life-meeting/组织生活会、appraisal/民主评议党员、study/集中学习。",
)
@click.option("--on", "on", type=DATE, required=True, help="召开日期。")
@click.option("--hours", help="学时。")
@click.option("--topic", help="主题。")
@click.option("--location", help="地点。")
@click.option("--host", help="主持人。")
@click.option("--recorder", help="记录人。")
@click.option("--lecturer", help="授课人（党员姓名，或外请人员的姓名职务）。")
@click.option("--all-present", is_flag=True, help="应到人员全部出席（再用 --leave/--absent 标出例外）。")
@click.option("--present", help="出席人员，用逗号或顿号分隔。")
@click.option("--leave", help="请假人员及原因：张三:出差,李四:病假。")
@click.option("--absent", help="缺席人员。")
@click.option("--for-year", type=int, help="所属年度：次年初为上一年度召开的组织生活会、民主评议。")
@click.option("--minutes", type=click.Path(dir_okay=False), help="会议记录文件（UTF-8 文本）。")
@click.option("--decisions", help="决议事项。")
@pass_app
def session_add(
    app: App,
    org_ref,
    group_ref,
    kinds,
    on,
    hours,
    topic,
    location,
    host,
    recorder,
    lecturer,
    all_present,
    present,
    leave,
    absent,
    for_year,
    minutes,
    decisions,
) -> None:
    """记录一次会议或活动及其出勤。一次会议可同时算作几种类型。

    \b
    例：
      dangjian session add --org 机关第一党支部 --kind 党员大会 --kind 党课 --on 2021-03-05 \\
          --topic 学习党史 --host 王建国 --recorder 李娜 --lecturer 王建国 \\
          --all-present --leave 张伟:出差
      dangjian session add --group 第一党小组 --org 机关第一党支部 --kind 党小组会 --on 2021/3/12 \\
          --present 王建国,李娜 --absent 刘洋
      dangjian session add --org 机关党支部 --kind 组织生活会 --on 2022-01-18 --for-year 2021 --all-present
    """
    text = read_text(minutes, "会议记录文件") if minutes else None
    app.open_db()
    attendance = sessions.AttendanceInput(
        all_present=all_present,
        present=sessions.split_names(present),
        leave=sessions.split_leave(leave),
        absent=sessions.split_names(absent),
    )
    s = sessions.add_session(
        list(kinds),
        on,
        org=org_ref,
        group=group_ref,
        hours=hours,
        topic=topic,
        location=location,
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        attendance=attendance,
        for_year=for_year,
        minutes=text,
        decisions=decisions,
    )
    info = session_listing.show_session(str(s.id))
    who = info.group or info.org
    kinds_label = "、".join(SESSION_KINDS.label(k) for k in info.kinds)
    counts = {st: sum(1 for a in info.attendance if a.status == st) for st in ("present", "leave", "absent")}
    click.echo(
        f"已记录会议（编号{s.id}）：{format_date(on)} {who} {kinds_label}；"
        f"应到{info.expected}人，出席{counts['present']}人，请假{counts['leave']}人，缺席{counts['absent']}人。"
    )


SESSION_COLUMNS = [
    Column("id", "编号"),
    Column("held_on", "日期"),
    Column("org", "组织"),
    Column("group", "党小组"),
    Column("kinds", "类型", lambda ks: "、".join(SESSION_KINDS.label(k) for k in ks)),
    Column("topic", "主题"),
    Column("hours", "学时"),
    Column("for_year", "所属年度"),
    Column("present", "出席"),
    Column("leave", "请假"),
    Column("absent", "缺席"),
]


@session.command("list")
@click.option("--org", "org_ref", help="只列这个组织（含下级）的会议。")
@click.option("--group", "group_ref", help="只列这个党小组的会议。")
@click.option("--kind", help="只列这一类型。")
@click.option("--from", "start", type=DATE, help="起始日期。")
@click.option("--to", "end", type=DATE, help="截止日期。")
@FORMAT_OPTION
@pass_app
def session_list(app: App, org_ref, group_ref, kind, start, end, fmt) -> None:
    """列出会议记录。

    \b
    例：
      dangjian session list --org 机关党支部 --from 2021-01-01 --to 2021-12-31
      dangjian session list --kind 党课 --format csv > 党课台账.csv
    """
    app.open_db()
    rows = session_listing.list_sessions(org_ref, kind, start, end, group_ref)
    emit(app, View(SESSION_COLUMNS, rows, empty="没有符合条件的会议记录。"), fmt)


@session.command("show")
@click.argument("session_id")
@FORMAT_OPTION
@pass_app
def session_show(app: App, session_id, fmt) -> None:
    """显示一次会议的详情和出勤。

    \b
    例：
      dangjian session show 12
    """
    app.open_db()
    info = session_listing.show_session(session_id)
    foot = ["会议记录：\n" + info.minutes] if info.minutes else []
    view = View(
        ATTENDANCE_COLUMNS,
        info.attendance,
        payload=info,
        head=session_head(info),
        foot=foot,
        csv_columns=[Column("member_id", "编号"), *ATTENDANCE_COLUMNS],
    )
    emit(app, view, fmt)


ATTENDANCE_COLUMNS = [
    Column("name", "姓名"),
    Column("status", "出勤", lambda s: ATTENDANCE.label(s) if s else "未记录"),
    Column("reason", "原因"),
    Column("expected", "应到"),
]


def session_head(info: session_listing.SessionDetail) -> list[str]:
    """The lines above a session's attendance: when, who, kinds, the details recorded."""
    lines = [
        f"会议编号{info.id}：{format_date(info.held_on)}  {info.group or info.org}",
        "类型：" + "、".join(SESSION_KINDS.label(k) for k in info.kinds),
    ]
    for label, key in (
        ("所属年度", "for_year"),
        ("主题", "topic"),
        ("地点", "location"),
        ("学时", "hours"),
        ("主持人", "host"),
        ("记录人", "recorder"),
        ("授课人", "lecturer"),
        ("决议", "decisions"),
    ):
        value = getattr(info, key)
        if value not in (None, ""):
            lines.append(f"{label}：{table_value(value)}")
    lines.append(f"应到{info.expected}人，实到{info.present}人")
    return lines


COMMANDS = [session]
