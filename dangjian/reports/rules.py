"""The rule set as a listing: one frozen record per rule, as `rules list` shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class RuleRow:
    """One rule: what it requires, its parameters, severity, source and the dates it is in force."""

    id: str
    title: str
    params: dict[str, Any]
    severity: str
    source: str
    effective_from: date | None
    effective_until: date | None
    enabled: bool
    family: str

    @property
    def params_text(self) -> str:
        """The parameters the way a rule file writes them: `min = 1，grace = 3 months`."""
        return "，".join(f"{k} = {v}" for k, v in self.params.items())


def list_rules(rules: Iterable[Any]) -> list[RuleRow]:
    """The rules in the order the rule set holds them."""
    return [
        RuleRow(
            id=r.id,
            title=r.title,
            params=dict(r.params),
            severity=r.severity,
            source=r.source,
            effective_from=r.effective_from,
            effective_until=r.effective_until,
            enabled=r.enabled,
            family=r.family,
        )
        for r in rules
    ]
