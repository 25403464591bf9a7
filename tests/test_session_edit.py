"""Mending session records through the command line: `session edit`, `session delete`, a repeated
`session add` refused unless `--again`, a future date refused, and `session list --member`.

Every refusal exits 2 with one sentence on stderr and writes nothing.
"""

from __future__ import annotations

import json

import pytest
from conftest import ok
from support.world import Group, Member, Org, Session, Step, build

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import MODELS


def snapshot(target: str) -> dict[str, list[str]]:
    open_database(target)
    data = {m.__name__: sorted(map(repr, m.select().tuples())) for m in MODELS if m.__name__ != "SchemaVersion"}
    close_database()
    return data


def refused(run, args, fragment: str) -> str:
    before = snapshot(run.target)
    result = run(*args)
    assert result.exit_code == 2, (args, result.exit_code, result.stdout, result.stderr, result.exception)
    assert fragment in result.stderr, (fragment, result.stderr)
    assert "内部错误" not in result.stderr, result.stderr
    assert snapshot(run.target) == before
    return result.stderr


@pytest.fixture
def branch(run):
    """A branch of three: 王建国 and 李娜 full members, 刘洋 an applicant; 张伟 joins on 2024-03-10.
    Session 1 (2024-03-05, 党员大会) has the roster present; session 2 is a group's."""
    build(
        run.target,
        Org("第一党支部", established="2010-01-01"),
        Group("第一党小组", org="第一党支部"),
        Member(
            "王建国", org="第一党支部", group="第一党小组", stage="full", joined="2000-07-01", full_since="2001-07-01"
        ),
        Member("李娜", org="第一党支部", stage="full", joined="2005-07-01", full_since="2006-07-01"),
        Member("刘洋", org="第一党支部", stage="applicant"),
        Member(
            "张伟", org="第一党支部", stage="full", joined="2005-07-01", full_since="2006-07-01", since="2024-03-10"
        ),
        Session(org="第一党支部", kinds=["general-meeting"], on="2024-03-05", all_present=True, topic="学习党章"),
        Session(group="第一党小组", kinds=["group-meeting"], on="2024-03-12", all_present=True),
    )
    return run


def show(run, sid: int) -> dict:
    return json.loads(ok(run("session", "show", str(sid), "--format", "json")))


def statuses(run, sid: int) -> dict[str, tuple[str | None, str | None]]:
    return {a["name"]: (a["status"], a["reason"]) for a in show(run, sid)["attendance"]}


# ---------------------------------------------------------------- edit


def test_edit_changes_only_what_is_given(branch):
    out = ok(branch("session", "edit", "1", "--on", "2024-03-06", "--hours", "2"))
    assert (
        out == "已修改会议#1的日期、学时：2024年3月6日 第一党支部 支部党员大会；应到2人，出席2人，请假0人，缺席0人。\n"
    )
    info = show(branch, 1)
    assert (info["held_on"], float(info["hours"]), info["topic"], info["kinds"]) == (
        "2024-03-06",
        2.0,
        "学习党章",
        ["general-meeting"],
    )


def test_edit_kind_replaces_the_kinds(branch):
    ok(branch("session", "edit", "1", "--kind", "党课", "--kind", "主题党日"))
    assert show(branch, 1)["kinds"] == ["party-lecture", "theme-day"]


def test_edit_attendance_sets_those_named_and_keeps_the_others(branch):
    out = ok(branch("session", "edit", "1", "--leave", "李娜:出差", "--present", "刘洋"))
    assert "出勤（2人）" in out
    assert statuses(branch, 1) == {
        "王建国": ("present", None),
        "李娜": ("leave", "出差"),
        "刘洋": ("present", None),
    }


def test_edit_with_nothing_new_says_so_and_writes_nothing(branch):
    before = snapshot(branch.target)
    out = ok(branch("session", "edit", "1", "--topic", "学习党章"))
    assert out.startswith("会议#1没有变化")
    assert snapshot(branch.target) == before


