"""`dangjian check`, `rules list`, `demo`, and the database target, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from conftest import SERVER_URL, ok
from support.world import Group, Member, Org, Session, build


@pytest.fixture
def year(run):
    """A branch with a complete 2021 except the second quarter's general meeting."""
    branch = "机关第一党支部"
    build(
        run.target,
        Org("机关党委", kind="committee", established="2010-01-01"),
        Org(branch, parent="机关党委", established="2010-01-01"),
        Group("第一党小组", org=branch),
        Member("王建国", org=branch, group="第一党小组"),
        [Session(org=branch, kinds=["theme-day"], on=f"2021-{m:02d}-15", all_present=True) for m in range(1, 13)],
        [
            Session(group="第一党小组", kinds=["group-meeting"], on=f"2021-{m:02d}-20", all_present=True)
            for m in range(1, 13)
        ],
        [
            Session(org=branch, kinds=["general-meeting", "party-lecture"], on=f"2021-{m:02d}-25", all_present=True)
            for m in (2, 8, 11)
        ],
        Session(org=branch, kinds=["party-lecture"], on="2021-05-25"),
        Session(org=branch, kinds=["组织生活会", "民主评议"], on="2022-01-20", for_year=2021, all_present=True),
    )
    return run


def test_check_json_is_exactly_the_contract(year):
    r = year("check", "--year", "2021", "--as-of", "2022-03-01", "--format", "json")
    assert r.exit_code == 1, r.stderr
    data = json.loads(r.stdout)
    assert data == {
        "as_of": "2022-03-01",
        "from": "2021-01-01",
        "to": "2021-12-31",
        "findings": [
            {
                "rule": "general-meeting-quarterly",
                "severity": "error",
                "status": "missed",
                "subject": {"type": "org", "id": 2, "name": "机关第一党支部"},
                "period": "2021-Q2",
                "date": "2021-06-30",
                "expected": 1,
                "actual": 0,
                "message": "2021年第二季度未召开支部党员大会（应至少1次，实际0次）",
                "source": "《中国共产党支部工作条例（试行）》第十一条",
            }
        ],
        "summary": {"error": 1, "warning": 0, "info": 0},
    }


def test_check_table_and_csv(year):
    r = year("check", "--year", "2021", "--as-of", "2022-03-01")
    assert r.exit_code == 1
    assert "2021年第二季度" in r.stdout and "错误" in r.stdout and "未完成" in r.stdout
    assert "共1项：错误1项，警告0项，提示0项。" in r.stdout
    r = year("check", "--year", "2021", "--as-of", "2022-03-01", "--format", "csv")
    assert r.exit_code == 1 and r.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert [(x["rule"], x["period"], x["subject_name"], x["status"]) for x in rows] == [
        ("general-meeting-quarterly", "2021-Q2", "机关第一党支部", "missed")
    ]


def test_as_of_time_machine_sees_only_what_was_recorded_by_then(year):
    data = json.loads(year("check", "--as-of", "2021-06-15", "--format", "json").stdout)
    assert data["from"] == "2021-01-01" and data["to"] == "2021-12-31"
    got = {(f["rule"], f["period"], f["status"]) for f in data["findings"]}
    assert ("general-meeting-quarterly", "2021-Q2", "due") in got
    assert ("theme-day-monthly", "2021-06", "due") not in got  # held on 06-15
    assert ("group-meeting-monthly", "2021-06", "due") in got  # held on 06-20, after as_of
    from datetime import date

    from dangjian.periods import parse_period

    assert all(parse_period(f["period"]).start <= date(2021, 6, 15) for f in data["findings"])


def test_due_findings_alone_exit_0(year):
    r = year("check", "--from", "2021-04-01", "--to", "2021-06-30", "--as-of", "2021-06-15", "--format", "json")
    assert r.exit_code == 0
    assert {f["status"] for f in json.loads(r.stdout)["findings"]} == {"due"}


