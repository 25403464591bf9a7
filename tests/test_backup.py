"""`dangjian db backup` / `db restore`: every table round-trips, on and across backends."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from conftest import SERVER_URL, Runner, ok

from dangjian.io import backup
from dangjian.store.connection import close_database, drop_schema, open_database
from dangjian.store.models import Member, MemberEvent, Session


def seed(run) -> None:
    """Data in every table: orgs (a merge, so references point forwards), groups, members with
    private data, memberships, sessions with kinds and attendance, an event, and the audit trail."""
    ok(run("org", "add", "县政府办公室机关党委", "--kind", "党委", "--established", "2010-03-01"))
    for name in ("机关第一党支部", "机关第二党支部"):
        ok(run("org", "add", name, "--parent", "县政府办公室机关党委", "--established", "2010-05-01"))
    ok(run("group", "add", "第一党小组", "--org", "机关第一党支部"))
    ok(
        run(
            "member",
            "add",
            "王建国",
            "--org",
            "机关第一党支部",
            "--group",
            "第一党小组",
            "--joined",
            "1996-06-20",
            "--full-since",
            "1997-06-20",
            "--id-number",
            "11010519491231002X",
            "--phone",
            "13912345678",
            "--education",
            "大学",
            "--unit",
            "县政府办公室",
            "--job",
            "主任",
        )
    )
    ok(
        run(
            "member",
            "add",
            "李娜",
            "--org",
            "机关第二党支部",
            "--stage",
            "预备党员",
            "--joined",
            "2020-11-20",
            "--gender",
            "女",
            "--birth",
            "1995-04-16",
        )
    )
    ok(
        run(
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党员大会",
            "--kind",
            "党课",
            "--on",
            "2021-03-05",
            "--hours",
            "2.5",
            "--topic",
            '学习党史："百年"、奋斗',
            "--host",
            "王建国",
            "--lecturer",
            "县委党校王老师",
            "--all-present",
        )
    )
    ok(
        run(
            "session",
            "add",
            "--org",
            "机关第二党支部",
            "--kind",
            "主题党日",
            "--on",
            "2021-04-15",
            "--leave",
            "李娜:出差",
        )
    )
    ok(run("org", "add", "机关党支部", "--parent", "县政府办公室机关党委", "--established", "2021-07-01"))
    ok(run("org", "merge", "机关第一党支部", "机关第二党支部", "--into", "机关党支部", "--on", "2021-07-01"))
    open_database(run.target)
    MemberEvent.create(
        member=Member.get(Member.name == "李娜"),
        event="admitted",
        on=date(2020, 11, 20),
        details={"votes_for": 12, "介绍人": ["王建国"]},
        note="支部大会",
        session=Session.get_by_id(1),
    )
    close_database()


def snap(target: str) -> dict[str, list[tuple]]:
    open_database(target)
    try:
        return backup.snapshot()
    finally:
        close_database()


def portable(rows: dict[str, list[tuple]]) -> dict[str, list[list]]:
    """A snapshot with values as the JSON dump writes them, to compare across backends."""
    out = {}
    for model in backup.data_models():
        fields = model._meta.sorted_fields
        out[model._meta.table_name] = [
            [backup.to_json(f, v) for f, v in zip(fields, row)] for row in rows[model._meta.table_name]
        ]
    return out


def empty(target: str) -> None:
    drop_schema(open_database(target, create=False))
    close_database()


def assert_restored(before: dict, after: dict) -> None:
    """Every table as it was, plus the one entry that records the restore."""
    assert {t: r for t, r in after.items() if t != "audit_entry"} == {
        t: r for t, r in before.items() if t != "audit_entry"
    }
    assert after["audit_entry"][:-1] == before["audit_entry"]
    assert after["audit_entry"][-1][4] == "db restore"


def test_every_table_has_rows_in_the_seed(run):
    seed(run)
    rows = snap(run.target)
    assert all(rows[t] for t in rows if t != "audit_subject") and rows["audit_subject"]


def test_json_round_trip_restores_every_table(run, tmp_path):
    seed(run)
    before = snap(run.target)
    dump = tmp_path / "备份.json"
    out = ok(run("db", "backup", str(dump)))
    assert "JSON" in out and "党员2人" in out
    assert dump.stat().st_mode & 0o077 == 0
    data = json.loads(dump.read_text(encoding="utf-8"))
    assert data["format"] == "dangjian-backup" and "schema_version" not in data["tables"]
    member = data["tables"]["member"]
    assert dict(zip(member["columns"], member["rows"][0]))["id_number"] == "11010519491231002X"

    empty(run.target)
    out = ok(run("db", "restore", str(dump)))
    assert "已从" in out and "党员2人" in out
    assert_restored(before, snap(run.target))
    # new rows get fresh ids after the restored ones (PostgreSQL sequences were moved on)
    assert "编号3" in ok(run("member", "add", "赵磊", "--org", "机关党支部"))
    ok(run("session", "add", "--org", "机关党支部", "--kind", "支委会", "--on", "2021-08-05", "--all-present"))


@pytest.mark.skipif(bool(SERVER_URL), reason="the .db copy is for SQLite databases")
def test_sqlite_online_backup_round_trip(run, tmp_path):
    seed(run)
    before = snap(run.target)
    copy = tmp_path / "copy.db"
    assert "SQLite 文件" in ok(run("db", "backup", str(copy)))
    assert copy.stat().st_mode & 0o077 == 0
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    fresh = Runner(str(tmp_path / "fresh.db"))
    ok(fresh("db", "restore", str(copy)))
    assert_restored(before, snap(fresh.target))
    assert run("db", "restore", run.target, "--force").exit_code == 2  # not from itself


@pytest.mark.skipif(not SERVER_URL, reason="needs a database server (DANGJIAN_TEST_DB)")
def test_round_trip_between_sqlite_and_the_server(run, tmp_path):
    lite = Runner(str(tmp_path / "laptop.db"))
    seed(lite)
    laptop = snap(lite.target)
    ok(lite("db", "backup", str(tmp_path / "laptop.json")))
    ok(run("db", "restore", str(tmp_path / "laptop.json")))  # SQLite -> JSON -> server
    server = snap(run.target)
    assert_restored(portable(laptop), portable(server))

    ok(run("db", "backup", str(tmp_path / "server.json")))  # server -> JSON -> SQLite
    back = Runner(str(tmp_path / "back.db"))
    ok(back("db", "restore", str(tmp_path / "server.json")))
    assert_restored(portable(server), portable(snap(back.target)))

    empty(run.target)
    ok(run("db", "restore", lite.target))  # a SQLite file straight into the server
    assert_restored(portable(laptop), portable(snap(run.target)))


def test_restore_refuses_a_database_with_data_unless_forced(run, tmp_path):
    seed(run)
    before = snap(run.target)
    ok(run("db", "backup", str(tmp_path / "b.json")))
    ok(run("member", "add", "赵磊", "--org", "机关党支部"))
    changed = snap(run.target)
    result = run("db", "restore", str(tmp_path / "b.json"))
    assert result.exit_code == 2
    assert "已有数据" in result.stderr and "--force" in result.stderr and "党员3人" in result.stderr
    assert snap(run.target) == changed
    ok(run("db", "restore", str(tmp_path / "b.json"), "--force"))
    after = snap(run.target)
    assert_restored(before, after)


def test_a_bad_row_restores_nothing(run, tmp_path):
    seed(run)
    ok(run("db", "backup", str(tmp_path / "b.json")))
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    data["tables"]["attendance"]["rows"][-1][2] = "不是编号"
    (tmp_path / "bad.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    empty(run.target)
    result = run("db", "restore", str(tmp_path / "bad.json"))
    assert result.exit_code == 2
    assert "attendance" in result.stderr and "member_id" in result.stderr
    assert all(not rows for rows in snap(run.target).values())


def test_a_row_the_database_rejects_restores_nothing(run, tmp_path):
    seed(run)
    ok(run("db", "backup", str(tmp_path / "b.json")))
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    data["tables"]["attendance"]["rows"].append(data["tables"]["attendance"]["rows"][0])  # a duplicate
    (tmp_path / "dup.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    empty(run.target)
    result = run("db", "restore", str(tmp_path / "dup.json"))
    assert result.exit_code == 2 and "attendance" in result.stderr and "没有恢复任何数据" in result.stderr
    assert all(not rows for rows in snap(run.target).values())


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("这不是 JSON", "JSON 第1行有误"),
        ('{"tables": {}}', "dangjian-backup"),
        ('{"format": "dangjian-backup", "schema_version": 99, "tables": {}}', "更新版本"),
        (
            '{"format": "dangjian-backup", "schema_version": 2, "tables": {"secrets": {"columns": [], "rows": []}}}',
            "不认识的表",
        ),
        (
            '{"format": "dangjian-backup", "schema_version": 2, "tables": {"member": {"columns": ["id", "x"], '
            '"rows": []}}}',
            "不认识",
        ),
    ],
)
def test_restore_refuses_what_is_not_a_usable_backup(run, tmp_path, content, fragment):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run("db", "restore", str(bad))
    assert result.exit_code == 2, result.stderr
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert run("db", "restore", str(tmp_path / "missing.json")).exit_code == 2


def test_backup_does_not_overwrite_unless_forced(run, tmp_path):
    ok(run("org", "add", "机关党委", "--kind", "党委"))
    dump = tmp_path / "b.json"
    dump.write_text("keep", encoding="utf-8")
    result = run("db", "backup", str(dump))
    assert result.exit_code == 2 and "已存在" in result.stderr
    assert dump.read_text(encoding="utf-8") == "keep"
    ok(run("db", "backup", str(dump), "--force"))
    assert json.loads(dump.read_text(encoding="utf-8"))["tables"]["organization"]["rows"]
    if SERVER_URL:
        result = run("db", "backup", str(tmp_path / "x.db"))
        assert result.exit_code == 2 and "JSON" in result.stderr
        ok(run("db", "backup", str(tmp_path / "x.db"), "--format", "json"))


def test_a_backup_of_an_older_schema_restores_into_the_current_one(run, tmp_path):
    from test_migrations import build_v1, fill_v1

    old = str(tmp_path / "old.db")
    fill_v1(build_v1(old))
    close_database()
    ok(run("db", "restore", old))
    rows = snap(run.target)
    assert [r[1] for r in rows["member"]] == ["王建国", '李娜 "引号"、顿号']
    assert rows["session"][0][4] == Decimal("2.5")
    assert rows["member_event"][0][4] == {"votes_for": 12}
    assert [r[4] for r in rows["audit_entry"]] == ["db restore"]