def test_edit_an_empty_text_clears_it(branch):
    ok(branch("session", "edit", "1", "--topic", ""))
    assert show(branch, 1)["topic"] is None


def test_a_new_date_is_checked_against_that_days_roster(branch):
    # 张伟 belongs from 2024-03-10: recorded at a later meeting, it cannot move before that day
    ok(branch("session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-03-15", "--all-present"))
    err = refused(branch, ["session", "edit", "3", "--on", "2024-03-08"], "张伟在2024年3月8日不属于第一党支部")
    assert "（--on）" in err and err.count("\n") == 1
    ok(branch("session", "edit", "3", "--on", "2024-03-11"))


def test_naming_someone_who_did_not_belong_that_day_is_refused(branch):
    refused(branch, ["session", "edit", "1", "--present", "张伟"], "“张伟”在2024年3月5日不属于第一党支部")


def test_edit_into_a_copy_of_another_session_is_refused_unless_again(branch):
    ok(branch("session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-03-05"))
    refused(branch, ["session", "edit", "3", "--kind", "党员大会"], "已记录为会议#1")
    ok(branch("session", "edit", "3", "--kind", "党员大会", "--again"))


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--on", "2099-01-01"], "晚于今天"),
        (["--hours", "NaN"], "学时"),
        (["--hours", "²"], "学时"),
        (["--hours", "25"], "学时"),
        (["--topic", "学\x00习"], "空字符"),
        (["--topic", "长" * 201], "太长"),
        (["--for-year", "²"], "所属年度"),
        (["--for-year", "2020"], "所属年度2020不对"),
        (["--kind", "茶话会"], "茶话会"),
        (["--kind", "党小组会"], "党小组会须写明是哪个党小组"),
        (["--group", "第九党小组"], "第九党小组"),
        (["--host", "²"], "没有找到主持人“²”"),
        (["--leave", "李娜:" + "长" * 201], "原因"),
        (["--present", "不存在的人"], "不存在的人"),
        ([], "没有给出要改的项目"),
    ],
)
def test_refused_edits_write_nothing(branch, args, fragment):
    err = refused(branch, ["session", "edit", "1", *args], fragment)
    assert err.count("\n") == 1


@pytest.mark.parametrize("ref", ["99", "²", "abc", "#\x00"])
def test_edit_or_delete_of_an_unknown_session_is_refused(branch, ref):
    refused(branch, ["session", "edit", ref, "--topic", "x"], "会议")
    refused(branch, ["session", "delete", ref], "会议")


def test_log_shows_the_edit_with_before_and_after(branch):
    ok(branch("session", "edit", "1", "--on", "2024-03-06", "--leave", "李娜:病假"))
    (entry,) = json.loads(ok(branch("log", "--format", "json")))
    assert entry["action"] == "session edit"
    changes = {(c["entity"], c["op"]): c for c in entry["changes"]["changes"]}
    (row,) = changes[("session", "update")]["rows"]
    assert row["before"]["held_on"] == "2024-03-05" and row["after"]["held_on"] == "2024-03-06"
    (row,) = changes[("attendance", "update")]["rows"]
    assert (row["before"]["status"], row["after"]["status"], row["after"]["reason"]) == ("present", "leave", "病假")
    assert "修改会议" in ok(branch("log"))


# ---------------------------------------------------------------- delete


def test_delete_removes_the_session_and_its_attendance(branch):
    out = ok(branch("session", "delete", "1"))
    assert out == "已删除会议#1（2024年3月5日 第一党支部 支部党员大会 学习党章），出勤记录2条。\n"
    assert branch("session", "show", "1").exit_code == 2
    open_database(branch.target)
    from dangjian.store.models import Attendance, SessionKind

    assert Attendance.select().where(Attendance.session == 1).count() == 0
    assert SessionKind.select().where(SessionKind.session == 1).count() == 0
    close_database()
    (entry,) = json.loads(ok(branch("log", "--format", "json")))
    deleted = {c["entity"] for c in entry["changes"]["changes"] if c["op"] == "delete"}
    assert deleted == {"session", "session_kind", "attendance"}


