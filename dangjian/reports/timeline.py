"""Timelines and what falls due: the development record read through the pure engine, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from dangjian.domain.workdays import WorkCalendar
from dangjian.errors import InputError, NotFoundError
from dangjian.io.holidays import official_calendar
from dangjian.queries.facts import load_development, load_facts, load_orgs, subtree, with_merge_sources
from dangjian.reports.records import internal
from dangjian.rules.asof import Timeline
from dangjian.rules.dossier import STAGE_ORDER, Dossier, dossiers
from dangjian.rules.engine import evaluate
from dangjian.rules.facts import Facts, Window
from dangjian.rules.findings import Finding, Subject
from dangjian.rules.planning import (
    ALL_TIME,
    NextStep,
    development_rules,
    next_step,
    openings,
    other_rules,
    probation_status,
    what_of,
)
from dangjian.store.lookup import find_member, find_org

_RANK = {s: i for i, s in enumerate(STAGE_ORDER)}


#: Stages a person is "in development" at (timeline --all).
IN_DEVELOPMENT = ("applicant", "activist", "candidate", "probationary")


@dataclass(frozen=True)
class MemberRef:
    id: int
    name: str


@dataclass(frozen=True)
class EventOn:
    event: str
    on: date


@dataclass(frozen=True)
class Deadline:
    """A deadline still running (`due`) or already passed (`overdue`) for a person."""

    what: str
    date: date
    rule: str
    status: str


@dataclass(frozen=True)
class TimelineEntry:
    """Where one person stands in their development: probation, next step, deadlines, findings."""

    member: MemberRef
    org: str | None
    stage: str | None
    admitted_on: date | None
    probation_ends: date | None
    extension_months: int
    days_left: int | None
    status: str | None
    events: tuple[EventOn, ...]
    findings: tuple[Finding, ...]
    next_step: NextStep | None
    deadlines: tuple[Deadline, ...]


@dataclass(frozen=True)
class DueItem:
    """One thing falling due (or already late): `what` is an event or a session kind."""

    date: date
    what: str
    rule: str
    subject: Subject
    message: str
    status: str = internal("due")
    severity: str = internal("info")


@dataclass(frozen=True)
class Development:
    """The facts and findings of the development rules, loaded once for a read."""

    timeline: Timeline
    findings: list[Finding]

    def by_member(self) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        for f in self.findings:
            if f.subject.type == "member":
                out.setdefault(f.subject.id, []).append(f)
        return out


def _scope(orgs, org: str | None) -> tuple[frozenset[int] | None, set[int] | None]:
    if not org:
        return None, None
    root = find_org(org)
    scope = frozenset(subtree(orgs, root.id))
    return scope, with_merge_sources(orgs, set(scope))


def _development(
    rules,
    as_of: date,
    org: str | None = None,
    member_ids: list[int] | None = None,
    calendar: WorkCalendar | None = None,
    notes: list[str] | None = None,
) -> Development:
    orgs = load_orgs()
    scope, read_ids = _scope(orgs, org)
    members, events = load_development(orgs, as_of, read_ids, member_ids)
    facts = Facts(orgs=tuple(orgs), members=members, events=events, scope=scope, calendar=_calendar(calendar))
    outcome = evaluate(development_rules(rules), facts, ALL_TIME, as_of)
    _note(notes, outcome.notes)
    return Development(Timeline(facts, as_of), outcome.findings)


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else official_calendar()


def _note(notes: list[str] | None, found: tuple[str, ...]) -> None:
    """Hand the engine's notes (years whose working days were guessed) to a caller that asked for them."""
    if notes is not None:
        notes.extend(n for n in found if n not in notes)


