"""The development side (发展党员) of the demo office's year, recorded through the services.

Called at the end of `demo.build_demo`, after the meetings. Deterministic. People:

- 郭芳, probationary since 2020-11-20 in 机关第二党支部 (机关党支部 from 2021-07-01):
  a complete record, converted on time at the general meeting of 2021-11-25;
- 刘佳, a 发展对象 admitted as probationary at the same meeting, whose 政审 is
  dated a week after the admission (程序倒置: the real problem of this record);
- 赵雪, an activist in training: her next half-year assessment and her first
  year as an activist both fall in April 2022;
- 孙悦, who applied on 2022-03-15: the talk is due within a month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.rules.asof import is_on_roster
from dangjian.rules.facts import MembershipFact
from dangjian.services import development, members
from dangjian.store.lookup import find_member, find_org
from dangjian.store.models import Attendance, Member, Session, SessionKind

_AS_OF = date(2022, 3, 31)
_FIRST, _SECOND, _MERGED = "机关第一党支部", "机关第二党支部", "机关党支部"
_MERGE_DAY = date(2021, 7, 1)
_MEETING = date(2021, 11, 25)  # 机关党支部's fourth-quarter general meeting

# name, gender, birth, branch before the merge (None: joined 机关党支部 later), since
_PEOPLE = [
    ("刘佳", "女", date(1996, 8, 21), _FIRST, date(2019, 3, 1)),
    ("赵雪", "女", date(1998, 1, 9), _SECOND, date(2020, 9, 1)),
    ("孙悦", "男", date(2000, 6, 30), None, date(2021, 9, 1)),
]

_RECORDS: dict[str, list[tuple[str, date, dict[str, Any]]]] = {
    "郭芳": [
        ("applied", date(2018, 3, 12), {}),
        ("talked", date(2018, 3, 30), {"note": "支部书记吴刚谈话"}),
        ("activist", date(2018, 9, 14), {"note": "培养联系人：徐丽、孙涛"}),
        ("assessed", date(2019, 3, 8), {}),
        ("assessed", date(2019, 9, 6), {}),
        ("candidate", date(2019, 10, 11), {"note": "入党介绍人：徐丽、孙涛"}),
        ("political-review", date(2020, 5, 20), {}),
        ("trained", date(2020, 6, 15), {"days": 3, "hours": 24}),
        ("pre-reviewed", date(2020, 10, 16), {}),
        ("admitted", date(2020, 11, 20), {"entitled": 6, "present": 6, "yes": 6}),
        ("approved", date(2020, 12, 18), {}),
        ("oath", date(2021, 1, 8), {}),
        ("conversion-applied", date(2021, 10, 20), {}),
        ("converted", _MEETING, {"vote": True}),
        ("conversion-approved", date(2021, 12, 16), {}),
    ],
    "刘佳": [
        ("applied", date(2019, 3, 5), {}),
        ("talked", date(2019, 3, 22), {}),
        ("activist", date(2019, 9, 10), {"note": "培养联系人：李娜、陈静"}),
        ("assessed", date(2020, 3, 6), {}),
        ("assessed", date(2020, 9, 4), {}),
        ("candidate", date(2020, 9, 15), {"note": "入党介绍人：李娜、陈静"}),
        ("trained", date(2021, 5, 10), {"days": 5, "hours": 40}),
        ("pre-reviewed", date(2021, 10, 28), {}),
        ("admitted", _MEETING, {"vote": True}),
        # the 政审 was filed after the branch meeting had already admitted her
        ("political-review", date(2021, 12, 2), {"note": "政审材料补齐"}),
        ("approved", date(2021, 12, 20), {}),
        ("oath", date(2022, 1, 10), {}),
    ],
    "赵雪": [
        ("applied", date(2020, 10, 12), {}),
        ("talked", date(2020, 10, 29), {}),
        ("activist", date(2021, 4, 8), {"note": "培养联系人：杨帆、黄敏"}),
        ("assessed", date(2021, 10, 8), {}),
    ],
    "孙悦": [
        ("applied", date(2022, 3, 15), {}),
    ],
}


def _meeting() -> Session:
    merged = find_org(_MERGED)
    return (
        Session.select()
        .join(SessionKind)
        .where(
            (Session.org == merged.id)
            & (Session.held_on == _MEETING)
            & (SessionKind.kind == "general-meeting")
            & Session.group.is_null()
        )
        .get()
    )


def _vote(session: Session) -> dict:
    """Entitled = full members on the roster that day; present = those of them marked present."""
    rows = list(
        Member.select(Member, Attendance.status.alias("att"))
        .join(Attendance, on=(Attendance.member == Member.id))
        .where(Attendance.session == session.id)
        .objects()
    )
    full = [m for m in rows if m.full_since is not None and m.full_since <= session.held_on]
    present = sum(1 for m in full if m.att == "present")
    return {"entitled": len(full), "present": present, "yes": present}


def _attend_from(name: str, since: date) -> None:
    """Mark a newly admitted member present at the branch's sessions from the day of admission."""
    m = find_member(name)
    org = find_org(_MERGED)
    fact = MembershipFact(member_id=m.id, org_id=org.id, stage=m.stage, joined_on=m.joined_on, full_since=m.full_since)
    have = {s for (s,) in Attendance.select(Attendance.session).where(Attendance.member == m.id).tuples()}
    rows = [
        {"session": s.id, "member": m.id, "status": "present"}
        for s in Session.select()
        .where((Session.org == org.id) & Session.group.is_null() & (Session.held_on >= since))
        .order_by(Session.id)
        if s.id not in have and is_on_roster(fact, s.held_on)
    ]
    if rows:
        Attendance.insert_many(rows).execute()


def build_development() -> None:
    """Add the development records to the demo database built by `demo.build_demo`."""
    for name, gender, birth, before, since in _PEOPLE:
        if before is not None:
            members.add_member(name, before, stage="applicant", gender=gender, birth_date=birth, since=since)
            members.transfer_member(name, _MERGE_DAY, to=_MERGED, note=f"随{before}并入{_MERGED}")
        else:
            members.add_member(name, _MERGED, stage="applicant", gender=gender, birth_date=birth, since=since)
    meeting = _meeting()
    votes = _vote(meeting)
    for name, steps in _RECORDS.items():
        for event, on, extra in steps:
            extra = dict(extra)
            note = extra.pop("note", None)
            session = None
            if extra.pop("vote", False):
                extra.update(votes)
                session = meeting.id
            development.record_event(
                name,
                event,
                on,
                as_of=_AS_OF,
                note=note,
                session=session,
                days=extra.get("days"),
                hours=extra.get("hours"),
                entitled=extra.get("entitled"),
                present=extra.get("present"),
                yes=extra.get("yes"),
            )
    _attend_from("刘佳", _MEETING)
