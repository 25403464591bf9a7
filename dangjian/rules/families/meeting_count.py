"""meeting-count: a branch (or group) holds at least `min` sessions of a kind per period.

The meeting rules of 三会一课 and the annual meetings are all of this family; a rule's
settings fix the kind, the period and the holder. A merge successor carries what its
sources held before the merge (DESIGN §5).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from dangjian.periods import Duration, Period, format_date, period_start
from dangjian.rules.asof import Timeline, is_full_on, membership_active_on, report_periods
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.facts import MembershipFact, OrgFact, SessionFact, Window
from dangjian.rules.findings import Finding, Note, Subject
from dangjian.vocab import BRANCH_KINDS, SESSION_KINDS, SESSION_VERBS

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "meeting-count"
#: the meetings of a branch's organisational life, reported by period
AREA = "meetings"
PARAMS = declare(
    Param("min", int, 1, "每个期间至少召开的次数", min=1, max=100),
    Param("min_full_members", int, None, "正式党员达到此人数（期间第一天）的党支部才适用", min=1, max=10000),
    Param("grace", Duration, None, "期间结束后仍可补开的时长（如组织生活会可于次年初召开）"),
)
SETTINGS = declare(
    Param("kind", str, None, "会议类型", choices=tuple(SESSION_KINDS.slugs), required=True),
    Param("period", str, None, "期间：月、季度、半年或年", choices=("month", "quarter", "half", "year"), required=True),
    Param("subject", str, "org", "对象：党支部（org）或党小组（group）", choices=("org", "group")),
    Param("by_for_year", bool, False, "按会议所属年度（--for-year）计入，而不是召开日期"),
)


def plan(rule: Rule) -> Plan:
    return Plan(asks_for=rule.setting("kind"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    kind = rule.setting("kind")
    period_kind = rule.setting("period")
    by_for_year = bool(rule.setting("by_for_year"))
    minimum = int(rule.param("min"))
    min_full = rule.param("min_full_members")
    grace = rule.param("grace")
    kind_label = SESSION_KINDS.label(kind)
    verb = SESSION_VERBS.get(kind, "召开")
    periods = report_periods(period_kind, window, tl.as_of)
    if not periods:
        return []

    def key_of(s: SessionFact) -> Hashable:
        if by_for_year:
            return s.for_year or s.held_on.year
        return period_start(period_kind, s.held_on)

    def period_key(p: Period) -> Hashable:
        return p.start.year if by_for_year else p.start

    # sessions of this rule's kind, counted per holder and period in one pass
    counts: dict[tuple[str, int], Counter[Hashable]] = defaultdict(Counter)
    listed: dict[int, list[SessionFact]] = defaultdict(list)
    for s in tl.sessions:
        if kind not in s.kinds:
            continue
        holder = ("group", s.group_id) if s.group_id is not None else ("org", s.org_id)
        counts[holder][key_of(s)] += 1
        if s.group_id is None:
            listed[s.org_id].append(s)

    def before_merge(src: OrgFact, p: Period) -> int:
        merged = src.dissolved_on
        assert merged is not None  # a merge source has its merge date
        return sum(1 for s in listed.get(src.id, ()) if s.held_on < merged and key_of(s) == period_key(p))

    findings: list[Finding | Note] = []
    if rule.setting("subject") == "group":
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
    rule: Rule,
    subject: Subject,
    p: Period,
    expected: int,
    actual: int,
    kind_label: str,
    verb: str,
    grace: Duration | None,
    as_of: date,
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
