"""The bulk write paths: ids in row order, names resolved in a fixed number of queries, all or nothing."""

from __future__ import annotations

from datetime import date

import peewee as pw
import pytest
from playhouse.test_utils import count_queries

from dangjian.errors import InputError
from dangjian.store import bulk
from dangjian.store.models import (
    MODELS,
    Attendance,
    Member,
    MemberEvent,
    Membership,
    Organization,
    PartyGroup,
    Session,
    SessionKind,
)


def counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in MODELS}


def _county(branches: int = 2) -> tuple[list[int], list[int]]:
    """A committee with `branches` branches of four full members each; (branch ids, member ids)."""
    ids = bulk.insert_orgs(
        [bulk.NewOrg("县委", "committee", established_on=date(2000, 1, 1))]
        + [bulk.NewOrg(f"第{i}党支部", "branch", "县委", date(2001, 1, 1)) for i in range(branches)]
    )
    members = bulk.insert_members(
        [
            bulk.NewMember(f"党员{i}-{j}", ids[1 + i], joined_on=date(2000, 1, 1))
            for i in range(branches)
            for j in range(4)
        ]
    )
    return ids[1:], members


def test_orgs_get_their_ids_in_row_order_and_parents_named_in_the_batch(db):
    rows = [
        bulk.NewOrg("城关镇第一党支部", "branch", "城关镇党委", date(2005, 4, 1)),  # parent comes later
        bulk.NewOrg("城关镇党委", "committee", "县委"),
        bulk.NewOrg("县委", "committee", None, date(1980, 1, 1)),
        bulk.NewOrg("城关镇第二党支部", "joint-branch", "城关镇党委", village=True, code="A1"),
    ]
    ids = bulk.insert_orgs(rows)
    got = {o.id: o for o in Organization.select()}
    assert [got[i].name for i in ids] == [r.name for r in rows]
    by_name = {o.name: o for o in got.values()}
    assert by_name["城关镇第一党支部"].parent_id == by_name["城关镇党委"].id
    assert by_name["城关镇党委"].parent_id == by_name["县委"].id
    assert by_name["县委"].parent_id is None
    assert by_name["城关镇第一党支部"].established_on == date(2005, 4, 1)
    assert by_name["城关镇第二党支部"].kind == "joint-branch"
    assert by_name["城关镇第二党支部"].village and by_name["城关镇第二党支部"].code == "A1"


@pytest.mark.parametrize(
    "rows, message",
    [
        ([bulk.NewOrg("甲", "branch"), bulk.NewOrg("甲", "branch")], "重复"),
        ([bulk.NewOrg("乙", "branch", "甲支部")], "党支部下面不能再设组织"),
        ([bulk.NewOrg("乙", "branch", "没有这个")], "没有名为“没有这个”的组织"),
        ([bulk.NewOrg("甲支部", "branch")], "组织名称不能重复"),
        ([bulk.NewOrg("乙", "committee", "丙"), bulk.NewOrg("丙", "committee", "乙")], "循环"),
    ],
)
def test_orgs_refused_leave_nothing_behind(db, rows, message):
    bulk.insert_orgs([bulk.NewOrg("甲支部", "branch")])
    before = counts()
    with pytest.raises(InputError, match=message):
        bulk.insert_orgs(rows)
    assert counts() == before


def test_members_get_a_membership_in_their_branch_and_group(db):
    branches, _ = _county(1)
    gid = bulk.insert_groups([bulk.NewGroup("第一党小组", branches[0])])[0]
    ids = bulk.insert_members(
        [
            bulk.NewMember(
                "王建国",
                "第0党支部",
                "第一党小组",
                "full",
                date(1996, 6, 20),
                date(1997, 6, 20),
                id_number="110105197203140017",
                phone="13912345678",
                gender="male",
            ),
            bulk.NewMember("李娜", branches[0], None, "probationary", date(2023, 6, 1), since=date(2023, 1, 1)),
        ]
    )
    wang, li = Member.get_by_id(ids[0]), Member.get_by_id(ids[1])
    assert (wang.name, wang.id_number, wang.stage, wang.status) == ("王建国", "110105197203140017", "full", "active")
    assert li.stage == "probationary" and li.joined_on == date(2023, 6, 1)
    ms = {m.member_id: m for m in Membership.select().where(Membership.member.in_(ids))}
    assert ms[ids[0]].org_id == branches[0] and ms[ids[0]].group_id == gid and ms[ids[0]].start is None
    assert ms[ids[1]].group_id is None and ms[ids[1]].start == date(2023, 1, 1)


def test_a_registered_id_number_refuses_the_whole_batch(db):
    branches, _ = _county(1)
    bulk.insert_members([bulk.NewMember("王建国", branches[0], id_number="110105197203140017")])
    before = counts()
    with pytest.raises(InputError, match="已登记"):
        bulk.insert_members(
            [bulk.NewMember("新人", branches[0]), bulk.NewMember("重复", branches[0], id_number="110105197203140017")]
        )
    with pytest.raises(InputError, match="不止一次"):
        bulk.insert_members(
            [
                bulk.NewMember("甲", branches[0], id_number="11010519791123003X"),
                bulk.NewMember("乙", branches[0], id_number="11010519791123003X"),
            ]
        )
    assert counts() == before


def test_groups_only_in_live_branches_and_never_twice(db):
    branches, _ = _county(1)
    bulk.insert_groups([bulk.NewGroup("第一党小组", branches[0])])
    with pytest.raises(InputError, match="已有名为“第一党小组”"):
        bulk.insert_groups([bulk.NewGroup("第一党小组", branches[0])])
    with pytest.raises(InputError, match="只能设在党支部下"):
        bulk.insert_groups([bulk.NewGroup("第二党小组", "县委")])
    assert PartyGroup.select().count() == 1


