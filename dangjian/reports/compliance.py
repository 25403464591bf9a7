"""Running the rules over the database: load facts in fixed queries, call the pure engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from dangjian.domain.workdays import WorkCalendar
from dangjian.errors import InputError
from dangjian.io.holidays import official_calendar
from dangjian.periods import format_date
from dangjian.queries.facts import load_facts
from dangjian.rules.engine import evaluate
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, summarize
from dangjian.rules.loader import RuleSet
from dangjian.store.lookup import find_org


@dataclass(frozen=True)
class CheckResult:
    as_of: date
    window: Window
    findings: list[Finding]
    #: sentences about how the check counted (years whose working days were guessed); not in the JSON
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "from": self.window.start.isoformat(),
            "to": self.window.end.isoformat(),
            "findings": [f.to_dict() for f in self.findings],
            "summary": summarize(self.findings),
        }


def make_window(as_of: date, year: int | None = None, start: date | None = None, end: date | None = None) -> Window:
    """--year Y, or --from/--to, or by default the calendar year of as_of."""
    if year is not None and (start is not None or end is not None):
        raise InputError("--year 与 --from/--to 只能选一种。")
    if year is not None:
        if not 1900 <= year <= 2999:
            raise InputError(f"年份“{year}”不对。")
        return Window(date(year, 1, 1), date(year, 12, 31))
    if start is None and end is None:
        return Window(date(as_of.year, 1, 1), date(as_of.year, 12, 31))
    start = start or date(as_of.year, 1, 1)
    end = end or max(as_of, start)
    if end < start:
        raise InputError(f"结束日期{format_date(end)}早于开始日期{format_date(start)}。")
    return Window(start, end)


def run_check(
    rules: RuleSet, as_of: date, window: Window, org: str | None = None, calendar: WorkCalendar | None = None
) -> CheckResult:
    """The check of `window` seen from `as_of`; working days by `calendar` (the official one by default)."""
    root = find_org(org).id if org else None
    facts = replace(load_facts(window, as_of, root), calendar=calendar if calendar is not None else official_calendar())
    outcome = evaluate(rules, facts, window, as_of)
    return CheckResult(as_of, window, outcome.findings, outcome.notes)
