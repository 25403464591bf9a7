"""Bulk writes: many orgs, groups, members, sessions and attendance rows at once.

The write path of `dangjian import` and of the benchmark's generator: orgs, groups,
members with their memberships, development steps, sessions with their kinds and
attendance. Rows go in with `insert_many`, a chunk of rows per statement, inside
one transaction; names are resolved with a fixed number of queries (one per
table, or one per thousand names for the biggest lookups), never one per row.

These functions trust their caller for the format of each field (the importer
parses every cell as the single-record commands parse their options), and hold
every row to the write invariants of `domain.policies`, the ones the single-record
services call: a branch has no child orgs, groups and members only in a branch that
exists, no live name twice, a 身份证号 registered once, a session's holder and
hours, text within its column's length and without NUL. Names resolve through
`Directory`, the in-memory `domain.resolving.Resolver`. Never prints; never reads
the clock.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import peewee as pw

from dangjian.audit.context import capturing
from dangjian.audit.trail import note_insert
from dangjian.domain import policies, resolving
from dangjian.domain.policies import OrgLike
from dangjian.errors import DatabaseUnavailable, InputError
from dangjian.periods import format_date
from dangjian.refs import id_of, parse_ref
from dangjian.store.connection import _TEXT_LABELS, database
from dangjian.store.models import (
    Attendance,
    Member,
    MemberEvent,
    Membership,
    Organization,
    PartyGroup,
    Session,
    SessionKind,
    utcnow,
)
from dangjian.vocab import ATTENDANCE, EVENTS, ORG_KINDS, SESSION_KINDS, STAGES

#: Rows per INSERT statement: well under SQLite's 32,766 bound variables for the widest table.
CHUNK = 500
#: Attendance rows are narrow: more of them per statement.
ATTENDANCE_CHUNK = 1000
#: Names or ids per `IN (…)` list in a lookup.
LOOKUP_CHUNK = 1000

Ref = int | str


# ---------------------------------------------------------------- rows to insert


@dataclass(frozen=True)
class NewOrg:
    name: str
    kind: str = "branch"
    #: an org id, the name of a live org, or the name of an org earlier in the same batch
    parent: Ref | None = None
    established_on: date | None = None
    village: bool = False
    code: str | None = None


@dataclass(frozen=True)
class NewGroup:
    name: str
    org: Ref
    established_on: date | None = None


@dataclass(frozen=True)
class NewMember:
    """A person and their (first) membership: in `org`, in `group` (a name in that org, or an id)."""

    name: str
    org: Ref
    group: Ref | None = None
    stage: str = "full"
    joined_on: date | None = None
    full_since: date | None = None
    since: date | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    phone: str | None = None
    education: str | None = None
    unit: str | None = None
    job: str | None = None


@dataclass(frozen=True)
class NewMembership:
    member_id: int
    org: Ref
    group: Ref | None = None
    start: date | None = None
    end: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """A step of a member's development (发展纪实), as `member record` writes it."""

    member_id: int
    event: str
    on: date
    details: dict | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewSession:
    """A session; people are member ids (see `Directory.people` to resolve names)."""

    org: Ref
    held_on: date
    kinds: tuple[str, ...]
    group: Ref | None = None
    hours: Decimal | None = None
    topic: str | None = None
    location: str | None = None
    host: int | None = None
    recorder: int | None = None
    lecturer: int | None = None
    lecturer_name: str | None = None
    for_year: int | None = None
    minutes: str | None = None
    decisions: str | None = None
    #: (member id, status slug, reason) per person recorded
    attendance: tuple[tuple[int, str, str | None], ...] = ()


# ---------------------------------------------------------------- the directory


@dataclass
class OrgEntry:
    id: int
    name: str
    kind: str
    parent_id: int | None
    established_on: date | None
    dissolved_on: date | None
    merged_into_id: int | None


@dataclass
class GroupEntry:
    id: int
    name: str
    org_id: int
    established_on: date | None
    dissolved_on: date | None


@dataclass(frozen=True)
class Person:
    """A membership of a member, with what rosters and name lookups need."""

    member_id: int
    name: str
    id_number: str | None
    stage: str
    joined_on: date | None
    full_since: date | None
    org_id: int
    group_id: int | None
    start: date | None
    end: date | None

    @property
    def id(self) -> int:
        return self.member_id

    def belongs_on(self, d: date) -> bool:
        return (self.start is None or self.start <= d) and (self.end is None or d < self.end)


