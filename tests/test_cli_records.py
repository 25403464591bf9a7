"""Recording a branch from the command line: orgs, groups, members, sessions, and bad input."""

from __future__ import annotations

import json

import pytest
from conftest import ok
from support.world import Group, Member, Org, build


@pytest.fixture
def branch(run):
    build(
        run.target,
        Org("县政府办公室机关党委", kind="党委", established="2010-03-01"),
        Org("机关第一党支部", parent="县政府办公室机关党委", established="2010-05-01"),
        Group("第一党小组", org="机关第一党支部"),
        Member(
            "王建国",
            org="机关第一党支部",
            group="第一党小组",
            joined="1996-06-20",
            full_since="1997-06-20",
            gender="男",
            id_number="110105194912310011",
            phone="13912345678",
        ),
        Member("李娜", org="机关第一党支部", joined="2008-06-26", full_since="2009-06-26"),
        Member("郭芳", org="机关第一党支部", stage="预备党员", joined="2020-11-20"),
        Member("韩雪", org="机关第一党支部", stage="入党积极分子"),
    )
    return run


def as_json(result):
    return json.loads(ok(result))


def test_org_list_tree_and_json(branch):
    out = ok(branch("org", "list", "--tree"))
    assert "县政府办公室机关党委" in out and "└ 机关第一党支部" in out
    rows = as_json(branch("org", "list", "--format", "json"))
    first = next(r for r in rows if r["name"] == "机关第一党支部")
    assert first["kind"] == "branch" and first["parent"] == "县政府办公室机关党委"
    assert first["established_on"] == "2010-05-01" and first["members"] == 4


def test_member_list_masks_private_data_unless_asked(branch):
    out = ok(branch("member", "list"))
    assert "110105********0011" in out and "139****5678" in out
    assert "110105194912310011" not in out
    rows = as_json(branch("--show-private", "member", "list", "--format", "json"))
    wang = next(r for r in rows if r["name"] == "王建国")
    assert wang["id_number"] == "110105194912310011" and wang["phone"] == "13912345678"
    assert wang["birth_date"] == "1949-12-31" and wang["gender"] == "male"
    assert wang["group"] == "第一党小组" and wang["stage"] == "full"
    csv_out = ok(branch("member", "list", "--format", "csv"))
    assert csv_out.startswith("\ufeffid,name,")
    assert "110105********0011" in csv_out


def test_member_list_filters_by_stage_in_chinese(branch):
    rows = as_json(branch("member", "list", "--stage", "预备党员", "--format", "json"))
    assert [r["name"] for r in rows] == ["郭芳"]


def test_table_aligns_chinese_text(branch):
    from wcwidth import wcswidth

    out = ok(branch("member", "list"))
    header, _, *rows = [line for line in out.splitlines() if line.strip()]
    column = wcswidth(header[: header.index("类别")])
    labels = ("正式党员", "预备党员", "入党积极分子")
    for line in rows:
        label = next(lb for lb in labels if lb in line)
        assert wcswidth(line[: line.index(label)]) == column, line


def test_session_add_with_attendance_and_show(branch):
    out = ok(
        branch(
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党员大会",
            "--kind",
            "party-lecture",
            "--on",
            "2021年3月5日",
            "--topic",
            "学习党史",
            "--host",
            "王建国",
            "--recorder",
            "李娜",
            "--lecturer",
            "市委党校刘教授",
            "--all-present",
            "--leave",
            "李娜：出差",
            "--hours",
            "2",
        )
    )
    assert "应到3人，出席2人，请假1人，缺席0人" in out
    info = as_json(branch("session", "show", "1", "--format", "json"))
    assert info["kinds"] == ["general-meeting", "party-lecture"]
    assert info["lecturer"] == "市委党校刘教授" and info["host"] == "王建国"
    assert info["held_on"] == "2021-03-05" and info["hours"] == 2
    att = {a["name"]: (a["status"], a["reason"]) for a in info["attendance"]}
    assert att == {"王建国": ("present", None), "李娜": ("leave", "出差"), "郭芳": ("present", None)}
    table = ok(branch("session", "show", "1"))
    assert "2021年3月5日" in table and "支部党员大会、党课" in table


def test_activist_may_attend_but_is_never_expected(branch):
    out = ok(
        branch(
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "主题党日",
            "--on",
            "2021-03-15",
            "--all-present",
            "--present",
            "韩雪",
        )
    )
    assert "应到3人，出席4人" in out


def test_probationary_member_is_not_on_the_roster_before_admission(branch):
    out = ok(
        branch("session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2020-03-15", "--all-present")
    )
    assert "应到2人" in out


