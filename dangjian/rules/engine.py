"""The rule engine: pure functions from (rules, facts, window, as_of) to findings.

No database, no clock, no printing. Facts are frozen dataclasses built by
`queries.load_facts` (or literally, in tests). Every rule family is one function
registered in `FAMILIES`; `check` dispatches on `rule.family`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangjian.periods import Period, format_date, period_start, periods_between
from dangjian.rules.loader import Rule, RuleSet
from dangjian.vocab import BRANCH_KINDS, SESSION_KINDS, SESSION_VERBS

#: Statuses that make `check` exit 1 when the finding's severity is error.
FAILING_STATUSES = frozenset({"missed", "violated", "overdue"})


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class OrgFact:
    id: int
    name: str
    kind: str
    parent_id: int | None = None
    established_on: date | None = None
    dissolved_on: date | None = None  # also the merge date when merged_into_id is set
    merged_into_id: int | None = None
    village: bool = False


@dataclass(frozen=True)
class GroupFact:
    id: int
    name: str
    org_id: int
    established_on: date | None = None
    dissolved_on: date | None = None


@dataclass(frozen=True)
class MembershipFact:
    member_id: int
    org_id: int
    group_id: int | None = None
    start: date | None = None
    end: date | None = None
    stage: str = "full"
    joined_on: date | None = None
    full_since: date | None = None


@dataclass(frozen=True)
class SessionFact:
    id: int
    org_id: int
    held_on: date
    kinds: frozenset[str]
    group_id: int | None = None
    for_year: int | None = None


@dataclass(frozen=True)
class MemberFact:
    """A person the development rules look at; `org_id` is their branch as of as_of."""

    id: int
    name: str
    stage: str = "full"
    status: str = "active"
    birth_date: date | None = None
    joined_on: date | None = None
    full_since: date | None = None
    org_id: int | None = None
    org_name: str | None = None
    #: every kind of event on record, including those after as_of: the cached stage and
    #: dates above already reflect them, so the time machine must know they exist
    recorded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventFact:
    """One dated step of a member's development record (发展纪实)."""

    member_id: int
    event: str
    on: date
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: int = 0


@dataclass(frozen=True)
class Facts:
    orgs: tuple[OrgFact, ...] = ()
    groups: tuple[GroupFact, ...] = ()
    memberships: tuple[MembershipFact, ...] = ()
    sessions: tuple[SessionFact, ...] = ()
    #: the orgs to report on (an --org subtree); None means every org
    scope: frozenset[int] | None = None
    members: tuple[MemberFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    #: working days for 公示 periods (a `workdays.WorkCalendar`); None means the configured one
    calendar: Any = None


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Subject:
    type: str  # org | group | member
    id: int
    name: str
    org: str | None = None  # the branch's name, for a group or member

    def to_dict(self) -> dict:
        d = {"type": self.type, "id": self.id, "name": self.name}
        if self.type != "org":
            d["org"] = self.org
        return d


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    status: str  # missed | due | violated | overdue
    subject: Subject
    period: str | None
    date: date
    expected: int | None
    actual: int | None
    message: str
    source: str
    period_label: str | None = field(default=None, compare=False)

    @property
    def failing(self) -> bool:
        return self.severity == "error" and self.status in FAILING_STATUSES

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "status": self.status,
            "subject": self.subject.to_dict(),
            "period": self.period,
            "date": self.date.isoformat(),
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
            "source": self.source,
        }


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def exit_status(findings: Iterable[Finding]) -> int:
    """1 when an error-severity finding is missed, violated or overdue; else 0."""
    return 1 if any(f.failing for f in findings) else 0


# ---------------------------------------------------------------- time machine


class Timeline:
    """Facts as they stood on `as_of`: later establishments, ends and merges are unknown."""

    def __init__(self, facts: Facts, as_of: date):
        self.as_of = as_of
        self.orgs = {o.id: o for o in facts.orgs if _known(o.established_on, as_of)}
        self.groups = {g.id: g for g in facts.groups if g.org_id in self.orgs and _known(g.established_on, as_of)}
        self.memberships = [m for m in facts.memberships if m.org_id in self.orgs and _known(m.start, as_of)]
        self.sessions = [s for s in facts.sessions if s.held_on <= as_of and s.org_id in self.orgs]
        self.scope = facts.scope
        self.members = {m.id: m for m in facts.members}
        self.events = [e for e in facts.events if e.on <= as_of and e.member_id in self.members]
        self.calendar = facts.calendar
        self.sources: dict[int, list[OrgFact]] = defaultdict(list)
        for o in self.orgs.values():
            if o.merged_into_id is not None and self.end_of(o) is not None and o.merged_into_id in self.orgs:
                self.sources[o.merged_into_id].append(o)

    def end_of(self, org: OrgFact) -> date | None:
        d = org.dissolved_on
        return d if d is not None and d <= self.as_of else None

    def org_exists_on(self, org: OrgFact, d: date) -> bool:
        end = self.end_of(org)
        return (org.established_on is None or org.established_on <= d) and (end is None or d < end)

    def group_exists_on(self, group: GroupFact, d: date) -> bool:
        org = self.orgs[group.org_id]
        if not self.org_exists_on(org, d):
            return False
        if group.established_on is not None and d < group.established_on:
            return False
        end = group.dissolved_on if group.dissolved_on is not None and group.dissolved_on <= self.as_of else None
        return end is None or d < end

    def in_scope(self, org_id: int) -> bool:
        return self.scope is None or org_id in self.scope

    def merge_sources_in(self, org: OrgFact, period: Period) -> list[OrgFact]:
        """Sources merged into `org` on a day inside `period` that existed on its first day."""
        return [
            s
            for s in self.sources.get(org.id, ())
            if period.contains(s.dissolved_on) and self.org_exists_on(s, period.start)
        ]


def _known(d: date | None, as_of: date) -> bool:
    return d is None or d <= as_of


def is_full_on(m: MembershipFact, d: date) -> bool:
    """Whether the member was a full member (正式党员) on day d."""
    if m.full_since is not None:
        return m.full_since <= d
    return m.stage == "full" and (m.joined_on is None or m.joined_on <= d)


def is_on_roster(m: MembershipFact, d: date) -> bool:
    """Whether the member was expected to attend (应到: full or probationary) on day d."""
    if is_full_on(m, d):
        return True
    if m.stage not in ("probationary", "full"):
        return False
    return m.joined_on is None or m.joined_on <= d


def membership_active_on(m: MembershipFact, d: date, as_of: date) -> bool:
    end = m.end if m.end is not None and m.end <= as_of else None
    return (m.start is None or m.start <= d) and (end is None or d < end)


# ---------------------------------------------------------------- families

Family = Callable[[Rule, Timeline, Window], Iterable[Finding]]
FAMILIES: dict[str, Family] = {}


def family(name: str) -> Callable[[Family], Family]:
    def register(fn: Family) -> Family:
        FAMILIES[name] = fn
        return fn

    return register


def _report_periods(kind: str, window: Window, as_of: date) -> list[Period]:
    """Periods whose last day lies in the window and that have started by as_of."""
    return [p for p in periods_between(kind, window.start, window.end) if window.contains(p.end) and p.start <= as_of]


