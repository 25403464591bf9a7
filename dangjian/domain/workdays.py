"""Working days (工作日) for 公示 periods, by the official holiday calendar.

For each year the schedule comes from, in order: a user's schedule file
(`--holidays FILE` / `DANGJIAN_HOLIDAYS`), the `chinese-calendar` package
(holidays and 调休 make-up working days, imported only when first needed), and
for a year neither knows, Monday to Friday. A year that fell back to Monday to
Friday is remembered in `WorkCalendar.guessed_years`, so the command line can
say so once. Never prints and never reads the clock.

A schedule file is TOML with one table per year:

    [2027]
    holidays = [2027-01-01, 2027-02-06, 2027-02-08]
    workdays = [2027-02-14]          # 调休: a weekend day worked
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dangjian.errors import InputError
from dangjian.io.userfiles import read_toml
from dangjian.periods import parse_date


@dataclass(frozen=True)
class YearSchedule:
    """One year's official arrangement: days off on weekdays, and weekend days worked."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


class WorkCalendar:
    """Answers whether a day is a working day; remembers the years it had to guess."""

    def __init__(
        self, schedules: dict[int, YearSchedule] | None = None, use_package: bool = True, source: str | None = None
    ):
        self.schedules = dict(schedules or {})
        self.use_package = use_package
        self.source = source
        self.guessed_years: set[int] = set()
        self.package_missing = False
        self._package: Any = None

    @classmethod
    def from_file(cls, path: str | Path) -> WorkCalendar:
        return cls(load_schedules(path), source=str(path))

    def _calendar_package(self) -> Any:
        if not self.use_package:
            return None
        if self._package is None:
            try:
                import chinese_calendar  # imported here: it is only needed for 公示 periods
            except ImportError:
                self.package_missing = True
                self._package = False
            else:
                self._package = chinese_calendar
        return self._package or None

    def is_workday(self, d: date) -> bool:
        schedule = self.schedules.get(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return True
            if d in schedule.holidays:
                return False
            return d.weekday() < 5
        package = self._calendar_package()
        if package is not None:
            try:
                return bool(package.is_workday(d))
            except NotImplementedError:  # a year the package has no data for
                pass
        self.guessed_years.add(d.year)
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

    def note(self) -> str | None:
        """One sentence about the years counted Monday to Friday, or None."""
        if not self.guessed_years:
            return None
        years = "、".join(f"{y}年" for y in sorted(self.guessed_years))
        why = "未安装 chinese-calendar" if self.package_missing else "chinese-calendar 还没有" + years + "的节假日安排"
        return (
            f"注意：{why}，{years}的工作日按周一至周五计算；"
            "可用 --holidays 文件（或 DANGJIAN_HOLIDAYS）提供当年的官方放假和调休安排。"
        )


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


def load_schedules(path: str | Path) -> dict[int, YearSchedule]:
    data = read_toml(path, "节假日文件")
    return parse_schedules(data, str(path))


# The calendar used when facts carry none: configured once per command by the CLI.
_configured: str | None = None
_current: WorkCalendar | None = None


def configure(path: str | Path | None) -> None:
    """Use the schedule file at `path` (or none) from now on; it is read when first needed."""
    global _configured, _current
    _configured = str(path) if path else None
    _current = None


def current() -> WorkCalendar:
    """The configured calendar (reading the schedule file on first use)."""
    global _current
    if _current is None:
        _current = WorkCalendar.from_file(_configured) if _configured else WorkCalendar()
    return _current


def fallback_note() -> str | None:
    """The note about guessed years of the configured calendar, if it was used and guessed."""
    return _current.note() if _current is not None else None
