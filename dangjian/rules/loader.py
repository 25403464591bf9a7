"""The rule sets as data: TOML files shipped in this package, plus local overrides.

A rule is a frozen `Rule`; `load_rules()` reads every *.toml file in `data/` and then,
optionally, a user's override file in which each table names a rule id and sets
`enabled`, `severity` or one of the rule's parameters. Both are checked against the
declarations of the families in `registry` when they are read: an unknown family, rule
or key, a value of the wrong type, out of range or not among the choices is refused
(`RulesError`, one sentence naming the file, the rule and the key).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from dangjian.errors import RulesError
from dangjian.io.userfiles import read_toml
from dangjian.rules.declarations import SEVERITIES, Param, choices_text
from dangjian.rules.registry import FAMILIES, Family

#: The keys of a rule's table in a shipped file; `config` and `params` are declared by its family.
RULE_KEYS = (
    "family",
    "title",
    "severity",
    "source",
    "effective_from",
    "effective_until",
    "enabled",
    "config",
    "params",
)
_REQUIRED = ("family", "title", "severity", "source")


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
    #: what the rule is about (fixed by the shipped file), e.g. the meeting kind and period
    config: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: the numbers as written (shipped, then overridden); `param` adds the declared defaults
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def in_force_on(self, d: date) -> bool:
        """Whether the rule applies to something that happened on day d."""
        return (self.effective_from is None or self.effective_from <= d) and (
            self.effective_until is None or d < self.effective_until
        )

    @property
    def family_module(self) -> Family:
        """The rule's family module."""
        try:
            return FAMILIES[self.family]
        except KeyError:
            raise RulesError(f"规则“{self.id}”的类型“{self.family}”不存在。") from None

    def param(self, name: str) -> Any:
        """A parameter's value: as written, else the family's declared default (durations parsed)."""
        declared = self.family_module.PARAMS[name]
        return declared.resolve(self.params.get(name, declared.default))

    def setting(self, name: str) -> Any:
        """A setting's value: as written in the shipped file, else the family's declared default."""
        declared = self.family_module.SETTINGS[name]
        return declared.resolve(self.config.get(name, declared.default))


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


def _check_value(where: str, declared: Param, value: Any) -> None:
    problem = declared.problem(value)
    if problem is not None:
        raise RulesError(f"{where}{problem}。")


def _check_declared(origin: str, rule_id: str, part: str, values: Any, declared: dict[str, Param]) -> dict[str, Any]:
    """A table of settings or params, every key declared and every value valid; required ones present."""
    where = f"规则文件 {origin} 中 [{rule_id}] 的"
    if not isinstance(values, dict):
        raise RulesError(f"{where}“{part}”应是一个表（{{ … }}）。")
    for key, value in values.items():
        if key not in declared:
            allowed = "、".join(declared) or "（无）"
            raise RulesError(f"{where}“{part}.{key}”不是这类规则可设置的项，可设置：{allowed}。")
        _check_value(f"{where}“{part}.{key}”", declared[key], value)
    missing = [p.name for p in declared.values() if p.required and p.name not in values]
    if missing:
        raise RulesError(f"{where}“{part}”缺少“{missing[0]}”。")
    return dict(values)


def rule_from_table(rule_id: str, table: Any, origin: str) -> Rule:
    """One rule of a shipped file, checked against its family's declarations."""
    where = f"规则文件 {origin} 中 [{rule_id}] 的"
    if not isinstance(table, dict):
        raise RulesError(f"规则文件 {origin} 中的“{rule_id}”应是一个表（[{rule_id}]）。")
    for key in table:
        if key not in RULE_KEYS:
            raise RulesError(f"{where}“{key}”不是规则的项，可用：{'、'.join(RULE_KEYS)}。")
    for key in _REQUIRED:
        if key not in table:
            raise RulesError(f"规则文件 {origin} 中的规则“{rule_id}”缺少“{key}”。")
    family = table["family"]
    if family not in FAMILIES:
        raise RulesError(f"{where}“family”“{family}”不是已知的规则类型，可用：{'、'.join(FAMILIES)}。")
    for key in ("title", "source"):
        if not isinstance(table[key], str) or not table[key].strip():
            raise RulesError(f"{where}“{key}”应为文字。")
    if table["severity"] not in SEVERITIES:
        raise RulesError(f"{where}“severity”应为{choices_text(SEVERITIES)}之一，实际是“{table['severity']}”。")
    for key in ("effective_from", "effective_until"):
        if key in table and not isinstance(table[key], date):
            raise RulesError(f"{where}“{key}”应为日期（如 2018-10-28），实际是“{table[key]}”。")
    if not isinstance(table.get("enabled", True), bool):
        raise RulesError(f"{where}“enabled”应为 true 或 false。")
    kind = FAMILIES[family]
    return Rule(
        id=rule_id,
        family=family,
        title=table["title"],
        severity=table["severity"],
        source=table["source"],
        effective_from=table.get("effective_from"),
        effective_until=table.get("effective_until"),
        enabled=table.get("enabled", True),
        config=_check_declared(origin, rule_id, "config", table.get("config", {}), kind.SETTINGS),
        params=_check_declared(origin, rule_id, "params", table.get("params", {}), kind.PARAMS),
    )


def rules_from_data(data: dict[str, Any], origin: str) -> list[Rule]:
    """The rules of one parsed rule-set file, each checked when read."""
    return [rule_from_table(rule_id, table, origin) for rule_id, table in data.items()]


def builtin_rules() -> RuleSet:
    """Every rule shipped with the package, in file then table order."""
    rules: list[Rule] = []
    folder = Path(__file__).parent / "data"  # the package is installed as files, never zipped
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            rules.extend(rules_from_data(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name))
    return RuleSet(rules)


def apply_overrides(rules: RuleSet, overrides: dict[str, Any], origin: str) -> RuleSet:
    """Apply a user's tables of overrides, refusing unknown ids and keys and invalid values."""
    for rule_id, table in overrides.items():
        if rule_id not in rules:
            raise RulesError(f"规则文件 {origin} 中的规则“{rule_id}”不存在，可用 dangjian rules list 查看规则编号。")
        if not isinstance(table, dict):
            raise RulesError(f"规则文件 {origin} 中的“{rule_id}”应是一个表（[{rule_id}]）。")
        rule = rules[rule_id]
        declared = rule.family_module.PARAMS
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
                    raise RulesError(f"{where}应为{choices_text(SEVERITIES)}之一，实际是“{value}”。")
                changes["severity"] = value
            elif key == "family":
                settable = "、".join(["enabled", "severity", *declared])
                if value not in FAMILIES:
                    raise RulesError(
                        f"{where}“{value}”不是已知的规则类型；规则类型由内置规则决定，本地规则文件不能修改"
                        f"（可设置：{settable}）。"
                    )
                raise RulesError(f"{where}是内置规则的类型，本地规则文件不能修改（可设置：{settable}）。")
            elif key in declared:
                _check_value(where, declared[key], value)
                params[key] = value
            else:
                allowed = "、".join(["enabled", "severity", *declared])
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
