"""event-order: recorded steps respect the order of the 细则; one finding per pair out of order.

The order is a rule setting (pairs of steps); everything the pairs imply is checked, so
a 政审 dated after `admitted` is out of order even when no 预审 is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "event-order"
AREA = "development"
PARAMS = declare()
SETTINGS = declare(
    Param("order", list, None, "先后顺序：每一对 [前一环节, 后一环节]", choices=tuple(EVENTS.slugs), required=True),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.id)


def order_pairs(edges: Iterable[Iterable[str]]) -> list[tuple[str, str]]:
    """Every (earlier, later) pair implied by the edges, in the vocabulary's order."""
    after: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        after[a].add(b)
    rank = {slug: i for i, slug in enumerate(EVENTS.slugs)}
    pairs = set()
    for start in list(after):
        stack, seen = list(after[start]), set()
        while stack:
            nxt = stack.pop()
            if nxt in seen:
                continue
            seen.add(nxt)
            pairs.add((start, nxt))
            stack.extend(after.get(nxt, ()))
    return sorted(pairs, key=lambda p: (rank.get(p[1], 99), rank.get(p[0], 99)))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    pairs = order_pairs(rule.setting("order"))
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        for a, b in pairs:
            if a not in d.firsts or b not in d.firsts:
                continue
            ea, eb = d.firsts[a], d.firsts[b]
            if ea.on <= eb.on or not rule.in_force_on(ea.on):
                continue
            out.append(
                member_finding(
                    rule,
                    d,
                    "violated",
                    ea.on,
                    f"{label(a)}（{format_date(ea.on)}）在{label(b)}（{format_date(eb.on)}）之后，程序倒置",
                )
            )
    return out
