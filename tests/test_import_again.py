"""Importing a file again records nothing twice; rows that differ from the records they name are reported."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ok

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import MODELS

ORGS = "名称,类型,上级,成立日期\n城关镇党委,党委,,2005-03-01\n城关镇第一党支部,党支部,城关镇党委,2005-04-01\n"
MEMBERS = (
    "姓名,支部,党小组,类别,入党日期,转正日期,身份证号,手机\n"
    "王建国,城关镇第一党支部,第一党小组,正式党员,1996-06-20,1997-06-20,110105197203140017,13912345678\n"
    "李娜,城关镇第一党支部,,正式党员,2008-06-26,2009-06-26,,\n"
    "陈晓,城关镇第一党支部,第一党小组,入党积极分子,,,,\n"
)


def csv(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def counts(target) -> dict[str, int]:
    open_database(target)
    try:
        return {m.__name__: m.select().count() for m in MODELS}
    finally:
        close_database()


def refused(result, *words: str) -> list[str]:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    for w in words:
        assert w in result.stderr, result.stderr
    return [line.strip() for line in result.stderr.splitlines()[1:]]


@pytest.fixture
def loaded(run, tmp_path):
    ok(run("import", "orgs", csv(tmp_path, "o.csv", ORGS)))
    ok(run("import", "members", csv(tmp_path, "m.csv", MEMBERS)))
    return run


def test_the_same_files_twice_write_nothing_the_second_time(loaded, target, tmp_path):
    before = counts(target)
    out = ok(loaded("import", "orgs", csv(tmp_path, "o.csv", ORGS)))
    assert out == "已导入组织0个，已存在2行（与数据库中的记录相同，已跳过）。\n"
    out = ok(loaded("import", "members", csv(tmp_path, "m.csv", MEMBERS)))
    assert out == "已导入人员0人，已存在3行（与数据库中的记录相同，已跳过）。\n"
    assert counts(target) == before  # not even a log entry


def test_new_rows_beside_existing_ones_are_imported_and_the_rest_counted(loaded, target, tmp_path):
    text = MEMBERS + "赵刚,城关镇第一党支部,,正式党员,2001-07-01,2002-07-01,,\n"
    out = ok(loaded("import", "members", csv(tmp_path, "m2.csv", text)))
    assert out == "已导入人员1人（正式党员1人），已存在3行。\n"
    names = [m["name"] for m in json.loads(ok(loaded("member", "list", "--format", "json")))]
    assert sorted(names) == sorted(["王建国", "李娜", "陈晓", "赵刚"])


def test_a_row_that_differs_from_its_record_is_reported_with_line_and_columns(loaded, target, tmp_path):
    before = counts(target)
    text = MEMBERS.replace("2008-06-26,2009-06-26", "2008-07-01,2009-07-01").replace("13912345678", "13900000000")
    lines = refused(loaded("import", "members", csv(tmp_path, "m3.csv", text)), "有2行有错，整个文件未导入")
    assert (
        lines[0] == "第2行“手机”列：与已有的人员“王建国”（编号1）不同：已有的是“139****5678”，文件中是“139****0000”"
        "；加 --update 按文件修改。"
    )
    assert lines[1].startswith("第3行“入党日期”列：与已有的人员“李娜”（编号2）不同：已有的是“2008年6月26日”")
    assert lines[2].startswith("第3行“转正日期”列：")
    assert counts(target) == before
    # an org under the same parent with another date
    lines = refused(
        loaded("import", "orgs", csv(tmp_path, "o2.csv", ORGS.replace("2005-04-01", "2006-04-01"))),
        "有1行有错",
    )
    assert lines == [
        "第3行“成立日期”列：与已有的组织“城关镇第一党支部”（编号2）不同："
        "已有的是“2005年4月1日”，文件中是“2006年4月1日”；加 --update 按文件修改。"
    ]


def test_rows_dated_after_today_are_refused(loaded, target, tmp_path):
    later = (date.today() + timedelta(days=3)).isoformat()
    before = counts(target)
    text = f"姓名,支部,类别,出生日期\n赵刚,城关镇第一党支部,入党积极分子,{later}\n"
    lines = refused(loaded("import", "members", csv(tmp_path, "f.csv", text)))
    assert lines[0].startswith("第2行“出生日期”列：出生日期") and "晚于今天" in lines[0]
    text = f"支部,类型,日期,出席\n城关镇第一党支部,党员大会,{later},王建国\n"
    lines = refused(loaded("import", "sessions", csv(tmp_path, "s.csv", text)))
    assert lines[0].startswith("第2行“日期”列：召开日期") and "只能记录已经发生的事" in lines[0]
    assert counts(target) == before


def test_a_member_row_without_since_is_refused_once_the_branch_has_sessions(loaded, target, tmp_path):
    ok(
        loaded(
            "session", "add", "--org", "城关镇第一党支部", "--kind", "党员大会", "--on", "2021-03-05", "--all-present"
        )
    )
    text = "姓名,支部,类别,入党日期,转正日期\n赵刚,城关镇第一党支部,正式党员,2001-07-01,2002-07-01\n"
    lines = refused(loaded("import", "members", csv(tmp_path, "n.csv", text)))
    assert lines[0].startswith("第2行“转入日期”列：“城关镇第一党支部”自2021年3月5日起已有会议记录")
    out = ok(
        loaded(
            "import",
            "members",
            csv(
                tmp_path,
                "n2.csv",
                text.replace("转正日期\n", "转正日期,转入日期\n").replace("2002-07-01\n", "2002-07-01,2024-01-01\n"),
            ),
        )
    )
    assert "已导入人员1人" in out
    # and the first file, imported again, is still all there (its rows say nothing about 转入日期)
    assert "已存在3行" in ok(loaded("import", "members", csv(tmp_path, "m.csv", MEMBERS)))


SESSIONS = (
    "支部,党小组,类型,日期,学时,主题,主持人,出席,请假\n"
    "城关镇第一党支部,,党员大会、党课,2021-03-05,2,学习党史,王建国,王建国,李娜:出差\n"
    '城关镇第一党支部,第一党小组,党小组会,2021-03-12,,学习交流,王建国,"王建国,陈晓",\n'
)


def test_sessions_imported_twice_are_recorded_once_and_a_changed_one_is_reported(loaded, target, tmp_path):
    out = ok(loaded("import", "sessions", csv(tmp_path, "s.csv", SESSIONS)))
    assert out.startswith("已导入会议2次")
    before = counts(target)
    out = ok(loaded("import", "sessions", csv(tmp_path, "s.csv", SESSIONS)))
    assert out == "已导入会议0次，出勤记录0条，已存在2行（与数据库中的记录相同，已跳过）。\n"
    assert counts(target) == before
    changed = SESSIONS.replace(",2,学习党史", ",3,学习党史").replace("李娜:出差", "")
    lines = refused(loaded("import", "sessions", csv(tmp_path, "s2.csv", changed)), "有1行有错")
    assert lines == [
        "第2行“学时”列：与已有的会议“2021年3月5日”（编号1）不同：已有的是“2”，文件中是“3”；加 --update 按文件修改。",
        "第2行“出席”列：与已有的会议“2021年3月5日”（编号1）出勤不同：已有2条出勤记录，文件中1条，"
        "其中1条不一致（--update 不改出勤，请逐条修改）。",
    ]
    assert counts(target) == before


def test_update_applies_the_differences_in_one_logged_transaction_that_undo_reverts(loaded, target, tmp_path):
    before = counts(target)
    text = MEMBERS.replace("2008-06-26,2009-06-26,,", "2008-07-01,2009-07-01,11010519791123003X,")
    text += "赵刚,城关镇第一党支部,,正式党员,2001-07-01,2002-07-01,,\n"
    out = ok(loaded("import", "members", csv(tmp_path, "u.csv", text), "--update"))
    assert out == "已导入人员1人（正式党员1人），已存在2行，已按文件修改1行。\n"
    people = {m["name"]: m for m in json.loads(ok(loaded("--show-private", "member", "list", "--format", "json")))}
    li = people["李娜"]
    assert (li["joined_on"], li["full_since"], li["id_number"]) == ("2008-07-01", "2009-07-01", "11010519791123003X")
    assert counts(target)["Member"] == before["Member"] + 1
    # the same file again: everything is there now
    assert ok(loaded("import", "members", csv(tmp_path, "u.csv", text))).endswith(
        "已存在4行（与数据库中的记录相同，已跳过）。\n"
    )
    # one entry, which undo reverts
    ok(loaded("undo"))
    people = {m["name"]: m for m in json.loads(ok(loaded("--show-private", "member", "list", "--format", "json")))}
    assert people["李娜"]["joined_on"] == "2008-06-26" and people["李娜"]["id_number"] is None
    assert "赵刚" not in people


def test_update_does_not_move_people_between_branches(loaded, target, tmp_path):
    ok(loaded("org", "add", "城关镇第二党支部", "--parent", "城关镇党委"))
    text = "姓名,支部,身份证号\n王建国,城关镇第二党支部,110105197203140017\n"
    lines = refused(loaded("import", "members", csv(tmp_path, "t.csv", text), "--update"))
    assert lines == [
        "第2行“支部”列：与已有的人员“王建国”（编号1）不同：已有的是“城关镇第一党支部”，文件中是“城关镇第二党支部”"
        "（--update 不改这一列）。"
    ]