def test_delete_of_a_group_session_names_the_group(branch):
    out = ok(branch("session", "delete", "2"))
    assert out == "已删除会议#2（2024年3月12日 第一党支部第一党小组 党小组会），出勤记录1条。\n"


def test_delete_is_refused_while_a_development_step_cites_the_session(run):
    build(
        run.target,
        Org("第一党支部", established="2010-01-01"),
        Member("王建国", org="第一党支部", stage="full", joined="2000-07-01", full_since="2001-07-01"),
        Member("刘洋", org="第一党支部", steps=(Step("applied", "2023-01-05"),)),
        Session(org="第一党支部", kinds=["committee-meeting"], on="2024-03-05", all_present=True),
    )
    ok(run("member", "record", "刘洋", "activist", "--on", "2024-03-05", "--session", "1"))
    err = refused(run, ["session", "delete", "1"], "会议#1是刘洋“")
    assert "不能删除" in err and "2024年3月5日" in err
    # nor does it move away from the step's day
    err = refused(run, ["session", "edit", "1", "--on", "2024-03-06"], "会议#1是刘洋“")
    assert "不一致" in err and "（--on）" in err
    ok(run("session", "edit", "1", "--topic", "确定入党积极分子"))


# ---------------------------------------------------------------- never twice, never ahead


def test_the_same_session_twice_is_refused_unless_again(branch):
    args = ["session", "add", "--org", "第一党支部", "--kind", "党员大会", "--on", "2024-03-05", "--all-present"]
    err = refused(branch, args, "第一党支部2024年3月5日的支部党员大会已记录为会议#1")
    assert "（--again）" in err
    assert ok(branch(*args, "--again")).startswith("已记录会议（编号3）")
    # another kind the same day, or the same kind for the group, is another session
    ok(branch("session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-03-05"))
    refused(
        branch,
        ["session", "add", "--group", "第一党小组", "--kind", "党小组会", "--on", "2024-03-12"],
        "已记录为会议#2",
    )


def test_a_session_after_today_is_refused(branch):
    err = refused(branch, ["session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2099-07-01"], "晚于今天")
    assert "（--on）" in err


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--hours", "NaN"], "学时"),
        (["--hours", "²"], "学时"),
        (["--topic", "学\x00习"], "空字符"),
        (["--topic", "长" * 201], "太长"),
    ],
)
def test_hostile_values_to_add_exit_2(branch, extra, fragment):
    refused(branch, ["session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-04-01", *extra], fragment)


# ---------------------------------------------------------------- what a person attended


def test_list_member_shows_status_and_reason(branch):
    ok(branch("session", "edit", "1", "--leave", "李娜:出差"))
    ok(branch("session", "edit", "2", "--present", "刘洋"))
    rows = json.loads(ok(branch("session", "list", "--member", "李娜", "--format", "json")))
    assert rows == [
        {
            "session_id": 1,
            "held_on": "2024-03-05",
            "org": "第一党支部",
            "group": None,
            "kinds": ["general-meeting"],
            "topic": "学习党章",
            "status": "leave",
            "reason": "出差",
            "expected": True,
        }
    ]
    table = ok(branch("session", "list", "--member", "刘洋"))
    assert "列席" in table and "党小组会" in table
    csv = ok(branch("session", "list", "--member", "王建国", "--format", "csv"))
    assert csv.splitlines()[0] == "\ufeffsession_id,held_on,org,group,kinds,topic,status,expected,reason"
    assert len(csv.splitlines()) == 3
    assert ok(branch("session", "list", "--member", "张伟")).strip() == "没有此人的出勤记录。"


def test_list_member_of_nobody_is_refused(branch):
    refused(branch, ["session", "list", "--member", "²"], "没有找到党员“²”")


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("command", ["edit", "delete", "list", "add"])
def test_help_has_an_example(run, command):
    out = ok(run("session", command, "--help"))
    assert f"dangjian session {command}" in out.split("例：", 1)[1]
