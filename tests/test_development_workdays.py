"""Working days: the official calendar with 调休, the Monday–Friday fallback, a user's schedule."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.domain.workdays import WorkCalendar
from dangjian.errors import InputError
from dangjian.io.holidays import load_calendar, load_schedules, official_calendar


def test_make_up_working_days_and_holidays_of_2021():
    cal = official_calendar()
    assert cal.is_workday(date(2021, 2, 7))  # Sunday worked before 春节
    assert not cal.is_workday(date(2021, 2, 11))  # Thursday, 春节
    assert cal.is_workday(date(2021, 10, 9))  # Saturday worked after 国庆
    assert not cal.is_workday(date(2021, 10, 4))  # Monday, 国庆
    # 7 (Sun, worked), 8, 9, 10, then 11 and 12 off, 13 a Saturday
    assert cal.count(date(2021, 2, 7), date(2021, 2, 13)) == 4
    assert cal.guessed_years(date(2021, 2, 7), date(2021, 2, 13)) == set()
    assert cal.fallback_note(set()) is None


def test_count_includes_both_ends_and_is_zero_when_reversed():
    cal = official_calendar()
    assert cal.count(date(2021, 3, 1), date(2021, 3, 1)) == 1
    assert cal.count(date(2021, 3, 1), date(2021, 3, 5)) == 5
    assert cal.count(date(2021, 3, 5), date(2021, 3, 1)) == 0
    assert cal.guessed_years(date(2031, 3, 5), date(2031, 3, 1)) == set()


def test_an_unknown_year_is_counted_monday_to_friday_and_said_so():
    cal = official_calendar()
    assert cal.count(date(2031, 1, 1), date(2031, 1, 7)) == 5  # no 元旦 known for 2031
    assert cal.guessed_years(date(2030, 12, 25), date(2031, 1, 7)) == {2030, 2031}
    note = cal.fallback_note({2031})
    assert note.count("2031年") >= 1 and "--holidays" in note and "chinese-calendar 还没有" in note


def test_without_the_package_every_year_falls_back():
    cal = WorkCalendar(package_missing=True)
    assert cal.is_workday(date(2021, 10, 1))  # a Friday, 国庆, unknown without the calendar
    assert cal.guessed_years(date(2021, 10, 1), date(2021, 10, 1)) == {2021}
    assert "未安装 chinese-calendar" in cal.fallback_note({2021})


def test_a_schedule_file_gives_holidays_and_make_up_days(tmp_path):
    path = tmp_path / "holidays.toml"
    path.write_text('[2031]\nholidays = [2031-01-01, "2031-01-02"]\nworkdays = [2031-01-04]\n', encoding="utf-8")
    cal = load_calendar(path)
    assert not cal.is_workday(date(2031, 1, 1))
    assert cal.is_workday(date(2031, 1, 4))  # a Saturday worked
    assert cal.is_workday(date(2031, 1, 3))
    assert not cal.is_workday(date(2031, 1, 5))
    assert cal.guessed_years(date(2031, 1, 1), date(2031, 12, 31)) == set()
    assert not cal.is_workday(date(2021, 10, 1))  # the package still decides the years the file does not name


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("[2031]\nholidays = [2030-12-31]\n", "不在2031年"),
        ("[next]\nholidays = []\n", "不是年份"),
        ("[2031]\nvacations = []\n", "vacations"),
        ("[2031]\nholidays = [2031-01-01]\nworkdays = [2031-01-01]\n", "既列为放假又列为上班"),
        ("[2031]\nholidays = 2031-01-01\n", "日期的列表"),
        ('[2031]\nholidays = ["2031-02-30"]\n', "2031年2月只有28天"),
        ("[2031\n", "不是有效的 TOML"),
    ],
)
def test_a_bad_schedule_file_is_refused_with_a_sentence(tmp_path, text, fragment):
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_schedules(path)
    assert fragment in str(exc.value)


def test_a_missing_schedule_file_is_refused(tmp_path):
    with pytest.raises(InputError) as exc:
        load_schedules(tmp_path / "none.toml")
    assert "不存在" in str(exc.value)


def test_a_calendar_is_a_value_that_never_changes(tmp_path):
    path = tmp_path / "holidays.toml"
    path.write_text("[2031]\nholidays = [2031-01-06]\n", encoding="utf-8")
    cal = load_calendar(path)
    assert cal == load_calendar(path) and cal != official_calendar()
    before = dict(cal.schedules)
    assert not cal.is_workday(date(2031, 1, 6))
    cal.count(date(2032, 1, 1), date(2032, 12, 31))
    assert dict(cal.schedules) == before
    with pytest.raises(TypeError):
        cal.schedules[2033] = cal.schedules[2031]  # type: ignore[index]
