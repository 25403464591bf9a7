"""Input a new user may well type, through the command line: every one is refused with exit 2,
one Chinese sentence on stderr, and not one row written (on every backend).

Unicode digits that are not ASCII (`²`), NaN and infinity, empty required cells, text longer
than its column and NUL characters used to end in exit 3 (an internal error or a database
error) on one write path or another: the single commands, the bulk writer or the importer.
"""

from __future__ import annotations

import pytest
from conftest import ok

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import MODELS


def snapshot(target: str) -> dict[str, list[str]]:
    open_database(target)
    data = {m.__name__: sorted(map(repr, m.select().tuples())) for m in MODELS if m.__name__ != "SchemaVersion"}
    close_database()
    return data


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


@pytest.fixture
def world(run):
    """A committee with one branch of two members (王建国 full, 刘佳 an applicant) and a group."""
    ok(run("org", "add", "机关党委", "--kind", "党委", "--established", "2010-01-01"))
    ok(run("org", "add", "第一党支部", "--parent", "机关党委", "--established", "2010-01-01"))
    ok(run("group", "add", "第一党小组", "--org", "第一党支部"))
    ok(run("member", "add", "王建国", "--org", "第一党支部", "--joined", "2000-07-01", "--full-since", "2001-07-01"))
    ok(run("member", "add", "刘佳", "--org", "第一党支部", "--stage", "入党申请人"))
    ok(run("session", "add", "--org", "第一党支部", "--kind", "党员大会", "--on", "2024-03-05", "--all-present"))
    return run


def refused(run, args, fragment: str) -> str:
    """Run `args`, assert exit 2 with one sentence naming `fragment`, and that nothing changed."""
    before = snapshot(run.target)
    result = run(*args)
    assert result.exit_code == 2, (args, result.exit_code, result.stdout, result.stderr, result.exception)
    assert fragment in result.stderr, (fragment, result.stderr)
    assert "内部错误" not in result.stderr and "数据库" not in result.stderr, result.stderr
    assert snapshot(run.target) == before
    return result.stderr


# ---------------------------------------------------------------- member record


@pytest.mark.parametrize("hours", ["NaN", "nan", "sNaN", "inf", "-Infinity", "-3", "0", "1001", "abc"])
def test_member_record_training_hours_must_be_finite_and_in_range(world, hours):
    err = refused(world, ["member", "record", "刘佳", "trained", "--on", "2024-03-01", "--hours", hours], "学时")
    assert err.strip().endswith("（--hours）。") and err.count("\n") == 1


@pytest.mark.parametrize("session", ["²", "١", "#²", "1²", "９９"])
def test_member_record_session_of_unicode_digits_is_not_found(world, session):
    refused(
        world,
        ["member", "record", "刘佳", "applied", "--on", "2024-03-05", "--session", session],
        f"没有编号为“{session}”的会议",
    )


def test_member_record_note_with_nul_is_refused(world):
    refused(world, ["member", "record", "刘佳", "applied", "--on", "2024-03-05", "--note", "甲\x00乙"], "空字符")


# ---------------------------------------------------------------- single commands


@pytest.mark.parametrize("hours", ["NaN", "inf", "-1", "25"])
def test_session_hours_must_be_finite_and_in_range(world, hours):
    args = ["session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-03-06", "--hours", hours]
    refused(world, args, "学时")


@pytest.mark.parametrize("ref", ["²", "١٢"])
def test_session_host_of_unicode_digits_is_not_found(world, ref):
    args = ["session", "add", "--org", "第一党支部", "--kind", "党课", "--on", "2024-03-06", "--host", ref]
    refused(world, args, f"没有找到主持人“{ref}”")


def test_member_add_group_of_unicode_digits_is_not_found(world):
    refused(world, ["member", "add", "张三", "--org", "第一党支部", "--group", "²"], "没有名为“²”的党小组")


def test_org_add_text_too_long_and_nul(world):
    refused(world, ["org", "add", "支" * 101], "太长：最多100个字")
    refused(world, ["org", "add", "新支部", "--code", "\x00"], "空字符")


def test_the_flag_is_added_to_a_refusal_about_an_option(world):
    err = refused(
        world, ["session", "add", "--org", "第一党支部", "--kind", "党小组会", "--on", "2024-03-06"], "党小组"
    )
    assert err == "错误：党小组会须写明是哪个党小组（--group）。\n"


