"""`dangjian.refs`: the one reading of what a user typed to name a record."""

from __future__ import annotations

import pytest

from dangjian.errors import NotFoundError
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