def _sessions(branches: list[int], members: list[int], n: int) -> list[bulk.NewSession]:
    per = len(members) // len(branches)
    out = []
    for i in range(n):
        b = i % len(branches)
        people = members[b * per : (b + 1) * per]
        kinds = ("theme-day", "general-meeting") if i % 3 == 0 else ("theme-day",)
        attendance = [(m, "present", None) for m in people[: 1 + i % per]]
        if len(attendance) < per:
            attendance.append((people[-1], "leave", f"出差{i}"))
        out.append(
            bulk.NewSession(
                org=branches[b],
                held_on=date(2023, 1 + i % 12, 1 + i % 28),
                kinds=kinds,
                topic=f"第{i}次",
                host=people[0],
                attendance=tuple(attendance),
            )
        )
    return out


def _stored() -> dict[str, tuple]:
    """topic -> (org, held_on, kinds, attendance) as read back from the database."""
    kinds: dict[int, set] = {}
    for sid, k in SessionKind.select(SessionKind.session, SessionKind.kind).tuples():
        kinds.setdefault(sid, set()).add(k)
    att: dict[int, set] = {}
    for sid, mid, st, reason in Attendance.select(
        Attendance.session, Attendance.member, Attendance.status, Attendance.reason
    ).tuples():
        att.setdefault(sid, set()).add((mid, st, reason))
    return {
        s.topic: (s.org_id, s.held_on, frozenset(kinds.get(s.id, ())), frozenset(att.get(s.id, ())), s.host_id)
        for s in Session.select()
    }


@pytest.mark.parametrize("chunk", [bulk.CHUNK, 7])
def test_sessions_kinds_and_attendance_land_on_the_right_session(db, monkeypatch, chunk):
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    monkeypatch.setattr(bulk, "ATTENDANCE_CHUNK", max(2, chunk - 2))
    branches, members = _county(3)
    rows = _sessions(branches, members, 40)
    ids = bulk.insert_sessions(iter(rows))  # a stream, not a list
    assert len(ids) == len(set(ids)) == 40
    assert [Session.get_by_id(i).topic for i in ids] == [r.topic for r in rows]
    stored = _stored()
    for r in rows:
        assert stored[r.topic] == (r.org, r.held_on, frozenset(r.kinds), frozenset(r.attendance), r.host)


def _queries(fn) -> int:
    with count_queries() as c:
        fn()
    return c.count


def test_query_count_does_not_grow_with_rows(db):
    branches, members = _county(3)
    small = _queries(lambda: bulk.insert_sessions(_sessions(branches, members, 3)))
    large = _queries(lambda: bulk.insert_sessions(_sessions(branches, members, 60)))
    assert small == large
    small = _queries(lambda: bulk.insert_members([bulk.NewMember(f"甲{i}", "第0党支部") for i in range(2)]))
    large = _queries(lambda: bulk.insert_members([bulk.NewMember(f"乙{i}", "第1党支部") for i in range(80)]))
    assert small == large
    small = _queries(lambda: bulk.insert_orgs([bulk.NewOrg(f"丙{i}", "branch", "县委") for i in range(2)]))
    large = _queries(lambda: bulk.insert_orgs([bulk.NewOrg(f"丁{i}", "branch", "县委") for i in range(70)]))
    assert small == large


def test_more_rows_than_a_chunk_cost_queries_per_chunk_not_per_row(db, monkeypatch):
    branches, members = _county(2)
    monkeypatch.setattr(bulk, "CHUNK", 10)
    monkeypatch.setattr(bulk, "ATTENDANCE_CHUNK", 10)
    ten = _queries(lambda: bulk.insert_sessions(_sessions(branches, members, 10)))
    hundred = _queries(lambda: bulk.insert_sessions(_sessions(branches, members, 100)))
    rows = sum(len(s.attendance) + len(s.kinds) + 1 for s in _sessions(branches, members, 100))
    assert ten < hundred < rows / 3


def test_insert_without_returning_takes_consecutive_ids(db, monkeypatch):
    """The MySQL path (no RETURNING): the first id of each statement and the ones after it."""
    if not isinstance(db, pw.MySQLDatabase):
        pytest.skip("only MySQL/MariaDB report the first id of a multi-row INSERT")
    monkeypatch.setattr(bulk, "_returns_ids", lambda _db: False)
    monkeypatch.setattr(bulk, "CHUNK", 4)
    branches, members = _county(2)
    rows = _sessions(branches, members, 11)
    ids = bulk.insert_sessions(rows)
    assert [Session.get_by_id(i).topic for i in ids] == [r.topic for r in rows]
    assert set(Member.select(Member.id).tuples()) == {(m,) for m in members}


def test_development_steps_go_in_with_their_details(db):
    _, members = _county(1)
    n = bulk.insert_events(
        [
            bulk.NewEvent(members[0], "applied", date(2022, 1, 5)),
            bulk.NewEvent(members[0], "trained", date(2023, 3, 1), {"days": 5}),
            bulk.NewEvent(members[1], "publicized", date(2023, 4, 1), {"until": "2023-04-10"}, note="公示"),
        ]
    )
    assert n == 3
    rows = {(e.member_id, e.event): e for e in MemberEvent.select()}
    assert rows[(members[0], "trained")].details == {"days": 5}
    assert rows[(members[0], "applied")].details == {} and rows[(members[0], "applied")].on == date(2022, 1, 5)
    assert rows[(members[1], "publicized")].note == "公示"
    with pytest.raises(InputError, match="未知的发展纪实事项"):
        bulk.insert_events([bulk.NewEvent(members[0], "promoted", date(2023, 1, 1))])
    assert MemberEvent.select().count() == 3
