from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.errors import InputError
from dangjian.periods import format_date, parse_date, parse_duration, parse_period, period_of, periods_between


@pytest.mark.parametrize(
    "text", ["2021-03-05", "2021/3/5", "2021.3.5", "20210305", "2021年3月5日", "2021年03月05日", " 2021-3-5 "]
)
def test_accepts_every_written_form(text):
    assert parse_date(text) == date(2021, 3, 5)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("2021-02-30", "2021年2月只有28天"),
        ("2020-02-30", "2020年2月只有29天"),
        ("2021-13-01", "月份"),
        ("2021年2月29日", "只有28天"),
        ("yesterday", "无法识别"),
        ("2021-3", "无法识别"),
        ("", "无法识别"),
    ],
)
def test_rejects_impossible_or_unreadable_dates(text, fragment):
    with pytest.raises(InputError) as exc:
        parse_date(text)
    assert fragment in str(exc.value)


def test_leap_day_is_accepted():
    assert parse_date("2020-02-29") == date(2020, 2, 29)


def test_chinese_date_format():
    assert format_date(date(2021, 3, 5)) == "2021年3月5日"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    "text,start,end,label",
    [
        ("2021", date(2021, 1, 1), date(2021, 12, 31), "2021年度"),
        ("2021-H2", date(2021, 7, 1), date(2021, 12, 31), "2021年下半年"),
        ("2021-Q2", date(2021, 4, 1), date(2021, 6, 30), "2021年第二季度"),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29), "2020年2月"),
        ("2021-02", date(2021, 2, 1), date(2021, 2, 28), "2021年2月"),
    ],
)
def test_periods_parse_with_ids_and_labels(text, start, end, label):
    p = parse_period(text)
    assert (p.start, p.end, p.label, p.id) == (start, end, label, text)


def test_period_rejects_nonsense():
    for text in ("2021-Q5", "2021-13", "21-Q1", "2021-H3"):
        with pytest.raises(InputError):
            parse_period(text)


def test_durations():
    assert parse_duration("3 months").after(date(2021, 11, 30)) == date(2022, 2, 28)
    assert parse_duration("3个月").after(date(2021, 12, 31)) == date(2022, 3, 31)
    assert parse_duration("0 months").after(date(2021, 12, 31)) == date(2021, 12, 31)
    assert parse_duration("1 year").after(date(2020, 2, 29)) == date(2021, 2, 28)
    with pytest.raises(InputError):
        parse_duration("three months")


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(st.sampled_from(["month", "quarter", "half", "year"]), dates, dates)
def test_periods_tile_a_range_without_gaps(kind, a, b):
    first, last = min(a, b), max(a, b)
    ps = periods_between(kind, first, last)
    assert ps[0].start <= first <= ps[0].end
    assert ps[-1].start <= last <= ps[-1].end
    for x, y in zip(ps, ps[1:]):
        assert (y.start - x.end).days == 1
    for p in ps:
        assert period_of(kind, p.start) == p == period_of(kind, p.end)


@given(dates)
def test_every_written_form_round_trips(d):
    for text in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", d.strftime("%Y%m%d"), f"{d.year}年{d.month}月{d.day}日"):
        assert parse_date(text) == d
