"""Reads do not grow their query count with the data."""

from __future__ import annotations

from datetime import date

from playhouse.test_utils import count_queries

from dangjian.reports import members as member_listing
from dangjian.reports import orgs as org_listing
from dangjian.reports import sessions as session_listing
from dangjian.reports.compliance import make_window, run_check
from dangjian.rules.loader import builtin_rules
from dangjian.services import members, orgs, sessions


def build(n_branches: int) -> None:
    orgs.add_org("机关党委", kind="committee", established_on=date(2010, 1, 1))
    for i in range(n_branches):
        name = f"第{i + 1}党支部"
        orgs.add_org(name, parent="机关党委", established_on=date(2010, 1, 1))
        orgs.add_group(f"{name}第一党小组", name)
        for j in range(8):
            members.add_member(f"党员{i}-{j}", name, group=f"{name}第一党小组", joined_on=date(2000, 7, 1))
        for m in (1, 4, 7):
            sessions.add_session(
                ["general-meeting", "theme-day"],
                date(2021, m, 10),
                org=name,
                attendance=sessions.AttendanceInput(all_present=True),
            )
            sessions.add_session(["group-meeting"], date(2021, m, 12), group=f"{name}第一党小组")


def queries_of_check(org=None) -> tuple[int, int]:
    with count_queries() as counter:
        result = run_check(builtin_rules(), date(2022, 6, 1), make_window(date(2022, 6, 1), year=2021), org)
    return counter.count, len(result.findings)


def test_check_query_count_is_the_same_for_3_and_30_branches(db):
    build(3)
    small, small_findings = queries_of_check()
    small_org, _ = queries_of_check("机关党委")
    from dangjian.store.connection import create_schema, drop_schema

    drop_schema(db)
    create_schema(db)
    build(30)
    large, large_findings = queries_of_check()
    large_org, _ = queries_of_check("机关党委")
    assert large_findings == 10 * small_findings > 0
    assert small == large
    assert small_org == large_org


def test_list_queries_do_not_grow(db):
    from playhouse.test_utils import count_queries as cq

    build(3)
    with cq() as a:
        member_listing.list_members()
        session_listing.list_sessions()
        org_listing.list_orgs()
        org_listing.list_groups()
    from dangjian.store.connection import create_schema, drop_schema

    drop_schema(db)
    create_schema(db)
    build(12)
    with cq() as b:
        rows = member_listing.list_members()
        listed = session_listing.list_sessions()
        org_listing.list_orgs()
        org_listing.list_groups()
    assert len(rows) == 96 and len(listed) == 72
    assert a.count == b.count
