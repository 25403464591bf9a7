"""The seven meeting rules, fed literal facts and an explicit as_of: no database, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.periods import periods_between
from dangjian.rules.engine import check
from dangjian.rules.facts import Facts, GroupFact, MembershipFact, OrgFact, SessionFact, Window
from dangjian.rules.findings import exit_status, summarize
from dangjian.rules.loader import builtin_rules
from dangjian.rules.registry import FAMILIES

RULES = builtin_rules()
Y2021 = Window(date(2021, 1, 1), date(2021, 12, 31))
BRANCH = OrgFact(1, "机关第一党支部", "branch", established_on=date(2010, 1, 1))
_ids = iter(range(1, 10_000_000))


def only(rule_id: str):
    return [r for r in RULES if r.id == rule_id]


def sessions(org_id: int, kind: str, days: list[date], group_id=None, for_year=None):
    return tuple(SessionFact(next(_ids), org_id, d, frozenset({kind}), group_id, for_year) for d in days)


def monthly(org_id, kind, year=2021, day=10, skip=(), group_id=None):
    return sessions(org_id, kind, [date(year, m, day) for m in range(1, 13) if m not in skip], group_id)


def quarterly(org_id, kind, year=2021, skip=()):
    return sessions(org_id, kind, [date(year, m, 20) for m in (2, 5, 8, 11) if (m + 1) // 3 not in skip])


def full_members(org_id: int, n: int, since=date(2000, 1, 1), start=None, end=None):
    return tuple(
        MembershipFact(
            next(_ids),
            org_id,
            start=start,
            end=end,
            stage="full",
            joined_on=since,
            full_since=since + timedelta(days=366),
        )
        for _ in range(n)
    )


def findings(rule_id, facts, as_of=date(2022, 6, 30), window=Y2021):
    return check(only(rule_id), facts, window, as_of)


def test_every_builtin_rule_has_an_engine_family():
    assert {r.family for r in RULES} <= set(FAMILIES)
    assert {r.id for r in RULES} >= {
        "general-meeting-quarterly",
        "committee-meeting-monthly",
        "group-meeting-monthly",
        "party-lecture-quarterly",
        "theme-day-monthly",
        "life-meeting-yearly",
        "appraisal-yearly",
    }


# ---------------------------------------------------------------- general meeting, quarterly


def test_general_meeting_missing_quarter_is_reported_exactly():
    facts = Facts(orgs=(BRANCH,), sessions=quarterly(1, "general-meeting", skip=(2,)))
    [f] = findings("general-meeting-quarterly", facts)
    assert f.to_dict() == {
        "rule": "general-meeting-quarterly",
        "severity": "error",
        "status": "missed",
        "subject": {"type": "org", "id": 1, "name": "机关第一党支部"},
        "period": "2021-Q2",
        "date": "2021-06-30",
        "expected": 1,
        "actual": 0,
        "message": "2021年第二季度未召开支部党员大会（应至少1次，实际0次）",
        "source": "《中国共产党支部工作条例（试行）》第十一条",
    }
    assert exit_status([f]) == 1


def test_a_full_year_of_meetings_gives_no_findings():
    facts = Facts(orgs=(BRANCH,), sessions=quarterly(1, "general-meeting"))
    assert findings("general-meeting-quarterly", facts) == []


def test_session_on_the_last_day_of_a_quarter_counts_for_that_quarter():
    facts = Facts(
        orgs=(BRANCH,),
        sessions=sessions(
            1, "general-meeting", [date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31)]
        ),
    )
    assert findings("general-meeting-quarterly", facts) == []
    moved = Facts(
        orgs=(BRANCH,),
        sessions=sessions(
            1, "general-meeting", [date(2021, 4, 1), date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31)]
        ),
    )
    assert [f.period for f in findings("general-meeting-quarterly", moved)] == ["2021-Q1"]


def test_open_quarter_is_due_and_later_quarters_are_not_reported():
    facts = Facts(orgs=(BRANCH,), sessions=sessions(1, "general-meeting", [date(2021, 2, 1)]))
    got = findings("general-meeting-quarterly", facts, as_of=date(2021, 5, 15))
    assert [(f.period, f.status) for f in got] == [("2021-Q2", "due")]
    assert exit_status(got) == 0  # a due finding never fails the check
    assert "尚未召开" in got[0].message


def test_as_of_ignores_sessions_recorded_for_later_days():
    facts = Facts(orgs=(BRANCH,), sessions=sessions(1, "general-meeting", [date(2021, 6, 30)]))
    got = findings(
        "general-meeting-quarterly", facts, as_of=date(2021, 6, 29), window=Window(date(2021, 4, 1), date(2021, 6, 30))
    )
    assert [(f.period, f.status, f.actual) for f in got] == [("2021-Q2", "due", 0)]
    assert (
        findings(
            "general-meeting-quarterly",
            facts,
            as_of=date(2021, 6, 30),
            window=Window(date(2021, 4, 1), date(2021, 6, 30)),
        )
        == []
    )


def test_last_day_of_period_as_of_is_still_due_then_missed_next_day():
    facts = Facts(orgs=(BRANCH,))
    w = Window(date(2021, 1, 1), date(2021, 3, 31))
    assert [f.status for f in findings("general-meeting-quarterly", facts, date(2021, 3, 31), w)] == ["due"]
    assert [f.status for f in findings("general-meeting-quarterly", facts, date(2021, 4, 1), w)] == ["missed"]


def test_org_established_mid_quarter_owes_from_the_next_quarter():
    org = replace(BRANCH, established_on=date(2021, 5, 10))
    got = findings("general-meeting-quarterly", Facts(orgs=(org,)))
    assert [f.period for f in got] == ["2021-Q3", "2021-Q4"]


def test_org_established_on_first_day_of_quarter_owes_that_quarter():
    org = replace(BRANCH, established_on=date(2021, 4, 1))
    assert [f.period for f in findings("general-meeting-quarterly", Facts(orgs=(org,)))] == [
        "2021-Q2",
        "2021-Q3",
        "2021-Q4",
    ]


def test_dissolved_org_owes_nothing_for_the_quarter_it_ends_in():
    org = replace(BRANCH, dissolved_on=date(2021, 8, 15))
    assert [f.period for f in findings("general-meeting-quarterly", Facts(orgs=(org,)))] == ["2021-Q1", "2021-Q2"]


def test_dissolution_after_as_of_is_not_yet_known():
    org = replace(BRANCH, dissolved_on=date(2021, 8, 15))
    got = findings("general-meeting-quarterly", Facts(orgs=(org,)), as_of=date(2021, 7, 31))
    assert [(f.period, f.status) for f in got] == [("2021-Q1", "missed"), ("2021-Q2", "missed"), ("2021-Q3", "due")]


def test_org_established_after_as_of_is_ignored():
    org = replace(BRANCH, established_on=date(2021, 9, 1))
    assert findings("general-meeting-quarterly", Facts(orgs=(org,)), as_of=date(2021, 8, 1)) == []


def test_committees_and_general_branches_are_not_held_to_branch_meetings():
    orgs = (
        OrgFact(1, "机关党委", "committee"),
        OrgFact(2, "机关党总支", "general-branch"),
        OrgFact(3, "联合党支部", "joint-branch"),
    )
    got = findings("general-meeting-quarterly", Facts(orgs=orgs))
    assert {f.subject.id for f in got} == {3}


# ---------------------------------------------------------------- merges


def _merged(merge_day: date):
    a = OrgFact(
        1, "机关第一党支部", "branch", established_on=date(2010, 1, 1), dissolved_on=merge_day, merged_into_id=3
    )
    b = OrgFact(
        2, "机关第二党支部", "branch", established_on=date(2010, 1, 1), dissolved_on=merge_day, merged_into_id=3
    )
    c = OrgFact(3, "机关党支部", "branch", established_on=merge_day)
    return a, b, c


def test_merge_target_owes_the_year_of_the_merge_as_successor():
    a, b, c = _merged(date(2021, 7, 15))
    got = findings("life-meeting-yearly", Facts(orgs=(a, b, c)))
    assert [(f.subject.name, f.period, f.status) for f in got] == [("机关党支部", "2021", "missed")]


def test_merge_mid_quarter_successor_owes_the_quarter_and_counts_sources_sessions_before_the_merge():
    a, b, c = _merged(date(2021, 8, 10))
    base = quarterly(1, "general-meeting", skip=(3, 4)) + quarterly(2, "general-meeting", skip=(3, 4))
    got = findings("general-meeting-quarterly", Facts(orgs=(a, b, c), sessions=base))
    assert [(f.subject.name, f.period) for f in got] == [("机关党支部", "2021-Q3"), ("机关党支部", "2021-Q4")]
    # a source held its Q3 meeting in July, before the merge: the successor's Q3 is covered
    held = base + sessions(1, "general-meeting", [date(2021, 7, 20)])
    got = findings("general-meeting-quarterly", Facts(orgs=(a, b, c), sessions=held))
    assert [(f.subject.name, f.period) for f in got] == [("机关党支部", "2021-Q4")]
    # but a source's meeting after the merge date does not count (it no longer exists)
    late = base + sessions(1, "general-meeting", [date(2021, 8, 20)])
    got = findings("general-meeting-quarterly", Facts(orgs=(a, b, c), sessions=late))
    assert ("机关党支部", "2021-Q3") in [(f.subject.name, f.period) for f in got]


def test_merge_on_first_day_of_quarter_sources_stop_and_target_starts():
    a, b, c = _merged(date(2021, 7, 1))
    base = quarterly(1, "general-meeting", skip=(3, 4)) + quarterly(2, "general-meeting", skip=(3, 4))
    got = findings("general-meeting-quarterly", Facts(orgs=(a, b, c), sessions=base))
    assert [(f.subject.name, f.period) for f in got] == [("机关党支部", "2021-Q3"), ("机关党支部", "2021-Q4")]


def test_merge_recorded_after_as_of_is_unknown():
    a, b, c = _merged(date(2021, 8, 10))
    got = findings("general-meeting-quarterly", Facts(orgs=(a, b, c)), as_of=date(2021, 8, 1))
    assert {f.subject.name for f in got} == {"机关第一党支部", "机关第二党支部"}


# ---------------------------------------------------------------- committee meeting, monthly


def test_committee_meeting_required_only_with_seven_full_members_on_first_day():
    six = Facts(orgs=(BRANCH,), memberships=full_members(1, 6))
    assert findings("committee-meeting-monthly", six) == []
    seven = Facts(orgs=(BRANCH,), memberships=full_members(1, 7), sessions=monthly(1, "committee-meeting", skip=(8,)))
    got = findings("committee-meeting-monthly", seven)
    assert [(f.period, f.status, f.date) for f in got] == [("2021-08", "missed", date(2021, 8, 31))]


def test_committee_threshold_counts_full_members_on_the_first_day_of_each_month():
    # six full all year; a seventh becomes full on 2021-06-02, so July is the first month that owes
    ms = full_members(1, 6) + (
        MembershipFact(99, 1, stage="full", joined_on=date(2020, 6, 2), full_since=date(2021, 6, 2)),
    )
    got = findings("committee-meeting-monthly", Facts(orgs=(BRANCH,), memberships=ms))
    assert [f.period for f in got] == [f"2021-{m:02d}" for m in range(7, 13)]


def test_committee_threshold_ignores_probationary_and_departed_members():
    ms = (
        full_members(1, 6)
        + (MembershipFact(98, 1, stage="probationary", joined_on=date(2020, 11, 1)),)
        + full_members(1, 1, end=date(2021, 1, 1))
    )
    assert findings("committee-meeting-monthly", Facts(orgs=(BRANCH,), memberships=ms)) == []


def test_threshold_is_a_param_a_local_file_can_change():
    rules = builtin_rules().replace("committee-meeting-monthly", params={"min": 1, "min_full_members": 5})
    facts = Facts(orgs=(BRANCH,), memberships=full_members(1, 5))
    got = check([rules["committee-meeting-monthly"]], facts, Y2021, date(2022, 1, 1))
    assert len(got) == 12


# ---------------------------------------------------------------- groups


def test_group_meeting_monthly_subject_carries_its_branch():
    g = GroupFact(7, "第一党小组", 1)
    facts = Facts(orgs=(BRANCH,), groups=(g,), sessions=monthly(1, "group-meeting", skip=(2,), group_id=7))
    [f] = findings("group-meeting-monthly", facts)
    assert f.subject.to_dict() == {"type": "group", "id": 7, "name": "第一党小组", "org": "机关第一党支部"}
    assert (f.period, f.date, f.message) == (
        "2021-02",
        date(2021, 2, 28),
        "2021年2月未召开党小组会（应至少1次，实际0次）",
    )


def test_group_meeting_in_leap_february():
    g = GroupFact(7, "第一党小组", 1)
    facts = Facts(orgs=(BRANCH,), groups=(g,), sessions=monthly(1, "group-meeting", 2020, skip=(2,), group_id=7))
    [f] = findings("group-meeting-monthly", facts, window=Window(date(2020, 1, 1), date(2020, 12, 31)))
    assert (f.period, f.date) == ("2020-02", date(2020, 2, 29))
    leap_day = facts.sessions + sessions(1, "group-meeting", [date(2020, 2, 29)], group_id=7)
    assert (
        findings(
            "group-meeting-monthly",
            replace(facts, sessions=leap_day),
            window=Window(date(2020, 1, 1), date(2020, 12, 31)),
        )
        == []
    )


def test_a_groups_meetings_do_not_count_for_its_branch_and_vice_versa():
    g = GroupFact(7, "第一党小组", 1)
    facts = Facts(
        orgs=(BRANCH,), groups=(g,), sessions=monthly(1, "theme-day", group_id=7) + monthly(1, "group-meeting")
    )
    assert len(findings("theme-day-monthly", facts)) == 12
    assert len(findings("group-meeting-monthly", facts)) == 12


def test_group_without_dates_lives_as_long_as_its_branch_and_own_dates_apply():
    short = replace(BRANCH, dissolved_on=date(2021, 4, 1))
    g = GroupFact(7, "第一党小组", 1)
    assert [f.period for f in findings("group-meeting-monthly", Facts(orgs=(short,), groups=(g,)))] == [
        "2021-01",
        "2021-02",
        "2021-03",
    ]
    late = GroupFact(8, "第二党小组", 1, established_on=date(2021, 11, 15))
    assert [f.period for f in findings("group-meeting-monthly", Facts(orgs=(BRANCH,), groups=(late,)))] == ["2021-12"]


# ---------------------------------------------------------------- lecture, theme day


def test_party_lecture_is_a_warning_and_does_not_fail_the_check():
    facts = Facts(orgs=(BRANCH,), sessions=quarterly(1, "party-lecture", skip=(3,)))
    [f] = findings("party-lecture-quarterly", facts)
    assert (f.severity, f.status, f.period) == ("warning", "missed", "2021-Q3")
    assert exit_status([f]) == 0


def test_one_session_counts_for_each_of_its_kinds():
    s = tuple(
        SessionFact(next(_ids), 1, date(2021, m, 20), frozenset({"general-meeting", "party-lecture"}))
        for m in (2, 5, 8, 11)
    )
    facts = Facts(orgs=(BRANCH,), sessions=s)
    assert findings("general-meeting-quarterly", facts) == []
    assert findings("party-lecture-quarterly", facts) == []


def test_theme_day_monthly():
    facts = Facts(orgs=(BRANCH,), sessions=monthly(1, "theme-day", skip=(4, 10)))
    assert [f.period for f in findings("theme-day-monthly", facts)] == ["2021-04", "2021-10"]


# ---------------------------------------------------------------- annual meetings with for_year and grace


def test_life_meeting_held_in_january_for_last_year_counts_for_last_year():
    facts = Facts(orgs=(BRANCH,), sessions=sessions(1, "life-meeting", [date(2022, 1, 18)], for_year=2021))
    assert findings("life-meeting-yearly", facts, as_of=date(2022, 6, 30)) == []
    # without --for-year it counts for 2022, and 2021 is missed once the grace has passed
    plain = Facts(orgs=(BRANCH,), sessions=sessions(1, "life-meeting", [date(2022, 1, 18)]))
    [f] = findings("life-meeting-yearly", plain, as_of=date(2022, 6, 30))
    assert (f.period, f.status, f.date) == ("2021", "missed", date(2021, 12, 31))


def test_annual_meeting_stays_due_until_the_grace_has_passed():
    facts = Facts(orgs=(BRANCH,))
    assert [f.status for f in findings("appraisal-yearly", facts, as_of=date(2021, 12, 31))] == ["due"]
    assert [f.status for f in findings("appraisal-yearly", facts, as_of=date(2022, 3, 31))] == ["due"]
    [f] = findings("appraisal-yearly", facts, as_of=date(2022, 4, 1))
    assert f.status == "missed" and exit_status([f]) == 1
    assert "2022年3月31日前" in findings("appraisal-yearly", facts, as_of=date(2022, 2, 1))[0].message


def test_grace_is_a_param_zero_makes_the_year_strict():
    rules = builtin_rules().replace("life-meeting-yearly", params={"min": 1, "grace": "0 months"})
    got = check([rules["life-meeting-yearly"]], Facts(orgs=(BRANCH,)), Y2021, date(2022, 1, 1))
    assert [f.status for f in got] == ["missed"]


def test_for_year_is_ignored_by_rules_that_count_by_date():
    # a theme day tagged for 2021 but held on 2022-01-10 is January 2022's theme day
    facts = Facts(
        orgs=(BRANCH,),
        sessions=monthly(1, "theme-day", skip=(12,)) + sessions(1, "theme-day", [date(2022, 1, 10)], for_year=2021),
    )
    assert [f.period for f in findings("theme-day-monthly", facts)] == ["2021-12"]


# ---------------------------------------------------------------- window, scope, disabled rules


def test_window_selects_periods_by_their_last_day():
    facts = Facts(orgs=(BRANCH,))
    got = findings("general-meeting-quarterly", facts, window=Window(date(2021, 2, 15), date(2021, 7, 1)))
    assert [f.period for f in got] == ["2021-Q1", "2021-Q2"]


def test_scope_limits_subjects_but_not_successor_accounting():
    other = OrgFact(2, "离退休党支部", "branch", established_on=date(2010, 1, 1))
    got = findings("general-meeting-quarterly", Facts(orgs=(BRANCH, other), scope=frozenset({2})))
    assert {f.subject.id for f in got} == {2}


def test_disabled_rule_reports_nothing():
    rules = builtin_rules().replace("theme-day-monthly", enabled=False)
    assert check(rules, Facts(orgs=(BRANCH,)), Y2021, date(2022, 1, 1)) != []
    assert all(f.rule != "theme-day-monthly" for f in check(rules, Facts(orgs=(BRANCH,)), Y2021, date(2022, 1, 1)))


def test_summary_counts_by_severity():
    got = check(RULES, Facts(orgs=(BRANCH,), groups=(GroupFact(7, "第一党小组", 1),)), Y2021, date(2022, 6, 30))
    s = summarize(got)
    # 4 general meetings + 12 theme days + 12 group meetings + life + appraisal = 30 errors; 4 lectures
    assert s == {"error": 30, "warning": 4, "info": 0}


# ---------------------------------------------------------------- properties

days_2021 = st.dates(min_value=date(2021, 1, 1), max_value=date(2022, 3, 31))
kinds = st.sampled_from(
    ["general-meeting", "committee-meeting", "party-lecture", "theme-day", "life-meeting", "appraisal", "group-meeting"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(days_2021, kinds), max_size=30), days_2021, kinds, days_2021)
def test_adding_a_session_never_adds_a_finding(existing, new_day, new_kind, as_of):
    g = GroupFact(7, "第一党小组", 1)
    ms = full_members(1, 8)

    def facts(items):
        return Facts(
            orgs=(BRANCH,),
            groups=(g,),
            memberships=ms,
            sessions=tuple(
                SessionFact(i, 1, d, frozenset({k}), 7 if k == "group-meeting" else None)
                for i, (d, k) in enumerate(items)
            ),
        )

    before = {(f.rule, f.period, f.subject) for f in check(RULES, facts(existing), Y2021, as_of)}
    after = {(f.rule, f.period, f.subject) for f in check(RULES, facts(existing + [(new_day, new_kind)]), Y2021, as_of)}
    assert after <= before


@settings(max_examples=40, deadline=None)
@given(days_2021)
def test_no_period_that_starts_after_as_of_is_reported(as_of):
    got = check(RULES, Facts(orgs=(BRANCH,), groups=(GroupFact(7, "党小组", 1),)), Y2021, as_of)
    starts = {p.id: p.start for k in ("month", "quarter", "year") for p in periods_between(k, Y2021.start, Y2021.end)}
    assert all(starts[f.period] <= as_of for f in got)
    assert all(f.status == "due" for f in got if f.date >= as_of)