@dataclass
class Directory:
    """Every org and group, read in two queries, and resolved by id or name in memory.

    The bulk writers add what they insert, so one directory serves a whole import.
    """

    orgs: dict[int, OrgEntry] = field(default_factory=dict)
    groups: dict[int, GroupEntry] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Directory:
        d = cls()
        for r in Organization.select(
            Organization.id,
            Organization.name,
            Organization.kind,
            Organization.parent,
            Organization.established_on,
            Organization.dissolved_on,
            Organization.merged_into,
        ).tuples():
            d.orgs[r[0]] = OrgEntry(*r)
        for r in PartyGroup.select(
            PartyGroup.id, PartyGroup.name, PartyGroup.org, PartyGroup.established_on, PartyGroup.dissolved_on
        ).tuples():
            d.groups[r[0]] = GroupEntry(*r)
        d._index()
        return d

    def _index(self) -> None:
        self._orgs_by_name: dict[str, list[OrgEntry]] = defaultdict(list)
        for o in sorted(self.orgs.values(), key=lambda o: o.id):
            self._orgs_by_name[o.name].append(o)
        self._groups_by_name: dict[tuple[int, str], list[GroupEntry]] = defaultdict(list)
        self._groups_named: dict[str, list[GroupEntry]] = defaultdict(list)
        for g in sorted(self.groups.values(), key=lambda g: g.id):
            self._groups_by_name[(g.org_id, g.name)].append(g)
            self._groups_named[g.name].append(g)

    def add_org(self, o: OrgEntry) -> None:
        self.orgs[o.id] = o
        self._orgs_by_name[o.name].append(o)

    def add_group(self, g: GroupEntry) -> None:
        self.groups[g.id] = g
        self._groups_by_name[(g.org_id, g.name)].append(g)
        self._groups_named[g.name].append(g)

    def live_group_named(self, org_id: int, name: str) -> GroupEntry | None:
        live = [g for g in self._groups_by_name.get((org_id, name.strip()), ()) if g.dissolved_on is None]
        return live[0] if live else None

    def live_org_named(self, name: str) -> OrgEntry | None:
        live = [o for o in self._orgs_by_name.get(name.strip(), ()) if o.dissolved_on is None]
        return live[0] if live else None

    def org(self, ref: Ref) -> OrgEntry:
        """As `lookup.find_org`: by id or name, a live org winning over dissolved ones."""
        r = parse_ref(ref)
        if r.id is not None and r.id in self.orgs:
            return self.orgs[r.id]
        return resolving.choose_org(r, self._orgs_by_name.get(r.name, []))

    def group(self, ref: Ref, org: OrgLike | None = None) -> GroupEntry:
        """As `lookup.find_group`: a group (of `org` when given) by id or name; a live group wins."""
        r = parse_ref(ref)
        if r.id is not None and r.id in self.groups:
            return resolving.group_by_id(self.groups[r.id], org, self._org_name)
        if org is None:
            return resolving.choose_group(r, None, self._groups_named.get(r.name, []), [], self._org_name)
        named = self._groups_by_name.get((org.id, r.name), [])
        elsewhere = [] if named else [g for g in self._groups_named.get(r.name, []) if g.org_id != org.id]
        return resolving.choose_group(r, org, named, elsewhere, self._org_name)

    def _org_name(self, org_id: int) -> str:
        return self.orgs[org_id].name

    def has_group(self, org_id: int, name: str) -> bool:
        return bool(self._groups_by_name.get((org_id, name.strip())))

    def people(self, org_ids: Iterable[int]) -> dict[int, list[Person]]:
        """Every membership (with its member) of the given orgs, by org id: one query per thousand orgs."""
        out: dict[int, list[Person]] = defaultdict(list)
        for chunk in pw.chunked(sorted(set(org_ids)), LOOKUP_CHUNK):
            q = (
                Membership.select(
                    Membership.member,
                    Member.name,
                    Member.id_number,
                    Member.stage,
                    Member.joined_on,
                    Member.full_since,
                    Membership.org,
                    Membership.group,
                    Membership.start,
                    Membership.end,
                )
                .join(Member)
                .where(Membership.org.in_(chunk))
                .order_by(Membership.member)
            )
            for r in q.tuples():
                out[r[6]].append(Person(*r))
        return out


