"""The member development (发展党员) rules: pure families over each person's record.

Registered on `engine.FAMILIES` when `engine` is imported. Like the meeting
families they read a `Timeline` (facts as they stood on as_of, so later events
are unknown) and return findings about subject type `member`, with period None
and the date the rule was broken or the deadline that passed. Each event is
judged by the rule in force on its date.

Also here, because the services and the engine must agree on it: the probation
arithmetic, the stage a person was at on a day, and the next step of a record.
No database, no clock, no printing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from dangjian.errors import RulesError
from dangjian.periods import format_date
from dangjian.rules.engine import EventFact, Finding, MemberFact, Subject, Timeline, Window, family
from dangjian.rules.loader import SEVERITIES, Rule
from dangjian.vocab import EVENTS, PARTY_STAGES

#: Events that move a person to a stage.
STAGE_OF_EVENT = {
    "applied": "applicant",
    "activist": "activist",
    "candidate": "candidate",
    "admitted": "probationary",
    "converted": "full",
}
STAGE_ORDER = ("applicant", "activist", "candidate", "probationary", "full")
_RANK = {s: i + 1 for i, s in enumerate(STAGE_ORDER)}
#: The branch meeting's decisions at the end of probation.
DECISIONS = ("converted", "extended", "disqualified")
#: The families below; `timeline` and `due` run only these, `check` runs them with the rest.
DEVELOPMENT_FAMILIES: set[str] = set()


def _dev_family(name: str):
    DEVELOPMENT_FAMILIES.add(name)
    return family(name)


def probation_end(admitted: date, extension_months: int = 0) -> date:
    """The day a probationary member becomes full: admitted + 1 year + extensions.

    admitted 2020-07-01 -> 2021-07-01; extended 6 months -> 2022-01-01.
    """
    return admitted + (_ONE_YEAR if not extension_months else relativedelta(years=1, months=extension_months))


_ONE_YEAR = relativedelta(years=1)


def age_on(birth: date, d: date) -> int:
    """Full years (周岁) on day d; someone born on 29 February turns a year older on 28 February."""
    return relativedelta(d, birth).years


def label(event: str) -> str:
    return EVENTS.label(event)


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def number(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


class Dossier:
    """One person's record as seen on as_of: the member and their events in date order."""

    def __init__(self, member: MemberFact, events: Iterable[EventFact]):
        self.member = member
        self.events = sorted(events, key=lambda e: (e.on, e.id))
        self._by: dict[str, list[EventFact]] = defaultdict(list)
        for e in self.events:
            self._by[e.event].append(e)
        #: the first occurrence of each kind of event
        self.firsts = {event: found[0] for event, found in self._by.items()}
        self.recorded = member.recorded | {e.event for e in self.events}
        self.has_stage_events = any(e in STAGE_OF_EVENT for e in self.recorded)

    def all(self, event: str) -> list[EventFact]:
        return self._by.get(event, [])

    def first(self, event: str) -> EventFact | None:
        found = self._by.get(event)
        return found[0] if found else None

    def on(self, event: str) -> date | None:
        e = self.first(event)
        return e.on if e is not None else None

    @property
    def subject(self) -> Subject:
        return Subject("member", self.member.id, self.member.name, self.member.org_name)

    @property
    def admitted_on(self) -> date | None:
        """The admission date: the `admitted` event, else the 入党日期 entered with the member."""
        if "admitted" in self.recorded:
            return self.on("admitted")
        if self.member.stage in PARTY_STAGES:
            return self.member.joined_on
        return None

    def extension_months(self, until: date | None = None) -> int:
        return sum(int(number(e.details.get("months"))) for e in self.all("extended") if until is None or e.on <= until)

    def probation_ends(self, until: date | None = None) -> date | None:
        """probation_ends counting the extensions decided by `until` (all of them by default)."""
        if until is None and "_ends" in self.__dict__:
            return self.__dict__["_ends"]
        admitted = self.admitted_on
        ends = None if admitted is None else probation_end(admitted, self.extension_months(until))
        if until is None:
            self.__dict__["_ends"] = ends
        return ends

    def stage_on(self, d: date) -> str | None:
        """The stage on day d; None before the first recorded step."""
        best = 0
        for e in self.events:
            if e.on > d:
                break
            s = STAGE_OF_EVENT.get(e.event)
            if s is not None:
                best = max(best, _RANK[s])
        m = self.member
        if m.stage in PARTY_STAGES:
            joined = self.admitted_on
            if "admitted" not in self.recorded and (joined is None or joined <= d):
                best = max(best, _RANK["probationary"])
            if m.stage == "full" and "converted" not in self.recorded and best >= _RANK["probationary"]:
                full_from = m.full_since or joined
                if full_from is None or full_from <= d:
                    best = _RANK["full"]
        elif not self.has_stage_events:
            best = max(best, _RANK.get(m.stage, 0))
        return STAGE_ORDER[best - 1] if best else None

    def disqualified_by(self, d: date) -> bool:
        q = self.on("disqualified")
        return q is not None and q <= d

    def still_open(self) -> bool:
        """Whether the branch still owes this person steps (not disqualified, left or dead)."""
        if self.first("disqualified") is not None:
            return False
        # a status of `disqualified` without the event means the event lies after as_of
        return self.member.status in ("active", "disqualified")


