"""`dangjian member …`."""

from __future__ import annotations

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, pass_app, today
from dangjian.cli.output import Column, View, emit
from dangjian.periods import format_date
from dangjian.reports import members as member_listing
from dangjian.services import members
from dangjian.vocab import EVENTS, GENDERS, MEMBER_STATUSES, STAGES


@click.group()
def member() -> None:
    """党员和入党申请人。"""


@member.command("add")
@click.argument("name")
@click.option("--org", "org_ref", required=True, help="所在党支部。")
@click.option("--group", "group_ref", help="所在党小组。")
@click.option(
    "--stage",
    default="full",
    show_default=True,
    help="类别：applicant/入党申请人、activist/入党积极分子、candidate/发展对象、"
    "probationary/预备党员、full/正式党员。",
)
@click.option("--joined", type=DATE, help="入党日期（支部大会接收为预备党员之日）。")
@click.option("--full-since", type=DATE, help="转正日期。")
@click.option(
    "--since",
    type=DATE,
    help="从哪一天起属于本支部（转入日期）。支部已有会议记录后必须填写；初建支部、尚无会议时不填表示一直在本支部。",
)
@click.option("--gender", help="性别：男/女。")
@click.option("--birth", type=DATE, help="出生日期（有身份证号时可不填）。")
@click.option("--id-number", help="居民身份证号（会校验校验位）。")
@click.option("--phone", help="手机号。")
@click.option("--education", help="学历。")
@click.option("--unit", help="工作单位。")
@click.option("--job", help="职务。")
@click.option("--same-name", is_flag=True, help="支部里已有同名党员，而这是另一个人。")
@pass_app
def member_add(
    app: App,
    name,
    org_ref,
    group_ref,
    stage,
    joined,
    full_since,
    since,
    gender,
    birth,
    id_number,
    phone,
    education,
    unit,
    job,
    same_name,
) -> None:
    """登记一名党员（或入党申请人等）。

    支部里已有同名的在册党员时拒绝登记（以免重复），确是另一个人时加 --same-name。
    支部已有会议记录后，须用 --since 写明此人从哪一天起属于该支部，
    否则此人会被算进已记录会议的应到人数；出生、入党、转正、转入日期都不能晚于今天。

    \b
    例：
      dangjian member add 王建国 --org 机关第一党支部 --group 第一党小组 \\
          --joined 2005-07-01 --full-since 2006-07-01 --gender 男 --phone 13912345678
      dangjian member add 李娜 --org 机关第一党支部 --stage 预备党员 --joined 2021年6月28日
    """
    app.open_db()
    m = members.add_member(
        name,
        org_ref,
        group=group_ref,
        stage=stage,
        joined_on=joined,
        full_since=full_since,
        since=since,
        gender=gender,
        birth_date=birth,
        id_number=id_number,
        phone=phone,
        education=education,
        unit=unit,
        job=job,
        same_name=same_name,
    )
    click.echo(f"已登记{STAGES.label(m.stage)}“{m.name}”（编号{m.id}）。")


MEMBER_COLUMNS = [
    Column("id", "编号"),
    Column("name", "姓名"),
    Column("gender", "性别", GENDERS.label),
    Column("stage", "类别", STAGES.label),
    Column("org", "所在支部"),
    Column("group", "党小组"),
    Column("joined_on", "入党日期"),
    Column("full_since", "转正日期"),
    Column("id_number", "身份证号"),
    Column("phone", "手机"),
    Column("status", "状态", MEMBER_STATUSES.label),
]


ROSTER_COLUMNS = [
    Column("id", "编号"),
    Column("name", "姓名"),
    Column("gender", "性别", GENDERS.label),
    Column("stage", "类别", STAGES.label),
    Column("org", "所在支部"),
    Column("group", "党小组"),
    Column("since", "转入日期"),
    Column("joined_on", "入党日期"),
    Column("full_since", "转正日期"),
    Column("phone", "手机"),
]


