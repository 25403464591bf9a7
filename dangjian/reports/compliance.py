"""Running the rules over the database: load facts in fixed queries, call the pure engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangjian.errors import InputError
from dangjian.periods import format_date
from dangjian.queries.facts import load_facts
from dangjian.rules.engine import Finding, Window, check, summarize
from dangjian.rules.loader import RuleSet
from dangjian.store.lookup import find_org


@dataclass(frozen=True)
class CheckResult:
    as_of: date
    window: Window
    findings: list[Finding]

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


def run_check(rules: RuleSet, as_of: date, window: Window, org: str | None = None) -> CheckResult:
    root = find_org(org).id if org else None
    facts = load_facts(window, as_of, root)
    return CheckResult(as_of, window, check(rules, facts, window, as_of))
