"""Rule families declare their parameters; rule files are checked against them when read."""

from __future__ import annotations

import tomllib

import pytest

from dangjian.errors import RulesError
from dangjian.periods import Duration, parse_duration
from dangjian.rules.declarations import Param
from dangjian.rules.loader import apply_overrides, builtin_rules, rules_from_data
from dangjian.rules.planning import plan_of
from dangjian.rules.registry import FAMILIES

RULES = builtin_rules()


def test_every_family_declares_its_params_and_settings_with_a_line_of_doc():
    assert set(FAMILIES) == {r.family for r in RULES}  # no family without a rule, no rule without a family
    for fid, family in FAMILIES.items():
        assert family.ID == fid and family.AREA in ("meetings", "development")
        for declared in (*family.PARAMS.values(), *family.SETTINGS.values()):
            assert isinstance(declared, Param) and declared.doc.strip() and "\n" not in declared.doc
            assert declared.type in (bool, int, float, str, Duration, list)
            if declared.default is not None:
                assert declared.problem(declared.default) is None, (fid, declared.name)
    assert set(FAMILIES["meeting-count"].PARAMS) == {"min", "min_full_members", "grace"}
    assert set(FAMILIES["step-within"].PARAMS) == {"within", "max_gap", "late_severity"}
    assert FAMILIES["step-within"].PARAMS["late_severity"].choices == ("error", "warning", "info")


def test_every_shipped_param_is_declared_and_valid():
    for r in RULES:
        declared = r.family_module.PARAMS
        for key, value in r.params.items():
            assert key in declared and declared[key].problem(value) is None, (r.id, key)
        for key, value in r.config.items():
            assert r.family_module.SETTINGS[key].problem(value) is None, (r.id, key)


def test_defaults_come_from_the_declarations():
    lecture = RULES["party-lecture-quarterly"]
    assert "min_full_members" not in lecture.params and "grace" not in lecture.params
    assert lecture.param("min") == 1
    assert lecture.param("min_full_members") is None and lecture.param("grace") is None
    assert lecture.setting("subject") == "org" and lecture.setting("by_for_year") is False
    # a default changed in the declaration is what the rule reads when its file says nothing
    bare = RULES["conversion-overdue"].params
    assert bare == {"grace": "0 days"}
    stripped = RULES.replace("conversion-overdue", params={})["conversion-overdue"]
    assert stripped.param("grace") == parse_duration(FAMILIES["conversion-decision"].PARAMS["grace"].default)
    votes = RULES.replace("vote-quorum", params={})["vote-quorum"]
    assert votes.param("quorum") == FAMILIES["decision-votes"].PARAMS["quorum"].default == 0.5
    assert votes.setting("events") == ["admitted", "converted", "extended", "disqualified"]


def test_planning_reads_what_a_rule_declares():
    talk = plan_of(RULES["application-talk-within-1-month"])
    assert (talk.asks_for, talk.after, talk.deadline) == ("talked", "applied", parse_duration("1 month"))
    gap = plan_of(RULES["activist-min-1-year"])
    assert (gap.asks_for, gap.after, gap.earliest, gap.deadline) == (
        "candidate",
        "activist",
        Duration(1, "years"),
        None,
    )
    assert plan_of(RULES["conversion-overdue"]).asks_for == "converted"
    assert plan_of(RULES["theme-day-monthly"]).asks_for == "theme-day"
    # an override of the number is what planning reads
    rules = apply_overrides(RULES, {"application-talk-within-1-month": {"within": "2 months"}}, "本县规则.toml")
    assert plan_of(rules["application-talk-within-1-month"]).deadline == Duration(2, "months")


SHIPPED = """
[x-lecture]
family = "meeting-count"
title = "每季度上党课"
severity = "warning"
source = "通行做法"
config = { kind = "party-lecture", period = "quarter" }
params = { min = 1 }
"""


def _shipped(text: str):
    return rules_from_data(tomllib.loads(text), "extra.toml")


def test_a_valid_shipped_table_loads_with_declared_defaults():
    (rule,) = _shipped(SHIPPED)
    assert rule.setting("subject") == "org" and rule.param("grace") is None