def test_session_list_filters(branch):
    ok(branch("session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-03-15"))
    ok(
        branch(
            "session", "add", "--group", "第一党小组", "--kind", "党小组会", "--on", "2021-03-20", "--present", "王建国"
        )
    )
    rows = as_json(branch("session", "list", "--kind", "党小组会", "--format", "json"))
    assert [(r["group"], r["present"]) for r in rows] == [("第一党小组", 1)]
    rows = as_json(branch("session", "list", "--from", "2021-03-16", "--format", "json"))
    assert len(rows) == 1
    assert "主题党日" in ok(branch("session", "list"))


def test_transfer_keeps_history_and_moves_roster(branch):
    ok(branch("org", "add", "离退休党支部", "--parent", "县政府办公室机关党委", "--established", "2012-06-01"))
    out = ok(branch("member", "transfer", "李娜", "--to", "离退休党支部", "--on", "2021-09-01"))
    assert "李娜已于2021年9月1日由机关第一党支部转入离退休党支部" in out
    info = as_json(branch("member", "show", "李娜", "--format", "json"))
    assert [(m["org"], m["start"], m["end"]) for m in info["memberships"]] == [
        ("机关第一党支部", None, "2021-09-01"),
        ("离退休党支部", "2021-09-01", None),
    ]
    # before the transfer she belongs to the first branch, after it she does not
    ok(
        branch(
            "session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-08-31", "--present", "李娜"
        )
    )
    bad = branch(
        "session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-09-01", "--present", "李娜"
    )
    assert bad.exit_code == 2 and "不属于机关第一党支部" in bad.stderr


def test_transfer_out_ends_membership(branch):
    ok(branch("member", "transfer", "郭芳", "--out", "--on", "2021-10-15", "--note", "调往市财政局"))
    names = [r["name"] for r in as_json(branch("member", "list", "--format", "json"))]
    assert "郭芳" not in names
    names = [r["name"] for r in as_json(branch("member", "list", "--all", "--format", "json"))]
    assert "郭芳" in names


def test_merge_moves_members_and_dissolves_groups(branch):
    ok(branch("org", "add", "机关第二党支部", "--parent", "县政府办公室机关党委", "--established", "2010-05-01"))
    ok(branch("member", "add", "吴刚", "--org", "机关第二党支部"))
    ok(branch("org", "add", "机关党支部", "--parent", "县政府办公室机关党委", "--established", "2021-07-01"))
    out = ok(branch("org", "merge", "机关第一党支部", "机关第二党支部", "--into", "机关党支部", "--on", "2021-07-01"))
    assert "转入5人" in out
    rows = {r["name"]: r for r in as_json(branch("org", "list", "--format", "json"))}
    assert rows["机关第一党支部"]["merged_into"] == "机关党支部"
    assert rows["机关第一党支部"]["dissolved_on"] == "2021-07-01"
    assert rows["机关党支部"]["members"] == 5
    groups = as_json(branch("group", "list", "--format", "json"))
    assert groups[0]["dissolved_on"] == "2021-07-01"
    # a session for a merged branch after the merge date is refused
    bad = branch("session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-07-02")
    assert bad.exit_code == 2 and "已合并" in bad.stderr
    shown = ok(branch("org", "show", "机关党支部"))
    assert "机关第一党支部、机关第二党支部" in shown


def test_dissolve_requires_members_to_be_moved_first(branch):
    bad = branch("org", "dissolve", "机关第一党支部", "--on", "2021-12-31")
    assert bad.exit_code == 2 and "member transfer" in bad.stderr
    ok(branch("org", "add", "临时党支部", "--parent", "县政府办公室机关党委", "--established", "2021-01-01"))
    ok(branch("org", "dissolve", "临时党支部", "--on", "2021-12-31"))
    # the name is free again once the org is dissolved
    ok(branch("org", "add", "临时党支部", "--parent", "县政府办公室机关党委", "--established", "2022-01-01"))
    bad = branch("org", "show", "临时党支部")
    assert bad.exit_code == 0  # the live one wins


def snapshot(run):
    """Every table, row for row, read through the CLI's JSON and the models."""
    from dangjian.store.connection import close_database, open_database
    from dangjian.store.models import MODELS

    open_database(run.target)
    data = {m.__name__: sorted(map(repr, m.select().tuples())) for m in MODELS}
    close_database()
    return data


BAD_INPUT = [
    (["org", "add", "新支部", "--established", "2021-02-30"], "2021年2月只有28天"),
    (["org", "add", "新支部", "--kind", "小组"], "branch（党支部）"),
    (["org", "add", "机关第一党支部"], "不能重复"),
    (["org", "add", "新支部", "--parent", "不存在的党委"], "没有名为“不存在的党委”的组织"),
    (["member", "add", "张三", "--org", "机关第一党支部", "--id-number", "110105194912310012"], "校验位"),
    (["member", "add", "张三", "--org", "机关第一党支部", "--id-number", "110105194912310011"], "不能重复登记"),
    (["member", "add", "张三", "--org", "机关第一党支部", "--group", "第九党小组"], "没有名为“第九党小组”的党小组"),
    (["member", "add", "张三", "--org", "机关第一党支部", "--birth", "yesterday"], "无法识别"),
    (
        ["member", "add", "张三", "--org", "机关第一党支部", "--joined", "2021-01-01", "--full-since", "2020-01-01"],
        "早于入党日期",
    ),
    (["member", "add", "张三", "--org", "机关第一党支部", "--phone", "12345"], "电话号码"),
    (["member", "show", "不存在的人"], "没有找到党员“不存在的人”"),
    (["member", "transfer", "王建国", "--to", "不存在的支部", "--on", "2021-01-01"], "没有名为"),
    (
        ["session", "add", "--org", "机关第一党支部", "--kind", "茶话会", "--on", "2021-03-05"],
        "general-meeting（支部党员大会）",
    ),
    (["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2009-03-05"], "尚未成立"),
    (["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-02-29"], "只有28天"),
    (
        [
            "session",
            "add",
            "--org",
            "县政府办公室机关党委",
            "--group",
            "第一党小组",
            "--kind",
            "党小组会",
            "--on",
            "2021-03-05",
        ],
        "不是县政府办公室机关党委的党小组",
    ),
    (
        ["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-03-05", "--present", "赵六"],
        "不属于机关第一党支部",
    ),
    (
        [
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党课",
            "--on",
            "2021-03-05",
            "--absent",
            "王建国",
            "--present",
            "王建国",
        ],
        "同时被记为",
    ),
    (["session", "add", "--org", "机关第一党支部", "--kind", "党小组会", "--on", "2021-03-05"], "--group"),
    (
        [
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "组织生活会",
            "--on",
            "2021-03-05",
            "--for-year",
            "2019",
        ],
        "所属年度2019不对",
    ),
    (
        ["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-03-05", "--hours", "两小时"],
        "学时",
    ),
    (
        [
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党课",
            "--on",
            "2021-03-05",
            "--minutes",
            "/nonexistent.txt",
        ],
        "不存在",
    ),
    (["session", "show", "999"], "没有编号为999的会议记录"),
    (["check", "--year", "2021", "--from", "2021-01-01"], "只能选一种"),
    (["check", "--org", "不存在"], "没有名为"),
    (["org", "merge", "机关第一党支部", "--into", "机关第一党支部", "--on", "2021-07-01"], "不能合并到它自己"),
]


@pytest.mark.parametrize(
    "args,fragment", BAD_INPUT, ids=[" ".join(a[:2]) + f"-{i}" for i, (a, _) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_one_sentence_exit_2_and_nothing_written(branch, args, fragment):
    before = snapshot(branch)
    result = branch(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert fragment in result.stderr
    assert result.stderr.startswith("错误：") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(branch) == before


def test_ambiguous_name_lists_candidates_with_ids_and_orgs(branch):
    ok(branch("org", "add", "离退休党支部", "--parent", "县政府办公室机关党委"))
    ok(branch("member", "add", "李娜", "--org", "离退休党支部"))
    bad = branch("member", "show", "李娜")
    assert bad.exit_code == 2
    assert "名为“李娜”的人有2个" in bad.stderr and "编号2（机关第一党支部）" in bad.stderr
    assert "（离退休党支部）" in bad.stderr
    # within a session the name is resolved among the org's own members, so it is not ambiguous there
    ok(branch("session", "add", "--org", "离退休党支部", "--kind", "党课", "--on", "2021-03-05", "--present", "李娜"))


def test_usage_errors_are_one_line_exit_2(branch):
    r = branch("session", "add", "--org", "机关第一党支部", "--on", "2021-03-05")
    assert r.exit_code == 2 and r.stderr.startswith("错误：") and r.stderr.count("\n") == 1
    assert "--kind" in r.stderr
    r = branch("nonsense")
    assert r.exit_code == 2 and "没有这个命令" in r.stderr


def test_every_command_has_help_with_an_example(run):
    import click

    from dangjian.cli.main import cli

    ctx = click.Context(cli)

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), path + [name])
        else:
            yield path

    paths = list(walk(cli, []))
    assert {p[0] for p in paths} >= {"org", "group", "member", "session", "check", "rules", "demo"}
    assert len(paths) >= 20
    for path in paths:
        r = run(*path, "--help")
        assert r.exit_code == 0, path
        assert "例：" in r.stdout, f"{' '.join(path)} --help has no example"