def members_by_ref(refs: Iterable[str]) -> dict[str, list[tuple[int, str | None]]]:
    """Who each reference names among all members, as `lookup.find_member` reads it: an id
    ("12" or "#12"), a 身份证号, else a name. ref -> [(member id, current org name)], in one
    query per thousand references."""
    out: dict[str, list[tuple[int, str | None]]] = {}
    for chunk in pw.chunked(sorted(set(refs)), LOOKUP_CHUNK):
        ids = [i for i in map(id_of, chunk) if i is not None]
        numbers = [r.upper() for r in chunk if len(r) == 18]
        cond = Member.name.in_(chunk)
        if ids:
            cond |= Member.id.in_(ids)
        if numbers:
            cond |= Member.id_number.in_(numbers)
        q = (
            Member.select(Member.id, Member.name, Member.id_number, Organization.name)
            .join(Membership, pw.JOIN.LEFT_OUTER, on=((Membership.member == Member.id) & Membership.end.is_null()))
            .join(Organization, pw.JOIN.LEFT_OUTER, on=(Membership.org == Organization.id))
            .where(cond)
            .order_by(Member.id)
        )
        by_id: dict[int, tuple[int, str | None]] = {}
        by_number: dict[str, tuple[int, str | None]] = {}
        by_name: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        for mid, name, number, org_name in q.tuples():
            if mid in by_id:
                continue
            by_id[mid] = (mid, org_name)
            if number:
                by_number[number] = (mid, org_name)
            by_name[name].append((mid, org_name))
        for ref in chunk:
            mid = id_of(ref)
            if mid is not None and mid in by_id:
                out[ref] = [by_id[mid]]
            elif len(ref) == 18 and ref.upper() in by_number:
                out[ref] = [by_number[ref.upper()]]
            else:
                out[ref] = by_name.get(ref, [])
    return out


def first_sessions() -> dict[int, date]:
    """The day of each org's first session (org id -> date), in one query."""
    q = Session.select(Session.org, pw.fn.MIN(Session.held_on)).group_by(Session.org)
    return {org_id: Session.held_on.python_value(first) for org_id, first in q.tuples()}


