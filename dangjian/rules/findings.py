"""What the engine says: findings (one broken rule, for one subject, in one period) and notes.

Pure values; `summarize` and `exit_status` are the only judgements made on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Statuses that make `check` exit 1 when the finding's severity is error.
FAILING_STATUSES = frozenset({"missed", "violated", "overdue"})


@dataclass(frozen=True)
class Subject:
    type: str  # org | group | member
    id: int
    name: str
    org: str | None = None  # the branch's name, for a group or member

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "id": self.id, "name": self.name}
        if self.type != "org":
            d["org"] = self.org
        return d


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    status: str  # missed | due | violated | overdue
    subject: Subject
    period: str | None
    date: date
    expected: int | None
    actual: int | None
    message: str
    source: str
    period_label: str | None = field(default=None, compare=False)

    @property
    def failing(self) -> bool:
        return self.severity == "error" and self.status in FAILING_STATUSES

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "status": self.status,
            "subject": self.subject.to_dict(),
            "period": self.period,
            "date": self.date.isoformat(),
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
            "source": self.source,
        }


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def exit_status(findings: Iterable[Finding]) -> int:
    """1 when an error-severity finding is missed, violated or overdue; else 0."""
    return 1 if any(f.failing for f in findings) else 0


@dataclass(frozen=True)
class Note:
    """A sentence about how a check was made (e.g. years whose working days were guessed)."""

    text: str
