"""Test worlds in one call: orgs, groups, members with their development steps, sessions with attendance.

    build(target,
          Org("机关党委", kind="committee", established="2010-01-01"),
          Org("机关第一党支部", parent="机关党委", established="2010-01-01"),
          Group("第一党小组", org="机关第一党支部"),
          Member("王建国", org="机关第一党支部", group="第一党小组"),
          Session(org="机关第一党支部", kinds=["theme-day"], on="2021-01-15", all_present=True))

The rows go in through `dangjian.store.bulk`, a handful of statements for the whole
world, instead of one CLI process-worth of work per record; the command under test
still runs through the CLI. The world holds what the same `org add`, `group add`,
`member add`, `member record` and `session add --all-present` lines would have
written, ids included (they follow the order of the arguments, table by table).
Nothing here goes through the audit context, so a built world has no audit trail:
tests of `log` and `undo` write through the CLI.

Dates are ISO strings or `date`s; stages, kinds and events may be slugs or Chinese labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dangjian.domain.identity import birth_date_of, gender_of
from dangjian.store import bulk, models
from dangjian.store.connection import close_database, database, open_database
from dangjian.vocab import EVENTS, GENDERS, ORG_KINDS, SESSION_KINDS, STAGES

Day = str | date | None


def day(d: Day) -> date | None:
    if d is None or isinstance(d, date):
        return d
    return date.fromisoformat(d)


def _slug(vocab, text: str | None) -> str | None:
    if text is None or text in vocab:
        return text
    return vocab.parse(text)


@dataclass(frozen=True)
class Org:
    name: str
    kind: str = "branch"
    parent: str | None = None
    established: Day = None
    village: bool = False
    code: str | None = None


@dataclass(frozen=True)
class Group:
    name: str
    org: str
    established: Day = None


@dataclass(frozen=True)
class Step:
    """One step of a member's development, as `member record NAME EVENT --on ON` with its details
    (`days=3`, `entitled=3, present=3, yes=3`, `until="2020-06-20"`, `months=6`)."""

    event: str
    on: Day
    details: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None

    def __init__(self, event: str, on: Day, note: str | None = None, **details: Any):
        object.__setattr__(self, "event", event)
        object.__setattr__(self, "on", on)
        object.__setattr__(self, "details", details)
        object.__setattr__(self, "note", note)


@dataclass(frozen=True)
class Member:
    """A person in a branch. With `steps` and no `stage`, the stage and 入党日期 follow the steps as
    `member record` moves them (applied → applicant … admitted → probationary)."""

    name: str
    org: str
    group: str | None = None
    stage: str | None = None
    joined: Day = None
    full_since: Day = None
    since: Day = None
    birth: Day = None
    gender: str | None = None
    id_number: str | None = None
    phone: str | None = None
    unit: str | None = None
    job: str | None = None
    education: str | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Session:
    """A session of a branch (`org`) or of a group (`group`, with `org` naming its branch when the
    group's name is not unique); `all_present` marks the roster (应到) of that day present; `present`,
    `leave` (names, or (name, reason) pairs) and `absent` name people of the branch."""

    kinds: tuple[str, ...] | list[str]
    on: Day
    org: str | None = None
    group: str | None = None
    all_present: bool = False
    present: tuple[str, ...] | list[str] = ()
    leave: tuple[str | tuple[str, str | None], ...] | list = ()
    absent: tuple[str, ...] | list[str] = ()
    hours: str | int | float | None = None
    topic: str | None = None
    location: str | None = None
    for_year: int | None = None
    minutes: str | None = None
    decisions: str | None = None


#: the stage a step moves a person to (DESIGN §6), and their order
_STAGE_OF_STEP = {
    "applied": "applicant",
    "activist": "activist",
    "candidate": "candidate",
    "admitted": "probationary",
    "converted": "full",
}
_RANK = {s: i for i, s in enumerate(("applicant", "activist", "candidate", "probationary", "full"))}


@dataclass
class Placed:
    """A built member as the roster sees it."""

    id: int
    name: str
    org_id: int
    group_id: int | None
    stage: str
    joined_on: date | None
    full_since: date | None
    since: date | None

    def on_roster(self, d: date) -> bool:
        """应到 on day d: a full member, or a probationary one admitted by then (DESIGN §4)."""
        if self.since is not None and d < self.since:
            return False
        if self.full_since is not None and self.full_since <= d:
            return True
        if self.stage not in ("probationary", "full"):
            return False
        return self.joined_on is None or self.joined_on <= d


@dataclass
class World:
    """What `build` wrote: ids by name (names are unique within a built world, except members,
    which are listed by name in building order)."""

    orgs: dict[str, int] = field(default_factory=dict)
    groups: dict[tuple[int, str], int] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)
    sessions: list[int] = field(default_factory=list)

    def org(self, name: str) -> int:
        return self.orgs[name]

    def member(self, name: str) -> int:
        (mid,) = self.members[name]
        return mid


def _stage_and_dates(m: Member) -> tuple[str, date | None, date | None]:
    stage = _slug(STAGES, m.stage)
    joined, full_since = day(m.joined), day(m.full_since)
    if stage is None:
        stage = "full" if not m.steps else "applicant"
        for s in sorted(m.steps, key=lambda s: day(s.on)):
            moved = _STAGE_OF_STEP.get(_slug(EVENTS, s.event))
            if moved is not None and _RANK[moved] > _RANK[stage]:
                stage = moved
            if _slug(EVENTS, s.event) == "admitted" and joined is None:
                joined = day(s.on)
        if stage == "full" and m.steps and full_since is None:
            raise ValueError(f"{m.name}: a converted member needs full_since (probation arithmetic is the library's)")
    return stage, joined, full_since


def build(target: str, *things: Org | Group | Member | Session | Iterable) -> World:
    """Write a world into the database `target` (created if new) and close it again."""
    open_database(target)
    try:
        return write(*things)
    finally:
        close_database()


def write(*things: Org | Group | Member | Session | Iterable) -> World:
    """Write a world into the open database, in one transaction; lists (of lists) among `things` are spread."""
    with database.atomic():
        return _write(list(_spread(things)))


def _spread(things: Iterable) -> Iterable:
    for t in things:
        if isinstance(t, list | tuple):
            yield from _spread(t)
        else:
            yield t


def _write(things: list) -> World:
    world = World()
    directory = bulk.Directory.load()
    for o in (t for t in things if isinstance(t, Org)):
        new = bulk.NewOrg(
            name=o.name,
            kind=_slug(ORG_KINDS, o.kind),
            parent=o.parent,
            established_on=day(o.established),
            village=o.village,
            code=o.code,
        )
        # one org at a time: ids follow the order written, as `org add` line by line would give them
        (world.orgs[o.name],) = bulk.insert_orgs([new], directory)
    groups = [t for t in things if isinstance(t, Group)]
    for g, gid in zip(
        groups,
        bulk.insert_groups(
            [bulk.NewGroup(name=g.name, org=g.org, established_on=day(g.established)) for g in groups], directory
        ),
    ):
        world.groups[(directory.org(g.org).id, g.name)] = gid

    members = [t for t in things if isinstance(t, Member)]
    rows, shapes = [], []
    for m in members:
        stage, joined, full_since = _stage_and_dates(m)
        number = m.id_number.strip().upper() if m.id_number else None
        birth, gender = day(m.birth), _slug(GENDERS, m.gender)
        if number:
            birth = birth or birth_date_of(number)
            gender = gender or gender_of(number)
        rows.append(
            bulk.NewMember(
                name=m.name,
                org=m.org,
                group=m.group,
                stage=stage,
                joined_on=joined,
                full_since=full_since,
                since=day(m.since),
                gender=gender,
                birth_date=birth,
                id_number=number,
                phone=m.phone,
                education=m.education,
                unit=m.unit,
                job=m.job,
            )
        )
        shapes.append((stage, joined, full_since))
    placed: list[Placed] = []
    for m, mid, (stage, joined, full_since) in zip(members, bulk.insert_members(rows, directory), shapes):
        org_id = directory.org(m.org).id
        group_id = directory.group(m.group, directory.orgs[org_id]).id if m.group else None
        world.members.setdefault(m.name, []).append(mid)
        placed.append(Placed(mid, m.name, org_id, group_id, stage, joined, full_since, day(m.since)))
    bulk.insert_events(
        bulk.NewEvent(member_id=p.id, event=_slug(EVENTS, s.event), on=day(s.on), details=dict(s.details), note=s.note)
        for m, p in zip(members, placed)
        for s in sorted(m.steps, key=lambda s: day(s.on))
    )

    sessions = [_new_session(s, directory, placed) for s in things if isinstance(s, Session)]
    world.sessions = bulk.insert_sessions(sessions, directory)
    return world


def _new_session(s: Session, directory: bulk.Directory, placed: list[Placed]) -> bulk.NewSession:
    on = day(s.on)
    assert on is not None
    if s.group is not None and s.org is None:
        (grp,) = [g for g in directory.groups.values() if g.name == s.group]
        org_id, group_id = grp.org_id, grp.id
    else:
        assert s.org is not None, "a session needs org or group"
        org_id = directory.org(s.org).id
        group_id = directory.group(s.group, directory.orgs[org_id]).id if s.group else None
    people = [p for p in placed if p.org_id == org_id]

    def who(name: str) -> int:
        (mid,) = [p.id for p in people if p.name == name]
        return mid

    attendance: dict[int, tuple[str, str | None]] = {}
    if s.all_present:
        for p in people:
            if (group_id is None or p.group_id == group_id) and p.on_roster(on):
                attendance[p.id] = ("present", None)
    for name in s.present:
        attendance[who(name)] = ("present", None)
    for item in s.leave:
        name, reason = item if isinstance(item, tuple) else (item, None)
        attendance[who(name)] = ("leave", reason)
    for name in s.absent:
        attendance[who(name)] = ("absent", None)
    return bulk.NewSession(
        org=org_id,
        group=group_id,
        held_on=on,
        kinds=tuple(_slug(SESSION_KINDS, k) for k in s.kinds),
        hours=Decimal(str(s.hours)) if s.hours is not None else None,
        topic=s.topic,
        location=s.location,
        for_year=s.for_year,
        minutes=s.minutes,
        decisions=s.decisions,
        attendance=tuple((mid, st, reason) for mid, (st, reason) in attendance.items()),
    )


def id_of(written: Any) -> int:
    """The id of what a library call returned: a model, a frozen dataclass, a dict or a plain id."""
    if isinstance(written, int):
        return written
    if isinstance(written, Mapping):
        return int(written["id"])
    return int(written.id)


def ids_by_name(table: str = "member") -> dict[str, list[int]]:
    """Every row of a table ("member", "org", "group") by name, in id order; the database must be open."""
    model = {"member": models.Member, "org": models.Organization, "group": models.PartyGroup}[table]
    out: dict[str, list[int]] = {}
    for rid, n in model.select(model.id, model.name).order_by(model.id).tuples():
        out.setdefault(n, []).append(rid)
    return out
