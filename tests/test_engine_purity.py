"""The engine is pure: the same facts, calendar and as_of give the same outcome, and nothing is kept."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import dangjian.rules
from dangjian.domain import workdays
from dangjian.domain.workdays import YearSchedule
from dangjian.io.holidays import official_calendar
from dangjian.rules import engine
from dangjian.rules.facts import EventFact, Facts, MemberFact, MembershipFact, OrgFact, SessionFact, Window
from dangjian.rules.loader import builtin_rules
from dangjian.rules.planning import development_rules

RULES = builtin_rules()
ALL = Window(date(1900, 1, 1), date(9999, 12, 31))
Y2027 = Window(date(2027, 1, 1), date(2027, 12, 31))
AS_OF = date(2028, 1, 15)
TOP = Path(__file__).resolve().parent.parent


def _facts(calendar=None) -> Facts:
    """A branch, a few sessions, and one person whose 公示 in March 2027 lies outside the holiday data."""
    steps = [
        ("applied", date(2025, 3, 1), {}),
        ("talked", date(2025, 3, 10), {}),
        ("activist", date(2025, 6, 1), {}),
        ("assessed", date(2025, 11, 20), {}),
        ("assessed", date(2026, 5, 10), {}),
        ("publicized", date(2027, 3, 1), {"until": "2027-03-04"}),
        ("candidate", date(2027, 3, 8), {}),
    ]
    member = MemberFact(
        1, "刘佳", stage="candidate", org_id=1, org_name="一支部", recorded=frozenset(s[0] for s in steps)
    )
    return Facts(
        orgs=(OrgFact(1, "一支部", "branch", established_on=date(2010, 1, 1)),),
        memberships=tuple(MembershipFact(100 + i, 1, stage="full", joined_on=date(2000, 1, 1)) for i in range(8)),
        sessions=(SessionFact(1, 1, date(2027, 2, 20), frozenset({"general-meeting"})),),
        members=(member,),
        events=tuple(EventFact(1, e, on, details, id=i) for i, (e, on, details) in enumerate(steps, start=1)),
        calendar=calendar if calendar is not None else official_calendar(),
    )


def _publicity(outcome):
    return [f for f in outcome.findings if f.rule == "candidate-publicity-5-workdays"]


def _rules_modules():
    names = [dangjian.rules.__name__]
    names += [m.name for m in pkgutil.walk_packages(dangjian.rules.__path__, dangjian.rules.__name__ + ".")]
    return [importlib.import_module(n) for n in names] + [workdays]


def _snapshot():
    """Every module-level name of the pure layers, with its object and (for containers) a copy of its contents."""
    out = {}
    for module in _rules_modules():
        for name, value in vars(module).items():
            if name.startswith("__"):
                continue
            contents = None
            if isinstance(value, (dict, list, set)):
                contents = repr(sorted(map(repr, value.items() if isinstance(value, dict) else value)))
            out[(module.__name__, name)] = (id(value), contents)
    return out


def test_the_same_facts_and_calendar_give_equal_outcomes():
    facts = _facts()
    first = engine.evaluate(RULES, facts, Y2027, AS_OF)
    second = engine.evaluate(RULES, facts, Y2027, AS_OF)
    assert first == second
    assert first.findings  # the world is not trivially clean: the year has missed meetings
    assert engine.evaluate(RULES, _facts(), Y2027, AS_OF) == first  # equal facts built again


def test_a_check_changes_no_module_global_and_not_the_calendar():
    calendar = official_calendar()
    schedules = dict(calendar.schedules)
    before = _snapshot()
    engine.evaluate(RULES, _facts(calendar), Y2027, AS_OF)
    engine.check(development_rules(RULES), _facts(calendar), ALL, AS_OF)
    assert _snapshot() == before
    assert dict(calendar.schedules) == schedules and calendar == official_calendar()


def test_a_2027_date_outside_the_holiday_data_gives_the_note_in_the_result():
    outcome = engine.evaluate(RULES, _facts(), Y2027, AS_OF)
    (note,) = outcome.notes
    assert "2027年的工作日按周一至周五计算" in note and "chinese-calendar 还没有2027年的节假日安排" in note
    # Monday to Friday: 1..4 March 2027 are four working days, short of five
    (x,) = _publicity(outcome)
    assert (x.status, x.expected, x.actual) == ("violated", 5, 4)


def test_a_calendar_that_knows_the_year_gives_no_note_and_its_own_count():
    known = official_calendar().with_schedules({2027: YearSchedule(workdays=frozenset({date(2027, 2, 28)}))})
    f = _facts(known)
    earlier = EventFact(1, "publicized", date(2027, 2, 28), {"until": "2027-03-04"}, id=6)
    f = replace(f, events=(*f.events[:-2], earlier, f.events[-1]))
    outcome = engine.evaluate(RULES, f, Y2027, AS_OF)
    assert outcome.notes == ()
    assert _publicity(outcome) == []  # 28 February worked (调休) makes five
    # and the first calendar still answers as before: nothing leaked between the two checks
    assert engine.evaluate(RULES, _facts(), Y2027, AS_OF).notes != ()


def test_no_global_statement_and_no_work_calendar_configured_at_module_level():
    for folder in (TOP / "dangjian" / "rules", TOP / "dangjian" / "domain"):
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert not any(isinstance(n, (ast.Global, ast.Nonlocal)) for n in ast.walk(tree)), path
    assert not hasattr(workdays, "configure") and not hasattr(workdays, "current")
