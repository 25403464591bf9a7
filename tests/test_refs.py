"""`dangjian.refs`: the one reading of what a user typed to name a record."""

from __future__ import annotations

import pytest

from dangjian.errors import InputError, NotFoundError
from dangjian.refs import id_of, parse_ref, session_id


@pytest.mark.parametrize(
    "text,expected", [("12", 12), ("#12", 12), (" 7 ", 7), ("0012", 12), (12, 12), ("１２", 12), ("#１", 1)]
)
def test_ascii_digits_are_ids(text, expected):
    assert id_of(text) == expected
    assert parse_ref(text).id == expected


@pytest.mark.parametrize("text", ["²", "١٢", "#²", "1²", "##12", "12a", "", "#", "1" * 12, "-1", "1.0", "一"])
def test_anything_else_is_not_an_id(text):
    assert id_of(text) is None
    assert parse_ref(text).id is None


def test_a_reference_keeps_its_text_and_may_be_an_id_number():
    r = parse_ref(" 11010519491231002x ")
    assert r.text == r.name == "11010519491231002x"
    assert r.id_number == "11010519491231002X"
    assert parse_ref("王建国").id_number is None


@pytest.mark.parametrize("text,numeric", [("12", True), ("#12", True), ("²", True), ("１２", True), ("第一", False)])
def test_written_as_a_number_in_any_script(text, numeric):
    assert parse_ref(text).looks_like_id is numeric


def test_a_session_is_named_by_its_id_only():
    assert session_id("#3") == 3
    with pytest.raises(NotFoundError, match="没有编号为“²”的会议") as caught:
        session_id("²")
    assert caught.value.field == "session"


# ---------------------------------------------------------------- both resolvers read a reference alike


def _outcome(fn, *args):
    try:
        return ("found", fn(*args).id)
    except NotFoundError as exc:  # AmbiguousError is not a NotFoundError
        return ("not found", str(exc))
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def test_the_database_and_the_import_directory_resolve_alike(db):
    from datetime import date

    from dangjian.domain.resolving import Resolver
    from dangjian.services import orgs
    from dangjian.store.bulk import Directory
    from dangjian.store.lookup import DatabaseResolver

    orgs.add_org("机关党委", kind="committee")
    first = orgs.add_org("一支部", parent="机关党委")
    orgs.add_org("二支部", parent="机关党委")
    orgs.add_org("同名支部", parent="机关党委", established_on=date(2000, 1, 1))
    orgs.dissolve_org("同名支部", date(2010, 1, 1))
    orgs.add_org("同名支部", parent="机关党委")
    orgs.add_group("小组", "一支部")
    orgs.add_group("小组", "二支部")
    resolvers: list[Resolver] = [DatabaseResolver(), Directory.load()]
    for ref in ["一支部", str(first.id), f"#{first.id}", "²", "同名支部", "没有", " 二支部 ", "１"]:
        assert len({_outcome(r.org, ref) for r in resolvers}) == 1, ref
    one = resolvers[0].org("一支部")
    for ref in ["小组", "²", "没有的小组", "99"]:
        assert len({_outcome(r.group, ref, one) for r in resolvers}) == 1, ref
        assert len({_outcome(r.group, ref) for r in resolvers}) == 1, ref
    assert _outcome(resolvers[1].group, "小组")[0] == "AmbiguousError"


def test_a_reference_with_a_nul_is_refused_before_any_lookup():
    with pytest.raises(InputError, match="空字符"):
        parse_ref("王\x00五")