@pytest.mark.parametrize(
    "change,fragments",
    [
        (
            ('family = "meeting-count"', 'family = "meeting-cnt"'),
            ["extra.toml", "[x-lecture]", "family", "meeting-cnt"],
        ),
        (("params = { min = 1 }", "params = { min = 1, colour = 2 }"), ["extra.toml", "[x-lecture]", "params.colour"]),
        (("params = { min = 1 }", 'params = { min = "1" }'), ["extra.toml", "[x-lecture]", "params.min", "应为数字"]),
        (('kind = "party-lecture"', 'kind = "lecture"'), ["extra.toml", "[x-lecture]", "config.kind", "lecture"]),
        ((', period = "quarter"', ""), ["extra.toml", "[x-lecture]", "缺少“period”"]),
        (('severity = "warning"', 'severity = "fatal"'), ["extra.toml", "[x-lecture]", "severity", "fatal"]),
        (('source = "通行做法"', 'source = "通行做法"\nefective_from = 2020-01-01'), ["[x-lecture]", "efective_from"]),
    ],
)
def test_a_bad_shipped_table_is_refused_when_read(change, fragments):
    old, new = change
    assert old in SHIPPED
    with pytest.raises(RulesError) as exc:
        _shipped(SHIPPED.replace(old, new))
    message = str(exc.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert message.count("。") == 1 and message.endswith("。")  # one sentence


BAD_LOCAL_FILES = [
    # (file content, the key named, what the sentence says)
    ('[theme-day-monthly]\nfamily = "meeting-cnt"\n', "family", "不是已知的规则类型"),
    ('[theme-day-monthly]\nfamily = "publicity"\n', "family", "不能修改"),
    ("[theme-day-monthly]\ncolour = 3\n", "colour", "不是可设置的项"),
    ('[theme-day-monthly]\nmin = "one"\n', "min", "应为数字"),
    ("[theme-day-monthly]\nmin = 1.5\n", "min", "应为整数"),
    ("[theme-day-monthly]\nmin = 0\n", "min", "应不小于1"),
    ("[vote-quorum]\nquorum = 1.5\n", "quorum", "应不大于1"),
    ("[candidate-publicity-5-workdays]\nworkdays = true\n", "workdays", "应为数字"),
    ('[admission-approval-within-3-months]\nlate_severity = "fatal"\n', "late_severity", "error、warning 或 info"),
    ('[theme-day-monthly]\nseverity = "fatal"\n', "severity", "error、warning 或 info"),
    ("[life-meeting-yearly]\ngrace = 3\n", "grace", "应为时长"),
]


@pytest.mark.parametrize("content,key,fragment", BAD_LOCAL_FILES)
@pytest.mark.parametrize("command", [("rules", "list"), ("check", "--year", "2021", "--as-of", "2022-03-31")])
def test_a_bad_local_rule_file_is_exit_2_naming_file_rule_and_key(run, tmp_path, content, key, fragment, command):
    path = tmp_path / "本县规则.toml"
    path.write_text(content, encoding="utf-8")
    rule_id = content.split("]")[0].lstrip("[")
    r = run("--rules", str(path), *command)
    assert r.exit_code == 2, r.stdout
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line and line.startswith("错误：") and "Traceback" not in line
    assert str(path) in line and f"[{rule_id}]" in line and f"“{key}”" in line and fragment in line


def test_an_unknown_rule_in_a_local_file_is_refused_by_check_too(run, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[no-such-rule]\nseverity = "error"\n', encoding="utf-8")
    r = run("--rules", str(path), "check", "--year", "2021")
    assert r.exit_code == 2 and str(path) in r.stderr and "“no-such-rule”不存在" in r.stderr


def test_a_declared_param_the_shipped_rule_does_not_set_may_be_set_locally(run, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[theme-day-monthly]\nmin_full_members = 3\n", encoding="utf-8")
    r = run("--rules", str(path), "rules", "list", "--format", "json")
    assert r.exit_code == 0, r.stderr
    import json

    theme = next(x for x in json.loads(r.stdout) if x["id"] == "theme-day-monthly")
    assert theme["params"] == {"min": 1, "min_full_members": 3}
