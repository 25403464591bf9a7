"""What a rule family declares: its parameters (the numbers a local rule file may change),
its settings (what a shipped rule is about), and what planning may read from a rule.

Pure values. A `Param` names its type, default, range or choices and says in one
Chinese line what it means; `problem(value)` tells what is wrong with a value, so the
loader refuses a bad file when it reads it, and the families never guess a default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dangjian.errors import InputError
from dangjian.periods import Duration, parse_duration

SEVERITIES = ("error", "warning", "info")

_TYPE_NAMES: dict[type, str] = {
    bool: "true 或 false",
    int: "整数",
    float: "数字",
    str: "文字",
    Duration: "时长（如 “3 months” 或 “3个月”）",
    list: "列表",
}


@dataclass(frozen=True)
class Param:
    """One declared parameter or setting of a rule family."""

    name: str
    type: type  # bool, int, float (any number), str, Duration (written as text) or list
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    #: allowed values (for a list: allowed for each item, at any depth)
    choices: tuple[str, ...] | None = None
    #: a shipped rule must give it (the family has no sensible default)
    required: bool = False

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` for this parameter (a phrase to follow “…的“name””), or None."""
        if self.type is bool:
            return None if isinstance(value, bool) else "应为 true 或 false"
        if self.type in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"应为数字，实际是“{value}”"
            if self.type is int and not (isinstance(value, int) or float(value).is_integer()):
                return f"应为整数，实际是{value}"
            if self.min is not None and value < self.min:
                return f"应不小于{_num(self.min)}，实际是{value}" if self.min else f"不能为负数，实际是{value}"
            if self.max is not None and value > self.max:
                return f"应不大于{_num(self.max)}，实际是{value}"
            return None
        if self.type is Duration:
            if not isinstance(value, str):
                return f"应为{_TYPE_NAMES[Duration]}，实际是“{value}”"
            try:
                parse_duration(value)
            except InputError:
                return f"“{value}”不是有效的时长，请写成 “3 months” 或 “3个月”"
            return None
        if self.type is list:
            if not isinstance(value, list):
                return f"应为{_TYPE_NAMES[list]}，实际是“{value}”"
            bad = next((x for x in _leaves(value) if self.choices is not None and x not in self.choices), None)
            return None if bad is None else f"中的“{bad}”不是可用的值，应为{choices_text(self.choices or ())}之一"
        if not isinstance(value, self.type):
            return f"应为{_TYPE_NAMES.get(self.type, self.type.__name__)}，实际是“{value}”"
        if self.choices is not None and value not in self.choices:
            return f"应为{choices_text(self.choices)}之一，实际是“{value}”"
        return None

    def resolve(self, value: Any) -> Any:
        """The value a family reads: durations parsed, everything else as written."""
        if self.type is Duration and isinstance(value, str):
            return parse_duration(value)
        return value


def choices_text(choices: tuple[str, ...]) -> str:
    """“ error、warning 或 info ” for a sentence (spaced, as ASCII words in Chinese text are)."""
    if len(choices) == 1:
        return f" {choices[0]} "
    return f" {'、'.join(choices[:-1])} 或 {choices[-1]} "


def _leaves(value: Any) -> Iterable[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def declare(*params: Param) -> dict[str, Param]:
    """Declarations by name, in the order given."""
    return {p.name: p for p in params}


@dataclass(frozen=True)
class Plan:
    """What planning (`next_step`, `due`, the timeline's deadlines) reads from one rule.

    `asks_for` is the step (an event slug) or meeting kind a pending finding of the rule
    asks for. When the rule times one step from another, `after` is the step the time is
    counted from, and `earliest` / `deadline` the durations after it from which the step
    may come / by which it is due.
    """

    asks_for: str
    after: str | None = None
    earliest: Duration | None = None
    deadline: Duration | None = None
