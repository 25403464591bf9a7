"""Keeping org and group records true: `demo` only on its own database, `org edit`, `group edit`,
`group dissolve`, `org merge` whatever was recorded around it; refusals write nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SERVER_URL, ok
from support.world import Member, Org, build

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