def registered_id_numbers(numbers: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Which of these 身份证号 are already registered: number -> (member id, name)."""
    out: dict[str, tuple[int, str]] = {}
    for chunk in pw.chunked(sorted({n for n in numbers if n}), LOOKUP_CHUNK):
        for number, mid, name in (
            Member.select(Member.id_number, Member.id, Member.name).where(Member.id_number.in_(chunk)).tuples()
        ):
            out[number] = (mid, name)
    return out


# ---------------------------------------------------------------- inserting


def _returns_ids(db: pw.Database) -> bool:
    """Whether INSERT … RETURNING works: SQLite 3.35+, PostgreSQL, MariaDB 10.5+ (not MySQL)."""
    if isinstance(db, pw.MySQLDatabase):
        version = getattr(db, "server_version", None) or (0,)
        return tuple(version) >= (10, 5)
    if isinstance(db, pw.SqliteDatabase):
        return sqlite3.sqlite_version_info >= (3, 35, 0)
    return True


#: INSERT texts by (database class, model, fields, returning, rows): see `_insert`.
_STATEMENTS: dict[tuple, str] = {}


def _insert(
    model: type[pw.Model], fields: list[pw.Field], rows: Iterable[tuple], want_ids: bool = False, size: int = CHUNK
) -> list[int]:
    """Insert `rows` (tuples in the order of `fields`) in chunks; the new ids in row order if asked.

    Each chunk is one `insert_many` statement. Rendering a statement of a thousand
    rows costs peewee far more than running it, and every full chunk renders to the
    same SQL text, so the text is rendered once per chunk length and reused with
    each chunk's values (converted by the same `db_value` the rendering uses; the
    first chunk checks that they agree).
    """
    db = database.obj
    pk = model._meta.primary_key
    # the audit trail keeps every new row's id, so that `undo` can take the rows out again
    want_ids = want_ids or capturing()
    returning = want_ids and _returns_ids(db)
    step = 1
    if want_ids and not returning:
        step = int(db.execute_sql("SELECT @@auto_increment_increment").fetchone()[0] or 1)
    convert = [f.db_value for f in fields]
    texts = _text_columns(model, fields)
    shape = (type(db), model, tuple(f.name for f in fields), returning)
    ids: list[int] = []
    for chunk in pw.chunked(rows, size):
        n = len(chunk)
        for row in chunk:
            for i, what, limit in texts:
                v = row[i]
                if v.__class__ is str and ((limit is not None and len(v) > limit) or "\x00" in v):
                    policies.text(v, what, limit)
        sql = _STATEMENTS.get(shape + (n,))
        if sql is not None:
            params = [c(v) for row in chunk for c, v in zip(convert, row)]
        else:
            q = model.insert_many(chunk, fields=fields)
            q = q.returning(pk) if returning else q.as_rowcount()
            sql, params = q.sql()
            if params == [c(v) for row in chunk for c, v in zip(convert, row)]:
                _STATEMENTS[shape + (n,)] = sql
        cursor = db.execute_sql(sql, params)
        if not want_ids:
            note_insert(db, model, fields, chunk)
            continue
        if returning:
            # ids are handed out in the order of the VALUES list, so sorted ids follow the rows
            got = sorted(r[0] for r in cursor.fetchall())
            if len(got) != n:
                raise DatabaseUnavailable("批量写入时数据库返回的编号个数不对，已全部撤销。")
        else:
            # MySQL: the first id of a multi-row INSERT; the rest follow it unless another
            # writer interleaved, which the count (of rows visible to us) would show.
            first = int(cursor.lastrowid)
            got = [first + i * step for i in range(n)]
            seen = model.select().where((pk >= got[0]) & (pk <= got[-1])).count()
            if seen != n:
                raise DatabaseUnavailable("数据库正被另一个程序同时写入，批量写入已全部撤销，请稍后再试。")
        note_insert(db, model, fields, chunk, got)
        ids.extend(got)
    return ids


#: what users call the free-text columns the length check of `store.connection` does not name
_OTHER_TEXT_LABELS = {"note": "备注", "minutes": "会议记录", "decisions": "决议事项", "details": "详情"}


def _text_columns(model: type[pw.Model], fields: list[pw.Field]) -> list[tuple[int, str, int | None]]:
    """(position, what users call it, length limit or None) of each text field among `fields`:
    the same limits (the columns') and words the single-record writes are held to."""
    return [(i, *text_rule(f)) for i, f in enumerate(fields) if isinstance(f, (pw.CharField, pw.TextField))]


def text_rule(f: pw.Field) -> tuple[str, int | None]:
    """What users call a text column, and its length limit (None for unbounded text)."""
    what = _TEXT_LABELS.get((f.model._meta.table_name, f.name)) or _OTHER_TEXT_LABELS.get(f.name, f.name)
    return what, f.max_length if isinstance(f, pw.CharField) else None


def _levels(rows: Sequence[NewOrg], directory: Directory) -> list[list[int]]:
    """Row indexes grouped so that every parent named in the batch is inserted a level before its children."""
    index: dict[str, int] = {}
    for i, r in enumerate(rows):
        index[r.name] = i
    depth: dict[int, int] = {}

    def depth_of(i: int, trail: tuple[int, ...] = ()) -> int:
        if i in depth:
            return depth[i]
        parent = rows[i].parent
        d = 0
        if isinstance(parent, str) and parent.strip() in index and directory.live_org_named(parent) is None:
            j = index[parent.strip()]
            if j in trail or j == i:
                raise InputError(f"组织“{rows[i].name}”的上级关系形成了循环。")
            d = depth_of(j, trail + (i,)) + 1
        depth[i] = d
        return d

    levels: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        levels[depth_of(i)].append(i)
    return [levels[k] for k in sorted(levels)]


def insert_orgs(rows: Sequence[NewOrg], directory: Directory | None = None) -> list[int]:
    """Insert organisations (a parent may be named earlier in the batch); their ids in row order."""
    rows = [replace(r, name=r.name.strip()) for r in rows]
    if not rows:
        return []
    with database.atomic():
        directory = directory or Directory.load()
        seen: set[str] = set()
        for r in rows:
            if r.kind not in ORG_KINDS:
                raise InputError(f"未知的组织类型“{r.kind}”。")
            policies.org_name_free(r.name, directory.live_org_named(r.name))
            if r.name in seen:
                raise InputError(f"组织“{r.name}”重复出现。")
            seen.add(r.name)
        ids: list[int | None] = [None] * len(rows)
        batch: dict[str, int] = {}
        now = utcnow()
        fields = [
            Organization.name,
            Organization.kind,
            Organization.parent,
            Organization.established_on,
            Organization.village,
            Organization.code,
            Organization.created_at,
        ]
        for level in _levels(rows, directory):
            values = []
            for i in level:
                r = rows[i]
                parent_id = None
                if r.parent is not None and r.parent != "":
                    parent = (
                        directory.orgs[batch[r.parent.strip()]]
                        if isinstance(r.parent, str) and r.parent.strip() in batch
                        else directory.org(r.parent)
                    )
                    policies.may_have_children(parent)
                    parent_id = parent.id
                values.append((r.name, r.kind, parent_id, r.established_on, bool(r.village), r.code, now))
            new_ids = _insert(Organization, fields, values, want_ids=True)
            for i, oid, v in zip(level, new_ids, values):
                ids[i] = oid
                batch[v[0]] = oid
                directory.add_org(OrgEntry(oid, v[0], v[1], v[2], v[3], None, None))
        return [i for i in ids if i is not None]


def insert_groups(rows: Sequence[NewGroup], directory: Directory | None = None) -> list[int]:
    """Insert party groups into existing branches; their ids in row order."""
    rows = list(rows)
    if not rows:
        return []
    with database.atomic():
        directory = directory or Directory.load()
        values = []
        seen: set[tuple[int, str]] = set()
        for r in rows:
            org = directory.org(r.org)
            name = r.name.strip()
            policies.may_hold_groups(org, r.established_on)
            policies.group_name_free(org, name, directory.live_group_named(org.id, name))
            if (org.id, name) in seen:
                raise InputError(f"{org.name}已有名为“{name}”的党小组。", field="name")
            seen.add((org.id, name))
            values.append((name, org.id, r.established_on))
        now = utcnow()
        ids = _insert(
            PartyGroup,
            [PartyGroup.name, PartyGroup.org, PartyGroup.established_on, PartyGroup.created_at],
            [v + (now,) for v in values],
            want_ids=True,
        )
        for gid, v in zip(ids, values):
            directory.add_group(GroupEntry(gid, v[0], v[1], v[2], None))
        return ids


def insert_members(rows: Sequence[NewMember], directory: Directory | None = None) -> list[int]:
    """Insert people and their membership; their member ids in row order."""
    rows = list(rows)
    if not rows:
        return []
    with database.atomic():
        directory = directory or Directory.load()
        numbers = [r.id_number for r in rows if r.id_number]
        if len(set(numbers)) != len(numbers):
            dup = next(n for n in numbers if numbers.count(n) > 1)
            raise InputError(f"身份证号{policies.masked_id_number(dup)}在同一批中出现了不止一次。", field="id_number")
        taken = registered_id_numbers(numbers)
        for number in sorted(taken):
            policies.id_number_free(number, taken[number])
        placed = []
        for r in rows:
            if r.stage not in STAGES:
                raise InputError(f"未知的党员类别“{r.stage}”。")
            org = directory.org(r.org)
            policies.may_join(org, r.since)
            grp = directory.group(r.group, org) if r.group not in (None, "") else None
            if grp is not None:
                policies.may_join_group(grp, r.since)
            placed.append((org.id, grp.id if grp else None))
        now = utcnow()
        member_fields = [
            Member.name,
            Member.gender,
            Member.birth_date,
            Member.id_number,
            Member.phone,
            Member.education,
            Member.unit,
            Member.job,
            Member.stage,
            Member.status,
            Member.joined_on,
            Member.full_since,
            Member.created_at,
        ]
        ids = _insert(
            Member,
            member_fields,
            (
                (
                    r.name.strip(),
                    r.gender,
                    r.birth_date,
                    r.id_number or None,
                    r.phone or None,
                    r.education,
                    r.unit,
                    r.job,
                    r.stage,
                    "active",
                    r.joined_on,
                    r.full_since,
                    now,
                )
                for r in rows
            ),
            want_ids=True,
        )
        _insert(
            Membership,
            [Membership.member, Membership.org, Membership.group, Membership.start],
            ((mid, org_id, group_id, r.since) for mid, (org_id, group_id), r in zip(ids, placed, rows)),
        )
        return ids


def insert_memberships(rows: Iterable[NewMembership], directory: Directory | None = None) -> int:
    """Insert membership history rows for existing members; returns how many."""
    with database.atomic():
        directory = directory or Directory.load()
        values = []
        for r in rows:
            org = directory.org(r.org)
            grp = directory.group(r.group, org) if r.group not in (None, "") else None
            if r.start is not None and r.end is not None and r.end <= r.start:
                raise InputError(f"组织关系的结束日期{format_date(r.end)}不晚于开始日期{format_date(r.start)}。")
            values.append((r.member_id, org.id, grp.id if grp else None, r.start, r.end, r.note))
        _insert(
            Membership,
            [Membership.member, Membership.org, Membership.group, Membership.start, Membership.end, Membership.note],
            values,
        )
        return len(values)


def insert_events(rows: Iterable[NewEvent]) -> int:
    """Insert development steps of existing members; returns how many.

    Unlike `member record`, this neither moves the stage nor warns: the caller writes
    members whose stage and dates already follow their steps.
    """
    values = []
    for r in rows:
        if r.event not in EVENTS:
            raise InputError(f"未知的发展纪实事项“{r.event}”。")
        values.append((r.member_id, r.event, r.on, r.details or None, r.note))
    now = utcnow()
    with database.atomic():
        _insert(
            MemberEvent,
            [
                MemberEvent.member,
                MemberEvent.event,
                MemberEvent.on,
                MemberEvent.details,
                MemberEvent.note,
                MemberEvent.created_at,
            ],
            [v + (now,) for v in values],
        )
    return len(values)


def insert_kinds(pairs: Iterable[tuple[int, str]]) -> int:
    """(session id, kind slug) rows."""
    values = list(pairs)
    with database.atomic():
        _insert(SessionKind, [SessionKind.session, SessionKind.kind], values)
    return len(values)


def insert_attendance(rows: Iterable[tuple[int, int, str, str | None]]) -> int:
    """(session id, member id, status, reason) rows."""
    values = list(rows)
    with database.atomic():
        _insert(
            Attendance,
            [Attendance.session, Attendance.member, Attendance.status, Attendance.reason],
            values,
            size=ATTENDANCE_CHUNK,
        )
    return len(values)


_SESSION_FIELDS = [
    Session.org,
    Session.group,
    Session.held_on,
    Session.hours,
    Session.topic,
    Session.location,
    Session.host,
    Session.recorder,
    Session.lecturer,
    Session.lecturer_name,
    Session.for_year,
    Session.minutes,
    Session.decisions,
    Session.created_at,
]


def insert_sessions(
    rows: Iterable[NewSession], directory: Directory | None = None, progress: Callable[[int], None] | None = None
) -> list[int]:
    """Insert sessions with their kinds and attendance, streaming `rows` a chunk at a time.

    Returns the session ids in row order; `progress(n)` is called after each chunk of n sessions.
    """
    ids: list[int] = []
    kinds: list[tuple[int, str]] = []
    attendance: list[tuple[int, int, str, str | None]] = []
    with database.atomic():
        directory = directory or Directory.load()
        now = utcnow()
        for chunk in _chunks(rows, CHUNK):
            values = []
            for r in chunk:
                org = directory.org(r.org)
                grp = directory.group(r.group, org) if r.group not in (None, "") else None
                if not r.kinds:
                    raise InputError(f"{format_date(r.held_on)}{org.name}的会议没有类型。", field="kinds")
                for k in r.kinds:
                    if k not in SESSION_KINDS:
                        raise InputError(f"未知的会议类型“{k}”。", field="kinds")
                policies.org_exists_on(org, r.held_on)
                policies.session_holder(r.kinds, grp, r.held_on)
                policies.hours(r.hours, policies.SESSION_HOURS)
                policies.for_year_fits(r.for_year, r.held_on)
                values.append(
                    (
                        org.id,
                        grp.id if grp else None,
                        r.held_on,
                        r.hours,
                        r.topic,
                        r.location,
                        r.host,
                        r.recorder,
                        r.lecturer,
                        r.lecturer_name,
                        r.for_year,
                        r.minutes,
                        r.decisions,
                        now,
                    )
                )
            new_ids = _insert(Session, _SESSION_FIELDS, values, want_ids=True)
            for sid, r in zip(new_ids, chunk):
                kinds.extend((sid, k) for k in dict.fromkeys(r.kinds))
                for mid, status, reason in r.attendance:
                    if status not in ATTENDANCE:
                        raise InputError(f"未知的出勤状态“{status}”。")
                    attendance.append((sid, mid, status, reason))
            # write whole chunks now and carry the rest, so statements keep one length
            kinds = _flush(kinds, insert_kinds, CHUNK)
            attendance = _flush(attendance, insert_attendance, ATTENDANCE_CHUNK)
            ids.extend(new_ids)
            if progress is not None:
                progress(len(chunk))
        insert_kinds(kinds)
        insert_attendance(attendance)
    return ids


def _flush(rows: list, write, size: int) -> list:
    whole = len(rows) - len(rows) % size
    if whole:
        write(rows[:whole])
    return rows[whole:]


def _chunks(rows: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for r in rows:
        batch.append(r)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch
