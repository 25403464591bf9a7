"""Keeping org and group records true: `demo` only on its own database, `org edit`, `group edit`,
`group dissolve`, `org merge` whatever was recorded around it; refusals write nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SERVER_URL, ok
from support.world import Group, Member, Org, Session, build

from dangjian.store.connection import close_database

# ---------------------------------------------------------------- demo


def _invoke(*args: str):
    from dangjian.cli.main import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    close_database()
    return result


def _counts(run) -> tuple[str, str]:
    """What a database holds, as `org list` and `log` show it."""
    return ok(run("org", "list", "--format", "json")), ok(run("log", "--format", "json"))


@pytest.mark.parametrize("where", ["demo-option", "global-option"])
def test_demo_refuses_a_database_with_real_data(run, target, where):
    build(target, Org("甲支部", established="2020-01-01"), Member("张三", org="甲支部", stage="full"))
    ok(run("org", "add", "乙支部"))
    before = _counts(run)
    args = ("--db", target, "demo") if where == "global-option" else ("demo", "--db", target)
    r = _invoke(*args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert "不是示例自己的数据库" in r.stderr and "dangjian demo --db 新文件名" in r.stderr
    assert r.stdout == ""
    assert _counts(run) == before


def test_demo_refuses_data_written_without_an_audit_trail(run, target):
    build(target, Org("甲支部"), Member("张三", org="甲支部", stage="full"))
    before = ok(run("member", "list", "--format", "json"))
    r = _invoke("demo", "--db", target)
    assert r.exit_code == 2 and "已有数据" in r.stderr
    assert ok(run("member", "list", "--format", "json")) == before


def test_demo_twice_on_its_own_database_and_given_before_the_command(run, target):
    first = _invoke("demo", "--db", target, "--format", "json")
    assert first.exit_code == 0, first.stderr
    again = _invoke("--db", target, "demo", "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["summary"] == json.loads(first.stdout)["summary"]
    assert len(json.loads(ok(run("log", "--format", "json")))) == 1
    ok(run("member", "add", "新人", "--org", "离退休党支部", "--stage", "full", "--since", "2022-03-01"))
    r = _invoke("demo", "--db", target)
    assert r.exit_code == 2 and "member add" in r.stderr


@pytest.mark.skipif(bool(SERVER_URL), reason="files only")
def test_demo_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("会议记录", encoding="utf-8")
    r = _invoke("demo", "--db", str(path))
    assert r.exit_code == 2 and "不是 SQLite 数据库文件" in r.stderr
    assert path.read_text(encoding="utf-8") == "会议记录"
    r = _invoke("demo", "--db", str(tmp_path))
    assert r.exit_code == 2


@pytest.mark.skipif(bool(SERVER_URL), reason="files only")
def test_demo_on_a_new_file(tmp_path):
    r = _invoke("demo", "--db", str(tmp_path / "新.db"))
    assert r.exit_code == 0 and "机关党支部" in r.stdout


# ---------------------------------------------------------------- org edit


def _memberships(target: str, name: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """A person's memberships as (org, group, start, end), in order of start."""
    from dangjian.store.connection import open_database
    from dangjian.store.models import Member as M
    from dangjian.store.models import Membership, Organization, PartyGroup

    open_database(target)
    try:
        rows = (
            Membership.select(Organization.name, PartyGroup.name, Membership.start, Membership.end)
            .join(Organization, on=Membership.org == Organization.id)
            .switch(Membership)
            .join(PartyGroup, pw_join_left(), on=Membership.group == PartyGroup.id)
            .switch(Membership)
            .join(M, on=Membership.member == M.id)
            .where(M.name == name)
            .tuples()
        )
        out = [(o, g, s and str(s)[:10], e and str(e)[:10]) for o, g, s, e in rows]
    finally:
        close_database()
    return sorted(out, key=lambda r: r[2] or "")


def pw_join_left():
    import peewee as pw

    return pw.JOIN.LEFT_OUTER


def _branch(target: str) -> None:
    build(
        target,
        Org("机关党委", kind="committee", established="2010-01-01"),
        Org("机关第一党支部", parent="机关党委", established="2010-05-01"),
        Org("离退休党支部", parent="机关党委", established="2012-06-01"),
        Group("第一党小组", org="机关第一党支部"),
        Group("第二党小组", org="机关第一党支部"),
        Member("王建国", org="机关第一党支部", group="第一党小组", stage="full", since="2015-01-01"),
        Member("李娜", org="机关第一党支部", group="第二党小组", stage="full", since="2015-01-01"),
        Member("林国华", org="离退休党支部", stage="full", since="2015-01-01"),
        Session(org="机关第一党支部", kinds=["theme-day"], on="2021-01-15", all_present=True),
    )


