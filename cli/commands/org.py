"""`dangjian org …` and `dangjian group …`."""

from __future__ import annotations

import click

from dangjian.cli.main import DATE, FORMAT_OPTION, App, pass_app
from dangjian.cli.output import Column, View, emit
from dangjian.periods import format_date
from dangjian.reports import orgs as org_listing
from dangjian.services import orgs
from dangjian.vocab import ORG_KINDS


@click.group()
def org() -> None:
    """组织：党委、党总支、党支部、联合党支部。"""


@org.command("add")
@click.argument("name")
@click.option(
    "--kind",
    default="branch",
    show_default=True,
    help="类型：committee/党委、general-branch/党总支、branch/党支部、joint-branch/联合党支部。",
)
@click.option("--parent", help="上级组织的名称或编号。")
@click.option("--established", type=DATE, help="成立日期。")
@click.option("--village", is_flag=True, help="村（社区）党组织：支委会任期5年。")
@click.option("--code", help="组织代码（可选）。")
@pass_app
def org_add(app: App, name, kind, parent, established, village, code) -> None:
    """新建组织。

    \b
    例：
      dangjian org add 县政府办公室机关党委 --kind 党委 --established 2010-03-01
      dangjian org add 机关第一党支部 --parent 县政府办公室机关党委 --established 2010年5月1日
    """
    app.open_db()
    o = orgs.add_org(name, kind=kind, parent=parent, established_on=established, village=village, code=code)
    click.echo(f"已新建{ORG_KINDS.label(o.kind)}“{o.name}”（编号{o.id}）。")


ORG_COLUMNS = [
    Column("id", "编号"),
    Column("name", "名称"),
    Column("kind", "类型", ORG_KINDS.label),
    Column("parent", "上级"),
    Column("established_on", "成立日期"),
    Column("dissolved_on", "撤销/合并日期"),
    Column("merged_into", "并入"),
    Column("members", "现有人数"),
]


@org.command("list")
@click.option("--tree", is_flag=True, help="按上下级缩进显示。")
@FORMAT_OPTION
@pass_app
def org_list(app: App, tree, fmt) -> None:
    """列出所有组织。

    \b
    例：
      dangjian org list --tree
      dangjian org list --format json
    """
    app.open_db()
    rows: list = org_listing.list_orgs()
    columns = ORG_COLUMNS
    if tree:
        rows = org_listing.org_tree(rows)
        columns = [Column("name", "名称", value=_indented) if c.key == "name" else c for c in ORG_COLUMNS]
    emit(app, View(columns, rows, empty="还没有组织，可用 dangjian org add 新建。", csv_columns=ORG_COLUMNS), fmt)


def _indented(r: org_listing.OrgTreeRow) -> str:
    return "  " * r.depth + ("└ " if r.depth else "") + r.name


@org.command("show")
@click.argument("name")
@FORMAT_OPTION
@pass_app
def org_show(app: App, name, fmt) -> None:
    """显示一个组织的详情、党小组和现有人员。

    \b
    例：
      dangjian org show 机关党支部
    """
    app.open_db()
    info = org_listing.show_org(name)
    emit(app, View(ORG_COLUMNS, [info], payload=info, page=org_page), fmt)


def org_page(info: org_listing.OrgDetail) -> str:
    """`org show` as text."""
    lines = [
        f"{info.name}（编号{info.id}，{ORG_KINDS.label(info.kind)}）",
        f"上级组织：{info.parent or '无'}",
        f"成立日期：{format_date(info.established_on) or '未记录'}",
    ]
    if info.dissolved_on:
        verb = f"并入{info.merged_into}" if info.merged_into else "撤销"
        lines.append(f"{format_date(info.dissolved_on)}起{verb}")
    if info.merged_from:
        lines.append("由以下组织合并而来：" + "、".join(info.merged_from))
    if info.children:
        lines.append("下级组织：" + "、".join(info.children))
    if info.groups:
        lines.append(
            "党小组："
            + "、".join(
                g.name + (f"（{format_date(g.dissolved_on)}撤销）" if g.dissolved_on else "") for g in info.groups
            )
        )
    lines.append(f"现有人员（{len(info.members_now)}人）：" + "、".join(m.name for m in info.members_now))
    return "\n".join(lines)


@org.command("merge")
@click.argument("sources", nargs=-1, required=True)
@click.option("--into", "into", required=True, help="合并后的组织（须已存在，可先用 org add 新建）。")
@click.option("--on", "on", type=DATE, required=True, help="合并日期：当天起新组织生效（不能晚于今天）。")
@click.option(
    "--keep-groups",
    is_flag=True,
    help="原支部的党小组（同名、同组长）连同组员并入新支部；不写则原党小组于合并日撤销，组员暂不分组。",
)
@pass_app
def org_merge(app: App, sources, into, on, keep_groups) -> None:
    """把一个或几个党支部合并到另一个党支部。

    人员连同组织关系历史转入新支部，合并日起属于新支部，不断档也不重叠：合并前已记录的
    合并日以后的转入、转出都接在新支部上。被合并的支部从合并日起不再检查，新支部作为继承者
    承担包含合并日的各期义务。

    \b
    例：
      dangjian org add 机关党支部 --parent 县政府办公室机关党委 --established 2021-07-01
      dangjian org merge 机关第一党支部 机关第二党支部 --into 机关党支部 --on 2021-07-01
      dangjian org merge 机关第一党支部 --into 机关党支部 --on 2021-07-01 --keep-groups
    """
    app.open_db()
    r = orgs.merge_orgs(list(sources), into, on, keep_groups=keep_groups)
    click.echo(f"已于{format_date(r.on)}将" + "、".join(r.sources) + f"并入{r.into}，转入{r.members_moved}人。")


