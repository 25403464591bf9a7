"""The explicit list of rule families: a rule file naming any other family is refused when read.

Each family is a module (see `dangjian.rules.families`); `Family` is what the engine,
the loader and planning may rely on it to export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from dangjian.rules.declarations import Param, Plan
from dangjian.rules.families import (
    conversion_decision,
    conversion_not_early,
    decision_votes,
    event_order,
    extension_length,
    extension_once,
    meeting_count,
    min_age,
    min_gap,
    oath,
    periodic_step,
    publicity,
    requires_step,
    requires_training,
    step_within,
)

if TYPE_CHECKING:
    from dangjian.rules.asof import Timeline
    from dangjian.rules.facts import Window
    from dangjian.rules.findings import Finding, Note
    from dangjian.rules.loader import Rule


class Family(Protocol):
    ID: str
    AREA: str
    PARAMS: dict[str, Param]
    SETTINGS: dict[str, Param]

    def plan(self, rule: Rule) -> Plan: ...

    def check(self, rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]: ...


_MODULES: tuple[Family, ...] = (
    meeting_count,
    event_order,
    min_age,
    step_within,
    periodic_step,
    min_gap,
    publicity,
    requires_step,
    requires_training,
    decision_votes,
    conversion_not_early,
    conversion_decision,
    extension_length,
    extension_once,
    oath,
)

#: Every family by its ID.
FAMILIES: Mapping[str, Family] = MappingProxyType({m.ID: m for m in _MODULES})
