"""Building the work calendar: the `chinese-calendar` package's data and a user's schedule file.

`load_calendar(path)` is called once per command by the CLI (and by the library's
reports when no calendar is given); the result is a pure `WorkCalendar` value handed
to the engine with the facts. A user's schedule decides the years it names; the
package decides the others it knows; any other year is counted Monday to Friday.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from dangjian.domain.workdays import WorkCalendar, YearSchedule, parse_schedules
from dangjian.io.userfiles import read_toml


@lru_cache(maxsize=1)
def official_calendar() -> WorkCalendar:
    """The years the installed `chinese-calendar` knows (none, and said so, when it is missing)."""
    try:
        import chinese_calendar  # imported here: only commands that run the rules need it
    except ImportError:
        return WorkCalendar(package_missing=True)
    holidays: dict[date, object] = chinese_calendar.holidays
    workdays: dict[date, object] = chinese_calendar.workdays
    first, last = min(holidays).year, max(holidays).year  # the range the package answers for
    schedules = {
        year: YearSchedule(
            frozenset(d for d in holidays if d.year == year), frozenset(d for d in workdays if d.year == year)
        )
        for year in range(first, last + 1)
    }
    return WorkCalendar(schedules)


def load_schedules(path: str | Path) -> dict[int, YearSchedule]:
    """The years of a user's schedule file, checked (InputError naming the file otherwise)."""
    data = read_toml(path, "节假日文件")
    return parse_schedules(data, str(path))


def load_calendar(path: str | Path | None = None) -> WorkCalendar:
    """The official calendar, with the schedule file at `path` (if any) deciding the years it names."""
    calendar = official_calendar()
    return calendar.with_schedules(load_schedules(path)) if path else calendar
