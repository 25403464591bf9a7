"""`dangjian undo [ENTRY]`: every kind of write put back from the trail's before-image, and what is refused."""

from __future__ import annotations

import json

import pytest
from conftest import ok

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import MODELS, AuditEntry, AuditSubject, SchemaVersion

DATA = [m for m in MODELS if m not in (AuditEntry, AuditSubject, SchemaVersion)]


def snapshot(target) -> dict[str, list]:
    """Every row of every data table (the trail aside), comparable across an undo."""
    open_database(target)
    try:
        return {m._meta.table_name: sorted(map(repr, m.select().order_by(m._meta.primary_key).dicts())) for m in DATA}
    finally:
        close_database()


def log(run) -> list[dict]:
    return json.loads(ok(run("log", "--format", "json")))


def refused(result, *words: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    for w in words:
        assert w in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def branch(run):
    ok(run("org", "add", "县直机关党委", "--kind", "党委", "--established", "2010-01-01"))
    for name in ("机关第一党支部", "机关第二党支部", "机关党支部"):
        ok(run("org", "add", name, "--parent", "县直机关党委", "--established", "2010-05-01"))
    ok(run("group", "add", "第一党小组", "--org", "机关第一党支部"))
    for name in ("王建国", "李娜"):
        ok(
            run(
                "member", "add", name, "--org", "机关第一党支部", "--stage", "full",
                "--joined", "1999-07-01", "--full-since", "2000-07-01",
            )
        )  # fmt: skip
    ok(run("member", "add", "陈晓", "--org", "机关第一党支部", "--stage", "申请人"))
    return run


WRITES = [
    ("org add", ["org", "add", "新支部", "--parent", "县直机关党委", "--established", "2020-01-01"]),
    ("group add", ["group", "add", "第二党小组", "--org", "机关第一党支部"]),
    (
        "member add",
        [
            "member",
            "add",
            "赵刚",
            "--org",
            "机关第一党支部",
            "--stage",
            "full",
            "--joined",
            "2001-07-01",
            "--full-since",
            "2002-07-01",
            "--id-number",
            "11010519791123003X",
            "--phone",
            "13912345678",
            "--since",
            "2021-01-01",
        ],
    ),  # fmt: skip
    ("member transfer", ["member", "transfer", "李娜", "--to", "机关第二党支部", "--on", "2021-09-01"]),
    ("member record", ["member", "record", "陈晓", "积极分子", "--on", "2022-09-05", "--note", "培养联系人：王建国"]),
    (
        "session add",
        [
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党员大会",
            "--on",
            "2021-03-05",
            "--all-present",
            "--topic",
            "学习",
        ],
    ),  # fmt: skip
    ("org merge", ["org", "merge", "机关第一党支部", "机关第二党支部", "--into", "机关党支部", "--on", "2021-07-01"]),
    ("org dissolve", ["org", "dissolve", "机关第二党支部", "--on", "2021-12-31"]),
]


@pytest.mark.parametrize("action,args", WRITES, ids=[w[0] for w in WRITES])
def test_undo_puts_every_row_back_and_an_undo_of_the_undo_puts_the_write_back(branch, target, action, args):
    before = snapshot(target)
    ok(branch(*args))
    after = snapshot(target)
    assert after != before
    written = log(branch)[-1]
    assert written["action"] == action
    out = ok(branch("undo"))
    assert out.startswith(f"已撤销第{written['id']}条记录（{action}）：")
    assert "恢复了改动前的记录：" in out
    assert "13912345678" not in out and "11010519791123003X" not in out  # masked as everywhere
    assert snapshot(target) == before
    entries = log(branch)
    assert entries[-1]["action"] == "undo" and entries[-1]["id"] == written["id"] + 1
    # the undo is a write like any other: undoing it puts the write back, with the same ids
    again = ok(branch("undo"))
    assert again.startswith(f"已撤销第{written['id'] + 1}条记录（undo）：")
    assert snapshot(target) == after


def test_undo_of_an_import_takes_every_row_out(branch, target, tmp_path):
    path = tmp_path / "m.csv"
    rows = "".join(f"党员{i},机关第二党支部,,正式党员,2001-07-01,2002-07-01\n" for i in range(300))
    path.write_text("姓名,支部,党小组,类别,入党日期,转正日期\n" + rows, encoding="utf-8")
    before = snapshot(target)
    ok(branch("import", "members", str(path)))
    assert len(snapshot(target)["member"]) == len(before["member"]) + 300
    ok(branch("undo"))
    assert snapshot(target) == before
    # the 300 deleted rows do not fit in one entry (a MySQL text column): that undo cannot be undone
    undo = log(branch)[-1]["id"]
    err = refused(branch("undo"), f"第{undo}条记录改动的党员太多（300行）", "不能撤销")
    assert err.count("\n") == 1 and snapshot(target) == before


def test_undo_is_refused_after_a_later_write_used_the_same_rows_naming_it(branch, target):
    ok(branch("member", "add", "赵刚", "--org", "机关第一党支部", "--since", "2021-01-01", "--joined", "2001-07-01"))
    added = log(branch)[-1]["id"]
    ok(branch("session", "add", "--org", "机关第一党支部", "--kind", "党员大会", "--on", "2021-03-05", "--all-present"))
    session = log(branch)[-1]
    before = snapshot(target)
    count = len(log(branch))
    err = refused(branch("undo", str(added)), f"不能撤销第{added}条记录", f"第{session['id']}条记录（", "session add")
    assert err.count("\n") == 1
    assert snapshot(target) == before and len(log(branch)) == count  # refused: nothing written, nothing logged
    # once the later write is undone, the earlier one can be
    ok(branch("undo", str(session["id"])))
    ok(branch("undo", str(added)))
    names = {m["name"] for m in json.loads(ok(branch("member", "list", "--format", "json")))}
    assert "赵刚" not in names


def test_a_transfer_after_an_add_blocks_the_add_but_an_unrelated_write_does_not(branch, target):
    ok(branch("member", "add", "赵刚", "--org", "机关第一党支部", "--since", "2021-01-01", "--joined", "2001-07-01"))
    added = log(branch)[-1]["id"]
    ok(branch("org", "add", "新支部", "--parent", "县直机关党委"))  # another record entirely
    ok(branch("member", "transfer", "赵刚", "--to", "机关第二党支部", "--on", "2021-09-01"))
    transfer = log(branch)[-1]["id"]
    refused(branch("undo", str(added)), f"第{transfer}条记录", "member transfer")
    ok(branch("undo", str(transfer)))
    out = ok(branch("undo", str(added)))
    assert out.startswith(f"已撤销第{added}条记录（member add）：")
    orgs = {o["name"] for o in json.loads(ok(branch("org", "list", "--format", "json")))}
    assert "新支部" in orgs  # the unrelated write stays


def test_undo_by_entry_id_and_the_log_says_which_entry_was_reverted(branch, target):
    ok(branch("org", "add", "甲支部", "--parent", "县直机关党委"))
    first = log(branch)[-1]["id"]
    ok(branch("org", "add", "乙支部", "--parent", "县直机关党委"))
    out = ok(branch("undo", str(first)))
    assert out.startswith(f"已撤销第{first}条记录（org add）：") and "甲支部" in out
    orgs = {o["name"] for o in json.loads(ok(branch("org", "list", "--format", "json")))}
    assert "甲支部" not in orgs and "乙支部" in orgs
    last = log(branch)[-1]
    assert last["action"] == "undo" and "删除组织甲支部" in last["summary"]
    assert ok(branch("log")).count("undo") == 1
    # undoing it again is refused: it was already undone
    refused(branch("undo", str(first)), f"第{first}条记录已经由第{last['id']}条记录撤销")


def test_what_cannot_be_undone_is_refused_in_one_sentence(run, target, tmp_path):
    refused(run("undo"), "操作日志是空的")
    ok(run("org", "add", "一支部"))
    refused(run("undo", "99"), "没有第99条记录")
    backup = tmp_path / "b.json"
    ok(run("db", "backup", str(backup)))
    ok(run("db", "restore", str(backup), "--force"))
    err = refused(run("undo"), "从备份恢复", "不能撤销")
    assert err.count("\n") == 1
    # and an entry before the restore is blocked by it
    refused(run("undo", "1"), "不能撤销第1条记录", "db restore")


def test_check_after_an_undo_reports_what_the_restored_records_say(branch, target):
    def findings():
        args = ("--org", "机关第一党支部", "--year", "2021", "--as-of", "2022-03-01", "--format", "json")
        result = branch("check", *args)
        return {(f["rule"], f["period"]) for f in json.loads(result.stdout)["findings"]}

    missing = findings()
    assert ("general-meeting-quarterly", "2021-Q1") in missing
    ok(branch("session", "add", "--org", "机关第一党支部", "--kind", "党员大会", "--on", "2021-03-05", "--all-present"))
    assert ("general-meeting-quarterly", "2021-Q1") not in findings()
    ok(branch("undo"))
    assert findings() == missing