def dossiers(tl: Timeline) -> list[Dossier]:
    """Every in-scope member's record on the timeline, built once per timeline."""
    cached = tl.__dict__.get("_dossiers")
    if cached is None:
        by_member: dict[int, list[EventFact]] = defaultdict(list)
        for e in tl.events:
            by_member[e.member_id].append(e)
        cached = [
            Dossier(m, by_member.get(m.id, ()))
            for m in tl.members.values()
            if (tl.scope is None or (m.org_id is not None and tl.in_scope(m.org_id)))
        ]
        tl.__dict__["_dossiers"] = cached
    return cached


def _finding(
    rule: Rule,
    d: Dossier,
    status: str,
    on: date,
    message: str,
    expected: int | None = None,
    actual: int | None = None,
    severity: str | None = None,
) -> Finding:
    return Finding(
        rule.id, severity or rule.severity, status, d.subject, None, on, expected, actual, message, rule.source
    )


def _late_severity(rule: Rule) -> str:
    sev = rule.params.get("late_severity", rule.severity)
    if sev not in SEVERITIES:
        raise RulesError(f"规则“{rule.id}”的 late_severity 应为 error、warning 或 info 之一，实际是“{sev}”。")
    return sev


# ---------------------------------------------------------------- order


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


@_dev_family("event-order")
def event_order(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """Recorded steps respect the order of the 细则; one finding per pair out of order."""
    pairs = order_pairs(rule.config.get("order", ()))
    out = []
    for d in dossiers(tl):
        for a, b in pairs:
            if a not in d.firsts or b not in d.firsts:
                continue
            ea, eb = d.firsts[a], d.firsts[b]
            if ea.on <= eb.on or not rule.in_force_on(ea.on):
                continue
            out.append(
                _finding(
                    rule,
                    d,
                    "violated",
                    ea.on,
                    f"{label(a)}（{format_date(ea.on)}）在{label(b)}（{format_date(eb.on)}）之后，程序倒置",
                )
            )
    return out


# ---------------------------------------------------------------- applicant


@_dev_family("min-age")
def min_age(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """The applicant is old enough on the day of the application."""
    event = rule.config.get("event", "applied")
    minimum = int(rule.params.get("age", 18))
    out = []
    for d in dossiers(tl):
        e, born = d.first(event), d.member.birth_date
        if e is None or born is None or not rule.in_force_on(e.on):
            continue
        age = age_on(born, e.on)
        if age < minimum:
            out.append(
                _finding(
                    rule,
                    d,
                    "violated",
                    e.on,
                    f"{label(event)}时（{format_date(e.on)}）年龄{age}周岁，未满{minimum}周岁",
                    expected=minimum,
                    actual=age,
                )
            )
    return out


@_dev_family("step-within")
def step_within(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """`step` follows `after` within `within` (and, when set, error beyond `max_gap`)."""
    after, step = rule.config["after"], rule.config["step"]
    within = rule.duration("within")
    hard = rule.duration("max_gap") if "max_gap" in rule.params else None
    late_sev = _late_severity(rule) if hard is not None else rule.severity
    within_delta, hard_delta = within.delta(), (hard.delta() if hard is not None else None)
    out = []
    for d in dossiers(tl):
        a = d.first(after)
        if a is None or not rule.in_force_on(a.on):
            continue
        deadline = a.on + within_delta
        hard_deadline = a.on + hard_delta if hard_delta is not None else None
        b = d.first(step)
        what = f"{label(after)}（{format_date(a.on)}）后{within.label}内应{label(step)}"
        if b is not None:
            if b.on < a.on or b.on <= deadline:
                continue  # a step before its cause is event-order's to report
            if hard_deadline is not None and b.on > hard_deadline:
                out.append(
                    _finding(
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
                    _finding(
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
        if hard_deadline is not None and tl.as_of > hard_deadline:
            out.append(
                _finding(
                    rule,
                    d,
                    "overdue",
                    hard_deadline,
                    f"{what}，超过{hard.label}（{format_date(hard_deadline)}）仍未{label(step)}",
                    severity=late_sev,
                )
            )
        elif tl.as_of > deadline:
            out.append(_finding(rule, d, "overdue", deadline, f"{what}，期限{format_date(deadline)}已过，尚无记录"))
        else:
            out.append(_finding(rule, d, "due", deadline, f"{what}，期限{format_date(deadline)}"))
    return out


# ---------------------------------------------------------------- activist


@_dev_family("periodic-step")
def periodic_step(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """From `start` until `until`, `step` is recorded at least every `max_gap`."""
    start, step, until = rule.config["start"], rule.config["step"], rule.config["until"]
    gap = rule.duration("max_gap")
    gap_delta = gap.delta()
    out = []
    for d in dossiers(tl):
        s = d.first(start)
        if s is None or not rule.in_force_on(s.on):
            continue
        end = d.first(until)
        if end is not None and end.on < s.on:
            end = None  # out of order: event-order reports it
        points = [s.on] + sorted(e.on for e in d.all(step) if e.on > s.on and (end is None or e.on <= end.on))
        if end is not None:
            points.append(end.on)
        for p, q in zip(points, points[1:]):
            deadline = p + gap_delta
            if q > deadline:
                out.append(
                    _finding(
                        rule,
                        d,
                        "violated",
                        deadline,
                        f"{format_date(p)}至{format_date(q)}之间超过{gap.label}没有{label(step)}"
                        f"（应在{format_date(deadline)}前）",
                    )
                )
        if end is not None or not d.still_open() or d.stage_on(tl.as_of) != STAGE_OF_EVENT.get(start, start):
            continue
        last = points[-1]
        deadline = last + gap_delta
        if tl.as_of > deadline:
            out.append(
                _finding(
                    rule,
                    d,
                    "overdue",
                    deadline,
                    f"自{format_date(last)}起超过{gap.label}没有{label(step)}（应在{format_date(deadline)}前）",
                )
            )
        else:
            out.append(
                _finding(
                    rule,
                    d,
                    "due",
                    deadline,
                    f"下一次{label(step)}应在{format_date(deadline)}前（上次{format_date(last)}）",
                )
            )
    return out


@_dev_family("min-gap")
def min_gap(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """`step` comes no earlier than `min_gap` after `after`."""
    after, step = rule.config["after"], rule.config["step"]
    gap = rule.duration("min_gap")
    out = []
    for d in dossiers(tl):
        a, b = d.first(after), d.first(step)
        if a is None or b is None or b.on < a.on or not rule.in_force_on(b.on):
            continue
        earliest = gap.after(a.on)
        if b.on < earliest:
            out.append(
                _finding(
                    rule,
                    d,
                    "violated",
                    b.on,
                    f"{label(step)}（{format_date(b.on)}）距{label(after)}（{format_date(a.on)}）"
                    f"不满{gap.label}，最早应在{format_date(earliest)}",
                )
            )
    return out


@_dev_family("publicity")
def publicity(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """A 公示 of at least `workdays` working days ends before `step` (dates from its --until)."""
    step, event = rule.config.get("step", "candidate"), rule.config.get("event", "publicized")
    need = int(rule.params.get("workdays", 5))
    calendar = tl.calendar
    out = []
    for d in dossiers(tl):
        c = d.first(step)
        if c is None or not rule.in_force_on(c.on):
            continue
        if calendar is None:
            from dangjian.domain import workdays

            calendar = workdays.current()
        started = [p for p in d.all(event) if p.on <= c.on]
        ended = [(p, as_date(p.details.get("until")) or p.on) for p in started]
        ended = [(p, u) for p, u in ended if u < c.on]
        if not started:
            message = f"{label(step)}（{format_date(c.on)}）前没有{label(event)}记录"
            actual = 0
        elif not ended:
            p = started[-1]
            u = as_date(p.details.get("until")) or p.on
            message = f"{label(event)}至{format_date(u)}，未在{label(step)}（{format_date(c.on)}）之前结束"
            actual = None
        else:
            actual, p, u = max(((calendar.count(p.on, u), p, u) for p, u in ended), key=lambda t: t[0])
            if actual >= need:
                continue
            message = (
                f"{label(event)}（{format_date(p.on)}至{format_date(u)}）只有{actual}个工作日，应不少于{need}个工作日"
            )
        out.append(_finding(rule, d, "violated", c.on, message, expected=need, actual=actual))
    return out


# ---------------------------------------------------------------- admission


@_dev_family("requires-step")
def requires_step(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """Someone who reached `at` has `step` on record at all (a late one is event-order's)."""
    at, step = rule.config.get("at", "admitted"), rule.config["step"]
    out = []
    for d in dossiers(tl):
        e = d.first(at)
        if e is None or d.first(step) is not None or not rule.in_force_on(e.on):
            continue
        out.append(_finding(rule, d, "violated", e.on, f"{label(at)}（{format_date(e.on)}）时没有{label(step)}的记录"))
    return out


@_dev_family("requires-training")
def requires_training(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """Someone admitted has concentrated training of at least `days` days or `hours` hours."""
    at, step = rule.config.get("at", "admitted"), rule.config.get("step", "trained")
    need_days, need_hours = number(rule.params.get("days", 3)), number(rule.params.get("hours", 24))
    out = []
    for d in dossiers(tl):
        e = d.first(at)
        if e is None or not rule.in_force_on(e.on):
            continue
        trainings = d.all(step)
        days = sum(number(t.details.get("days")) for t in trainings)
        hours = sum(number(t.details.get("hours")) for t in trainings)
        if days >= need_days or hours >= need_hours:
            continue
        if not trainings:
            message = f"{label(at)}（{format_date(e.on)}）时没有{label(step)}的记录"
        elif not days and not hours:
            message = f"{label(step)}没有记录天数或学时，无法确认达到{_num(need_days)}天或{_num(need_hours)}学时"
        else:
            message = (
                f"{label(step)}只有{_num(days)}天、{_num(hours)}学时，"
                f"应不少于{_num(need_days)}天或{_num(need_hours)}学时"
            )
        out.append(_finding(rule, d, "violated", e.on, message))
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@_dev_family("decision-votes")
def decision_votes(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """A decision voted by the branch meeting: more than `quorum` and `majority` of the entitled."""
    events = rule.config.get("events", ["admitted", "converted", "extended", "disqualified"])
    quorum = Fraction(str(rule.params.get("quorum", 0.5)))
    majority = Fraction(str(rule.params.get("majority", 0.5)))
    out = []
    for d in dossiers(tl):
        for e in d.events:
            if e.event not in events or not e.details.get("entitled") or not rule.in_force_on(e.on):
                continue
            entitled = int(number(e.details["entitled"]))
            present, yes = e.details.get("present"), e.details.get("yes")
            for problem in vote_problems(entitled, present, yes, quorum, majority):
                out.append(_finding(rule, d, "violated", e.on, f"{label(e.event)}（{format_date(e.on)}）：{problem}"))
    return out


def vote_problems(
    entitled: int, present, yes, quorum: Fraction = Fraction(1, 2), majority: Fraction = Fraction(1, 2)
) -> list[str]:
    """What is wrong with a vote; thresholds divide by the entitled, never by those present."""
    out = []
    if present is not None and not Fraction(int(present)) > quorum * entitled:
        out.append(f"到会有表决权的正式党员{int(present)}人，未超过应到{entitled}人的{_fraction(quorum)}")
    if yes is not None and not Fraction(int(yes)) > majority * entitled:
        out.append(f"赞成{int(yes)}票，未超过应到会有表决权的正式党员{entitled}人的{_fraction(majority)}")
    return out


def _fraction(f: Fraction) -> str:
    return "半数" if f == Fraction(1, 2) else f"{f.numerator}/{f.denominator}"


# ---------------------------------------------------------------- probation


@_dev_family("conversion-not-early")
def conversion_not_early(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    out = []
    for d in dossiers(tl):
        c = d.first("converted")
        if c is None or not rule.in_force_on(c.on):
            continue
        ends = d.probation_ends(until=c.on)
        if ends is not None and c.on < ends:
            out.append(
                _finding(
                    rule,
                    d,
                    "violated",
                    c.on,
                    f"预备期至{format_date(ends)}届满，{format_date(c.on)}即讨论转正，提前了{(ends - c.on).days}天",
                )
            )
    return out


@_dev_family("conversion-decision")
def conversion_decision(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """Once probation has ended (plus `grace`), the branch has converted or disqualified."""
    grace = rule.duration("grace")
    out = []
    for d in dossiers(tl):
        if d.first("converted") is not None or d.first("disqualified") is not None:
            continue
        ends = d.probation_ends()
        if ends is None or not rule.in_force_on(ends) or not d.still_open():
            continue
        if d.stage_on(tl.as_of) != "probationary":
            continue
        deadline = grace.after(ends)
        extended = "（已延长预备期）" if d.all("extended") else ""
        if tl.as_of > deadline:
            out.append(
                _finding(
                    rule,
                    d,
                    "overdue",
                    deadline,
                    f"预备期已于{format_date(ends)}届满{extended}，已过{(tl.as_of - ends).days}天仍未讨论转正",
                )
            )
        else:
            out.append(
                _finding(
                    rule,
                    d,
                    "due",
                    deadline,
                    f"预备期将于{format_date(ends)}届满{extended}，届时应及时讨论能否转为正式党员",
                )
            )
    return out


@_dev_family("extension-length")
def extension_length(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    lo, hi = int(rule.params.get("min_months", 6)), int(rule.params.get("max_months", 12))
    out = []
    for d in dossiers(tl):
        for e in d.all("extended"):
            months = int(number(e.details.get("months")))
            if rule.in_force_on(e.on) and not lo <= months <= hi:
                out.append(
                    _finding(
                        rule,
                        d,
                        "violated",
                        e.on,
                        f"{format_date(e.on)}延长预备期{months}个月，应为{lo}至{hi}个月",
                        expected=lo if months < lo else hi,
                        actual=months,
                    )
                )
    return out


@_dev_family("extension-once")
def extension_once(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    most = int(rule.params.get("max", 1))
    out = []
    for d in dossiers(tl):
        for n, e in enumerate(d.all("extended"), start=1):
            if n > most and rule.in_force_on(e.on):
                out.append(
                    _finding(
                        rule,
                        d,
                        "violated",
                        e.on,
                        f"{format_date(e.on)}第{n}次延长预备期，预备期只能延长{most}次",
                        expected=most,
                        actual=n,
                    )
                )
    return out


@_dev_family("oath")
def oath(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding]:
    """The oath comes after the admission, and within `within` of the approval."""
    within = rule.duration("within")
    out = []
    for d in dossiers(tl):
        adm, sworn, appr = d.first("admitted"), d.first("oath"), d.first("approved")
        if adm is not None and sworn is not None and sworn.on == adm.on and rule.in_force_on(sworn.on):
            out.append(
                _finding(
                    rule,
                    d,
                    "violated",
                    sworn.on,
                    f"入党宣誓与支部大会接收为预备党员在同一天（{format_date(sworn.on)}），应在接收之后",
                )
            )
        if appr is None or not rule.in_force_on(appr.on):
            continue
        deadline = within.after(appr.on)
        what = f"上级党委审批（{format_date(appr.on)}）后{within.label}内应组织入党宣誓"
        if sworn is not None:
            if sworn.on > deadline:
                out.append(
                    _finding(
                        rule,
                        d,
                        "violated",
                        deadline,
                        f"{what}（期限{format_date(deadline)}），实际{format_date(sworn.on)}才宣誓",
                    )
                )
            continue
        if not d.still_open():
            continue
        status = "overdue" if tl.as_of > deadline else "due"
        message = f"{what}，期限{format_date(deadline)}" + ("已过，尚无记录" if status == "overdue" else "")
        out.append(_finding(rule, d, status, deadline, message))
    return out


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class NextStep:
    event: str
    earliest: date | None = None
    deadline: date | None = None

    def to_dict(self) -> dict:
        return {"event": self.event, "earliest": self.earliest, "deadline": self.deadline}


#: What a 发展对象 goes through before admission, in order (the 公示 comes before `candidate`).
_CANDIDATE_STEPS = ("political-review", "trained", "pre-reviewed", "admitted")


def next_step(d: Dossier, as_of: date, rules) -> NextStep | None:
    """What the branch does next for this person, and from / by when; None when nothing is left."""
    stage = d.stage_on(as_of)
    if d.disqualified_by(as_of) or stage is None:
        return None

    def param(rule_id: str, name: str, default: str):
        from dangjian.periods import parse_duration

        rule = _rule(rules, rule_id)
        return rule.duration(name) if rule is not None and name in rule.params else parse_duration(default)

    last = d.events[-1].on if d.events else None
    if stage == "applicant":
        applied = d.on("applied")
        if d.first("talked") is None and applied is not None:
            within = param("application-talk-within-1-month", "within", "1 month")
            return NextStep("talked", applied, within.after(applied))
        return NextStep("activist", last)
    if stage == "activist":
        act = d.on("activist")
        earliest = param("activist-min-1-year", "min_gap", "1 year").after(act) if act else None
        return NextStep("candidate", earliest)
    if stage == "candidate":
        cand = d.on("candidate")
        for step in _CANDIDATE_STEPS:
            if d.first(step) is None:
                return NextStep(step, cand)
        return None
    if stage == "probationary":
        adm, appr = d.on("admitted"), d.on("approved")
        if adm is not None and appr is None:
            within = param("admission-approval-within-3-months", "within", "3 months")
            return NextStep("approved", adm, within.after(adm))
        if appr is not None and d.first("oath") is None:
            return NextStep("oath", appr, param("oath-after-admission", "within", "3 months").after(appr))
        ends = d.probation_ends()
        return NextStep("converted", ends) if ends is not None else None
    if stage == "full":
        conv = d.on("converted")
        if conv is not None and d.first("conversion-approved") is None:
            return NextStep(
                "conversion-approved",
                conv,
                param("conversion-approval-within-3-months", "within", "3 months").after(conv),
            )
    return None


def _rule(rules, rule_id: str) -> Rule | None:
    if rules is None:
        return None
    try:
        return rules[rule_id] if rule_id in rules else None
    except TypeError:
        return next((r for r in rules if r.id == rule_id), None)


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
