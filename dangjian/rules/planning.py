"""Planning helpers shared by the timeline, `due` and the services.

Which rules are about development, and what a pending finding asks for.
"""

from __future__ import annotations

from datetime import date

from dangjian.rules.engine import Window
from dangjian.rules.families.development import DEVELOPMENT_FAMILIES
from dangjian.rules.loader import Rule

#: Everything, for the rules that are not about a period: `timeline` shows findings whatever their date.
ALL_TIME = Window(date(1900, 1, 1), date(9999, 12, 31))


def development_rules(rules) -> list[Rule]:
    return [r for r in rules if r.family in DEVELOPMENT_FAMILIES]


def other_rules(rules) -> list[Rule]:
    return [r for r in rules if r.family not in DEVELOPMENT_FAMILIES]


def what_of(rule: Rule) -> str:
    """The step or meeting kind a rule's pending finding asks for."""
    cfg = rule.config
    return (
        cfg.get("step")
        or cfg.get("kind")
        or {"conversion-decision": "converted", "oath": "oath"}.get(rule.family, rule.id)
    )
