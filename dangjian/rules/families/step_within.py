"""step-within: `step` follows `after` within `within` (and, when set, an error beyond `max_gap`).

A step done late stays on the record as `violated`, dated at its deadline; a step not
yet done is `due` until the deadline and `overdue` after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import SEVERITIES, Param, Plan, declare
from dangjian.rules.dossier import dossiers, label, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note
from dangjian.vocab import EVENTS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "step-within"
AREA = "development"
PARAMS = declare(
    Param("within", Duration, None, "前一环节之后应在多长时间内完成", required=True),
    Param("max_gap", Duration, None, "最长不得超过的时长（超过按 late_severity 的级别报告）"),
    Param("late_severity", str, None, "超过 max_gap 时的级别（默认同本规则）", choices=SEVERITIES),
)
SETTINGS = declare(
    Param("after", str, None, "从哪一环节起算", choices=tuple(EVENTS.slugs), required=True),
    Param("step", str, None, "应完成的环节", choices=tuple(EVENTS.slugs), required=True),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("step"), after=rule.setting("after"), deadline=rule.param("within"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    after, step = rule.setting("after"), rule.setting("step")
    within: Duration = rule.param("within")
    hard: Duration | None = rule.param("max_gap")
    late_sev = (rule.param("late_severity") or rule.severity) if hard is not None else rule.severity
    within_delta = within.delta()
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        a = d.first(after)
        if a is None or not rule.in_force_on(a.on):
            continue
        deadline = a.on + within_delta
        hard_deadline = hard.after(a.on) if hard is not None else None
        b = d.first(step)
        what = f"{label(after)}（{format_date(a.on)}）后{within.label}内应{label(step)}"
        if b is not None:
            if b.on < a.on or b.on <= deadline:
                continue  # a step before its cause is event-order's to report
            if hard is not None and hard_deadline is not None and b.on > hard_deadline:
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        hard_deadline,
                        f"{what}，实际{format_date(b.on)}才{label(step)}，已超过{hard.label}",
                        severity=late_sev,
                    )
                )
            else:
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        deadline,
                        f"{what}（期限{format_date(deadline)}），实际{format_date(b.on)}才{label(step)}",
                    )
                )
            continue
        if not d.still_open():
            continue
        if hard is not None and hard_deadline is not None and tl.as_of > hard_deadline:
            out.append(
                member_finding(
                    rule,
                    d,
                    "overdue",
                    hard_deadline,
                    f"{what}，超过{hard.label}（{format_date(hard_deadline)}）仍未{label(step)}",
                    severity=late_sev,
                )
            )
        elif tl.as_of > deadline:
            out.append(
                member_finding(rule, d, "overdue", deadline, f"{what}，期限{format_date(deadline)}已过，尚无记录")
            )
        else:
            out.append(member_finding(rule, d, "due", deadline, f"{what}，期限{format_date(deadline)}"))
    return out