def test_org_edit_changes_only_what_is_given(run, target):
    _branch(target)
    out = ok(run("org", "edit", "机关第一党支部", "--code", "A01", "--village"))
    assert "组织代码：（空） → A01" in out and "是" in out
    out = ok(run("org", "edit", "机关第一党支部", "--name", "县政府第一党支部", "--established", "2010/5/2"))
    assert "县政府第一党支部" in out and "2010年5月2日" in out
    (row,) = [o for o in json.loads(ok(run("org", "list", "--format", "json"))) if o["id"] == 2]
    assert row["name"] == "县政府第一党支部" and row["established_on"] == "2010-05-02"
    ok(run("org", "edit", "县政府第一党支部", "--no-village"))
    log = ok(run("log"))
    assert "org edit" in log and "A01" in log


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--name", "离退休党支部"), "不能重复"),
        (("--established", "2021-02-01"), "晚于它最早的记录"),
        (("--established", "2099-01-01"), "晚于今天"),
        (("--established", "2021-02-30"), ""),
        (("--name", "   "), "不能为空"),
        (("--name", "甲\x00乙"), "空字符"),
        (("--name", "长" * 500), "太长"),
        (("--code", "x" * 60), "太长"),
        ((), "没有给出要更改的内容"),
    ],
)
def test_org_edit_refusals_write_nothing(run, target, args, says):
    _branch(target)
    before = _counts(run)
    r = run("org", "edit", "机关第一党支部", *args)
    assert r.exit_code == 2, (r.stdout, r.stderr, r.exception)
    assert says in r.stderr and "Traceback" not in r.stderr
    assert _counts(run) == before


def test_org_edit_of_an_unknown_org(run, target):
    _branch(target)
    r = run("org", "edit", "不存在的支部", "--code", "1")
    assert r.exit_code == 2 and r.stderr


# ---------------------------------------------------------------- groups


def _findings(run, *args: str) -> list[dict]:
    r = run("check", "--format", "json", *args)
    assert r.exit_code in (0, 1), (r.stdout, r.stderr)
    return json.loads(r.stdout)["findings"]


def test_group_edit_renames_and_sets_the_leader(run, target):
    _branch(target)
    out = ok(
        run("group", "edit", "第一党小组", "--org", "机关第一党支部", "--leader", "王建国", "--name", "综合党小组")
    )
    assert "综合党小组" in out and "王建国" in out
    groups = json.loads(ok(run("group", "list", "--format", "json")))
    (g,) = [g for g in groups if g["id"] == 1]
    assert g["name"] == "综合党小组" and g["leader"] == "王建国"
    before = _counts(run)
    for args, says in (
        (("--name", "第二党小组"), "第二党小组"),
        (("--leader", "林国华"), "林国华"),
        ((), "没有给出"),
    ):
        r = run("group", "edit", "综合党小组", "--org", "机关第一党支部", *args)
        assert r.exit_code == 2 and says in r.stderr, (args, r.stderr)
    assert _counts(run) == before


def test_a_dissolved_group_owes_no_meetings_after_its_day(run, target):
    _branch(target)
    args = ("--year", "2021", "--as-of", "2022-01-31", "--org", "机关第一党支部")

    def owed() -> set[str]:
        return {
            f["period"]
            for f in _findings(run, *args)
            if f["rule"] == "group-meeting-monthly" and f["subject"]["name"] == "第二党小组"
        }

    assert "2021-12" in owed()
    out = ok(run("group", "dissolve", "第二党小组", "--org", "机关第一党支部", "--on", "2021-07-01"))
    assert "1名组员" in out
    left = owed()
    assert "2021-06" in left and not any(p >= "2021-07" for p in left)
    assert _memberships(target, "李娜") == [
        ("机关第一党支部", "第二党小组", "2015-01-01", "2021-07-01"),
        ("机关第一党支部", None, "2021-07-01", None),
    ]
    assert "group dissolve" in ok(run("log"))


@pytest.mark.parametrize(
    ("on", "says"),
    [("2099-01-01", "晚于今天"), ("2021-01-10", "会议记录"), ("2010-05-01", "应在其后"), ("2021-13-01", ""), ("", "")],
)
def test_group_dissolve_refusals_write_nothing(run, target, on, says):
    _branch(target)
    build(target, Session(group="第二党小组", org="机关第一党支部", kinds=["group-meeting"], on="2021-03-20"))
    before = _counts(run)
    r = run("group", "dissolve", "第二党小组", "--org", "机关第一党支部", "--on", on or "2021-03-20")
    assert r.exit_code == 2 and says in r.stderr, (r.stdout, r.stderr)
    assert _counts(run) == before
    ok(run("group", "dissolve", "第二党小组", "--org", "机关第一党支部", "--on", "2021-04-01"))
    r = run("group", "dissolve", "第二党小组", "--org", "机关第一党支部", "--on", "2021-05-01")
    assert r.exit_code == 2 and "已于" in r.stderr


