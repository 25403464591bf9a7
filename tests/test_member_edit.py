"""Mending a member's record from the command line: no namesakes by accident, no dates after today,
edit, unrecord, status, a member who comes back, group moves, merged successors, the roster on a day
and what a person attended. A refused command writes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ok
from support.world import Group, Member, Org, Session, Step, build

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import AuditEntry, MemberEvent, Membership
from dangjian.store.models import Member as MemberRow

TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def branch(run):
    build(
        run.target,
        Org("机关党委", kind="党委", established="2010-01-01"),
        Org("机关第一党支部", parent="机关党委", established="2010-01-01"),
        Org("机关第二党支部", parent="机关党委", established="2010-01-01"),
        Group("第一党小组", org="机关第一党支部"),
        Group("第二党小组", org="机关第一党支部"),
        Member("王建国", org="机关第一党支部", group="第一党小组", joined="1996-06-20", full_since="1997-06-20"),
        Member("李娜", org="机关第一党支部", joined="2008-06-26", full_since="2009-06-26"),
        Member(
            "刘佳",
            org="机关第一党支部",
            birth="1995-01-01",
            steps=(
                Step("applied", "2019-03-05"),
                Step("activist", "2019-09-01"),
                Step("assessed", "2020-03-01"),
                Step("assessed", "2020-09-01"),
                Step("candidate", "2021-03-01"),
            ),
        ),
        Member("严二", org="机关第二党支部", joined="2000-07-01", full_since="2001-07-01"),
        Session(org="机关第一党支部", kinds=["theme-day"], on="2021-01-15", all_present=True),
        Session(
            org="机关第一党支部",
            kinds=["general-meeting"],
            on="2021-04-10",
            present=["王建国"],
            leave=[("李娜", "出差")],
        ),
        Session(org="机关第一党支部", kinds=["party-lecture"], on="2022-05-10", absent=["王建国"]),
    )
    return run


def fails(result, *words: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    for w in words:
        assert w in result.stderr, (w, result.stderr)
    return result.stderr


def snapshot(target: str) -> tuple:
    open_database(target)
    try:
        return (
            sorted(MemberRow.select().tuples()),
            sorted(Membership.select().tuples()),
            sorted(MemberEvent.select(MemberEvent.id, MemberEvent.event, MemberEvent.on).tuples()),
            AuditEntry.select().count(),
        )
    finally:
        close_database()


def show(run, ref: str) -> dict:
    return json.loads(ok(run("member", "show", ref, "--format", "json")))


# ---------------------------------------------------------------- member add


def test_same_name_in_the_same_branch_is_refused_unless_said(branch):
    before = snapshot(branch.target)
    err = fails(branch("member", "add", "李娜", "--org", "机关第一党支部", "--since", "2024-01-01"), "李娜", "编号2")
    assert "--same-name" in err
    assert snapshot(branch.target) == before
    out = ok(branch("member", "add", "李娜", "--org", "机关第一党支部", "--since", "2024-01-01", "--same-name"))
    assert "李娜" in out
    # another branch may have a 李娜 of its own
    ok(branch("member", "add", "李娜", "--org", "机关第二党支部", "--since", "2024-01-01"))


def test_since_is_required_once_the_branch_has_sessions(branch):
    before = snapshot(branch.target)
    fails(branch("member", "add", "新人", "--org", "机关第一党支部"), "2021年1月15日", "转入日期")
    assert snapshot(branch.target) == before
    ok(branch("member", "add", "新人", "--org", "机关第一党支部", "--since", "2024-01-01"))
    # a branch without sessions: no date means "has always belonged"
    ok(branch("member", "add", "新人二", "--org", "机关第二党支部"))
    assert "--since" in ok(branch("member", "add", "--help")) and "已有会议记录" in ok(
        branch("member", "add", "--help")
    )


def test_facts_after_today_are_refused(branch):
    before = snapshot(branch.target)
    fails(branch("member", "add", "新人", "--org", "机关第二党支部", "--birth", TOMORROW), "出生日期", "晚于今天")
    fails(branch("member", "record", "刘佳", "admitted", "--on", TOMORROW), "晚于今天")
    fails(branch("member", "transfer", "李娜", "--to", "机关第二党支部", "--on", TOMORROW), "晚于今天")
    fails(branch("member", "status", "李娜", "deceased", "--on", TOMORROW), "晚于今天")
    fails(branch("member", "edit", "李娜", "--birth", TOMORROW), "晚于今天")
    assert snapshot(branch.target) == before


# ---------------------------------------------------------------- edit


def test_edit_changes_only_what_is_given_and_is_logged(branch):
    out = ok(branch("member", "edit", "李娜", "--phone", "13912345678", "--unit", "县财政局"))
    assert "139****5678" in out and "县财政局" in out
    info = show(branch, "李娜")
    assert info["unit"] == "县财政局" and info["joined_on"] == "2008-06-26" and info["phone"] == "139****5678"
    ok(branch("member", "edit", "李娜", "--id-number", "110105194912310011"))
    info = show(branch, "李娜")
    assert info["birth_date"] == "1949-12-31" and info["gender"] == "male"
    log = ok(branch("log"))
    assert "member edit" in log or "李娜" in log


def test_edit_is_refused_through_the_same_policies(branch):
    ok(branch("member", "edit", "王建国", "--id-number", "110105194912310011"))
    before = snapshot(branch.target)
    fails(branch("member", "edit", "李娜", "--id-number", "110105194912310011"), "已登记", "王建国")
    fails(branch("member", "edit", "李娜", "--id-number", "110105194912310012"))
    fails(branch("member", "edit", "李娜", "--full-since", "2001-01-01"), "早于入党日期")
    fails(branch("member", "edit", "李娜", "--name", "王建国"), "编号1")
    fails(branch("member", "edit", "李娜", "--name", "甲\x00乙"), "空字符")
    fails(branch("member", "edit", "李娜", "--unit", "长" * 500), "太长")
    fails(branch("member", "edit", "刘佳", "--joined", "2020-01-01"), "入党日期")
    fails(branch("member", "edit", "李娜", "--birth", "2010-01-01"), "早于出生日期")
    assert snapshot(branch.target) == before


# ---------------------------------------------------------------- unrecord


def test_unrecord_with_and_without_on(branch):
    before = snapshot(branch.target)
    err = fails(branch("member", "unrecord", "刘佳", "assessed"), "2020年3月1日", "2020年9月1日", "--on")
    fails(branch("member", "unrecord", "刘佳", "assessed", "--on", "2020-05-01"), "2020年3月1日")
    fails(branch("member", "unrecord", "刘佳", "admitted"), "没有")
    assert err and snapshot(branch.target) == before
    ok(branch("member", "unrecord", "刘佳", "培养考察", "--on", "2020-09-01"))
    events = [(e["event"], e["on"]) for e in show(branch, "刘佳")["events"]]
    assert ("assessed", "2020-03-01") in events and ("assessed", "2020-09-01") not in events
    out = ok(branch("member", "unrecord", "刘佳", "candidate"))
    assert "入党积极分子" in out
    assert show(branch, "刘佳")["stage"] == "activist"


def test_unrecord_admitted_and_converted_follow_the_steps_that_remain(branch):
    for step, on in (("admitted", "2021-07-01"), ("converted", "2022-07-05")):
        ok(branch("member", "record", "刘佳", step, "--on", on))
    info = show(branch, "刘佳")
    assert info["stage"] == "full" and info["full_since"] == "2022-07-01"
    ok(branch("member", "unrecord", "刘佳", "converted"))
    info = show(branch, "刘佳")
    assert info["stage"] == "probationary" and info["full_since"] is None and info["joined_on"] == "2021-07-01"
    ok(branch("member", "unrecord", "刘佳", "admitted"))
    info = show(branch, "刘佳")
    assert info["stage"] == "candidate" and info["joined_on"] is None


# ---------------------------------------------------------------- status


def test_a_member_who_died_is_on_no_roster_and_check_no_longer_expects_them(branch):
    ok(branch("member", "record", "刘佳", "admitted", "--on", "2021-07-01"))
    due = json.loads(ok(branch("timeline", "--format", "json")))
    assert any(t["member"]["name"] == "刘佳" for t in due)
    out = ok(branch("member", "status", "王建国", "去世", "--on", "2022-01-10", "--note", "病故"))
    assert "2022年1月10日" in out and "机关第一党支部" in out
    assert "王建国" not in ok(branch("member", "list"))
    names = [
        r["name"]
        for r in json.loads(
            ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2022-02-01", "--format", "json"))
        )
    ]
    assert "王建国" not in names and "李娜" in names
    names = [
        r["name"]
        for r in json.loads(
            ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2021-12-31", "--format", "json"))
        )
    ]
    assert "王建国" in names
    # a session after the death cannot count him
    fails(
        branch(
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "theme-day",
            "--on",
            "2022-03-01",
            "--present",
            "王建国",
        )
    )
    info = show(branch, "王建国")
    assert info["status"] == "deceased"
    assert info["memberships"][-1]["end"] == "2022-01-10" and "病故" in info["memberships"][-1]["note"]
    text = ok(branch("member", "show", "王建国"))
    assert "已去世" in text and "2022年1月10日" in text
    fails(branch("member", "status", "王建国", "deceased", "--on", "2022-02-01"), "已是")


def test_check_no_longer_expects_steps_of_a_member_who_died(branch):
    ok(branch("member", "record", "刘佳", "admitted", "--on", "2021-07-01"))

    def about_liu() -> list:
        r = branch("check", "--year", "2022", "--as-of", "2022-12-31", "--format", "json")
        return [f for f in json.loads(r.stdout)["findings"] if f["subject"]["name"] == "刘佳"]

    assert about_liu()
    ok(branch("member", "status", "刘佳", "deceased", "--on", "2022-03-01"))
    assert about_liu() == []


def test_stopped_then_restored_is_back_on_the_branch_roster(branch):
    ok(branch("member", "status", "李娜", "stopped", "--on", "2022-01-01"))
    assert "李娜" not in ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2022-06-01"))
    out = ok(branch("member", "status", "李娜", "恢复党籍", "--on", "2023-01-01"))
    assert "机关第一党支部" in out
    assert "李娜" in ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2023-06-01"))
    assert show(branch, "李娜")["status"] == "active"
    before = snapshot(branch.target)
    fails(branch("member", "status", "李娜", "active", "--on", "2023-02-01"), "已是")
    fails(branch("member", "status", "李娜", "transferred-out", "--on", "2023-02-01"), "不能用")
    fails(branch("member", "status", "李娜", "nonsense", "--on", "2023-02-01"))
    assert snapshot(branch.target) == before


# ---------------------------------------------------------------- transfers


def test_a_member_transferred_out_comes_back(branch):
    ok(branch("member", "transfer", "严二", "--out", "--on", "2021-10-15"))
    fails(branch("member", "transfer", "严二", "--out", "--on", "2022-10-15"), "--to")
    fails(branch("member", "transfer", "严二", "--to", "机关第一党支部", "--on", "2021-10-01"), "早于")
    out = ok(
        branch("member", "transfer", "严二", "--to", "机关第一党支部", "--group", "第二党小组", "--on", "2023-03-01")
    )
    assert "机关第一党支部" in out
    info = show(branch, "严二")
    assert info["status"] == "active" and info["org"] == "机关第一党支部"
    assert [m["org"] for m in info["memberships"]] == ["机关第二党支部", "机关第一党支部"]
    rows = json.loads(ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2023-06-01", "--format", "json")))
    assert {r["name"]: r["group"] for r in rows}["严二"] == "第二党小组"


def test_group_move_within_the_branch(branch):
    out = ok(branch("member", "transfer", "王建国", "--group", "第二党小组", "--on", "2022-01-01"))
    assert "第二党小组" in out
    rows = lambda d: {  # noqa: E731
        r["name"]: r["group"]
        for r in json.loads(ok(branch("member", "list", "--org", "机关第一党支部", "--on", d, "--format", "json")))
    }
    assert rows("2021-12-31")["王建国"] == "第一党小组" and rows("2022-01-01")["王建国"] == "第二党小组"
    fails(branch("member", "transfer", "王建国", "--group", "第二党小组", "--on", "2022-02-01"), "已在")
    fails(branch("member", "transfer", "王建国", "--group", "第九党小组", "--on", "2022-02-01"))
    ok(branch("member", "transfer", "王建国", "--group", "none", "--on", "2022-03-01"))
    assert rows("2022-03-01")["王建国"] is None


def test_transfer_into_a_merged_successors_group(branch):
    ok(branch("org", "add", "机关党支部", "--parent", "机关党委", "--established", "2021-07-01"))
    ok(branch("group", "add", "综合党小组", "--org", "机关党支部"))
    ok(branch("org", "merge", "机关第一党支部", "机关第二党支部", "--into", "机关党支部", "--on", "2022-06-01"))
    out = ok(branch("member", "transfer", "李娜", "--to", "机关党支部", "--group", "综合党小组", "--on", "2022-06-01"))
    assert "综合党小组" in out
    ok(branch("member", "transfer", "严二", "--group", "综合党小组", "--on", "2022-09-01"))
    rows = {
        r["name"]: r
        for r in json.loads(
            ok(branch("member", "list", "--org", "机关党支部", "--on", "2022-10-01", "--format", "json"))
        )
    }
    assert rows["李娜"]["group"] == "综合党小组" and rows["严二"]["group"] == "综合党小组"
    assert rows["王建国"]["group"] is None


def test_a_transfer_of_a_member_left_in_a_merged_branch_starts_from_the_successor(branch):
    ok(branch("org", "add", "机关党支部", "--parent", "机关党委", "--established", "2021-07-01"))
    ok(branch("org", "merge", "机关第二党支部", "--into", "机关党支部", "--on", "2021-07-01"))
    # a membership recorded as still open in the merged branch (as an older database may hold)
    open_database(branch.target)
    try:
        from dangjian.store.models import Organization

        yan = MemberRow.get(MemberRow.name == "严二")
        Membership.delete().where((Membership.member == yan.id) & (Membership.start == date(2021, 7, 1))).execute()
        Membership.update(end=None).where(Membership.member == yan.id).execute()
        assert Organization.get(Organization.name == "机关第二党支部").merged_into_id is not None
    finally:
        close_database()
    out = ok(branch("member", "transfer", "严二", "--to", "机关第一党支部", "--on", "2021-09-01"))
    assert "由机关党支部转入机关第一党支部" in out
    spans = [(m["org"], m["start"], m["end"]) for m in show(branch, "严二")["memberships"]]
    assert spans == [
        ("机关第二党支部", None, "2021-07-01"),
        ("机关党支部", "2021-07-01", "2021-09-01"),
        ("机关第一党支部", "2021-09-01", None),
    ]


# ---------------------------------------------------------------- reading back


def test_list_on_a_day_is_the_roster_with_stage_and_group(branch):
    ok(branch("member", "record", "刘佳", "admitted", "--on", "2021-07-01"))
    out = ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2021-06-30"))
    assert "王建国" in out and "李娜" in out and "刘佳" not in out and "第一党小组" in out
    rows = json.loads(ok(branch("member", "list", "--org", "机关第一党支部", "--on", "2021-07-01", "--format", "json")))
    by = {r["name"]: r for r in rows}
    assert by["刘佳"]["stage"] == "probationary" and by["王建国"]["stage"] == "full"
    assert rows and all("id_number" in r for r in rows)
    fails(branch("member", "list", "--on", "2021-07-01"), "--org")


def test_show_counts_attendance_per_year_and_in_total(branch):
    info = show(branch, "王建国")
    assert info["attendance"] == [
        {"year": 2021, "present": 2, "leave": 0, "absent": 0},
        {"year": 2022, "present": 0, "leave": 0, "absent": 1},
        {"year": None, "present": 2, "leave": 0, "absent": 1},
    ]
    assert show(branch, "李娜")["attendance"][0] == {"year": 2021, "present": 1, "leave": 1, "absent": 0}
    text = ok(branch("member", "show", "王建国"))
    assert "2021年  出席2次  请假0次  缺席0次" in text and "合计  出席2次  请假0次  缺席1次" in text
    assert show(branch, "严二")["attendance"] == []


# ---------------------------------------------------------------- hostile values


@pytest.mark.parametrize(
    "args",
    [
        ("member", "edit", "李娜", "--phone", "12"),
        ("member", "edit", "李娜", "--gender", "x\x01"),
        ("member", "edit", "\x00", "--phone", "13912345678"),
        ("member", "edit", "nobody", "--phone", "13912345678"),
        ("member", "unrecord", "刘佳", "nonsense"),
        ("member", "unrecord", "刘佳", "\x00"),
        ("member", "status", "李娜", "去世", "--on", "2022-01-01", "--note", "a\x00b"),
        ("member", "status", "李娜", "去世", "--on", "1900-01-01"),
        ("member", "status", "李娜", "去世", "--on", "2021-02-30"),
        ("member", "transfer", "李娜", "--group", "\x00", "--on", "2022-01-01"),
        ("member", "transfer", "李娜", "--on", "2022-01-01"),
        ("member", "transfer", "李娜", "--out", "--group", "第一党小组", "--on", "2022-01-01"),
        ("member", "list", "--org", "机关第一党支部", "--on", "99999-01-01"),
        ("member", "list", "--org", "nowhere", "--on", "2022-01-01"),
        ("member", "add", "王\x00", "--org", "机关第二党支部", "--same-name"),
    ],
)
def test_hostile_values_exit_2_and_write_nothing(branch, args):
    before = snapshot(branch.target)
    result = branch(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert snapshot(branch.target) == before


def test_each_new_command_has_an_example(run):
    for cmd in ("edit", "unrecord", "status", "transfer", "list"):
        assert "例：" in ok(run("member", cmd, "--help"))