def test_annual_meetings_due_within_grace_then_held(year):
    data = json.loads(year("check", "--year", "2021", "--as-of", "2022-01-10", "--format", "json").stdout)
    due = {f["rule"]: f["status"] for f in data["findings"]}
    assert due["life-meeting-yearly"] == "due" and due["appraisal-yearly"] == "due"
    data = json.loads(year("check", "--year", "2021", "--as-of", "2022-01-20", "--format", "json").stdout)
    assert "life-meeting-yearly" not in {f["rule"] for f in data["findings"]}


def test_check_org_covers_the_subtree(year):
    ok(year("org", "add", "离退休党支部", "--parent", "机关党委", "--established", "2012-01-01"))
    data = json.loads(
        year("check", "--org", "机关党委", "--year", "2021", "--as-of", "2022-06-01", "--format", "json").stdout
    )
    assert {f["subject"]["name"] for f in data["findings"]} == {"机关第一党支部", "离退休党支部"}
    data = json.loads(
        year("check", "--org", "离退休党支部", "--year", "2021", "--as-of", "2022-06-01", "--format", "json").stdout
    )
    assert {f["subject"]["name"] for f in data["findings"]} == {"离退休党支部"}


def test_nothing_found_says_so(run):
    ok(run("org", "add", "机关党委", "--kind", "党委"))
    r = run("check", "--year", "2021", "--as-of", "2022-06-01")
    assert r.exit_code == 0 and "未发现问题" in r.stdout


def test_rules_list_shows_every_meeting_rule_with_source_and_dates(run):
    out = ok(run("rules", "list"))
    for rid in (
        "general-meeting-quarterly",
        "committee-meeting-monthly",
        "group-meeting-monthly",
        "party-lecture-quarterly",
        "theme-day-monthly",
        "life-meeting-yearly",
        "appraisal-yearly",
    ):
        assert rid in out
    data = json.loads(ok(run("rules", "list", "--format", "json")))
    life = next(r for r in data if r["id"] == "life-meeting-yearly")
    assert life["params"] == {"min": 1, "grace": "3 months"}
    assert life["effective_from"] == "2018-10-28" and life["severity"] == "error"
    assert "第十七条" in life["source"]


def test_local_rules_change_severity_numbers_and_switch_off(year, tmp_path):
    f = tmp_path / "本县规则.toml"
    f.write_text(
        '[general-meeting-quarterly]\nseverity = "warning"\n\n[theme-day-monthly]\nenabled = false\n\n'
        '[life-meeting-yearly]\ngrace = "0 months"\n',
        encoding="utf-8",
    )
    r = year("--rules", str(f), "check", "--year", "2021", "--as-of", "2022-01-10", "--format", "json")
    data = json.loads(r.stdout)
    by_rule = {x["rule"]: x for x in data["findings"]}
    assert by_rule["general-meeting-quarterly"]["severity"] == "warning"
    assert by_rule["life-meeting-yearly"]["status"] == "missed"
    assert by_rule["appraisal-yearly"]["status"] == "due"
    assert r.exit_code == 1  # the life meeting is now missed
    listed = json.loads(ok(year("--rules", str(f), "rules", "list", "--format", "json")))
    assert next(x for x in listed if x["id"] == "theme-day-monthly")["enabled"] is False


@pytest.mark.parametrize(
    "content,fragment",
    [
        ('[no-such-rule]\nseverity = "error"\n', "“no-such-rule”不存在"),
        ('[theme-day-monthly]\ncolour = "red"\n', "“colour”不是可设置的项"),
        ('[theme-day-monthly]\nmin = "one"\n', "应为数字"),
        ('[theme-day-monthly]\nseverity = "fatal"\n', "error、warning 或 info"),
        ('[life-meeting-yearly]\ngrace = "soon"\n', "不是有效的时长"),
        ('[theme-day-monthly]\nenabled = "no"\n', "true 或 false"),
        ("[theme-day-monthly\n", "不是有效的 TOML"),
    ],
)
def test_bad_rules_file_is_exit_2_naming_the_problem(run, tmp_path, content, fragment):
    f = tmp_path / "rules.toml"
    f.write_text(content, encoding="utf-8")
    r = run("--rules", str(f), "rules", "list")
    assert r.exit_code == 2 and fragment in r.stderr and "Traceback" not in r.stderr


