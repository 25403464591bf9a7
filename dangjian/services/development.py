"""The development record (发展纪实): recording steps, timelines, and what falls due.

`record_event` writes one step in one transaction, moves the person's stage,
joined_on (the admission date) and full_since (probation_ends, when `converted`
is recorded), and returns the rules the new step broke, so the caller can warn.
Only input that cannot be true is refused (InputError). `timeline` and
`due_items` read in a fixed number of queries and call the pure engine.
Never prints; never reads the clock (as_of is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from dangjian.domain import policies
from dangjian.domain.workdays import WorkCalendar
from dangjian.errors import InputError, NotFoundError
from dangjian.io.holidays import official_calendar
from dangjian.periods import format_date
from dangjian.refs import session_id
from dangjian.rules.dossier import STAGE_OF_EVENT, STAGE_ORDER, Dossier
from dangjian.rules.engine import Outcome, evaluate
from dangjian.rules.facts import EventFact, Facts, MemberFact
from dangjian.rules.findings import Finding
from dangjian.rules.loader import Rule, RuleSet
from dangjian.rules.planning import ALL_TIME, development_rules
from dangjian.store.base import local_today
from dangjian.store.connection import database
from dangjian.store.lookup import find_member
from dangjian.store.models import Member, MemberEvent, Membership, Organization, Session
from dangjian.vocab import EVENTS, STAGES

#: Decisions of the branch meeting that may carry vote figures.
VOTED_EVENTS = ("admitted", "converted", "extended", "disqualified")
#: Decisions only a probationary member can be the subject of.
PROBATION_DECISIONS = ("converted", "extended", "disqualified")
_RANK = {s: i for i, s in enumerate(STAGE_ORDER)}


# ---------------------------------------------------------------- recording


@dataclass(frozen=True)
class RecordedMember:
    """The person after the step: their stage and dates as now stored."""

    id: int
    name: str
    stage: str
    joined_on: date | None
    full_since: date | None


@dataclass(frozen=True)
class RecordedEvent:
    id: int
    event: str
    on: date
    details: dict | None


@dataclass(frozen=True)
class Recorded:
    member: RecordedMember
    event: RecordedEvent
    stage_before: str
    #: the day probation ends (admitted + 1 year + extensions), for a probationary member
    probation_ends: date | None = None
    warnings: tuple[Finding, ...] = ()
    #: sentences about how the rules counted (years whose working days were guessed)
    notes: tuple[str, ...] = ()


def _member_fact(m: Member) -> MemberFact:
    return MemberFact(
        id=m.id,
        name=m.name,
        stage=m.stage,
        status=m.status,
        birth_date=m.birth_date,
        joined_on=m.joined_on,
        full_since=m.full_since,
    )


def _event_facts(rows) -> list[EventFact]:
    return [EventFact(member_id=e.member_id, event=e.event, on=e.on, details=e.details or {}, id=e.id) for e in rows]


def _positive_int(value: object, what: str, field: str, allow_zero: bool = False) -> int:
    try:
        n = int(value)  # type: ignore[call-overload]  # whatever a caller passed; refused below if not a number
    except (TypeError, ValueError):
        raise InputError(f"{what}“{value}”不是整数。", field=field) from None
    if n < 0 or (n == 0 and not allow_zero):
        raise InputError(f"{what}应为{'非负' if allow_zero else '正'}整数，实际是{n}。", field=field)
    return n


def _hours(value: object) -> float | int | None:
    """Training hours: finite, above 0 and at most 1000 (kept as a JSON number)."""
    h = policies.hours(value, policies.TRAINING_HOURS)
    if h is None:
        return None
    return int(h) if h == h.to_integral_value() else float(h)


def _details(event: str, on: date, months, days, hours, until, entitled, present, yes) -> dict:
    name = EVENTS.label(event)
    details: dict = {}
    if event == "extended":
        if months is None:
            raise InputError("延长预备期须用 --months 写明延长几个月。")
        details["months"] = _positive_int(months, "延长的月数", "months")
        if details["months"] > 120:
            raise InputError(f"延长预备期{details['months']}个月不可能，请检查月数。", field="months")
    elif months is not None:
        raise InputError(f"--months 只用于延长预备期（extended），不用于“{name}”。")
    if event == "trained":
        if days is not None:
            details["days"] = _positive_int(days, "培训天数", "days")
            if details["days"] > 366:
                raise InputError(f"培训{details['days']}天不可能，请检查天数。", field="days")
        if hours is not None:
            details["hours"] = _hours(hours)
    elif days is not None or hours is not None:
        raise InputError(f"--days 和 --hours 只用于集中培训（trained），不用于“{name}”。")
    if event == "publicized":
        if until is None:
            raise InputError("公示须用 --until 写明公示的最后一天（--on 是第一天）。")
        if until < on:
            raise InputError(f"公示结束日期{format_date(until)}早于开始日期{format_date(on)}。")
        details["until"] = until.isoformat()
    elif until is not None:
        raise InputError(f"--until 只用于公示（publicized），不用于“{name}”。")
    votes = (entitled, present, yes)
    if any(v is not None for v in votes):
        if event not in VOTED_EVENTS:
            raise InputError(
                f"表决票数（--entitled、--present、--yes）只用于支部大会的决定"
                f"（接收预备党员、转正、延长预备期、取消资格），不用于“{name}”。"
            )
        if entitled is None:
            raise InputError("记录表决情况须用 --entitled 写明应到会有表决权的正式党员人数。")
        n = _positive_int(entitled, "应到人数", "entitled")
        p = None if present is None else _positive_int(present, "到会人数", "present", allow_zero=True)
        y = None if yes is None else _positive_int(yes, "赞成票数", "yes", allow_zero=True)
        if p is not None and p > n:
            raise InputError(f"到会人数{p}超过了应到会有表决权的正式党员人数{n}。")
        if y is not None and y > (p if p is not None else n):
            raise InputError(
                f"赞成票{y}超过了{'到会人数' if p is not None else '应到人数'}{p if p is not None else n}。"
            )
        details["entitled"] = n
        if p is not None:
            details["present"] = p
        if y is not None:
            details["yes"] = y
    return details


def _branch_name(m: Member) -> str | None:
    """The branch a person belongs to now, else the one they belonged to last."""
    rows = list(
        Membership.select(Membership.id, Membership.end, Organization.name)
        .join(Organization)
        .where(Membership.member == m.id)
        .tuples()
    )
    if not rows:
        return None
    return max(rows, key=lambda r: (r[1] is None, r[1] or date.min, r[0]))[2]


def _findings_for(
    rules: list[Rule], m: MemberFact, events: list[EventFact], as_of: date, calendar: WorkCalendar
) -> Outcome:
    facts = Facts(members=(m,), events=tuple(events), calendar=calendar)
    return evaluate(rules, facts, ALL_TIME, as_of)


def record_event(
    ref: str,
    event: str,
    on: date,
    *,
    as_of: date,
    rules: RuleSet | None = None,
    calendar: WorkCalendar | None = None,
    months=None,
    days=None,
    hours=None,
    until: date | None = None,
    session: str | int | None = None,
    note: str | None = None,
    entitled=None,
    present=None,
    yes=None,
) -> Recorded:
    """Record one step of a person's development; returns what was written and the rules it broke.

    `as_of` is today for the warnings (an event dated later is judged on its own date); working
    days are counted by `calendar` (the official one by default).
    """
    event = event if event in EVENTS else EVENTS.parse(event)
    policies.happened_by(on, local_today(), f"{EVENTS.label(event)}的日期")
    details = _details(event, on, months, days, hours, until, entitled, present, yes)
    note = policies.text((note or "").strip() or None, "备注", None, "note")
    with database.atomic():
        m = find_member(ref)
        if m.birth_date is not None and on < m.birth_date:
            raise InputError(
                f"{EVENTS.label(event)}的日期{format_date(on)}早于{m.name}的出生日期{format_date(m.birth_date)}。"
            )
        sess = None
        if session is not None and str(session).strip():
            sess = Session.get_or_none(Session.id == session_id(session))
            if sess is None:
                raise NotFoundError(f"没有编号为“{session}”的会议，可用 dangjian session list 查看。", field="session")
            if sess.held_on != on:
                raise InputError(
                    f"会议（编号{sess.id}）于{format_date(sess.held_on)}召开，"
                    f"与{EVENTS.label(event)}的日期{format_date(on)}不一致。"
                )
        existing = _event_facts(
            MemberEvent.select().where(MemberEvent.member == m.id).order_by(MemberEvent.on, MemberEvent.id)
        )
        if event in PROBATION_DECISIONS:
            _require_probationary(m, existing, event, on)
        stage_before = m.stage
        row = MemberEvent.create(member=m, event=event, on=on, details=details or None, note=note, session=sess)
        new = EventFact(member_id=m.id, event=event, on=on, details=details, id=row.id)
        _apply(m, existing + [new], event, on)
        m.save()
        ends = Dossier(_member_fact(m), existing + [new]).probation_ends() if m.stage == "probationary" else None
        if event == "disqualified":
            _end_membership(m, on)
    warnings: list[Finding] = []
    notes: tuple[str, ...] = ()
    if rules is not None:
        dev = development_rules(rules)
        when = max(as_of, on)
        org = _branch_name(m)
        before_fact = replace(_member_fact(m), org_name=org)
        cal = calendar if calendar is not None else official_calendar()
        before = _findings_for(dev, before_fact, existing, when, cal)
        keys = {(f.rule, f.status, f.date, f.message) for f in before.findings}
        after = _findings_for(dev, before_fact, existing + [new], when, cal)
        warnings = [
            f for f in after.findings if f.status == "violated" and (f.rule, f.status, f.date, f.message) not in keys
        ]
        notes = tuple(dict.fromkeys(before.notes + after.notes))
    return Recorded(
        member=RecordedMember(m.id, m.name, m.stage, m.joined_on, m.full_since),
        event=RecordedEvent(row.id, row.event, row.on, row.details),
        stage_before=stage_before,
        probation_ends=ends,
        warnings=tuple(warnings),
        notes=notes,
    )


def _require_probationary(m: Member, events: list[EventFact], event: str, on: date) -> None:
    d = Dossier(_member_fact(m), events)
    label = EVENTS.label(event)
    if d.disqualified_by(on):
        raise InputError(f"{m.name}已于{format_date(d.on('disqualified'))}被取消预备党员资格，不能再{label}。")
    now = d.stage_on(on)
    if now != "probationary":
        what = STAGES.label(now) if now else "尚未开始发展"
        raise InputError(f"{m.name}在{format_date(on)}是{what}，不是预备党员，不能记录“{label}”。")
    if event == "converted" and d.admitted_on is None:
        raise InputError(f"{m.name}没有入党日期（支部大会接收为预备党员之日），无法计算转正日期；请先记录 admitted。")


def _apply(m: Member, events: list[EventFact], event: str, on: date) -> None:
    """Move the cached stage and dates after recording `event`."""
    stage = STAGE_OF_EVENT.get(event)
    if stage is not None and _RANK.get(stage, -1) > _RANK.get(m.stage, -1):
        m.stage = stage
    if event == "admitted":
        m.joined_on = min(e.on for e in events if e.event == "admitted")
    if event == "converted":
        m.full_since = Dossier(_member_fact(m), events).probation_ends(until=on)
        m.stage = "full"
    if event == "disqualified":
        m.status = "disqualified"


@dataclass(frozen=True)
class Unrecorded:
    """The step removed, and the person's stage and dates as they follow from the steps that remain."""

    member: RecordedMember
    event: RecordedEvent
    stage_before: str


