"""The rule sets as data: TOML files shipped in this package, plus local overrides.

A rule is a frozen `Rule`; `load_rules()` reads every *.toml file here and then,
optionally, a user's override file in which each table names a rule id and sets
`enabled`, `severity` or one of the rule's `params`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from dangjian.errors import InputError, RulesError
from dangjian.io.userfiles import read_toml
from dangjian.periods import Duration, parse_duration

SEVERITIES = ("error", "warning", "info")
#: Params whose value is a duration written as text ("3 months").
DURATION_PARAMS = frozenset({"grace", "within", "validity", "min_gap", "max_gap", "window"})


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    title: str
    severity: str
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    enabled: bool = True
    config: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def in_force_on(self, d: date) -> bool:
        """Whether the rule applies to something that happened on day d."""
        return (self.effective_from is None or self.effective_from <= d) and (
            self.effective_until is None or d < self.effective_until
        )

    def duration(self, name: str) -> Duration:
        return parse_duration(self.params[name])


class RuleSet:
    """An ordered collection of rules, looked up by id."""

    def __init__(self, rules: list[Rule]):
        self._rules = {r.id: r for r in rules}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def enabled(self) -> list[Rule]:
        return [r for r in self._rules.values() if r.enabled]

    def replace(self, rule_id: str, **changes: Any) -> RuleSet:
        rules = dict(self._rules)
        rules[rule_id] = replace(rules[rule_id], **changes)
        return RuleSet(list(rules.values()))


def _rule_from_table(rule_id: str, table: dict[str, Any], origin: str) -> Rule:
    try:
        rule = Rule(
            id=rule_id,
            family=table["family"],
            title=table["title"],
            severity=table["severity"],
            source=table["source"],
            effective_from=table.get("effective_from"),
            effective_until=table.get("effective_until"),
            enabled=table.get("enabled", True),
            config=dict(table.get("config", {})),
            params=dict(table.get("params", {})),
        )
    except KeyError as exc:
        raise RulesError(f"{origin} 中的规则“{rule_id}”缺少“{exc.args[0]}”。") from None
    return rule


def builtin_rules() -> RuleSet:
    """Every rule shipped with the package, in file then table order."""
    rules: list[Rule] = []
    folder = Path(__file__).parent / "data"  # the package is installed as files, never zipped
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            rules.extend(_rule_from_table(k, v, entry.name) for k, v in data.items())
    return RuleSet(rules)


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, str):
        return "文字"
    return type(value).__name__


def apply_overrides(rules: RuleSet, overrides: dict[str, Any], origin: str) -> RuleSet:
    """Apply a user's tables of overrides, refusing unknown ids, keys and wrong types."""
    for rule_id, table in overrides.items():
        if rule_id not in rules:
            raise RulesError(f"规则文件 {origin} 中的规则“{rule_id}”不存在，可用 dangjian rules list 查看规则编号。")
        if not isinstance(table, dict):
            raise RulesError(f"规则文件 {origin} 中的“{rule_id}”应是一个表（[{rule_id}]）。")
        rule = rules[rule_id]
        changes: dict[str, Any] = {}
        params = dict(rule.params)
        for key, value in table.items():
            where = f"规则文件 {origin} 中 [{rule_id}] 的“{key}”"
            if key == "enabled":
                if not isinstance(value, bool):
                    raise RulesError(f"{where}应为 true 或 false。")
                changes["enabled"] = value
            elif key == "severity":
                if value not in SEVERITIES:
                    raise RulesError(f"{where}应为 error、warning 或 info 之一。")
                changes["severity"] = value
            elif key in params:
                default = params[key]
                if not _same_type(default, value):
                    raise RulesError(f"{where}应为{_type_name(default)}，实际是“{value}”。")
                if key in DURATION_PARAMS:
                    try:
                        parse_duration(value)
                    except InputError:
                        raise RulesError(f"{where}“{value}”不是有效的时长，请写成 “3 months” 或 “3个月”。") from None
                elif isinstance(value, (int, float)) and value < 0:
                    raise RulesError(f"{where}不能为负数。")
                params[key] = value
            else:
                allowed = "、".join(["enabled", "severity", *rule.params])
                raise RulesError(f"{where}不是可设置的项，可设置：{allowed}。")
        changes["params"] = params
        rules = rules.replace(rule_id, **changes)
    return rules


def load_rules(override_file: str | Path | None = None) -> RuleSet:
    """The built-in rules, with a user's TOML overrides applied when a file is given."""
    rules = builtin_rules()
    if override_file is None:
        return rules
    data = read_toml(override_file, "规则文件", RulesError)
    return apply_overrides(rules, data, str(override_file))
