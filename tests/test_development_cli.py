"""`member record`, `timeline`, `due` and the development findings of `check`, from the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import ok
from support.world import Member, Org, Step, build

TIMELINE_KEYS = {
    "member",
    "org",
    "stage",
    "admitted_on",
    "probation_ends",
    "extension_months",
    "days_left",
    "status",
    "events",
    "findings",
    "next_step",
    "deadlines",
}


#: 刘佳's steps up to her admission on 2020-07-01, each as `member record 刘佳 EVENT --on DATE …` takes it
ADMISSION = [
    ("申请", "2018-03-05", {}),
    ("谈话", "2018-03-20", {}),
    ("积极分子", "2018-09-10", {}),
    ("考察", "2019-03-01", {}),
    ("考察", "2019-08-30", {}),
    ("发展对象", "2019-09-10", {}),
    ("政审", "2020-04-01", {}),
    ("培训", "2020-05-10", {"days": 3}),
    ("预审", "2020-06-10", {}),
    ("接收", "2020-07-01", {"entitled": 3, "present": 3, "yes": 3}),
]


def one_branch(run, steps=()):
    """一支部 with three full members and 刘佳 (an applicant, or as far as `steps` take her)."""
    build(
        run.target,
        Org("一支部", kind="党支部", established="2010-01-01"),
        [Member(n, org="一支部", joined="2005-07-01", full_since="2006-07-01") for n in ("王建国", "李娜", "张伟")],
        Member(
            "刘佳",
            org="一支部",
            stage=None if steps else "入党申请人",
            birth="1996-08-21",
            steps=tuple(Step(event, on, **details) for event, on, details in steps),
        ),
    )
    return run


@pytest.fixture
def branch(run):
    return one_branch(run)


@pytest.fixture
def admitted(run):
    """The branch with 刘佳 admitted as a probationary member on 2020-07-01 after every step in order."""
    return one_branch(run, ADMISSION)


def record(run, *args):
    return run("member", "record", *args)


def events_of(run, name):
    return json.loads(ok(run("member", "show", name, "--format", "json")))


def admit(run, name="刘佳"):
    """Record ADMISSION through the CLI: a procedure in order warns of nothing."""
    for event, on, details in ADMISSION:
        flags = [w for k, v in details.items() for w in (f"--{k}", str(v))]
        r = record(run, name, event, "--on", on, *flags)
        ok(r)
        assert r.stderr == "", r.stderr


# ---------------------------------------------------------------- recording


def test_a_whole_record_in_chinese_from_application_to_conversion(branch):
    run = branch
    admit(run)
    for args in (("审批", "--on", "2020-08-20"), ("宣誓", "--on", "2020-09-01"), ("转正申请", "--on", "2021-06-01")):
        ok(record(run, "刘佳", *args))
    out = ok(record(run, "刘佳", "转正", "--on", "2021-07-05", "--entitled", "3", "--present", "3", "--yes", "3"))
    assert "转正日期（党龄起算）2021年7月1日" in out
    ok(record(run, "刘佳", "批准转正", "--on", "2021-08-01"))
    info = events_of(run, "刘佳")
    assert (info["stage"], info["joined_on"], info["full_since"]) == ("full", "2020-07-01", "2021-07-01")
    assert [e["event"] for e in info["events"]][:3] == ["applied", "talked", "activist"]
    assert info["events"][-1]["event"] == "conversion-approved"
    assert info["events"][9]["details"] == {"entitled": 3, "present": 3, "yes": 3}
    table = ok(run("member", "show", "刘佳"))
    lines = table.splitlines()
    assert lines.index("  2018年3月5日  递交入党申请书") < lines.index(
        "  2021年7月5日  支部大会同意转正（应到3人，实到3人，赞成3票）"
    )
    assert "集中培训（3天）" in table


def test_the_stage_follows_the_events(branch):
    run = branch
    ok(record(run, "刘佳", "applied", "--on", "2018-03-05"))
    out = ok(record(run, "刘佳", "activist", "--on", "2018-09-10"))
    assert "刘佳现为入党积极分子" in out
    out = ok(record(run, "刘佳", "candidate", "--on", "2019-09-10"))
    assert events_of(run, "刘佳")["stage"] == "candidate"
    out = ok(record(run, "刘佳", "admitted", "--on", "2020-07-01"))
    assert "预备期至2021年7月1日届满" in out
    info = events_of(run, "刘佳")
    assert (info["stage"], info["joined_on"]) == ("probationary", "2020-07-01")


def test_an_extension_moves_full_since(admitted):
    run = admitted
    out = ok(record(run, "刘佳", "延长预备期", "--on", "2021-06-20", "--months", "6"))
    assert "刘佳的预备期延长6个月，至2022年1月1日届满" in out
    ok(record(run, "刘佳", "converted", "--on", "2022-01-05"))
    assert events_of(run, "刘佳")["full_since"] == "2022-01-01"


def test_a_step_that_breaks_a_rule_is_recorded_with_a_warning(branch):
    run = branch
    ok(record(run, "刘佳", "candidate", "--on", "2020-09-15"))
    ok(record(run, "刘佳", "admitted", "--on", "2021-11-25"))
    r = record(run, "刘佳", "政审", "--on", "2021-12-02")
    assert r.exit_code == 0
    assert "已记录" in r.stdout
    assert "event-order" in r.stderr and "程序倒置" in r.stderr
    assert events_of(run, "刘佳")["events"][-1]["event"] == "political-review"


def test_an_extension_of_three_months_is_recorded_and_reported(admitted):
    run = admitted
    r = record(run, "刘佳", "extended", "--on", "2021-06-20", "--months", "3")
    assert r.exit_code == 0 and "extension-length" in r.stderr
    data = json.loads(run("check", "--from", "2015-01-01", "--as-of", "2021-07-01", "--format", "json").stdout)
    found = [f for f in data["findings"] if f["rule"] == "extension-length"]
    assert len(found) == 1
    assert found[0]["subject"] == {"type": "member", "id": 4, "name": "刘佳", "org": "一支部"}
    assert (found[0]["period"], found[0]["date"], found[0]["status"], found[0]["actual"]) == (
        None,
        "2021-06-20",
        "violated",
        3,
    )


def test_a_vote_below_the_threshold_warns(admitted):
    run = admitted
    r = record(run, "刘佳", "converted", "--on", "2021-07-05", "--entitled", "3", "--present", "2", "--yes", "1")
    assert r.exit_code == 0 and "vote-quorum" in r.stderr
    assert "赞成1票" in r.stderr


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("刘佳", "入党了", "--on", "2020-01-01"), "未知的发展纪实事项"),
        (("刘佳", "applied", "--on", "1990-01-01"), "早于刘佳的出生日期"),
        (("刘佳", "converted", "--on", "2021-07-05"), "不是预备党员"),
        (("刘佳", "extended", "--on", "2021-07-05", "--months", "6"), "不是预备党员"),
        (("王建国", "disqualified", "--on", "2021-07-05"), "不是预备党员"),
        (("王建国", "converted", "--on", "2007-07-05"), "不是预备党员"),
        (("无名氏", "applied", "--on", "2020-01-01"), "没有找到党员"),
        (("刘佳", "applied", "--on", "2020-02-30"), "只有29天"),
        (("刘佳", "applied", "--on", "2020-01-01", "--months", "6"), "--months 只用于延长预备期"),
        (("刘佳", "publicized", "--on", "2026-06-01"), "--until"),
        (("刘佳", "publicized", "--on", "2026-06-05", "--until", "2026-06-01"), "早于开始日期"),
        (("刘佳", "talked", "--on", "2020-01-01", "--entitled", "3"), "表决票数"),
        (("刘佳", "applied", "--on", "2020-01-01", "--session", "99"), "没有编号为“99”的会议"),
        (("刘佳", "trained", "--on", "2020-01-01", "--hours", "很多"), "不是数字"),
    ],
)
def test_impossible_input_is_refused_and_nothing_is_written(branch, args, fragment):
    run = branch
    r = record(run, *args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("错误：") and fragment in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert events_of(run, "刘佳")["events"] == []
    assert events_of(run, "王建国")["events"] == []


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("extended", "--on", "2021-06-20"), "--months"),
        (
            ("converted", "--on", "2021-06-20", "--entitled", "3", "--present", "2", "--yes", "3"),
            "赞成票3超过了到会人数2",
        ),
        (("converted", "--on", "2021-06-20", "--entitled", "3", "--present", "4"), "到会人数4超过了"),
        (("disqualified", "--on", "2020-06-30"), "不是预备党员"),
    ],
)
def test_impossible_decisions_on_a_probationary_member(admitted, args, fragment):
    run = admitted
    before = len(events_of(run, "刘佳")["events"])
    r = record(run, "刘佳", *args)
    assert r.exit_code == 2 and fragment in r.stderr
    assert len(events_of(run, "刘佳")["events"]) == before


def test_disqualification_ends_the_membership_and_no_decision_follows(admitted):
    run = admitted
    out = ok(record(run, "刘佳", "取消资格", "--on", "2021-06-20"))
    assert "组织关系于2021年6月20日终止" in out
    info = events_of(run, "刘佳")
    assert info["status"] == "disqualified" and info["memberships"][-1]["end"] == "2021-06-20"
    r = record(run, "刘佳", "converted", "--on", "2021-07-05")
    assert r.exit_code == 2 and "取消预备党员资格" in r.stderr


def test_the_deciding_meeting_must_be_held_that_day(admitted):
    run = admitted
    ok(run("session", "add", "--org", "一支部", "--kind", "党员大会", "--on", "2021-07-05", "--all-present"))
    r = record(run, "刘佳", "converted", "--on", "2021-07-06", "--session", "1")
    assert r.exit_code == 2 and "不一致" in r.stderr
    ok(record(run, "刘佳", "converted", "--on", "2021-07-05", "--session", "1"))


# ---------------------------------------------------------------- timeline


def test_timeline_json_has_the_contract_keys_and_days_left(admitted):
    run = admitted
    data = json.loads(ok(run("timeline", "--as-of", "2021-06-15", "--format", "json")))
    assert len(data) == 1
    e = data[0]
    assert set(e) == TIMELINE_KEYS
    assert e["member"] == {"id": 4, "name": "刘佳"}
    assert (
        e["org"],
        e["stage"],
        e["admitted_on"],
        e["probation_ends"],
        e["extension_months"],
        e["days_left"],
        e["status"],
    ) == ("一支部", "probationary", "2020-07-01", "2021-07-01", 0, 16, "in-probation")
    assert e["events"][0] == {"event": "applied", "on": "2018-03-05"}
    assert e["next_step"]["event"] == "approved"
    assert {f["rule"] for f in e["findings"]} >= {"admission-approval-within-3-months", "conversion-overdue"}


def test_timeline_statuses_over_time(admitted):
    run = admitted
    ok(record(run, "刘佳", "approved", "--on", "2020-08-01"))

    def entry(as_of):
        return json.loads(ok(run("timeline", "刘佳", "--as-of", as_of, "--format", "json")))[0]

    assert entry("2021-07-02")["status"] == "overdue" and entry("2021-07-02")["days_left"] == -1
    ok(record(run, "刘佳", "extended", "--on", "2021-07-10", "--months", "6"))
    e = entry("2021-08-01")
    assert (e["status"], e["probation_ends"], e["extension_months"]) == ("extended", "2022-01-01", 6)
    ok(record(run, "刘佳", "converted", "--on", "2022-01-05"))
    assert entry("2022-02-01")["status"] == "converted"
    assert entry("2021-08-01")["status"] == "extended"  # the time machine ignores the later conversion


def test_timeline_table_reads_like_a_planning_sheet(admitted):
    run = admitted
    out = ok(run("timeline", "--as-of", "2021-06-15"))
    assert "截至2021年6月15日" in out
    for text in (
        "姓名",
        "所在支部",
        "下一步",
        "刘佳",
        "一支部",
        "预备党员",
        "接收 2020年7月1日；期满 2021年7月1日",
        "16",
    ):
        assert text in out
    assert "问题：" in out and "admission-approval-within-3-months" in out


def test_timeline_csv_has_a_bom_and_english_keys(admitted):
    run = admitted
    out = ok(run("timeline", "--as-of", "2021-06-15", "--format", "csv"))
    assert out.startswith("\ufeffmember_id,name,org,stage,admitted_on,probation_ends")
    assert "刘佳,一支部,probationary,2020-07-01,2021-07-01,0,16,in-probation" in out


def test_timeline_all_adds_people_still_in_development(branch):
    run = branch
    ok(run("member", "add", "赵雪", "--org", "一支部", "--stage", "applicant", "--birth", "1998-01-09"))
    ok(record(run, "赵雪", "申请", "--on", "2020-10-12"))
    ok(record(run, "赵雪", "积极分子", "--on", "2021-03-01"))
    assert json.loads(ok(run("timeline", "--as-of", "2021-06-01", "--format", "json"))) == []
    assert "没有预备党员" in ok(run("timeline", "--as-of", "2021-06-01"))
    data = json.loads(ok(run("timeline", "--all", "--as-of", "2021-06-01", "--format", "json")))
    by_name = {e["member"]["name"]: e for e in data}
    assert set(by_name) == {"赵雪", "刘佳"}
    zx = by_name["赵雪"]
    assert (zx["stage"], zx["status"], zx["admitted_on"], zx["days_left"]) == ("activist", None, None, None)
    assert zx["next_step"] == {"event": "candidate", "earliest": "2022-03-01", "deadline": None}
    assert {"what": "assessed", "date": "2021-09-01", "rule": "activist-assessment-half-yearly", "status": "due"} in zx[
        "deadlines"
    ]
    out = ok(run("timeline", "--all", "--as-of", "2021-06-01"))
    assert "确定为发展对象（2022年3月1日起）" in out


def test_timeline_of_unknown_people_or_orgs_is_refused(branch):
    run = branch
    r = run("timeline", "无名氏")
    assert r.exit_code == 2 and "没有找到党员" in r.stderr
    r = run("timeline", "--org", "没有的支部")
    assert r.exit_code == 2 and "没有名为" in r.stderr


# ---------------------------------------------------------------- due


def test_due_lists_what_falls_due_and_what_is_late_sorted_by_date(admitted):
    run = admitted  # probation ends 2021-07-01, no approval yet
    ok(run("member", "add", "赵雪", "--org", "一支部", "--stage", "applicant", "--birth", "1998-01-09"))
    ok(record(run, "赵雪", "申请", "--on", "2021-06-10"))  # talk due by 2021-07-10
    data = json.loads(ok(run("due", "--as-of", "2021-06-15", "--format", "json")))
    assert all(set(i) == {"date", "what", "rule", "subject", "message"} for i in data)
    assert [i["date"] for i in data] == sorted(i["date"] for i in data)
    pairs = {(i["rule"], i["date"], i["what"]) for i in data}
    assert ("admission-approval-within-3-months", "2021-01-01", "approved") in pairs  # late
    assert ("conversion-overdue", "2021-07-01", "converted") in pairs  # probation ends
    assert ("application-talk-within-1-month", "2021-07-10", "talked") in pairs
    # the meetings still missing this month, quarter and year
    assert ("theme-day-monthly", "2021-06-30", "theme-day") in pairs
    assert ("general-meeting-quarterly", "2021-06-30", "general-meeting") in pairs
    assert ("life-meeting-yearly", "2021-12-31", "life-meeting") in pairs
    assert not any(i["rule"] == "theme-day-monthly" and i["date"] == "2021-05-31" for i in data)  # missed, not due
    short = json.loads(ok(run("due", "--as-of", "2021-06-15", "--within", "10", "--format", "json")))
    assert not any(i["rule"] == "application-talk-within-1-month" for i in short)
    assert any(i["rule"] == "admission-approval-within-3-months" for i in short)


def test_due_table_and_csv(admitted):
    run = admitted
    out = ok(run("due", "--as-of", "2021-06-15"))
    assert "截至2021年6月15日，今后30天内到期和已经逾期的事项" in out
    assert "逾期" in out and "上级党委审批" in out and "主题党日" in out
    csv_out = ok(run("due", "--as-of", "2021-06-15", "--format", "csv"))
    assert csv_out.startswith("\ufeffdate,what,rule,subject_type,subject_id,subject_name,subject_org,message")
    assert "2021-07-01,converted,conversion-overdue,member,4,刘佳,一支部," in csv_out


def test_due_refuses_a_negative_horizon(branch):
    r = branch("due", "--within", "-1")
    assert r.exit_code == 2 and "--within" in r.stderr


def test_activists_reaching_one_year_are_listed(branch):
    run = branch
    ok(record(run, "刘佳", "申请", "--on", "2020-02-01"))
    ok(record(run, "刘佳", "谈话", "--on", "2020-02-10"))
    ok(record(run, "刘佳", "积极分子", "--on", "2020-03-01"))
    ok(record(run, "刘佳", "考察", "--on", "2020-08-30"))
    data = json.loads(ok(run("due", "--as-of", "2021-02-15", "--format", "json")))
    item = next(i for i in data if i["rule"] == "activist-min-1-year")
    assert (item["date"], item["what"]) == ("2021-03-01", "candidate")
    assert item["subject"]["name"] == "刘佳"


# ---------------------------------------------------------------- check and the calendar


def test_check_audits_every_file_and_fails_on_errors(branch):
    run = branch
    ok(record(run, "刘佳", "candidate", "--on", "2019-09-15"))
    ok(record(run, "刘佳", "admitted", "--on", "2019-11-25"))
    r = run("check", "--from", "2015-01-01", "--as-of", "2019-12-31", "--org", "一支部", "--format", "json")
    assert r.exit_code == 1
    rules = {f["rule"] for f in json.loads(r.stdout)["findings"] if f["subject"]["type"] == "member"}
    assert rules >= {
        "admission-requires-political-review",
        "admission-requires-training",
        "admission-requires-pre-review",
    }
    r = run("check", "--year", "2018", "--as-of", "2019-12-31", "--format", "json")
    assert not any(f["subject"]["type"] == "member" for f in json.loads(r.stdout)["findings"])


def test_an_unknown_year_is_noted_once_on_stderr_and_a_schedule_file_replaces_it(branch, tmp_path, monkeypatch):
    # the steps lie in years the official calendar does not know yet: today is put after them
    monkeypatch.setattr("dangjian.services.development.local_today", lambda: date(2031, 12, 31))
    run = branch
    ok(record(run, "刘佳", "申请", "--on", "2029-03-01"))
    ok(record(run, "刘佳", "积极分子", "--on", "2030-03-01"))
    ok(record(run, "刘佳", "公示", "--on", "2031-03-10", "--until", "2031-03-14"))
    r = record(run, "刘佳", "发展对象", "--on", "2031-03-17")
    assert r.exit_code == 0
    assert r.stderr.count("周一至周五") == 1 and "2031年" in r.stderr
    r = run("check", "--year", "2031", "--as-of", "2031-12-31", "--format", "json")
    assert r.stderr.count("周一至周五") == 1
    assert not any(f["rule"] == "candidate-publicity-5-workdays" for f in json.loads(r.stdout)["findings"])
    path = tmp_path / "2031.toml"
    path.write_text("[2031]\nholidays = [2031-03-12]\n", encoding="utf-8")
    r = run("--holidays", str(path), "check", "--year", "2031", "--as-of", "2031-12-31", "--format", "json")
    assert "周一至周五" not in r.stderr
    found = [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "candidate-publicity-5-workdays"]
    assert len(found) == 1 and found[0]["actual"] == 4
    r = run(
        "check", "--year", "2031", "--as-of", "2031-12-31", "--format", "json", env={"DANGJIAN_HOLIDAYS": str(path)}
    )
    assert any(f["rule"] == "candidate-publicity-5-workdays" for f in json.loads(r.stdout)["findings"])
    bad = tmp_path / "bad.toml"
    bad.write_text("[2031]\nholidays = [2030-01-01]\n", encoding="utf-8")
    r = run("--holidays", str(bad), "check", "--year", "2031", "--as-of", "2031-12-31")
    assert r.exit_code == 2 and "不在2031年" in r.stderr


def test_nothing_is_noted_when_no_working_days_were_counted(branch):
    r = branch("timeline", "--as-of", "2021-06-15")
    assert r.stderr == ""


def test_help_of_every_new_command_has_an_example(run):
    for args in (("member", "record"), ("timeline",), ("due",)):
        out = ok(run(*args, "--help"))
        assert "例：" in out and "dangjian" in out


# ---------------------------------------------------------------- the demo


def test_the_demo_has_a_development_side(run, target):
    ok(run("demo", "--db", target))
    check = json.loads(run("check", "--year", "2021", "--as-of", "2022-03-31", "--format", "json").stdout)
    meetings = [f for f in check["findings"] if f["subject"]["type"] != "member"]
    assert [(f["rule"], f["subject"]["name"], f["period"]) for f in meetings] == [
        ("group-meeting-monthly", "退休职工党小组", "2021-02"),
        ("theme-day-monthly", "机关第二党支部", "2021-04"),
        ("committee-meeting-monthly", "机关党支部", "2021-08"),
        ("party-lecture-quarterly", "离退休党支部", "2021-Q3"),
    ]
    people = [
        (f["rule"], f["subject"]["name"], f["date"]) for f in check["findings"] if f["subject"]["type"] == "member"
    ]
    assert people == [("event-order", "刘佳", "2021-12-02")] * 2
    tl = json.loads(ok(run("timeline", "--all", "--as-of", "2022-03-31", "--format", "json")))
    assert [(e["member"]["name"], e["stage"]) for e in tl] == [
        ("刘佳", "probationary"),
        ("赵雪", "activist"),
        ("孙悦", "applicant"),
    ]
    guo = json.loads(ok(run("timeline", "郭芳", "--as-of", "2022-03-31", "--format", "json")))[0]
    assert (guo["status"], guo["admitted_on"], guo["probation_ends"], guo["findings"]) == (
        "converted",
        "2020-11-20",
        "2021-11-20",
        [],
    )
    assert events_of(run, "郭芳")["full_since"] == "2021-11-20"
    due = json.loads(ok(run("due", "--as-of", "2022-03-31", "--format", "json")))
    mine = {(i["subject"]["name"], i["what"], i["date"]) for i in due if i["subject"]["type"] == "member"}
    assert mine == {
        ("赵雪", "assessed", "2022-04-08"),
        ("赵雪", "candidate", "2022-04-08"),
        ("孙悦", "talked", "2022-04-15"),
    }


def test_local_rules_change_the_development_numbers(branch, tmp_path):
    run = branch
    ok(record(run, "刘佳", "申请", "--on", "2020-01-10"))
    ok(record(run, "刘佳", "积极分子", "--on", "2020-03-01"))
    path = tmp_path / "local.toml"
    path.write_text(
        '[activist-min-1-year]\nmin_gap = "2 years"\n[extension-length]\nmin_months = 3\n', encoding="utf-8"
    )
    e = json.loads(ok(run("--rules", str(path), "timeline", "刘佳", "--as-of", "2020-06-01", "--format", "json")))[0]
    assert e["next_step"]["earliest"] == "2022-03-01"
    path.write_text('[admission-approval-within-3-months]\nlate_severity = "fatal"\n', encoding="utf-8")
    r = run("--rules", str(path), "timeline", "刘佳", "--as-of", "2020-06-01")
    assert r.exit_code == 2 and "late_severity" in r.stderr