# ---------------------------------------------------------------- import


def test_import_sessions_host_of_unicode_digits(world, tmp_path):
    path = write(tmp_path, "s.csv", "org,kind,on,host\n第一党支部,党课,2024-03-06,²\n")
    err = refused(world, ["import", "sessions", path], "第2行“host”列：没有找到主持人“²”。")
    assert err.count("\n") == 2


@pytest.mark.parametrize("column", ["present", "absent", "recorder"])
def test_import_sessions_people_of_unicode_digits(world, tmp_path, column):
    path = write(tmp_path, "s.csv", f"org,kind,on,{column}\n第一党支部,党课,2024-03-06,١\n")
    refused(world, ["import", "sessions", path], f"第2行“{column}”列：")


def test_import_members_group_of_unicode_digits(world, tmp_path):
    path = write(tmp_path, "m.csv", "name,org,group\n张三,第一党支部,²\n")
    refused(world, ["import", "members", path], "第2行“group”列：第一党支部没有编号为“²”的党小组")


def test_import_members_group_of_an_unknown_id(world, tmp_path):
    path = write(tmp_path, "m.csv", "name,org,group\n张三,第一党支部,99\n")
    refused(world, ["import", "members", path], "没有编号为“99”的党小组")


@pytest.mark.parametrize("kind", ["", " ", "、"])
def test_import_sessions_empty_kind(world, tmp_path, kind):
    path = write(tmp_path, "s.csv", f"org,kind,on\n第一党支部,{kind},2024-03-06\n")
    refused(world, ["import", "sessions", path], "第2行“kind”列：")


def test_import_sessions_empty_date_and_org(world, tmp_path):
    path = write(tmp_path, "s.csv", "org,kind,on\n,党课,\n")
    err = refused(world, ["import", "sessions", path], "第2行“org”列：召开会议的党支部不能为空。")
    assert "第2行“on”列：召开日期不能为空。" in err


@pytest.mark.parametrize("hours", ["NaN", "inf", "-1", "25"])
def test_import_sessions_hours(world, tmp_path, hours):
    path = write(tmp_path, "s.csv", f"org,kind,on,hours\n第一党支部,党课,2024-03-06,{hours}\n")
    refused(world, ["import", "sessions", path], "第2行“hours”列：学时")


def test_import_applies_the_length_limits_of_the_single_commands(world, tmp_path):
    long_name = "支" * 101
    single = world("org", "add", long_name)
    assert single.exit_code == 2
    path = write(tmp_path, "o.csv", f"name\n{long_name}\n")
    err = refused(world, ["import", "orgs", path], "第2行“name”列：")
    assert single.stderr.removeprefix("错误：").strip() in err
    path = write(tmp_path, "m.csv", f"name,org,unit\n张三,第一党支部,{'单' * 101}\n")
    refused(world, ["import", "members", path], "第2行“unit”列：工作单位")
    path = write(tmp_path, "s.csv", f"org,kind,on,topic\n第一党支部,党课,2024-03-06,{'题' * 201}\n")
    refused(world, ["import", "sessions", path], "第2行“topic”列：主题")
    path = write(tmp_path, "s.csv", f"org,kind,on,leave\n第一党支部,党课,2024-03-06,王建国:{'因' * 201}\n")
    refused(world, ["import", "sessions", path], "第2行“leave”列：原因")


@pytest.mark.parametrize(
    "kind,text,column",
    [
        ("orgs", "name\n新\x00支部\n", "name"),
        ("members", "name,org,job\n张三,第一党支部,书\x00记\n", "job"),
        ("sessions", "org,kind,on,topic\n第一党支部,党课,2024-03-06,学\x00习\n", "topic"),
    ],
)
def test_import_refuses_a_nul_character(world, tmp_path, kind, text, column):
    refused(world, ["import", kind, write(tmp_path, f"{kind}.csv", text)], f"第2行“{column}”列：")


def test_import_skip_invalid_writes_the_good_rows_only(world, tmp_path):
    path = write(
        tmp_path, "s.csv", "org,kind,on,host\n第一党支部,党课,2024-03-06,²\n第一党支部,党课,2024-03-07,王建国\n"
    )
    result = world("import", "sessions", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "第2行“host”列" in result.stderr
