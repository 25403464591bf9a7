"""The benchmark's generator, at a tiny size: it writes through the bulk paths and the data checks cleanly."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ok

from dangjian.reports.compliance import make_window, run_check
from dangjian.rules.loader import load_rules
from dangjian.store.connection import close_database
from dangjian.store.models import Attendance, Member, MemberEvent, Organization, PartyGroup, Session

YEAR = 2023
AS_OF = date(2024, 4, 30)


@pytest.fixture(scope="module")
def generate():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_generator_builds_the_requested_sizes(db, generate):
    size = generate.SIZES["tiny"]
    stats = generate.generate(size, year=YEAR, seed=3)
    assert Organization.select().where(Organization.kind.in_(["branch", "joint-branch"])).count() == size.branches
    assert PartyGroup.select().count() == size.groups == stats["groups"]
    assert Member.select().count() == size.members
    assert Session.select().count() == size.sessions == stats["sessions"]
    assert Attendance.select().count() == stats["attendance"] > size.sessions * 5
    in_development = Member.select().where(Member.stage != "full").count()
    assert in_development and MemberEvent.select().count() == stats["events"] >= 2 * in_development
    assert not MemberEvent.select().join(Member).where(Member.stage == "full").exists()


def test_without_gaps_the_year_checks_clean(db, generate):
    generate.generate(generate.SIZES["tiny"], year=YEAR, seed=5, gaps=False)
    result = run_check(load_rules(None), AS_OF, make_window(AS_OF, YEAR))
    assert result.findings == []


def test_with_gaps_check_reports_missed_meetings(run, target, generate):
    from dangjian.store.connection import open_database

    open_database(target)
    generate.generate(generate.SIZES["tiny"], year=YEAR, seed=5)
    close_database()
    result = run("check", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    meetings = {
        "general-meeting-quarterly",
        "committee-meeting-monthly",
        "group-meeting-monthly",
        "party-lecture-quarterly",
        "theme-day-monthly",
        "life-meeting-yearly",
        "appraisal-yearly",
    }
    development = {
        "application-talk-within-1-month",
        "activist-assessment-half-yearly",
        "activist-min-1-year",
        "admission-approval-within-3-months",
        "conversion-overdue",
    }
    rules = {f["rule"] for f in findings}
    assert rules & meetings and rules <= meetings | development
    assert {f["status"] for f in findings} <= {"missed", "violated", "overdue"}
    # and the generated people are usable by name from the CLI
    listed = json.loads(ok(run("member", "list", "--format", "json")))
    assert len(listed) == generate.SIZES["tiny"].members
