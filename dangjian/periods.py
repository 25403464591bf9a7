"""Dates and periods: parsing what users type, month/quarter/half/year periods.

Pure: no clock. Dates are calendar dates without times. Month arithmetic uses
`dateutil.relativedelta`, so 1月31日 + 1 month is the last day of February.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from dangjian.errors import InputError

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
]

_CN_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


def parse_date(text: str | date, what: str = "日期") -> date:
    """Parse 2021-03-05, 2021/3/5, 2021.3.5, 20210305 or 2021年3月5日."""
    if isinstance(text, date):
        return text
    s = (text or "").strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if not 1 <= mo <= 12:
                raise InputError(f"{what}“{text}”不存在：月份应在1到12之间。")
            last = calendar.monthrange(y, mo)[1]
            if not 1 <= d <= last:
                raise InputError(f"{what}“{text}”不存在：{y}年{mo}月只有{last}天。")
            if y < 1900:
                raise InputError(f"{what}“{text}”早于1900年，请检查。")
            if y > 2999:  # as for --year; later dates would overflow period arithmetic
                raise InputError(f"{what}“{text}”晚于2999年，请检查。")
            return date(y, mo, d)
    raise InputError(f"无法识别的{what}“{text}”，请写成 2021-03-05、2021/3/5、20210305 或 2021年3月5日。")


def format_date(d: date | None) -> str:
    """A date the Chinese way: 2021年3月5日."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: kind is 'month', 'quarter', 'half' or 'year'."""

    start: date
    end: date  # the last day, inclusive
    kind: str

    @property
    def id(self) -> str:
        y = self.start.year
        if self.kind == "year":
            return f"{y}"
        if self.kind == "half":
            return f"{y}-H{1 if self.start.month == 1 else 2}"
        if self.kind == "quarter":
            return f"{y}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{y}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        y = self.start.year
        if self.kind == "year":
            return f"{y}年度"
        if self.kind == "half":
            return f"{y}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{y}年第{_CN_QUARTERS[(self.start.month - 1) // 3 + 1]}季度"
        return f"{y}年{self.start.month}月"

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.id


_MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}
PERIOD_KINDS = tuple(_MONTHS_PER)
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}


def period_start(kind: str, d: date) -> date:
    """The first day of the period of the given kind that contains day d (cheap: no Period)."""
    n = _MONTHS_PER[kind]
    return date(d.year, (d.month - 1) // n * n + 1, 1)


def period_of(kind: str, d: date) -> Period:
    """The period of the given kind that contains day d."""
    n = _MONTHS_PER[kind]
    start = period_start(kind, d)
    end = start + relativedelta(months=n) - relativedelta(days=1)
    return Period(start, end, kind)


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Every period of `kind` that overlaps [first, last], in order, without gaps."""
    out: list[Period] = []
    if last < first:
        return out
    p = period_of(kind, first)
    while p.start <= last:
        out.append(p)
        p = period_of(kind, p.end + relativedelta(days=1))
    return out


_PERIOD_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-H([12])$", re.I), "half"),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.I), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
]


def parse_period(text: str) -> Period:
    """Parse 2021, 2021-H1, 2021-Q2 or 2021-03."""
    s = (text or "").strip()
    for pattern, kind in _PERIOD_PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        y = int(m.group(1))
        if kind == "year":
            return period_of("year", date(y, 1, 1))
        n = int(m.group(2))
        if kind == "month" and not 1 <= n <= 12:
            break
        month = {"half": (n - 1) * 6 + 1, "quarter": (n - 1) * 3 + 1, "month": n}[kind]
        return period_of(kind, date(y, month, 1))
    raise InputError(f"无法识别的期间“{text}”，请写成 2021、2021-H1、2021-Q2 或 2021-03。")


_DURATION = re.compile(r"^\s*(\d+)\s*(days?|weeks?|months?|years?|天|日|周|个月|月|年)\s*$", re.I)
_DURATION_UNITS = {
    "day": "days",
    "days": "days",
    "天": "days",
    "日": "days",
    "week": "weeks",
    "weeks": "weeks",
    "周": "weeks",
    "month": "months",
    "months": "months",
    "个月": "months",
    "月": "months",
    "year": "years",
    "years": "years",
    "年": "years",
}
_DURATION_LABELS = {"days": "天", "weeks": "周", "months": "个月", "years": "年"}


@dataclass(frozen=True)
class Duration:
    """A count of calendar units, e.g. 3 months; applied with relativedelta."""

    amount: int
    unit: str  # days | weeks | months | years

    def delta(self) -> relativedelta:
        n = self.amount
        return {
            "days": relativedelta(days=n),
            "weeks": relativedelta(weeks=n),
            "months": relativedelta(months=n),
            "years": relativedelta(years=n),
        }[self.unit]

    def after(self, d: date) -> date:
        return d + self.delta()

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"

    @property
    def label(self) -> str:
        return f"{self.amount}{_DURATION_LABELS[self.unit]}"


def parse_duration(text: str) -> Duration:
    """Parse '3 months', '1 year', '5 天', '3个月'."""
    m = _DURATION.match(text or "")
    if not m:
        raise InputError(f"无法识别的时长“{text}”，请写成 “3 months” 或 “3个月”。")
    return Duration(int(m.group(1)), _DURATION_UNITS[m.group(2).lower()])


@dataclass(frozen=True)
class Lifetime:
    """When an org, a group or a membership exists: half-open, `start ≤ D < end`.

    A missing start means "since before the records"; a missing end means "still".
    A merge, dissolution or transfer dated D ends the old arrangement on D, so the
    last day it holds is the day before.
    """

    start: date | None = None
    end: date | None = None

    def contains(self, d: date) -> bool:
        """Whether it exists on day d."""
        return (self.start is None or self.start <= d) and (self.end is None or d < self.end)

    def begun_by(self, d: date) -> bool:
        """Whether it had begun by day d (it may have ended since)."""
        return self.start is None or self.start <= d

    def ended_by(self, d: date) -> bool:
        """Whether it had ended by day d (d is on or after its end)."""
        return self.end is not None and d >= self.end
