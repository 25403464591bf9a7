"""The rule engine and the rules as data: pure, no database, no clock, no printing.

`load_rules` reads the shipped rule files in `data/` and a user's overrides;
`engine.check(rules, facts, window, as_of)` turns facts into findings.
"""

from __future__ import annotations

from dangjian.rules.loader import SEVERITIES, Rule, RuleSet, builtin_rules, load_rules

__all__ = ["SEVERITIES", "Rule", "RuleSet", "builtin_rules", "load_rules"]