def _entry(d: Dossier, as_of: date, findings: list[Finding], rules) -> TimelineEntry:
    stage = d.stage_on(as_of)
    status = probation_status(d, as_of)
    admitted = d.admitted_on if stage in ("probationary", "full") or status == "disqualified" else None
    ends = d.probation_ends() if admitted is not None else None
    days_left = (ends - as_of).days if ends is not None and status in ("in-probation", "overdue", "extended") else None
    step: NextStep | None = next_step(d, as_of, rules)
    by_id = {r.id: r for r in rules}
    deadlines = tuple(
        Deadline(what_of(by_id[f.rule]) if f.rule in by_id else f.rule, f.date, f.rule, f.status)
        for f in findings
        if f.status in ("due", "overdue")
    )
    return TimelineEntry(
        member=MemberRef(d.member.id, d.member.name),
        org=d.member.org_name,
        stage=stage,
        admitted_on=admitted,
        probation_ends=ends,
        extension_months=d.extension_months() if admitted is not None else 0,
        days_left=days_left,
        status=status,
        events=tuple(EventOn(e.event, e.on) for e in d.events),
        findings=tuple(findings),
        next_step=step,
        deadlines=deadlines,
    )


def timeline(
    rules,
    as_of: date,
    ref: str | None = None,
    org: str | None = None,
    include_all: bool = False,
    calendar: WorkCalendar | None = None,
    notes: list[str] | None = None,
) -> list[TimelineEntry]:
    """One entry per probationary member (or the one named; `include_all` adds everyone in development).

    Working days are counted by `calendar` (the official one by default); the engine's notes
    about them are added to `notes` when a list is given.
    """
    member_ids = [find_member(ref).id] if ref else None
    dev = _development(rules, as_of, org, member_ids, calendar, notes)
    by_member = dev.by_member()
    wanted = ("probationary",) if not include_all else IN_DEVELOPMENT
    entries = []
    for d in dossiers(dev.timeline):
        stage = d.stage_on(as_of)
        if ref is None and (stage not in wanted or not d.still_open()):
            continue
        entries.append(_entry(d, as_of, by_member.get(d.member.id, []), rules))
    if ref and not entries:
        raise NotFoundError(f"“{ref}”不在{org}。")
    entries.sort(
        key=lambda e: (
            e.org or "",
            -_RANK.get(e.stage or "", -1),
            e.probation_ends or date.max,
            e.member.id,
        )
    )
    return entries


def _branch(subject: Subject) -> str | None:
    """The branch a group or member subject belongs to (an org subject names none)."""
    return subject.org if subject.type != "org" else None


def due_items(
    rules,
    as_of: date,
    within: int = 30,
    org: str | None = None,
    calendar: WorkCalendar | None = None,
    notes: list[str] | None = None,
) -> list[DueItem]:
    """Everything dated up to as_of + within days, and everything already late, sorted by date.

    Working days and notes as for `timeline`.
    """
    if not 0 <= within <= 36500:  # a century is far enough, and keeps the date arithmetic in range
        raise InputError(f"--within 应为0到36500之间的天数，实际是{within}。")
    horizon = as_of + timedelta(days=within)
    root = find_org(org).id if org else None
    window = Window(date(as_of.year - 1, 1, 1), date(as_of.year, 12, 31))
    facts = replace(load_facts(window, as_of, root), calendar=_calendar(calendar))
    by_id = {r.id: r for r in rules}
    items: list[DueItem] = []

    def add(f: Finding, what: str) -> None:
        items.append(DueItem(f.date, what, f.rule, f.subject, f.message, f.status, f.severity))

    meetings = evaluate(other_rules(rules), facts, window, as_of)
    for f in meetings.findings:
        if f.status == "due":
            add(f, what_of(by_id[f.rule]))
    development = evaluate(development_rules(rules), facts, ALL_TIME, as_of)
    for f in development.findings:
        if f.status == "overdue" or (f.status == "due" and f.date <= horizon):
            add(f, what_of(by_id[f.rule]))
    _note(notes, meetings.notes + development.notes)
    for o in openings(development_rules(rules), Timeline(facts, as_of), horizon):
        items.append(DueItem(o.date, o.what, o.rule.id, o.subject, o.message, "due", "info"))
    items.sort(key=lambda i: (i.date, _branch(i.subject) or i.subject.name, i.subject.name, i.rule))
    return items