@member.command("list")
@click.option("--org", "org_ref", help="只列这个组织（含下级）的人员。")
@click.option("--stage", help="只列这一类别。")
@click.option("--all", "include_former", is_flag=True, help="也列出已转出、去世等不在册的人员。")
@click.option(
    "--on", "on", type=DATE, help="列出这一天的应到名单（正式党员和预备党员，及所在党小组），须同时给 --org。"
)
@FORMAT_OPTION
@pass_app
def member_list(app: App, org_ref, stage, include_former, on, fmt) -> None:
    """列出人员；给出 --on 时列出那一天的应到名单。

    \b
    例：
      dangjian member list --org 机关党支部
      dangjian member list --stage 预备党员 --format csv > 预备党员.csv
      dangjian member list --org 机关党支部 --on 2021-07-01
    """
    if on is not None:
        if not org_ref:
            raise click.UsageError("--on 须与 --org 一起使用：列出哪个组织在那一天的应到名单。")
        if stage or include_former:
            raise click.UsageError("--on 列出的是应到名单（正式党员和预备党员），不能与 --stage、--all 同用。")
        app.open_db()
        roster = member_listing.roster_on(org_ref, on)
        head = [f"{org_ref} {format_date(on)}的应到名单：{len(roster)}人。"]
        emit(app, View(ROSTER_COLUMNS, roster, head=head, empty="这一天没有应到的党员。"), fmt)
        return
    app.open_db()
    rows = member_listing.list_members(org_ref, stage, include_former)
    emit(app, View(MEMBER_COLUMNS, rows, empty="没有符合条件的人员。"), fmt)


@member.command("show")
@click.argument("ref")
@FORMAT_OPTION
@pass_app
def member_show(app: App, ref, fmt) -> None:
    """显示一个人的信息、组织关系历史和发展纪实。REF 可以是编号、身份证号或姓名。

    \b
    例：
      dangjian member show 王建国
      dangjian member show 12 --format json
    """
    app.open_db()
    info = member_listing.show_member(ref)
    emit(app, View(MEMBER_COLUMNS, [info], payload=info, page=member_page), fmt)


def member_page(info: member_listing.MemberDetail) -> str:
    """`member show` as text: the person, their branches over time, their development record."""
    lines = [
        f"{info.name}（编号{info.id}）  {STAGES.label(info.stage)}  {MEMBER_STATUSES.label(info.status)}",
        f"所在支部：{info.org or '无'}",
    ]
    for label, key in (
        ("性别", "gender"),
        ("出生日期", "birth_date"),
        ("身份证号", "id_number"),
        ("手机", "phone"),
        ("学历", "education"),
        ("工作单位", "unit"),
        ("职务", "job"),
        ("入党日期", "joined_on"),
        ("转正日期", "full_since"),
    ):
        v = getattr(info, key)
        if v:
            if key == "gender":
                v = GENDERS.label(v)
            lines.append(f"{label}：{format_date(v) if hasattr(v, 'year') else v}")
    lines.append("组织关系：")
    for h in info.memberships:
        span = f"{format_date(h.start) or '（早于记录）'} 至 {format_date(h.end) or '今'}"
        grp = f" {h.group}" if h.group else ""
        note = f"（{h.note}）" if h.note else ""
        lines.append(f"  {span}  {h.org}{grp}{note}")
    if info.events:
        lines.append("发展纪实：")
        for e in info.events:
            note = f"  {e.note}" if e.note else ""
            extra = event_details_text(e.details or {})
            extra = f"（{extra}）" if extra else ""
            lines.append(f"  {format_date(e.on)}  {EVENTS.label(e.event)}{extra}{note}")
    if info.attendance:
        lines.append("出勤：")
        for a in info.attendance:
            when = f"{a.year}年" if a.year is not None else "合计"
            lines.append(f"  {when}  出席{a.present}次  请假{a.leave}次  缺席{a.absent}次")
    return "\n".join(lines)