FIELD_LABELS = {
    "name": "名称",
    "established_on": "成立日期",
    "code": "组织代码",
    "village": "村（社区）党组织",
    "leader": "党小组长",
}


def _shown(value: object) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "isoformat"):
        return format_date(value)  # type: ignore[arg-type]
    return str(value)


def _tell_edit(what: str, e: orgs.Edited) -> None:
    if not e.changes:
        click.echo(f"{what}“{e.name}”（编号{e.id}）没有变化。")
        return
    parts = [f"{FIELD_LABELS.get(f, f)}：{_shown(b)} → {_shown(a)}" for f, b, a in e.changes]
    click.echo(f"已更正{what}“{e.name}”（编号{e.id}）：" + "；".join(parts) + "。")


@org.command("edit")
@click.argument("ref", metavar="ORG")
@click.option("--name", help="新名称（与现有组织不能重名）。")
@click.option("--established", type=DATE, help="成立日期（不能晚于今天，也不能晚于它最早的会议或组织关系记录）。")
@click.option("--code", help="组织代码（写空字符串清除）。")
@click.option("--village/--no-village", default=None, help="是否村（社区）党组织（支委会任期5年）。")
@pass_app
def org_edit(app: App, ref, name, established, code, village) -> None:
    """更正组织的名称、成立日期、代码或村（社区）标记：只改写出的项。

    \b
    例：
      dangjian org edit 机关第一党支部 --established 2010-05-01
      dangjian org edit 机关第一党支部 --name 县政府办公室第一党支部 --code 001
    """
    app.open_db()
    _tell_edit("组织", orgs.edit_org(ref, name=name, established_on=established, code=code, village=village))


@org.command("dissolve")
@click.argument("name")
@click.option("--on", "on", type=DATE, required=True, help="撤销日期。")
@pass_app
def org_dissolve(app: App, name, on) -> None:
    """撤销组织（须先转出全部人员）。

    \b
    例：
      dangjian org dissolve 临时党支部 --on 2021-12-31
    """
    app.open_db()
    o = orgs.dissolve_org(name, on)
    click.echo(f"已撤销“{o.name}”，自{format_date(on)}起生效。")


@click.group()
def group() -> None:
    """党小组。"""


@group.command("add")
@click.argument("name")
@click.option("--org", "org_ref", required=True, help="所属党支部。")
@click.option("--leader", help="党小组长（姓名、编号或身份证号）。")
@click.option("--established", type=DATE, help="成立日期（默认与支部相同）。")
@pass_app
def group_add(app: App, name, org_ref, leader, established) -> None:
    """新建党小组。

    \b
    例：
      dangjian group add 第一党小组 --org 机关第一党支部 --leader 王建国
    """
    app.open_db()
    g = orgs.add_group(name, org_ref, leader=leader, established_on=established)
    click.echo(f"已在{g.org_name}新建党小组“{g.name}”（编号{g.id}）。")


@group.command("list")
@click.option("--org", "org_ref", help="只列这个党支部的党小组。")
@FORMAT_OPTION
@pass_app
def group_list(app: App, org_ref, fmt) -> None:
    """列出党小组。

    \b
    例：
      dangjian group list --org 机关党支部
    """
    app.open_db()
    emit(app, View(GROUP_COLUMNS, org_listing.list_groups(org_ref), empty="还没有党小组。"), fmt)


@group.command("edit")
@click.argument("ref", metavar="GROUP")
@click.option("--org", "org_ref", required=True, help="所属党支部。")
@click.option("--name", help="新名称（同一支部内不能重名）。")
@click.option("--leader", help="党小组长（本支部现有人员的姓名、编号或身份证号；写空字符串清除）。")
@pass_app
def group_edit(app: App, ref, org_ref, name, leader) -> None:
    """更正党小组的名称或组长：只改写出的项。

    \b
    例：
      dangjian group edit 第一党小组 --org 机关党支部 --leader 李娜
      dangjian group edit 第一党小组 --org 机关党支部 --name 综合党小组
    """
    app.open_db()
    _tell_edit("党小组", orgs.edit_group(ref, org_ref, name=name, leader=leader))


@group.command("dissolve")
@click.argument("name")
@click.option("--org", "org_ref", required=True, help="所属党支部。")
@click.option("--on", "on", type=DATE, required=True, help="撤销日期：当天起不再要求召开党小组会（不能晚于今天）。")
@pass_app
def group_dissolve(app: App, name, org_ref, on) -> None:
    """撤销党小组：从撤销日起不再检查它的党小组会；组员的组织关系留在支部，暂不分组。

    \b
    例：
      dangjian group dissolve 第二党小组 --org 机关党支部 --on 2021-10-01
    """
    app.open_db()
    g = orgs.dissolve_group(name, org_ref, on)
    click.echo(
        f"已撤销{g.org_name}的党小组“{g.name}”，自{format_date(g.on)}起生效；"
        f"{g.members_moved}名组员留在{g.org_name}，暂不分组。"
    )


GROUP_COLUMNS = [
    Column("id", "编号"),
    Column("name", "党小组"),
    Column("org", "所属支部"),
    Column("leader", "组长"),
    Column("established_on", "成立日期"),
    Column("dissolved_on", "撤销日期"),
    Column("members", "现有人数"),
]


COMMANDS = [org, group]
