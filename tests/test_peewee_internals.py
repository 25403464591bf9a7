"""The audit capture and the length check read what a write query carries from peewee's private
attributes (dangjian/store/peewee_internals.py). These tests pin that shape: when a peewee release
changes it, they fail here, naming what changed, instead of the audit trail going quietly wrong."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.audit import trail as audit
from dangjian.errors import InputError
from dangjian.store.connection import database
from dangjian.store.models import AuditEntry, AuditSubject, Member, Membership, Organization, Session
from dangjian.store.peewee_internals import condition, insert_columns, insert_rows, update_values


def _names(mapping) -> dict:
    return {getattr(k, "name", k): v for k, v in mapping.items()}


def test_an_insert_carries_its_row_as_a_mapping(db):
    q = Member.insert(name="甲", stage="full")
    rows = insert_rows(q)
    assert rows is not None and len(rows) == 1
    assert _names(rows[0]) == {"name": "甲", "stage": "full"}


def test_insert_many_carries_dict_rows_as_given(db):
    given = [{"name": "甲", "stage": "full"}, {"name": "乙", "stage": "full"}]
    assert insert_rows(Member.insert_many(given)) == given


def test_insert_many_carries_positional_rows_and_their_fields(db):
    fields = [Membership.member, Membership.org, Membership.start]
    q = Membership.insert_many([(1, 1, date(2020, 1, 1))], fields=fields)
    assert list(insert_rows(q) or ()) == [(1, 1, date(2020, 1, 1))]
    assert [f.name for f in insert_columns(q)] == ["member", "org", "start"]
    # without fields, positional rows fill every column but the automatic id, in order
    default = Member.insert_many([("甲",)])
    assert [f.name for f in insert_columns(default)][:3] == ["name", "gender", "birth_date"]


def test_a_generator_of_rows_is_read_once_and_still_inserted(db):
    org = Organization.create(name="支部", kind="branch")
    q = Session.insert_many({"org": org.id, "held_on": date(2021, 3, d)} for d in (1, 2, 3))
    rows = insert_rows(q)
    assert rows is not None and len(rows) == 3
    assert insert_rows(q) is rows  # handed back to the query
    q.execute()
    assert Session.select().count() == 3


def test_insert_from_a_select_has_no_rows_to_show(db):
    q = Member.insert_from(Member.select(Member.name, Member.stage), [Member.name, Member.stage])
    assert insert_rows(q) is None


def test_an_update_carries_its_values_and_both_carry_their_condition(db):
    Member.insert_many([{"name": "甲", "stage": "full"}, {"name": "乙", "stage": "full"}]).execute()
    q = Member.update(unit="单位").where(Member.name == "乙")
    assert _names(update_values(q)) == {"unit": "单位"}
    assert [n for (n,) in Member.select(Member.name).where(condition(q)).tuples()] == ["乙"]
    assert condition(Member.delete()) is None
    d = Member.delete().where(Member.name == "甲")
    assert [n for (n,) in Member.select(Member.name).where(condition(d)).tuples()] == ["甲"]


def test_the_audit_trail_logs_each_kind_of_write_exactly(db):
    with audit.context("test", user="组织员", host="h"):
        with database.atomic():
            org = Organization.insert(name="支部", kind="branch").execute()
            Member.insert_many([{"name": "甲", "stage": "full"}, {"name": "乙", "stage": "full"}]).execute()
            Membership.insert_many(
                [(1, org, date(2020, 1, 1)), (2, org, date(2020, 1, 1))],
                fields=[Membership.member, Membership.org, Membership.start],
            ).execute()
            Session.insert_many({"org": org, "held_on": date(2021, 3, d)} for d in (1, 2)).execute()
        with database.atomic():
            Member.update(unit="单位").where(Member.name == "乙").execute()
            Membership.delete().where(Membership.member == 1).execute()
    first, second = AuditEntry.select().order_by(AuditEntry.id)

    # ids of a multi-row insert are known on every backend (RETURNING, else from the one id the driver tells)
    def multi(*rows: dict) -> tuple[list[int], list[dict]]:
        return [1, 2], [{"id": i, **r} for i, r in enumerate(rows, 1)]

    names = {"member": {"1": "甲", "2": "乙"}, "organization": {"1": "支部"}}
    member_ids, member_rows = multi({"name": "甲", "stage": "full"}, {"name": "乙", "stage": "full"})
    ms_ids, ms_rows = multi(
        {"member": 1, "org": 1, "start": "2020-01-01"}, {"member": 2, "org": 1, "start": "2020-01-01"}
    )
    s_ids, s_rows = multi({"org": 1, "held_on": "2021-03-01"}, {"org": 1, "held_on": "2021-03-02"})
    # what undo reverts: every statement, in the order sent
    assert first.changes.pop("steps") == [
        {"entity": "organization", "op": "insert", "ids": [[1, 1]]},
        {"entity": "member", "op": "insert", "ids": [[1, 2]]},
        {"entity": "membership", "op": "insert", "ids": [[1, 2]]},
        {"entity": "session", "op": "insert", "ids": [[1, 2]]},
    ]
    assert second.changes.pop("steps") == [
        {"entity": "member", "op": "update", "rows": [{"ids": [[2, 2]], "before": {"unit": None}}]},
        {
            "entity": "membership",
            "op": "delete",
            "rows": [{"id": 1, "member": 1, "org": 1, "group": None, "start": "2020-01-01", "end": None, "note": None}],
        },
    ]
    assert first.changes == {
        "changes": [
            {
                "entity": "organization",
                "op": "insert",
                "count": 1,
                "ids": [1],
                "rows": [{"id": 1, "name": "支部", "kind": "branch"}],
            },
            {"entity": "member", "op": "insert", "count": 2, "ids": member_ids, "rows": member_rows},
            {"entity": "membership", "op": "insert", "count": 2, "ids": ms_ids, "rows": ms_rows},
            {"entity": "session", "op": "insert", "count": 2, "ids": s_ids, "rows": s_rows},
        ],
        "names": names,
    }
    assert second.changes == {
        "changes": [
            {
                "entity": "member",
                "op": "update",
                "count": 1,
                "ids": [2],
                "rows": [{"id": 2, "before": {"unit": None}, "after": {"unit": "单位"}}],
            },
            {
                "entity": "membership",
                "op": "delete",
                "count": 1,
                "ids": [1],
                "rows": [
                    {"id": 1, "member": 1, "org": 1, "group": None, "start": "2020-01-01", "end": None, "note": None}
                ],
            },
        ],
        "names": names,
    }
    subjects = {(s.entry_id, s.entity, s.entity_id) for s in AuditSubject.select()}
    sessions = {(first.id, "session", 1), (first.id, "session", 2)}
    assert (
        subjects
        == {
            (e, entity, i)
            for e in (first.id, second.id)
            for entity, i in (("member", 1), ("member", 2), ("organization", 1))
        }
        | sessions
    )


@pytest.mark.parametrize("shape", ["positional", "generator", "update"])
def test_the_length_check_sees_text_in_every_shape_of_query(db, shape):
    long = "很长的名字" * 21
    if shape == "positional":
        q = Organization.insert_many(
            [("支部", "branch"), (long, "branch")], fields=[Organization.name, Organization.kind]
        )
    elif shape == "generator":
        q = Organization.insert_many({"name": n, "kind": "branch"} for n in ("支部", long))
    else:
        Organization.create(name="支部", kind="branch")
        q = Organization.update(name=long)
    with pytest.raises(
        InputError, match="组织名称“很长的名字很长的名字很长的名字很长的名字…”太长：最多100个字，现有105个字"
    ):
        q.execute()
    assert [o.name for o in Organization.select()] == ([] if shape != "update" else ["支部"])


def test_past_the_detailed_rows_only_the_rows_own_ids_are_logged_as_inserted(db):
    """An org row names another org (its parent): that id is a link, not a row of the insert."""
    with audit.context("test", user="组织员", host="h"):
        with database.atomic():
            parent = Organization.insert(name="党委", kind="committee").execute()
        with database.atomic():
            rows = [{"id": 100 + i, "name": f"支部{i}", "kind": "branch", "parent": parent} for i in range(60)]
            Organization.insert_many(rows).execute()
    (change,) = AuditEntry.select().order_by(AuditEntry.id.desc()).get().changes["changes"]
    assert change["count"] == 60
    assert change["ids"] == [100 + i for i in range(60)]