@family("meeting-count")
def meeting_count(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """A subject (branch or group) holds at least `min` sessions of a kind per period."""
    kind = rule.config["kind"]
    period_kind = rule.config["period"]
    by_for_year = bool(rule.config.get("by_for_year"))
    minimum = int(rule.params.get("min", 1))
    min_full = rule.params.get("min_full_members")
    grace = rule.duration("grace") if "grace" in rule.params else None
    kind_label = SESSION_KINDS.label(kind)
    verb = SESSION_VERBS.get(kind, "召开")
    periods = _report_periods(period_kind, window, tl.as_of)
    if not periods:
        return []

    def key_of(s: SessionFact):
        if by_for_year:
            return s.for_year or s.held_on.year
        return period_start(period_kind, s.held_on)

    def period_key(p: Period):
        return p.start.year if by_for_year else p.start

    # sessions of this rule's kind, counted per holder and period in one pass
    counts: dict[tuple[str, int], Counter] = defaultdict(Counter)
    listed: dict[int, list[SessionFact]] = defaultdict(list)
    for s in tl.sessions:
        if kind not in s.kinds:
            continue
        holder = ("group", s.group_id) if s.group_id is not None else ("org", s.org_id)
        counts[holder][key_of(s)] += 1
        if s.group_id is None:
            listed[s.org_id].append(s)

    def before_merge(src: OrgFact, p: Period) -> int:
        return sum(1 for s in listed.get(src.id, ()) if s.held_on < src.dissolved_on and key_of(s) == period_key(p))

    findings: list[Finding] = []
    if rule.config.get("subject", "org") == "group":
        for g in tl.groups.values():
            org = tl.orgs[g.org_id]
            if org.kind not in BRANCH_KINDS or not tl.in_scope(org.id):
                continue
            subject = Subject("group", g.id, g.name, org.name)
            held = counts.get(("group", g.id), Counter())
            for p in periods:
                if not (tl.group_exists_on(g, p.start) and tl.group_exists_on(g, p.end)):
                    continue
                n = held[period_key(p)]
                if n < minimum:
                    findings.append(_shortfall(rule, subject, p, minimum, n, kind_label, verb, grace, tl.as_of))
        return findings

    members_by_org: dict[int, list[MembershipFact]] = defaultdict(list)
    if min_full is not None:
        for m in tl.memberships:
            members_by_org[m.org_id].append(m)
    for org in tl.orgs.values():
        if org.kind not in BRANCH_KINDS or not tl.in_scope(org.id):
            continue
        subject = Subject("org", org.id, org.name)
        held = counts.get(("org", org.id), Counter())
        for p in periods:
            sources = tl.merge_sources_in(org, p)
            if not tl.org_exists_on(org, p.end):
                continue
            if not tl.org_exists_on(org, p.start) and not sources:
                continue
            n = held[period_key(p)]
            for src in sources:  # the successor carries what its sources did before the merge
                n += before_merge(src, p)
            if n >= minimum:
                continue
            if min_full is not None:
                full = sum(
                    1
                    for holder in (org, *sources)
                    for m in members_by_org.get(holder.id, ())
                    if membership_active_on(m, p.start, tl.as_of) and is_full_on(m, p.start)
                )
                if full < min_full:
                    continue
            findings.append(_shortfall(rule, subject, p, minimum, n, kind_label, verb, grace, tl.as_of))
    return findings


def _shortfall(
    rule: Rule, subject: Subject, p: Period, expected: int, actual: int, kind_label: str, verb: str, grace, as_of: date
) -> Finding:
    deadline = grace.after(p.end) if grace is not None else p.end
    if as_of > deadline:
        status = "missed"
        message = (
            f"{p.label}未{verb}{kind_label}（应至少{expected}次，实际{actual}次）"
            if actual == 0
            else f"{p.label}{kind_label}次数不足（应至少{expected}次，实际{actual}次）"
        )
    else:
        status = "due"
        message = f"{p.label}尚未{verb}{kind_label}（应至少{expected}次，目前{actual}次"
        if actual:
            message = f"{p.label}{kind_label}次数尚不足（应至少{expected}次，目前{actual}次"
        if deadline > p.end:
            message += f"，可在{format_date(deadline)}前为该年度补开）"
        else:
            message += f"，期限{format_date(deadline)}）"
    return Finding(
        rule.id,
        rule.severity,
        status,
        subject,
        p.id,
        p.end,
        expected,
        actual,
        message,
        rule.source,
        period_label=p.label,
    )


# ---------------------------------------------------------------- entry point


def check(rules: RuleSet | Iterable[Rule], facts: Facts, window: Window, as_of: date) -> list[Finding]:
    """Every finding of the enabled rules whose date lies in `window`, seen from `as_of`."""
    tl = Timeline(facts, as_of)
    out: list[Finding] = []
    for rule in rules:
        if not rule.enabled:
            continue
        fn = FAMILIES.get(rule.family)
        if fn is None:
            continue
        out.extend(f for f in fn(rule, tl, window) if window.contains(f.date))
    out.sort(key=lambda f: (f.date, f.subject.type != "org", f.subject.org or f.subject.name, f.subject.name, f.rule))
    return out


# The member development (发展党员) rule families register themselves on import.
from dangjian.rules.families import development as _development  # noqa: E402,F401
