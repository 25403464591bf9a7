"""The one renderer: tables aligned for Chinese, the JSON encoding, CSV, and masking by declaration."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from dangjian.cli.output import Column, View, keyed, render, render_table
from dangjian.reports.log import LogEntry
from dangjian.reports.members import MemberDetail, MemberRow, MembershipSpan
from dangjian.reports.records import internal, masked, plain
from dangjian.reports.timeline import DueItem
from dangjian.rules.findings import Subject

WANG = MemberRow(
    id=1,
    name="王建国",
    gender="male",
    stage="full",
    status="active",
    org="机关第一党支部",
    group=None,
    joined_on=date(1996, 6, 20),
    full_since=None,
    birth_date=None,
    id_number="110105197203140017",
    phone="13912345678",
)
COLUMNS = [
    Column("id", "编号"),
    Column("name", "姓名"),
    Column("joined_on", "入党日期"),
    Column("id_number", "身份证号"),
    Column("phone", "手机"),
]


def test_a_table_is_aligned_by_display_width_and_a_column_is_two_wider_than_its_header():
    rows = [{"name": "王建国", "code": "0012", "note": ""}, {"name": "Li", "code": "7", "note": "出差"}]
    columns = [Column("name", "姓名"), Column("code", "代码"), Column("note", "备注")]
    assert render_table(columns, rows).split("\n") == [
        "姓名    代码    备注",
        "------  ------  ------",
        "王建国  0012",
        "Li      7       出差",
    ]


def test_a_table_keeps_leading_spaces_cuts_trailing_ones_and_puts_a_cell_on_one_line():
    rows = [{"name": "  └ 机关党支部", "note": "甲\n乙"}, {"name": "党委", "note": ""}]
    columns = [Column("name", "名称"), Column("note", "备注")]
    assert render_table(columns, rows).split("\n") == [
        "名称            备注",
        "--------------  ------",
        "  └ 机关党支部  甲 乙",
        "党委",
    ]


def test_table_cells_show_labels_dates_decimals_and_booleans_the_chinese_way():
    rows = [{"on": date(2021, 3, 5), "hours": Decimal("1.50"), "ok": True, "kinds": ("a", "b")}]
    columns = [Column("on", "日期"), Column("hours", "学时"), Column("ok", "应到"), Column("kinds", "类型")]
    assert render_table(columns, rows).split("\n")[2] == "2021年3月5日  1.5     是      a、b"


def test_an_empty_table_says_the_views_message_between_head_and_foot():
    view = View(COLUMNS, [], head=("截至2022年3月31日",), empty="没有。", foot=("完",))
    assert render(view, "table") == "截至2022年3月31日\n没有。\n完"
    assert render(view, "json") == "[]"
    assert render(view, "csv") == "\ufeffid,name,joined_on,id_number,phone\r\n"


def test_private_fields_are_masked_in_every_format_unless_asked_for():
    view = View(COLUMNS, [WANG])
    table, as_json, as_csv = (render(view, f) for f in ("table", "json", "csv"))
    for text in (table, as_json, as_csv):
        assert "110105********0017" in text and "139****5678" in text
        assert "110105197203140017" not in text and "13912345678" not in text
    assert json.loads(as_json)[0]["id_number"] == "110105********0017"
    shown = render(view, "csv", show_private=True)
    assert "110105197203140017" in shown and "13912345678" in shown


def test_a_detail_page_is_given_the_masked_record():
    detail = MemberDetail(1, "王建国", "male", None, id_number="110105197203140017", phone="13912345678")
    view = View(COLUMNS, [detail], payload=detail, page=lambda d: f"{d.name} {d.id_number} {d.phone}")
    assert render(view, "table") == "王建国 110105********0017 139****5678"
    assert render(view, "table", show_private=True) == "王建国 110105197203140017 13912345678"


def test_masking_leaves_records_without_private_fields_as_they_are():
    span = MembershipSpan("机关党支部", None, None, None, None)
    rows = [span]
    assert masked(rows) is rows
    assert masked(WANG) == MemberRow(**{**WANG.__dict__, "id_number": "110105********0017", "phone": "139****5678"})
    assert masked(MemberRow(**{**WANG.__dict__, "id_number": None, "phone": None})).phone is None


def test_a_log_summary_is_derived_from_the_masked_changes():
    changes = {
        "names": {"member": {"7": "王建国"}},
        "changes": [{"entity": "member", "op": "update", "ids": [7], "rows": [{"after": {"phone": "010-62345678"}}]}],
    }
    entry = LogEntry(
        1, datetime(2024, 6, 1, 9, 30, tzinfo=UTC), "root", "pc", "member edit", "… --phone 010-62345678", changes
    )
    assert "010-62345678" in entry.summary
    hidden = masked(entry)
    assert "010-62345678" not in hidden.summary and "010-62345678" not in json.dumps(plain(hidden.changes))
    assert plain(hidden)["at"] == "2024-06-01T09:30:00+00:00"
    assert list(plain(hidden)) == ["id", "at", "user", "host", "action", "command", "summary", "changes"]


def test_json_writes_records_by_their_fields_iso_dates_and_decimals_as_numbers():
    @dataclass(frozen=True)
    class Row:
        on: date
        hours: Decimal
        whole: Decimal
        kinds: tuple[str, ...]
        status: str = internal("due")

    out = render(View([], [Row(date(2021, 3, 5), Decimal("1.5"), Decimal("2"), ("study",))]), "json")
    assert out == '[\n  {"on": "2021-03-05", "hours": 1.5, "whole": 2, "kinds": ["study"]}\n]'


def test_json_uses_the_engines_own_form_of_a_subject():
    item = DueItem(date(2022, 3, 31), "theme-day", "theme-day-monthly", Subject("org", 2, "机关党支部"), "说明")
    assert plain(item) == {
        "date": "2022-03-31",
        "what": "theme-day",
        "rule": "theme-day-monthly",
        "subject": {"type": "org", "id": 2, "name": "机关党支部"},
        "message": "说明",
    }


def test_csv_has_a_bom_english_keys_and_raw_values():
    columns = keyed(
        [Column("id", "编号"), Column("joined_on", "入党日期"), Column("kinds", "类型", value=lambda r: ["a", "b"])]
    )
    assert render(View(columns, [WANG]), "csv") == '\ufeffid,joined_on,kinds\r\n1,1996-06-20,"a,b"\r\n'


@dataclass(frozen=True)
class Branch:
    name: str
    people: tuple[MemberRow, ...]


def test_records_inside_records_are_masked_by_their_own_declaration():
    branch = masked(Branch("机关党支部", (WANG,)))
    assert branch.people[0].id_number == "110105********0017"
    assert WANG.id_number == "110105197203140017"  # the record itself is left as it was
    assert masked([branch]) == [branch]


def test_control_characters_in_a_cell_are_shown_escaped_so_rows_stay_aligned_and_whole():
    rows = [{"name": "Tab\tName", "n": "1"}, {"name": "\x01", "n": "2"}, {"name": "Esc\x1b[31m红", "n": "3"}]
    assert render_table([Column("name", "姓名"), Column("n", "编号")], rows).split("\n") == [
        "姓名           编号",
        "-------------  ------",
        "Tab\\tName      1",
        "\\x01           2",
        "Esc\\x1b[31m红  3",
    ]
