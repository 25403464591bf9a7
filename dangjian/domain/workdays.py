"""Working days (工作日) for 公示 periods: a pure value built from the official schedules.

A `WorkCalendar` holds, for each year it knows, the official arrangement (holidays on
weekdays and 调休 weekend days worked); a year it does not know is counted Monday to
Friday, and `guessed_years` tells which years a count had to guess, so the caller can
say so (`fallback_note`). It never changes once built, never reads a file or a package
(`dangjian.io.holidays` builds it from the `chinese-calendar` data and a user's
schedule file), never prints and never reads the clock.

A schedule file is TOML with one table per year:

    [2027]
    holidays = [2027-01-01, 2027-02-06, 2027-02-08]
    workdays = [2027-02-14]          # 调休: a weekend day worked
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from dangjian.errors import InputError
from dangjian.periods import parse_date


@dataclass(frozen=True)
class YearSchedule:
    """One year's official arrangement: days off on weekdays, and weekend days worked."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class WorkCalendar:
    """Whether a day is a working day, by the schedules of the years it knows."""

    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)
    #: the chinese-calendar package was not installed, so only a user's schedules are known
    package_missing: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedules", MappingProxyType(dict(self.schedules)))

    def knows(self, year: int) -> bool:
        return year in self.schedules

    def is_workday(self, d: date) -> bool:
        schedule = self.schedules.get(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return True
            if d in schedule.holidays:
                return False
        return d.weekday() < 5

    def count(self, start: date, end: date) -> int:
        """Working days from start to end, both included (0 when end is before start)."""
        n = 0
        d = start
        while d <= end:
            if self.is_workday(d):
                n += 1
            d += timedelta(days=1)
        return n

    def guessed_years(self, start: date, end: date) -> frozenset[int]:
        """The years that `count(start, end)` counts Monday to Friday for want of a schedule."""
        if end < start:
            return frozenset()
        return frozenset(y for y in range(start.year, end.year + 1) if not self.knows(y))

    def fallback_note(self, years: Iterable[int]) -> str | None:
        """One sentence about the years counted Monday to Friday, or None when there are none."""
        known = sorted(set(years))
        if not known:
            return None
        text = "、".join(f"{y}年" for y in known)
        why = "未安装 chinese-calendar" if self.package_missing else "chinese-calendar 还没有" + text + "的节假日安排"
        return (
            f"注意：{why}，{text}的工作日按周一至周五计算；"
            "可用 --holidays 文件（或 DANGJIAN_HOLIDAYS）提供当年的官方放假和调休安排。"
        )

    def with_schedules(self, schedules: Mapping[int, YearSchedule]) -> WorkCalendar:
        """This calendar with `schedules` deciding the years they name."""
        return WorkCalendar({**self.schedules, **schedules}, self.package_missing)


def _dates(value: Any, where: str, year: int) -> frozenset[date]:
    if not isinstance(value, list):
        raise InputError(f"{where}应是日期的列表，例如 [{year}-01-01, {year}-10-01]。")
    out = set()
    for item in value:
        if isinstance(item, date):
            d = item
        elif isinstance(item, str):
            d = parse_date(item, what=f"{where}中的日期")
        else:
            raise InputError(f"{where}中的“{item}”不是日期。")
        if d.year != year:
            raise InputError(f"{where}中的日期{d.isoformat()}不在{year}年。")
        out.add(d)
    return frozenset(out)


def parse_schedules(data: dict[str, Any], origin: str) -> dict[int, YearSchedule]:
    """The tables of a schedule file, checked: years, the two lists, dates inside their year."""
    out: dict[int, YearSchedule] = {}
    for key, table in data.items():
        if not (str(key).isdigit() and len(str(key)) == 4):
            raise InputError(f"节假日文件 {origin} 中的“{key}”不是年份，每个表应以年份命名，例如 [2027]。")
        year = int(key)
        if not isinstance(table, dict):
            raise InputError(f"节假日文件 {origin} 中的“{key}”应是一个表（[{key}]）。")
        unknown = sorted(set(table) - {"holidays", "workdays"})
        if unknown:
            raise InputError(
                f"节假日文件 {origin} 中 [{key}] 的“{unknown[0]}”不是可设置的项，"
                "只能有 holidays（放假日）和 workdays（调休上班日）。"
            )
        holidays = _dates(table.get("holidays", []), f"节假日文件 {origin} 中 [{key}] 的 holidays", year)
        workdays = _dates(table.get("workdays", []), f"节假日文件 {origin} 中 [{key}] 的 workdays", year)
        both = sorted(holidays & workdays)
        if both:
            raise InputError(f"节假日文件 {origin} 中 {both[0].isoformat()} 既列为放假又列为上班。")
        out[year] = YearSchedule(holidays, workdays)
    return out
