"""Reads do not grow their query count with the data."""

from __future__ import annotations

from datetime import date

from playhouse.test_utils import count_queries
from support import world
from support.world import Group, Member, Org, Session

from dangjian.reports import members as member_listing
from dangjian.reports import orgs as org_listing
from dangjian.reports import sessions as session_listing
from dangjian.reports.compliance import make_window, run_check
from dangjian.rules.loader import builtin_rules


def build(n_branches: int) -> None:
    world.write(
        Org("机关党委", kind="committee", established="2010-01-01"),
        [
            [
                Org(f"第{i + 1}党支部", parent="机关党委", established="2010-01-01"),
                Group(f"第{i + 1}党支部第一党小组", org=f"第{i + 1}党支部"),
                [
                    Member(
                        f"党员{i}-{j}", org=f"第{i + 1}党支部", group=f"第{i + 1}党支部第一党小组", joined="2000-07-01"
                    )
                    for j in range(8)
                ],
                [
                    [
                        Session(
                            org=f"第{i + 1}党支部",
                            kinds=["general-meeting", "theme-day"],
                            on=date(2021, m, 10),
                            all_present=True,
                        ),
                        Session(
                            org=f"第{i + 1}党支部",
                            group=f"第{i + 1}党支部第一党小组",
                            kinds=["group-meeting"],
                            on=date(2021, m, 12),
                        ),
                    ]
                    for m in (1, 4, 7)
                ],
            ]
            for i in range(n_branches)
        ],
    )


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
