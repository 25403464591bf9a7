"""The rule families, one module each.

Every module exports `ID` (the family's name in the rule files), `AREA` (`meetings` or
`development`: which reads run it), `PARAMS` (the numbers a local rule file may
change), `SETTINGS` (what a shipped rule is about), `plan(rule)` (what planning reads
from a rule) and `check(rule, view, window)` (findings, and notes about the check).
They are listed in `dangjian.rules.registry`.
"""