def unrecord_event(ref: str, event: str, on: date | None = None) -> Unrecorded:
    """Remove one step of a person's development record; with several steps of that kind, `on` chooses.

    The stage, 入党日期 (joined_on) and 转正日期 (full_since) are derived again from the steps that remain;
    removing `disqualified` restores the membership it ended.
    """
    event = event if event in EVENTS else EVENTS.parse(event)
    label = EVENTS.label(event)
    with database.atomic():
        m = find_member(ref)
        rows = list(
            MemberEvent.select()
            .where((MemberEvent.member == m.id) & (MemberEvent.event == event))
            .order_by(MemberEvent.on, MemberEvent.id)
        )
        if not rows:
            raise NotFoundError(f"{m.name}的发展纪实中没有“{label}”。", field="event")
        chosen = [r for r in rows if on is None or r.on == on]
        if not chosen:
            dates = "、".join(format_date(r.on) for r in rows)
            raise NotFoundError(f"{m.name}没有{format_date(on)}的“{label}”，有的是：{dates}。", field="on")
        if len(chosen) > 1 and on is None:
            dates = "、".join(format_date(r.on) for r in rows)
            raise InputError(f"{m.name}有{len(rows)}条“{label}”（{dates}），请用 --on 写明删除哪一条。", field="on")
        row = chosen[0]
        stage_before = m.stage
        remaining = _event_facts(
            MemberEvent.select()
            .where((MemberEvent.member == m.id) & (MemberEvent.id != row.id))
            .order_by(MemberEvent.on, MemberEvent.id)
        )
        row.delete_instance()
        _derive_after_removal(m, remaining, row.event)
        if row.event == "disqualified":
            _reopen_membership(m, row.on)
        m.save()
    return Unrecorded(
        member=RecordedMember(m.id, m.name, m.stage, m.joined_on, m.full_since),
        event=RecordedEvent(row.id, row.event, row.on, row.details),
        stage_before=stage_before,
    )