# ---------------------------------------------------------------- merge


def _two_branches(target: str) -> None:
    _branch(target)
    build(
        target,
        Org("机关第二党支部", parent="机关党委", established="2010-05-01"),
        Group("综合党小组", org="机关第二党支部"),
        Member("吴刚", org="机关第二党支部", group="综合党小组", stage="full", since="2015-01-01"),
        Org("机关党支部", parent="机关党委", established="2021-07-01"),
    )


def test_merge_closes_the_groups_without_keep_groups(run, target):
    _two_branches(target)
    out = ok(run("org", "merge", "机关第一党支部", "机关第二党支部", "--into", "机关党支部", "--on", "2021-07-01"))
    assert "转入3人" in out
    assert _memberships(target, "吴刚") == [
        ("机关第二党支部", "综合党小组", "2015-01-01", "2021-07-01"),
        ("机关党支部", None, "2021-07-01", None),
    ]
    groups = {g["name"]: g for g in json.loads(ok(run("group", "list", "--format", "json")))}
    assert groups["综合党小组"]["dissolved_on"] == "2021-07-01"
    assert "org merge" in ok(run("log"))


def test_merge_with_keep_groups_carries_groups_and_their_members(run, target):
    _two_branches(target)
    ok(run("group", "edit", "综合党小组", "--org", "机关第二党支部", "--leader", "吴刚"))
    ok(
        run(
            "org",
            "merge",
            "机关第一党支部",
            "机关第二党支部",
            "--into",
            "机关党支部",
            "--on",
            "2021-07-01",
            "--keep-groups",
        )
    )
    assert _memberships(target, "吴刚")[-1] == ("机关党支部", "综合党小组", "2021-07-01", None)
    assert _memberships(target, "李娜")[-1] == ("机关党支部", "第二党小组", "2021-07-01", None)
    carried = json.loads(ok(run("group", "list", "--org", "机关党支部", "--format", "json")))
    assert {g["name"]: g["leader"] for g in carried} == {"第一党小组": None, "第二党小组": None, "综合党小组": "吴刚"}
    assert {g["name"]: g["members"] for g in carried} == {"第一党小组": 1, "第二党小组": 1, "综合党小组": 1}


def test_a_merge_recorded_after_a_later_transfer_strands_nobody(run, target):
    _two_branches(target)
    ok(run("member", "transfer", "李娜", "--to", "离退休党支部", "--on", "2021-09-01"))
    ok(run("org", "merge", "机关第一党支部", "--into", "机关党支部", "--on", "2021-07-01"))
    assert _memberships(target, "李娜") == [
        ("机关第一党支部", "第二党小组", "2015-01-01", "2021-07-01"),
        ("机关党支部", None, "2021-07-01", "2021-09-01"),
        ("离退休党支部", None, "2021-09-01", None),
    ]
    assert _memberships(target, "王建国")[-1] == ("机关党支部", None, "2021-07-01", None)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--on", "2099-07-01"), "晚于今天"),
        (("--on", "2021-06-30"), "尚未成立"),
        (("--on", "2021-01-01", "--into", "离退休党支部"), "会议记录"),
        (("--on", "2021-07-01", "--into", "机关党委"), "党委"),
        (("--on", "2021-07-01", "--into", "机关第一党支部"), "它自己"),
        (("--on", "2021-07-01", "--into", "甲\x00"), ""),
    ],
)
def test_merge_refusals_write_nothing(run, target, args, says):
    _two_branches(target)
    before = _counts(run)
    opts = list(args)
    if "--into" not in opts:
        opts += ["--into", "机关党支部"]
    r = run("org", "merge", "机关第一党支部", *opts)
    assert r.exit_code == 2 and says in r.stderr, (r.stdout, r.stderr)
    assert _counts(run) == before


def test_merge_keep_groups_refuses_a_name_clash(run, target):
    _two_branches(target)
    build(target, Group("第一党小组", org="机关党支部", established="2021-07-01"))
    before = _counts(run)
    r = run("org", "merge", "机关第一党支部", "--into", "机关党支部", "--on", "2021-07-01", "--keep-groups")
    assert r.exit_code == 2 and "第一党小组" in r.stderr
    assert _counts(run) == before