def test_missing_rules_file(run):
    r = run("--rules", "/nonexistent/rules.toml", "check")
    assert r.exit_code == 2 and "不存在" in r.stderr


def test_demo_builds_its_own_database_and_prints_the_findings(tmp_path):
    from click.testing import CliRunner

    from dangjian.cli.main import cli

    path = tmp_path / "demo.db"
    runner = CliRunner()
    data = json.loads(runner.invoke(cli, ["demo", "--db", str(path), "--format", "json"]).stdout)
    assert data["as_of"] == "2022-03-31" and data["summary"] == {"error": 5, "warning": 1, "info": 0}
    first = runner.invoke(cli, ["demo", "--db", str(path)])
    assert first.exit_code == 0, first.stderr
    for text in (
        "机关党支部",
        "2021年8月未召开支部委员会会议",
        "2021年第三季度未上党课",
        "退休职工党小组",
        "2021年4月未开展主题党日",
        "程序倒置",
    ):
        assert text in first.stdout
    # the 2021 annual meetings were held in January 2022 for 2021
    assert "组织生活会" not in first.stdout
    # rebuilt, same every time: the second build's file checks exactly as the first build printed
    r = runner.invoke(cli, ["--db", str(path), "check", "--year", "2021", "--as-of", "2022-03-31", "--format", "json"])
    assert json.loads(r.stdout)["findings"] == data["findings"]
    table = runner.invoke(cli, ["--db", str(path), "check", "--year", "2021", "--as-of", "2022-03-31"]).stdout
    assert table in first.stdout and first.stdout.endswith(table)


@pytest.mark.skipif(bool(SERVER_URL), reason="SQLite targets only")
def test_two_slash_sqlite_url_is_refused(tmp_path):
    from click.testing import CliRunner

    from dangjian.cli.main import cli

    r = CliRunner().invoke(cli, ["--db", "sqlite://x.db", "org", "list"])
    assert r.exit_code == 2 and "三个斜杠" in r.stderr
    r = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path}/a.db", "org", "list"])
    assert r.exit_code == 0 and (tmp_path / "a.db").exists()


@pytest.mark.skipif(bool(SERVER_URL), reason="SQLite targets only")
def test_new_sqlite_file_is_private(tmp_path):
    from click.testing import CliRunner

    from dangjian.cli.main import cli

    path = tmp_path / "mine.db"
    CliRunner().invoke(cli, ["--db", str(path), "org", "list"])
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_unopenable_database_is_exit_3(tmp_path):
    from click.testing import CliRunner

    from dangjian.cli.main import cli

    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "no" / "such" / "dir.db"), "org", "list"])
    assert r.exit_code == 3 and "无法打开数据库" in r.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    r = CliRunner().invoke(cli, ["--db", str(junk), "org", "list"])
    assert r.exit_code == 3 and r.stderr.startswith("错误：") and "Traceback" not in r.stderr
    r = CliRunner().invoke(cli, ["--db", "postgresql://nobody@127.0.0.1:1/none", "org", "list"])
    assert r.exit_code == 3 and "无法打开数据库" in r.stderr


def test_help_does_not_open_the_database(tmp_path):
    from click.testing import CliRunner

    from dangjian.cli.main import cli

    path = tmp_path / "untouched.db"
    r = CliRunner().invoke(cli, ["--db", str(path), "check", "--help"])
    assert r.exit_code == 0 and not path.exists()


def test_a_database_failure_after_opening_is_one_sentence_with_exit_3(tmp_path, monkeypatch):
    """A driver error raised mid-command (here: a table gone) reaches the user as one sentence, code 3."""
    import sqlite3

    from click.testing import CliRunner

    from dangjian.cli.main import cli

    db = tmp_path / "x.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "org", "add", "县委", "--kind", "committee"]).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE party_group")
    result = runner.invoke(cli, ["--db", str(db), "group", "list"])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("错误：数据库操作失败：") and result.stderr.count("\n") == 1
