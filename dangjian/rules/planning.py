"""Planning, shared by the timeline, `due` and the services: what comes next, from and by when.

Pure. Everything about time limits is read from what the rules declare (`plan(rule)`
of each family: which step a rule governs, counted from which step, earliest or
deadline), never from a rule id written here; what is fixed here is only the order of
the steps themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Plan
from dangjian.rules.dossier import STAGE_OF_EVENT, Dossier, dossiers, label
from dangjian.rules.facts import Window
from dangjian.rules.findings import Subject
from dangjian.rules.loader import Rule

#: Everything, for the rules that are not about a period: `timeline` shows findings whatever their date.
ALL_TIME = Window(date(1900, 1, 1), date(9999, 12, 31))
#: What a 发展对象 goes through before admission, in order (the 公示 comes before `candidate`).
CANDIDATE_STEPS = ("political-review", "trained", "pre-reviewed", "admitted")


def development_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules about a person's development record (`timeline` and `due` run only these over all time)."""
    return [r for r in rules if r.family_module.AREA == "development"]


def other_rules(rules: Iterable[Rule]) -> list[Rule]:
    return [r for r in rules if r.family_module.AREA != "development"]


def plan_of(rule: Rule) -> Plan:
    return rule.family_module.plan(rule)


def what_of(rule: Rule) -> str:
    """The step or meeting kind a rule's pending finding asks for."""
    return plan_of(rule).asks_for


def _timing(rules: Iterable[Rule] | None, step: str, kind: str, base: date) -> tuple[Plan, Duration] | None:
    """The plan of the rule that times `step` (its `earliest` or `deadline`), preferring one in force on `base`."""
    found: list[tuple[Rule, Plan, Duration]] = []
    for rule in rules or ():
        p = plan_of(rule)
        limit = getattr(p, kind)
        if p.asks_for == step and p.after is not None and limit is not None:
            found.append((rule, p, limit))
    if not found:
        return None
    rule, p, limit = next((x for x in found if x[0].in_force_on(base)), found[0])
    return p, limit


@dataclass(frozen=True)
class NextStep:
    event: str
    earliest: date | None = None
    deadline: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "earliest": self.earliest, "deadline": self.deadline}


def _timed(d: Dossier, rules: Iterable[Rule] | None, step: str, fallback: date | None) -> NextStep:
    """`step`, from the step its rules count from, with the deadline or earliest day they declare."""
    for kind in ("deadline", "earliest"):
        base_hint = fallback or date.min
        timing = _timing(rules, step, kind, base_hint)
        if timing is None:
            continue
        p, limit = timing
        assert p.after is not None
        base = d.on(p.after)
        if base is None:
            continue
        if kind == "deadline":
            return NextStep(step, base, limit.after(base))
        return NextStep(step, limit.after(base))
    return NextStep(step, fallback)


def next_step(d: Dossier, as_of: date, rules: Iterable[Rule] | None) -> NextStep | None:
    """What the branch does next for this person, and from / by when; None when nothing is left."""
    stage = d.stage_on(as_of)
    if d.disqualified_by(as_of) or stage is None:
        return None
    rules = list(rules) if rules is not None else None
    last = d.events[-1].on if d.events else None
    if stage == "applicant":
        applied = d.on("applied")
        if d.first("talked") is None and applied is not None:
            return _timed(d, rules, "talked", applied)
        return NextStep("activist", last)
    if stage == "activist":
        act = d.on("activist")
        return _timed(d, rules, "candidate", None) if act else NextStep("candidate")
    if stage == "candidate":
        cand = d.on("candidate")
        for step in CANDIDATE_STEPS:
            if d.first(step) is None:
                return NextStep(step, cand)
        return None
    if stage == "probationary":
        adm, appr = d.on("admitted"), d.on("approved")
        if adm is not None and appr is None:
            return _timed(d, rules, "approved", adm)
        if appr is not None and d.first("oath") is None:
            return _timed(d, rules, "oath", appr)
        ends = d.probation_ends()
        return NextStep("converted", ends) if ends is not None else None
    if stage == "full":
        conv = d.on("converted")
        if conv is not None and d.first("conversion-approved") is None:
            return _timed(d, rules, "conversion-approved", conv)
    return None


def probation_status(d: Dossier, as_of: date) -> str | None:
    """in-probation, overdue, extended, converted or disqualified; None before admission."""
    if d.disqualified_by(as_of):
        return "disqualified"
    stage = d.stage_on(as_of)
    if stage == "full":
        return "converted"
    if stage != "probationary":
        return None
    ends = d.probation_ends()
    if ends is not None and as_of > ends:
        return "overdue"
    return "extended" if d.all("extended") else "in-probation"


@dataclass(frozen=True)
class Opening:
    """A step that becomes allowed on `date` (a rule's `earliest`): 满1年 after 确定为积极分子, say."""

    rule: Rule
    subject: Subject
    date: date
    what: str
    message: str


def openings(rules: Iterable[Rule], tl: Timeline, horizon: date) -> list[Opening]:
    """Steps the enabled rules allow from a day between as_of and `horizon`, for people still waiting for them."""
    out: list[Opening] = []
    for rule in rules:
        p = plan_of(rule)
        if not rule.enabled or p.after is None or p.earliest is None:
            continue
        waiting_at = STAGE_OF_EVENT.get(p.after)
        for d in dossiers(tl):
            start = d.on(p.after)
            if start is None or not d.still_open() or d.first(p.asks_for) is not None:
                continue
            if waiting_at is not None and d.stage_on(tl.as_of) != waiting_at:
                continue
            ready = p.earliest.after(start)
            if tl.as_of <= ready <= horizon:
                out.append(
                    Opening(
                        rule,
                        d.subject,
                        ready,
                        p.asks_for,
                        f"{label(p.after)}（{format_date(start)}）将满{p.earliest.label}，"
                        f"{format_date(ready)}起可讨论{label(p.asks_for)}",
                    )
                )
    return out
