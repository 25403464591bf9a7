"""The rule engine and the rules as data: pure, no database, no clock, no printing.

`load_rules` reads the shipped rule files in `data/` and a user's overrides, checked
against the declarations of the families in `registry`; `engine.evaluate(rules, facts,
window, as_of)` turns facts into findings and notes.
"""

from __future__ import annotations

from dangjian.rules.declarations import SEVERITIES
from dangjian.rules.loader import Rule, RuleSet, builtin_rules, load_rules

__all__ = ["SEVERITIES", "Rule", "RuleSet", "builtin_rules", "load_rules"]
