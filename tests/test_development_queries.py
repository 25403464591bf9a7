"""`timeline`, `due` and `check` read the development record in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from playhouse.test_utils import count_queries

from dangjian.reports import timeline as timeline_report
from dangjian.reports.compliance import make_window, run_check
from dangjian.rules.loader import builtin_rules
from dangjian.services import members, orgs
from dangjian.store.models import Member, MemberEvent, Membership

AS_OF = date(2021, 6, 15)
STEPS = [
    ("applied", date(2018, 3, 5)),
    ("talked", date(2018, 3, 20)),
    ("activist", date(2018, 9, 10)),
    ("candidate", date(2019, 9, 10)),
    ("admitted", date(2020, 7, 1)),
]


def add_people(branch, start: int, n: int) -> None:
    """n probationary members with a record each, written in bulk."""
    rows = [
        {"name": f"预备党员{i}", "stage": "probationary", "status": "active", "joined_on": date(2020, 7, 1)}
        for i in range(start, start + n)
    ]
    Member.insert_many(rows).execute()
    people = list(Member.select().where(Member.name.startswith("预备党员")).order_by(Member.id))[start : start + n]
    Membership.insert_many([{"member": m.id, "org": branch.id} for m in people]).execute()
    MemberEvent.insert_many([{"member": m.id, "event": e, "on": on} for m in people for e, on in STEPS]).execute()


def queries(fn) -> int:
    with count_queries() as counter:
        fn()
    return counter.count


def test_query_counts_do_not_grow_with_members(db):
    rules = builtin_rules()
    branch = orgs.add_org("一支部", kind="branch", established_on=date(2010, 1, 1))
    members.add_member("王建国", "一支部", joined_on=date(2005, 7, 1), full_since=date(2006, 7, 1))
    add_people(branch, 0, 2)
    window = make_window(AS_OF, year=2021)

    def timeline():
        assert (
            len(timeline_report.timeline(rules, AS_OF)) == Member.select().where(Member.stage == "probationary").count()
        )

    def due():
        timeline_report.due_items(rules, AS_OF)

    def timeline_org():
        timeline_report.timeline(rules, AS_OF, org="一支部", include_all=True)

    def check():
        run_check(rules, AS_OF, window)

    small = {f.__name__: queries(f) for f in (timeline, due, timeline_org, check)}
    add_people(branch, 2, 40)
    large = {f.__name__: queries(f) for f in (timeline, due, timeline_org, check)}
    assert small == large
    # the count assertion inside timeline() is one extra query; the rest is the fixed read
    assert large["timeline"] <= 5
    assert large["due"] <= 9


def test_one_persons_timeline_is_a_fixed_read(db):
    rules = builtin_rules()
    branch = orgs.add_org("一支部", kind="branch")
    add_people(branch, 0, 3)
    one = queries(lambda: timeline_report.timeline(rules, AS_OF, ref="预备党员1"))
    add_people(branch, 3, 30)
    assert queries(lambda: timeline_report.timeline(rules, AS_OF, ref="预备党员1")) == one