def _derive_after_removal(m: Member, events: list[EventFact], removed: str) -> None:
    """The cached stage and dates after `removed` was taken out, as `_apply` would have left them."""
    stage = STAGE_OF_EVENT.get(removed)
    if stage is not None and m.stage == stage:
        # that step had set the stage: the highest step that remains sets it now, else the stage before it
        reached = [_RANK[STAGE_OF_EVENT[e.event]] for e in events if e.event in STAGE_OF_EVENT]
        below = max(_RANK[stage] - 1, 0)
        m.stage = STAGE_ORDER[max(reached) if reached else below]
    if removed == "admitted":
        admitted = [e.on for e in events if e.event == "admitted"]
        m.joined_on = min(admitted) if admitted else None
    if removed in ("admitted", "converted", "extended"):
        converted = [e for e in events if e.event == "converted"]
        if converted:
            m.full_since = Dossier(_member_fact(m), events).probation_ends(until=converted[0].on)
        elif removed == "converted":
            m.full_since = None
    if removed == "disqualified" and m.status == "disqualified":
        if not any(e.event == "disqualified" for e in events):
            m.status = "active"


def _reopen_membership(m: Member, on: date) -> None:
    """Undo what `disqualified` on `on` did to the membership: it lasts again."""
    if m.status != "active":
        return
    if Membership.select().where((Membership.member == m.id) & Membership.end.is_null()).exists():
        return
    ended = Membership.get_or_none((Membership.member == m.id) & (Membership.end == on))
    if ended is None:
        return
    ended.end = None
    if ended.note:
        parts = [p for p in ended.note.split("；") if p != "取消预备党员资格"]
        ended.note = "；".join(parts) or None
    ended.save()


def _end_membership(m: Member, on: date) -> None:
    current = Membership.get_or_none((Membership.member == m.id) & Membership.end.is_null())
    if current is None:
        return
    if current.start is not None and on < current.start:
        raise InputError(f"取消资格日期{format_date(on)}早于{m.name}转入现支部的日期{format_date(current.start)}。")
    current.end = on
    current.note = (current.note + "；" if current.note else "") + "取消预备党员资格"
    current.save()


# ---------------------------------------------------------------- reading
