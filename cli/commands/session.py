"""`dangjian session …`."""

from __future__ import annotations

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, pass_app
from dangjian.cli.output import Column, View, emit, table_value
from dangjian.errors import InputError
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
@click.option("--again", is_flag=True, help="同一组织同一天同样类型的会议已有记录时，仍再记一次（确是另一次会议）。")
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
    again,
) -> None:
    """记录一次会议或活动及其出勤。一次会议可同时算作几种类型。

    同一组织（或党小组）同一天同样类型的会议已有记录时拒绝（以免重复登记），除非给出 --again；
    晚于今天的日期也拒绝：只记录已经召开的会议。

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
        again=again,
    )
    click.echo(f"已记录会议（编号{s.id}）：{summary(session_listing.show_session(str(s.id)))}")


def summary(info: session_listing.SessionDetail) -> str:
    """A session in one line: 2021年3月5日 机关党支部 党课；应到5人，出席4人，请假1人，缺席0人。"""
    kinds_label = "、".join(SESSION_KINDS.label(k) for k in info.kinds)
    counts = {st: sum(1 for a in info.attendance if a.status == st) for st in ("present", "leave", "absent")}
    return (
        f"{format_date(info.held_on)} {info.group or info.org} {kinds_label}；"
        f"应到{info.expected}人，出席{counts['present']}人，请假{counts['leave']}人，缺席{counts['absent']}人。"
    )


#: what `session edit` calls the fields it changed
EDITED = {
    "held_on": "日期",
    "kinds": "类型",
    "group": "党小组",
    "topic": "主题",
    "host": "主持人",
    "recorder": "记录人",
    "lecturer": "授课人",
    "lecturer_name": "授课人",
    "hours": "学时",
    "for_year": "所属年度",
    "location": "地点",
    "minutes": "会议记录",
    "decisions": "决议事项",
}


@session.command("edit")
@click.argument("session_id")
@click.option("--on", "on", type=DATE, help="改正召开日期（出勤人员按新日期的组织关系重新核对）。")
@click.option("--kind", "kinds", multiple=True, help="改正类型，可重复：给出的类型取代原有的全部类型。")
@click.option("--group", "group_ref", help="改记在本支部的这个党小组名下（none：改记在党支部名下）。")
@click.option("--topic", help="主题（空字符串清除，下同）。")
@click.option("--host", help="主持人。")
@click.option("--recorder", help="记录人。")
@click.option("--lecturer", help="授课人。")
@click.option("--hours", help="学时。")
@click.option("--for-year", help="所属年度（四位年份）。")
@click.option("--location", help="地点。")
@click.option("--minutes", type=click.Path(dir_okay=False), help="用这个文件（UTF-8 文本）取代会议记录。")
@click.option("--decisions", help="决议事项。")
@click.option("--present", help="把这些人记为出席（其余人的出勤不变）。")
@click.option("--leave", help="把这些人记为请假，可带原因：张三:出差,李四:病假。")
@click.option("--absent", help="把这些人记为缺席。")
@click.option("--again", is_flag=True, help="改后与另一次已记录的会议相同（同组织、同日、同类型）时仍然保存。")
@pass_app
def session_edit(
    app: App,
    session_id,
    on,
    kinds,
    group_ref,
    topic,
    host,
    recorder,
    lecturer,
    hours,
    for_year,
    location,
    minutes,
    decisions,
    present,
    leave,
    absent,
    again,
) -> None:
    """改正一次会议的记录：只改给出的项目，其余不变。

    --present/--leave/--absent 只改所列人员的出勤，其他人的出勤记录保留。改日期时，出勤记录中的
    每个人都须在新日期属于该组织，否则拒绝并列出其姓名。

    \b
    例：
      dangjian session edit 12 --on 2021-03-06 --topic 学习党章
      dangjian session edit 12 --kind 党员大会 --kind 党课
      dangjian session edit 12 --leave 张伟:出差 --present 刘洋
    """
    text = read_text(minutes, "会议记录文件") if minutes else None
    app.open_db()
    given = {
        "held_on": on,
        "kinds": list(kinds) or None,
        "group": group_ref,
        "topic": topic,
        "host": host,
        "recorder": recorder,
        "lecturer": lecturer,
        "hours": hours,
        "for_year": for_year,
        "location": location,
        "minutes": text if minutes else None,
        "decisions": decisions,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    names = sessions.split_names(present), sessions.split_leave(leave), sessions.split_names(absent)
    attendance = sessions.AttendanceInput(present=names[0], leave=names[1], absent=names[2]) if any(names) else None
    if not changes and attendance is None:
        raise InputError("没有给出要改的项目，可用 dangjian session edit --help 查看。")
    done = sessions.edit_session(session_id, attendance=attendance, again=again, **changes)
    info = session_listing.show_session(str(done.id))
    if not done.changed:
        click.echo(f"会议#{done.id}没有变化：{summary(info)}")
        return
    what = list(dict.fromkeys(EDITED[f] for f in done.fields))
    if done.attendance:
        what.append(f"出勤（{done.attendance}人）")
    click.echo(f"已修改会议#{done.id}的{'、'.join(what)}：{summary(info)}")


@session.command("delete")
@click.argument("session_id")
@pass_app
def session_delete(app: App, session_id) -> None:
    """删除一次会议及其出勤记录（记入操作日志，可用 dangjian undo 撤销）。

    发展党员的某个步骤以这次会议为依据时拒绝，并指出是哪一步。

    \b
    例：
      dangjian session delete 12
    """
    app.open_db()
    gone = sessions.delete_session(session_id)
    kinds_label = "、".join(SESSION_KINDS.label(k) for k in gone.kinds)
    about = " ".join(x for x in (format_date(gone.held_on), gone.holder, kinds_label, gone.topic) if x)
    click.echo(f"已删除会议#{gone.id}（{about}），出勤记录{gone.attendance}条。")


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
@click.option("--member", "member_ref", help="列出这个人有出勤记录的会议，及其出勤情况和原因。")
@click.option("--kind", help="只列这一类型。")
@click.option("--from", "start", type=DATE, help="起始日期。")
@click.option("--to", "end", type=DATE, help="截止日期。")
@FORMAT_OPTION
@pass_app
def session_list(app: App, org_ref, group_ref, member_ref, kind, start, end, fmt) -> None:
    """列出会议记录；给出 --member 时列出一个人参加（或请假、缺席）的会议。

    \b
    例：
      dangjian session list --org 机关党支部 --from 2021-01-01 --to 2021-12-31
      dangjian session list --kind 党课 --format csv > 党课台账.csv
      dangjian session list --member 王建国 --from 2021-01-01
    """
    app.open_db()
    if member_ref is not None:
        if org_ref or group_ref:
            raise InputError("--member 不能与 --org、--group 同时使用：列出的是这个人的全部出勤。")
        rows = session_listing.member_attendance(member_ref, kind, start, end)
        view = View(
            MEMBER_ATTENDANCE_COLUMNS,
            rows,
            empty="没有此人的出勤记录。",
            csv_columns=[
                *MEMBER_ATTENDANCE_COLUMNS[:6],
                Column("status", "出勤"),
                Column("expected", "应到"),
                Column("reason", "原因"),
            ],
        )
        emit(app, view, fmt)
        return
    rows = session_listing.list_sessions(org_ref, kind, start, end, group_ref)
    emit(app, View(SESSION_COLUMNS, rows, empty="没有符合条件的会议记录。"), fmt)


def attended_label(row: session_listing.MemberAttendanceRow) -> str:
    """出席, 请假, 缺席 as the vocabulary labels them; present while not expected is 列席."""
    if row.status == "present" and not row.expected:
        return "列席"
    return ATTENDANCE.label(row.status)


MEMBER_ATTENDANCE_COLUMNS = [
    Column("session_id", "会议编号"),
    Column("held_on", "日期"),
    Column("org", "组织"),
    Column("group", "党小组"),
    Column("kinds", "类型", lambda ks: "、".join(SESSION_KINDS.label(k) for k in ks)),
    Column("topic", "主题"),
    Column("attended", "出勤", value=attended_label),
    Column("reason", "原因"),
]


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