@member.command("transfer")
@click.argument("ref")
@click.option("--to", "to", help="转入的党支部（也用于把已转出的党员转回本系统）。")
@click.option(
    "--group", "group_ref", help="转入后所在的党小组；不带 --to 时在本支部内换党小组，none 表示不编入党小组。"
)
@click.option("--out", "out", is_flag=True, help="转出本系统（开具组织关系介绍信）。")
@click.option("--on", "on", type=DATE, required=True, help="转接日期：当天起属于新支部。")
@click.option("--note", help="备注。")
@pass_app
def member_transfer(app: App, ref, to, group_ref, out, on, note) -> None:
    """转接组织关系：转到另一个党支部、转出本系统、转回本系统，或在本支部内换党小组。

    \b
    例：
      dangjian member transfer 王建国 --to 离退休党支部 --on 2021-09-01
      dangjian member transfer 赵磊 --out --on 2021-10-15 --note 调往市财政局
      dangjian member transfer 赵磊 --to 机关党支部 --on 2023-03-01
      dangjian member transfer 李娜 --group 第二党小组 --on 2022-01-01
      dangjian member transfer 李娜 --group none --on 2022-06-01
    """
    app.open_db()
    r = members.transfer_member(ref, on, to=to, out=out, group=group_ref, note=note)
    if r.to is not None and r.to == r.source:
        where = f"编入{r.group}" if r.group else "不再编入党小组"
        click.echo(f"{r.member}自{format_date(r.on)}起在{r.to}{where}。")
        return
    where = f"转入{r.to}" if r.to else "转出本系统"
    grp = r.group if r.to and r.group else ""
    click.echo(f"{r.member}已于{format_date(r.on)}由{r.source}{where}{grp}。")


def event_details_text(details: dict) -> str:
    """The figures of an event the Chinese way: 延长6个月, 3天、24学时, 至2026年6月1日, 票数."""
    from datetime import date

    parts = []
    if details.get("months"):
        parts.append(f"{details['months']}个月")
    if details.get("days"):
        parts.append(f"{details['days']}天")
    if details.get("hours"):
        parts.append(f"{details['hours']}学时")
    if details.get("until"):
        parts.append(f"至{format_date(date.fromisoformat(details['until']))}")
    if details.get("entitled"):
        vote = f"应到{details['entitled']}人"
        if details.get("present") is not None:
            vote += f"，实到{details['present']}人"
        if details.get("yes") is not None:
            vote += f"，赞成{details['yes']}票"
        parts.append(vote)
    return "，".join(parts)


@member.command("record")
@click.argument("ref")
@click.argument("event")
@click.option("--on", "on", type=DATE, required=True, help="日期（公示为第一天）。")
@click.option("--months", type=int, help="延长预备期的月数（extended 必填）。")
@click.option("--days", type=int, help="集中培训的天数（trained）。")
@click.option("--hours", help="集中培训的学时（trained）。")
@click.option("--until", type=DATE, help="公示的最后一天（publicized 必填）。")
@click.option("--session", "session_ref", help="作出决定的会议编号（如支部党员大会）。")
@click.option("--entitled", type=int, help="应到会有表决权的正式党员人数（支部大会表决时）。")
@click.option("--present", type=int, help="实到会有表决权的正式党员人数。")
@click.option("--yes", "yes_votes", type=int, help="赞成票数。")
@click.option("--note", help="备注（介绍人、培养联系人等）。")
@pass_app
def member_record(
    app: App, ref, event, on, months, days, hours, until, session_ref, entitled, present, yes_votes, note
) -> None:
    """记录发展纪实中的一个环节。EVENT 可写英文或中文：

    \b
      applied 递交入党申请书   talked 入党谈话        activist 确定为入党积极分子
      assessed 培养考察        candidate 确定为发展对象  political-review 政治审查（政审）
      trained 集中培训（--days/--hours）           publicized 公示（--until）
      pre-reviewed 上级党委预审  admitted 支部大会接收为预备党员  approved 上级党委审批
      oath 入党宣誓            conversion-applied 提出转正申请
      converted 支部大会同意转正（转正）  conversion-approved 上级党委批准转正
      extended 延长预备期（--months）     disqualified 取消预备党员资格

    如实记录：不合规定的环节照样记下，并在标准错误输出中提示违反了哪条规则；
    不可能的输入（日期早于出生、为非预备党员记录转正等）会被拒绝，什么也不写入。

    \b
    例：
      dangjian member record 刘佳 申请 --on 2019-03-05
      dangjian member record 刘佳 trained --on 2021-05-10 --days 5 --hours 40
      dangjian member record 刘佳 publicized --on 2026-06-01 --until 2026-06-05
      dangjian member record 刘佳 接收 --on 2021-11-25 --entitled 15 --present 14 --yes 14
      dangjian member record 郭芳 转正 --on 2021-11-25
      dangjian member record 赵雪 延长预备期 --on 2022-07-01 --months 6
    """
    from dangjian.services.development import record_event

    rules = app.rules
    app.open_db()
    r = record_event(
        ref,
        event,
        on,
        as_of=today(),
        rules=rules,
        calendar=app.calendar,
        months=months,
        days=days,
        hours=hours,
        until=until,
        session=session_ref,
        note=note,
        entitled=entitled,
        present=present,
        yes=yes_votes,
    )
    m = r.member
    extra = event_details_text(r.event.details or {})
    click.echo(
        f"已记录：{m.name} {format_date(r.event.on)} {EVENTS.label(r.event.event)}"
        f"{'（' + extra + '）' if extra else ''}。"
    )
    if r.event.event == "converted":
        click.echo(f"{m.name}现为正式党员，转正日期（党龄起算）{format_date(m.full_since)}。")
    elif r.event.event == "disqualified":
        click.echo(f"{m.name}已取消预备党员资格，组织关系于{format_date(r.event.on)}终止。")
    elif r.event.event == "extended" and r.probation_ends is not None:
        click.echo(f"{m.name}的预备期延长{r.event.details['months']}个月，至{format_date(r.probation_ends)}届满。")
    elif m.stage != r.stage_before:
        text = f"{m.name}现为{STAGES.label(m.stage)}"
        if m.stage == "probationary" and m.joined_on and r.probation_ends:
            text += f"，入党日期{format_date(m.joined_on)}，预备期至{format_date(r.probation_ends)}届满"
        click.echo(text + "。")
    for f in r.warnings:
        click.echo(f"警告：违反规则 {f.rule}：{f.message}（{f.source}）", err=True)
    app.note(r.notes)


FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "手机",
    "joined_on": "入党日期",
    "full_since": "转正日期",
    "education": "学历",
    "unit": "工作单位",
    "job": "职务",
}


def _shown(app: App, key: str, value) -> str:
    from dangjian.domain.identity import mask_id_number, mask_phone

    if value is None or value == "":
        return "（空）"
    if key == "gender":
        return GENDERS.label(value)
    if key == "id_number" and not app.show_private:
        return mask_id_number(value)
    if key == "phone" and not app.show_private:
        return mask_phone(value)
    return format_date(value) if hasattr(value, "year") else str(value)


@member.command("edit")
@click.argument("ref")
@click.option("--name", help="姓名。")
@click.option("--gender", help="性别：男/女。")
@click.option("--birth", type=DATE, help="出生日期。")
@click.option("--id-number", help="居民身份证号（改了身份证号而不写出生日期、性别时，按身份证号改）。")
@click.option("--phone", help="手机号。")
@click.option("--joined", type=DATE, help="入党日期。")
@click.option("--full-since", type=DATE, help="转正日期。")
@click.option("--education", help="学历。")
@click.option("--unit", help="工作单位。")
@click.option("--job", help="职务。")
@click.option("--same-name", is_flag=True, help="改名后与支部里另一名党员同名，而这是另一个人。")
@pass_app
def member_edit(
    app: App, ref, name, gender, birth, id_number, phone, joined, full_since, education, unit, job, same_name
) -> None:
    """更正一个人的信息：只改给出的项，校验与 member add 相同。REF 可以是编号、身份证号或姓名。

    \b
    例：
      dangjian member edit 王建国 --phone 13987654321 --unit 县财政局
      dangjian member edit 12 --name 王建军 --birth 1975-03-02
    """
    app.open_db()
    r = members.edit_member(
        ref,
        name=name,
        gender=gender,
        birth_date=birth,
        id_number=id_number,
        phone=phone,
        joined_on=joined,
        full_since=full_since,
        education=education,
        unit=unit,
        job=job,
        same_name=same_name,
    )
    if not r.changes:
        click.echo(f"{r.name}（编号{r.id}）的信息没有变化。")
        return
    click.echo(f"已更正{r.name}（编号{r.id}）的信息：")
    for key, (before, after) in r.changes.items():
        click.echo(f"  {FIELD_LABELS[key]}：{_shown(app, key, before)} → {_shown(app, key, after)}")


@member.command("unrecord")
@click.argument("ref")
@click.argument("event")
@click.option("--on", "on", type=DATE, help="删除哪一天的那一条（同一环节有多条时必填）。")
@pass_app
def member_unrecord(app: App, ref, event, on) -> None:
    """删除发展纪实中记错的一个环节；类别、入党日期和转正日期按剩下的环节重新确定。

    \b
    例：
      dangjian member unrecord 刘佳 activist
      dangjian member unrecord 刘佳 培养考察 --on 2020-03-05
    """
    from dangjian.services.development import unrecord_event

    app.open_db()
    r = unrecord_event(ref, event, on)
    m = r.member
    click.echo(f"已删除：{m.name} {format_date(r.event.on)} {EVENTS.label(r.event.event)}。")
    if m.stage != r.stage_before:
        click.echo(f"{m.name}现为{STAGES.label(m.stage)}。")
    if r.event.event in ("admitted", "converted", "extended"):
        click.echo(f"入党日期：{format_date(m.joined_on) or '无'}；转正日期：{format_date(m.full_since) or '无'}。")


STATUS_VERBS = {
    "deceased": "去世",
    "expelled": "被开除党籍",
    "lapsed": "被除名（自行脱党）",
    "withdrawn": "退党",
    "stopped": "被停止党籍",
}


@member.command("status")
@click.argument("ref")
@click.argument("status")
@click.option("--on", "on", type=DATE, required=True, help="日期：当天起生效。")
@click.option("--note", help="备注（原因、批准机关等）。")
@pass_app
def member_status(app: App, ref, status, on, note) -> None:
    """记录党员状态的变化。STATUS 可写英文或中文：

    \b
      deceased 去世     expelled 开除党籍     lapsed 除名/自行脱党
      withdrawn 退党    stopped 停止党籍      active 恢复党籍

    除 active 外，自当天起此人不在任何组织的应到名单中；active 自当天起回到原支部
    （已合并的支部则为合并后的支部）。组织关系历史保留，可用 member show 查看。

    \b
    例：
      dangjian member status 王建国 去世 --on 2024-03-02
      dangjian member status 赵磊 stopped --on 2023-05-01 --note 出国定居
      dangjian member status 赵磊 恢复党籍 --on 2024-05-01
    """
    app.open_db()
    r = members.set_status(ref, status, on, note)
    if r.status == "active":
        click.echo(f"{r.member}自{format_date(r.on)}起恢复党籍，回到{r.org}。")
    else:
        left = f"，自当天起不在{r.org}的应到名单中" if r.org else ""
        what = STATUS_VERBS.get(r.status, MEMBER_STATUSES.label(r.status))
        click.echo(f"已记录：{r.member}于{format_date(r.on)}{what}{left}。")


COMMANDS = [member]
