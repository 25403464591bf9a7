"""Importing CSV files of orgs, members and sessions (`dangjian import`).

A file is UTF-8 (with or without a BOM) with English or Chinese headers. Every
row is checked first, with the same checks as `org add`, `member add` and
`session add` (the policies of `domain.policies`), and every rejected row is
reported as (line, column, reason): a refusal names its field (`InputError.field`),
and `COLUMN_OF` turns that into the column.
By default one bad row rejects the whole file and nothing is written; a file
without rejected rows is written in ONE transaction through `bulk`. A dry run
checks everything and writes nothing. The checks read the database in a fixed
number of queries, never one per row. Never prints: progress goes to a callback.
"""

from __future__ import annotations

import csv
import io
import re
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee as pw

from dangjian.domain import policies, resolving
from dangjian.domain.identity import normalize_id_number, normalize_phone
from dangjian.domain.policies import AttendanceInput
from dangjian.errors import InputError
from dangjian.periods import format_date, parse_date
from dangjian.refs import id_of, parse_ref
from dangjian.services.sessions import parse_hours, parse_kinds, split_leave, split_names
from dangjian.store import bulk
from dangjian.store.base import local_today
from dangjian.store.connection import database
from dangjian.store.models import Attendance, Member, Membership, Organization, PartyGroup, Session, SessionKind
from dangjian.vocab import GENDERS, ORG_KINDS, STAGES

KINDS = ("orgs", "members", "sessions")
Progress = Callable[[int], None]


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # the Chinese header
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.key, self.label, *self.aliases)


FIELDS: dict[str, tuple[Field, ...]] = {
    "orgs": (
        Field("name", "名称", ("组织名称",), required=True),
        Field("kind", "类型", ("组织类型",)),
        Field("parent", "上级", ("上级组织",)),
        Field("established", "成立日期"),
        Field("village", "村社区", ("村（社区）",)),
        Field("code", "组织代码", ("代码",)),
    ),
    "members": (
        Field("name", "姓名", required=True),
        Field("org", "支部", ("党支部", "所在支部"), required=True),
        Field("group", "党小组"),
        Field("stage", "类别", ("党员类别",)),
        Field("joined", "入党日期"),
        Field("full_since", "转正日期"),
        Field("gender", "性别"),
        Field("birth", "出生日期"),
        Field("id_number", "身份证号", ("公民身份号码",)),
        Field("phone", "手机", ("手机号", "电话")),
        Field("since", "转入日期"),
        Field("education", "学历"),
        Field("unit", "工作单位", ("单位",)),
        Field("job", "职务"),
    ),
    "sessions": (
        Field("org", "支部", ("党支部", "组织"), required=True),
        Field("group", "党小组"),
        Field("kind", "类型", ("会议类型",), required=True),
        Field("on", "日期", ("召开日期",), required=True),
        Field("hours", "学时"),
        Field("topic", "主题"),
        Field("location", "地点"),
        Field("host", "主持人"),
        Field("recorder", "记录人"),
        Field("lecturer", "授课人"),
        Field("present", "出席"),
        Field("leave", "请假"),
        Field("absent", "缺席"),
        Field("for_year", "所属年度"),
    ),
}
WHAT = {"orgs": "组织", "members": "党员", "sessions": "会议"}

#: the column of each field the library names in a refusal (`InputError.field`), where they differ
COLUMN_OF: dict[str, dict[str, str]] = {
    "orgs": {"established_on": "established"},
    "members": {"birth_date": "birth", "joined_on": "joined"},
    "sessions": {"kinds": "kind", "held_on": "on"},
}

#: what an empty cell of a required column is refused with
EMPTY: dict[tuple[str, str], str] = {
    ("orgs", "name"): "组织名称不能为空。",
    ("members", "name"): "姓名不能为空。",
    ("members", "org"): "所在党支部不能为空。",
    ("sessions", "org"): "召开会议的党支部不能为空。",
    ("sessions", "kind"): "会议类型不能为空。",
    ("sessions", "on"): "召开日期不能为空。",
}

#: the text column each free-text cell is stored in, so a cell is held to that column's length
#: limit, as `org add`, `member add` and `session add` are
STORED_IN: dict[str, dict[str, Any]] = {
    "orgs": {"name": Organization.name, "code": Organization.code},
    "members": {
        "name": Member.name,
        "group": PartyGroup.name,
        "education": Member.education,
        "unit": Member.unit,
        "job": Member.job,
    },
    "sessions": {"topic": Session.topic, "location": Session.location, "lecturer": Session.lecturer_name},
}


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip()).casefold()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Rejection:
    """One reason a row cannot be imported: the file's line, the column as headed in the file."""

    line: int
    column: str | None
    reason: str

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class CsvFile:
    kind: str
    name: str
    #: field key -> the header as written in the file
    headers: dict[str, str]
    #: (line number where the record starts, {field key: stripped text or None})
    rows: list[tuple[int, dict[str, str | None]]]
    #: rows that could not even be split into fields (too many cells)
    broken: list[Rejection] = field(default_factory=list)


def read_csv(kind: str, path: str | Path) -> CsvFile:
    """Read a CSV file of `kind` (orgs, members or sessions); file-level problems raise InputError."""
    if kind not in KINDS:
        raise InputError(f"未知的导入类型“{kind}”，可用的有：orgs（组织）、members（党员）、sessions（会议）。")
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"文件“{path}”不存在。") from None
    except IsADirectoryError:
        raise InputError(f"“{path}”是一个目录，请给出 CSV 文件。") from None
    except OSError as exc:
        raise InputError(f"无法读取文件“{path}”：{exc.strerror}。") from None
    return parse_csv(kind, raw, p.name)


def parse_csv(kind: str, raw: bytes | str, name: str = "CSV") -> CsvFile:
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(
                f"文件“{name}”第{line}行不是 UTF-8 编码；在 Excel 中请“另存为”选择“CSV UTF-8（逗号分隔）”。"
            ) from None
    else:
        text = raw[1:] if raw.startswith("\ufeff") else raw
    reader = csv.reader(io.StringIO(text, newline=""))
    fields = FIELDS[kind]
    by_header = {_header_key(h): f for f in fields for h in f.headers}
    try:
        header_row = next(reader, None)
        while header_row is not None and not any(c.strip() for c in header_row):
            header_row = next(reader, None)
        if header_row is None:
            raise InputError(f"文件“{name}”是空的，第一行应是列名。")
        header_line = reader.line_num
        headers: dict[str, str] = {}
        positions: list[str | None] = []
        for cell in header_row:
            if not cell.strip():
                positions.append(None)
                continue
            f = by_header.get(_header_key(cell))
            if f is None:
                raise InputError(
                    f"文件“{name}”第{header_line}行的列名“{cell.strip()}”不认识；"
                    f"{WHAT[kind]}文件可用的列有：" + "、".join(f"{x.key}/{x.label}" for x in fields) + "。"
                )
            if f.key in headers:
                raise InputError(f"文件“{name}”第{header_line}行的列“{headers[f.key]}”和“{cell.strip()}”重复。")
            headers[f.key] = cell.strip()
            positions.append(f.key)
        missing = [f for f in fields if f.required and f.key not in headers]
        if missing:
            raise InputError(f"文件“{name}”缺少必需的列：" + "、".join(f"{f.key}/{f.label}" for f in missing) + "。")
        rows: list[tuple[int, dict[str, str | None]]] = []
        broken: list[Rejection] = []
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            extra = [c for c in cells[len(positions) :] if c.strip()]
            if extra:
                broken.append(
                    Rejection(
                        start,
                        None,
                        f"这一行有{len(cells)}个字段，比列名多了{len(cells) - len(positions)}个"
                        "（含逗号的内容请用英文双引号括起来）。",
                    )
                )
                continue
            values: dict[str, str | None] = {}
            for key, cell in zip(positions, cells):
                if key is not None:
                    values[key] = cell.strip() or None
            rows.append((start, values))
    except csv.Error as exc:
        raise InputError(f"文件“{name}”第{reader.line_num}行不是有效的 CSV：{exc}。") from None
    return CsvFile(kind, name, headers, rows, broken)


# ---------------------------------------------------------------- the report


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int
    rejected: list[Rejection]
    dry_run: bool
    written: bool
    #: what was (or, in a dry run, would be) created: counts by what
    created: dict[str, int] = field(default_factory=dict)
    #: breakdowns for the summary, e.g. {"kind": {"branch": 10}}
    details: dict[str, dict[str, int]] = field(default_factory=dict)
    #: rows identical to a record already in the database (已存在), skipped
    existing: int = 0
    #: rows naming a recorded one whose differences were written (`--update`)
    updated: int = 0

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({r.line for r in self.rejected})

    @property
    def accepted(self) -> int:
        """Rows without a rejection (written, or writable)."""
        return self.rows - len(self.rejected_lines)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "written": self.written,
            "created": self.created,
            "details": self.details,
            "existing": self.existing,
            "updated": self.updated,
            "rejected": [r.to_dict() for r in self.rejected],
        }


class _Row:
    """A row being checked: its values and the rejections found so far."""

    __slots__ = ("line", "values", "errors", "headers", "columns")

    def __init__(self, line: int, values: dict, headers: dict[str, str], columns: dict[str, str]):
        self.line = line
        self.values = values
        self.errors: list[Rejection] = []
        self.headers = headers
        self.columns = columns

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def reject(self, key: str | None, reason: str, absent: str | None = None) -> None:
        """Reject the row on column `key` (`absent`: what to call that column when the file lacks it)."""
        self.errors.append(Rejection(self.line, (self.headers.get(key) if key else None) or absent, reason))

    def refuse(self, exc: InputError, key: str | None) -> None:
        """Record a refusal against the column of the field it names, else against `key`."""
        field = exc.field
        column = self.columns.get(field, field) if field is not None else None
        self.reject(column if column in self.values or column in self.headers else key, str(exc))

    def parse(self, key: str, fn, *args):
        """fn(value, *args) for a non-empty value, with an InputError recorded against the column."""
        value = self.values.get(key)
        if value is None:
            return None
        try:
            return fn(value, *args)
        except InputError as exc:
            self.reject(key, str(exc))
            return None

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str, what: str) -> date:
    return parse_date(text, what)


def _flag(text: str) -> bool:
    key = text.strip().casefold()
    if key in ("1", "true", "yes", "y", "是", "√"):
        return True
    if key in ("0", "false", "no", "n", "否", ""):
        return False
    raise InputError(f"“{text}”应填“是”或“否”。")


def _year(text: str) -> int:
    if not re.fullmatch(r"\d{4}\s*年?", text.strip()):
        raise InputError(f"所属年度“{text}”应是四位年份，如 2021。")
    return int(text.strip()[:4])


# ---------------------------------------------------------------- rows already in the database


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 2 whether the database says 2 or 2.0
    return str(value)


def _differs(
    r: _Row,
    what: str,
    name: str,
    rid: int,
    pairs: list[tuple[str, Any, Any, Callable[[Any], str]]],
    update: dict[str, Any] | None = None,
    fixed: tuple[str, ...] = (),
) -> bool:
    """Whether a column of the file differs from the record the row names (`pairs`: column key,
    value in the database, value in the file, how to show a value).

    Each difference is rejected, unless `update` is given and the column is not `fixed`:
    then the file's value goes into `update` (column key -> value) to be written.
    """
    found = False
    for key, old, new, show in pairs:
        if key not in r.headers or (old if old != "" else None) == (new if new != "" else None):
            continue
        found = True
        if update is not None and key not in fixed:
            update[key] = new
            continue
        hint = "（--update 不改这一列）" if key in fixed else ("；加 --update 按文件修改" if update is None else "")
        r.reject(
            key,
            f"与已有的{what}“{name}”（编号{rid}）不同：已有的是“{show(old)}”，文件中是“{show(new)}”{hint}。",
        )
    return found


# ---------------------------------------------------------------- entry point


def run_import(
    source: CsvFile,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    update: bool = False,
) -> ImportReport:
    """Check every row of `source`; write it in one transaction unless a row is rejected.

    With `skip_invalid` the good rows are written and the bad ones reported. With
    `dry_run` nothing is written, and the report says what would have been created.
    A row identical to a recorded one is skipped (`existing`); one that names a recorded
    one but differs is rejected, or with `update` its differences are written (`updated`).
    """
    tick = progress or (lambda n: None)
    checkers: dict[str, type[_Import]] = {"orgs": _OrgImport, "members": _MemberImport, "sessions": _SessionImport}
    checker = checkers[source.kind]
    with database.atomic() as txn:
        job = checker(source, tick)
        job.update = update
        job.check()
        rejected = sorted(source.broken + [e for r in job.rows for e in r.errors], key=lambda e: e.line)
        good = [r for r in job.rows if r.ok and "_existing" not in r.values]
        report = ImportReport(
            source.kind, source.name, len(source.rows) + len(source.broken), rejected, dry_run, written=False
        )
        report.existing = sum(1 for r in job.rows if r.ok and "_existing" in r.values and not r.values.get("_update"))
        report.updated = sum(1 for r in job.rows if r.ok and r.values.get("_update"))
        job.summarize(good, report)
        if dry_run or not (good or report.updated) or (rejected and not skip_invalid):
            txn.rollback()
            return report
        for r in job.rows:
            if r.ok and r.values.get("_update"):
                job.apply(r.values["_existing"], r.values["_update"])
        if good:
            job.write(good)
        report.written = True
    return report


class _Import(ABC):
    """One kind of import: check every row, summarise what would change, write the good rows."""

    #: write the differences of rows that name a recorded one (`--update`)
    update = False
    #: column key -> the model field `apply` writes it to
    TARGETS: dict[str, str] = {}

    def __init__(self, source: CsvFile, tick: Progress):
        self.source = source
        self.tick = tick
        columns = COLUMN_OF[source.kind]
        self.rows = [_Row(line, values, source.headers, columns) for line, values in source.rows]
        self.directory = bulk.Directory.load()
        self.today = local_today()
        stored = STORED_IN[source.kind]
        labels = {f.key: f.label for f in FIELDS[source.kind]}
        for r in self.rows:
            for f in FIELDS[source.kind]:
                if f.required and r.get(f.key) is None and (source.kind, f.key) in EMPTY:
                    r.reject(f.key, EMPTY[(source.kind, f.key)])
            for key, value in r.values.items():
                what, limit = bulk.text_rule(stored[key]) if key in stored else (labels[key], None)
                try:
                    policies.text(value, what, limit)
                except InputError as exc:
                    r.reject(key, str(exc))

    def differs(self, r: _Row, what: str, name: str, rid: int, pairs: list, fixed: tuple[str, ...] = ()) -> bool:
        """`_differs`, and with --update the differences kept on the row; marks the row 已存在 unless rejected."""
        update: dict[str, Any] | None = {} if self.update else None
        found = _differs(r, what, name, rid, pairs, update, fixed)
        if r.ok:
            r.values["_existing"] = rid
            if update:
                r.values["_update"] = update
        return found and not r.ok

    def apply(self, rid: int, update: dict[str, Any]) -> None:
        """Write a recorded row's differences (`--update`): through the models, so the trail logs them."""
        model, values = self.model, {}
        for key, value in update.items():
            values[getattr(model, self.TARGETS[key])] = value
        model.update(values).where(model.id == rid).execute()

    model: Any = None

    @abstractmethod
    def check(self) -> None:
        """Implemented by each kind of import."""

    @abstractmethod
    def summarize(self, good: list[_Row], report: ImportReport) -> None:
        """Implemented by each kind of import."""

    @abstractmethod
    def write(self, good: list[_Row]) -> None:
        """Implemented by each kind of import."""


# ---------------------------------------------------------------- orgs


@dataclass(frozen=True)
class _Planned:
    """An org of the file, not yet written, as the policies read it."""

    name: str
    kind: str
    id: int = 0
    established_on: date | None = None
    dissolved_on: date | None = None
    merged_into_id: int | None = None


class _OrgImport(_Import):
    model = Organization
    TARGETS = {"kind": "kind", "established": "established_on", "village": "village", "code": "code"}

    def check(self) -> None:
        first_line: dict[str, int] = {}
        # only rows not already refused: a name holding a NUL cannot even be sent to PostgreSQL
        names = [n for r in self.rows if r.ok and (n := r.get("name"))]
        known = {
            oid: (village, code)
            for chunk in pw.chunked(sorted(set(names)), bulk.LOOKUP_CHUNK)
            for oid, village, code in Organization.select(Organization.id, Organization.village, Organization.code)
            .where(Organization.name.in_(chunk) & Organization.dissolved_on.is_null())
            .tuples()
        }
        for r in self.rows:
            name = r.get("name")
            kind = r.parse("kind", ORG_KINDS.parse) if r.get("kind") else "branch"
            established = r.parse("established", _date, "成立日期")
            village = r.parse("village", _flag)
            r.values.update(_kind=kind or "branch", _established=established, _village=bool(village))
            if name and r.ok:
                same = self.directory.live_org_named(name)
                if same is not None and same.id in known and self._same_parent(same, r.get("parent")):
                    r.values["_match"] = same.id
                    if name in first_line:
                        r.reject("name", f"组织“{name}”与第{first_line[name]}行重复。")
                        continue
                    first_line[name] = r.line
                    had_village, code = known[same.id]
                    self.differs(
                        r,
                        "组织",
                        name,
                        same.id,
                        [
                            ("kind", same.kind, r.values["_kind"], ORG_KINDS.label),
                            ("established", same.established_on, established, _shown),
                            ("village", bool(had_village), bool(village), _shown),
                            ("code", code, r.get("code"), _shown),
                        ],
                        fixed=("kind",),
                    )
                    continue
            if name:
                try:
                    policies.org_name_free(name, self.directory.live_org_named(name))
                except InputError as exc:
                    r.refuse(exc, "name")
                    continue
                if name in first_line:
                    r.reject("name", f"组织“{name}”与第{first_line[name]}行重复。")
                else:
                    first_line[name] = r.line
        in_file = {
            r.values["name"]: r for r in self.rows if r.get("name") and first_line.get(r.values["name"]) == r.line
        }
        # parents: earlier (or later) in the file, or an existing org; a rejected parent rejects its children
        state: dict[int, bool] = {}

        def settle(r: _Row, trail: frozenset[int]) -> bool:
            if r.line in state:
                return state[r.line]
            parent = r.get("parent")
            if parent and r.ok:
                if parent in in_file and "_match" not in in_file[parent].values:
                    p = in_file[parent]
                    if p.line in trail or p is r:
                        r.reject("parent", f"上级组织“{parent}”形成了循环。")
                    elif not settle(p, trail | {r.line}):
                        r.reject("parent", f"上级组织“{parent}”（第{p.line}行）有错，不能导入。")
                    else:
                        try:
                            policies.may_have_children(_Planned(parent, p.values["_kind"]))
                        except InputError as exc:
                            r.refuse(exc, "parent")
                else:
                    try:
                        policies.may_have_children(self.directory.org(parent))
                    except InputError as exc:
                        r.reject("parent", str(exc))
            state[r.line] = r.ok
            return r.ok

        for r in self.rows:
            settle(r, frozenset())
            self.tick(1)

    def _same_parent(self, org: bulk.OrgEntry, parent: str | None) -> bool:
        if not parent:
            return org.parent_id is None
        try:
            return self.directory.org(parent).id == org.parent_id
        except InputError:
            return False

    def summarize(self, good: list[_Row], report: ImportReport) -> None:
        report.created = {"orgs": len(good)}
        report.details = {"kind": dict(Counter(r.values["_kind"] for r in good))}

    def write(self, good: list[_Row]) -> None:
        bulk.insert_orgs(  # a parent already in the database is found there by name
            [
                bulk.NewOrg(
                    name=r.values["name"],
                    kind=r.values["_kind"],
                    parent=r.get("parent"),
                    established_on=r.values["_established"],
                    village=r.values["_village"],
                    code=r.get("code"),
                )
                for r in good
            ],
            self.directory,
        )
        self.tick(len(good))


# ---------------------------------------------------------------- members


class _MemberImport(_Import):
    model = Member
    TARGETS = {
        "name": "name",
        "stage": "stage",
        "joined": "joined_on",
        "full_since": "full_since",
        "gender": "gender",
        "birth": "birth_date",
        "id_number": "id_number",
        "phone": "phone",
        "education": "education",
        "unit": "unit",
        "job": "job",
    }

    def check(self) -> None:
        parsed: list[dict | None] = []
        for r in self.rows:
            stage = r.parse("stage", STAGES.parse) if r.get("stage") else "full"
            gender = r.parse("gender", GENDERS.parse)
            dates = {
                key: r.parse(key, _date, label)
                for key, label in (
                    ("joined", "入党日期"),
                    ("full_since", "转正日期"),
                    ("birth", "出生日期"),
                    ("since", "转入日期"),
                )
            }
            for key, label in (
                ("birth", "出生日期"),
                ("joined", "入党日期"),
                ("full_since", "转正日期"),
                ("since", "转入日期"),
            ):
                try:
                    policies.happened_by(dates[key], self.today, label, field=key)
                except InputError as exc:
                    r.refuse(exc, key)
            id_number = r.parse("id_number", normalize_id_number)
            phone = r.parse("phone", normalize_phone)
            if not r.ok:
                parsed.append(None)
                continue
            try:
                fields = policies.member_fields(
                    r.get("name"),
                    stage,
                    gender,
                    dates["birth"],
                    id_number,
                    phone,
                    dates["joined"],
                    dates["full_since"],
                    dates["since"],
                )
            except InputError as exc:
                r.refuse(exc, None)
                parsed.append(None)
                continue
            parsed.append(
                dict(
                    name=fields.name,
                    stage=fields.stage,
                    gender=fields.gender,
                    birth_date=fields.birth_date,
                    id_number=fields.id_number,
                    phone=fields.phone,
                    joined_on=dates["joined"],
                    full_since=dates["full_since"],
                    since=dates["since"],
                )
            )
        # the database and the rest of the file: orgs, groups, 身份证号
        taken = bulk.registered_id_numbers(p["id_number"] for p in parsed if p and p["id_number"])
        first_session = bulk.first_sessions()
        matched = self._matches(parsed, taken)
        first_number: dict[str, int] = {}
        self.new_groups: dict[tuple[int, str], int] = {}
        for r, p in zip(self.rows, parsed):
            self.tick(1)
            if p is None:
                continue
            since = p["since"]
            try:
                org = self.directory.org(r.values["org"])
                policies.may_join(org, since)
            except InputError as exc:
                r.refuse(exc, "org")
                continue
            same = matched.get(r.line)
            if isinstance(same, str):
                r.reject("name", same)
                continue
            if same is not None:
                self._compare(r, p, org, same)
                continue
            group: str | int | None = r.get("group")
            p["group"] = group
            if isinstance(group, str):
                gid = id_of(group)
                if gid is not None and gid in self.directory.groups and self.directory.groups[gid].org_id == org.id:
                    group = p["group"] = gid
                if isinstance(group, str) and parse_ref(group).looks_like_id:
                    r.reject("group", f"{org.name}没有编号为“{group}”的党小组，新建的党小组也不能以数字为名。")
                elif isinstance(group, int) or self.directory.has_group(org.id, group):
                    try:
                        policies.may_join_group(self.directory.group(group, org), since)
                    except InputError as exc:
                        r.reject("group", str(exc))
                else:
                    self.new_groups.setdefault((org.id, group), r.line)
            number = p["id_number"]
            if number:
                if number in taken:
                    try:
                        policies.id_number_free(number, taken[number])
                    except InputError as exc:
                        r.refuse(exc, "id_number")
                elif number in first_number:
                    r.reject("id_number", f"身份证号{number[:6]}…{number[-4:]}与第{first_number[number]}行重复。")
                else:
                    first_number[number] = r.line
            try:
                policies.since_given(since, org.name, first_session.get(org.id), field="since")
            except InputError as exc:
                r.reject("since", str(exc), "转入日期")
            p["org_id"] = org.id
            r.values["_member"] = p

    def _matches(self, parsed: list[dict | None], taken: dict[str, tuple[int, str]]) -> dict[int, Any]:
        """line -> the record a row names (by 身份证号, else by name in its branch), or why it is unclear.

        Reads the members' current records in one query per thousand, the branches' people in one.
        """
        orgs: dict[int, int] = {}
        for r, p in zip(self.rows, parsed):
            if p is not None:
                try:
                    orgs[r.line] = self.directory.org(r.values["org"]).id
                except InputError:
                    pass
        people = self.directory.people(set(orgs.values()))
        ids: dict[int, int] = {}
        out: dict[int, Any] = {}
        for r, p in zip(self.rows, parsed):
            if p is None or r.line not in orgs:
                continue
            if p["id_number"]:
                # the same number under another name is more likely a mistyped number: refused as taken
                if p["id_number"] in taken:
                    if taken[p["id_number"]][1] == p["name"]:
                        ids[r.line] = taken[p["id_number"]][0]
                    continue
            # by name in the branch: a person recorded without a 身份证号 may now be given one
            same = [
                x
                for x in people.get(orgs[r.line], ())
                if x.name == p["name"] and x.end is None and (not p["id_number"] or x.id_number is None)
            ]
            if len(same) == 1:
                ids[r.line] = same[0].member_id
            elif same:
                shown = "、".join(f"编号{x.member_id}" for x in same)
                out[r.line] = f"支部中已有{len(same)}名叫“{p['name']}”的人（{shown}），请写身份证号以区分。"
        records: dict[int, Any] = {}
        for chunk in pw.chunked(sorted(set(ids.values())), bulk.LOOKUP_CHUNK):
            q = (
                Member.select(Member, Membership.org, Membership.group, Membership.start)
                .join(Membership, pw.JOIN.LEFT_OUTER, on=(Membership.member == Member.id) & Membership.end.is_null())
                .where(Member.id.in_(chunk))
            )
            for m in q.objects():
                records.setdefault(m.id, m)
        for line, mid in ids.items():
            if mid in records:
                out[line] = records[mid]
        return out

    def _compare(self, r: _Row, p: dict, org: Any, m: Any) -> None:
        """A row naming member `m`: 已存在 when every column of the file agrees, else each difference rejected."""
        group = r.get("group")
        group_id: int | None = None
        if group:
            gid = id_of(group)
            if gid is not None and gid in self.directory.groups and self.directory.groups[gid].org_id == org.id:
                group_id = gid
            else:
                g = self.directory.live_group_named(org.id, group)
                group_id = g.id if g else -1
        groups, orgs = self.directory.groups, self.directory.orgs

        def show_group(gid: Any) -> str:
            return groups[gid].name if gid in groups else _shown(group)

        def show_org(oid: Any) -> str:
            return orgs[oid].name if oid in orgs else "空"

        pairs: list[tuple[str, Any, Any, Callable[[Any], str]]] = [
            ("name", m.name, p["name"], _shown),
            ("org", getattr(m, "org", None), org.id, show_org),
            ("group", getattr(m, "group", None), group_id, show_group),
            ("stage", m.stage, p["stage"], STAGES.label),
            ("joined", m.joined_on, p["joined_on"], _shown),
            ("full_since", m.full_since, p["full_since"], _shown),
            ("gender", m.gender, p["gender"], lambda g: GENDERS.label(g) if g else "空"),
            ("birth", m.birth_date, p["birth_date"], _shown),
            ("id_number", m.id_number, p["id_number"], lambda n: policies.masked_id_number(n) if n else "空"),
            ("phone", m.phone, p["phone"], lambda n: n[:3] + "****" + n[-4:] if n else "空"),
            ("since", getattr(m, "start", None), p["since"], _shown),
            ("education", m.education, r.get("education"), _shown),
            ("unit", m.unit, r.get("unit"), _shown),
            ("job", m.job, r.get("job"), _shown),
        ]
        self.differs(r, "人员", m.name, m.id, pairs, fixed=("org", "group", "since"))

    def _groups_to_create(self, good: list[_Row]) -> list[tuple[int, str]]:
        wanted = {(r.values["_member"]["org_id"], r.values["_member"]["group"]) for r in good}
        return [k for k in self.new_groups if k in wanted]

    def summarize(self, good: list[_Row], report: ImportReport) -> None:
        report.created = {"members": len(good), "groups": len(self._groups_to_create(good))}
        report.details = {"stage": dict(Counter(r.values["_member"]["stage"] for r in good))}

    def write(self, good: list[_Row]) -> None:
        bulk.insert_groups(
            [bulk.NewGroup(name=name, org=org_id) for org_id, name in self._groups_to_create(good)], self.directory
        )
        rows = []
        for r in good:
            p = r.values["_member"]
            rows.append(
                bulk.NewMember(
                    name=p["name"],
                    org=p["org_id"],
                    group=p["group"],
                    stage=p["stage"],
                    joined_on=p["joined_on"],
                    full_since=p["full_since"],
                    since=p["since"],
                    gender=p["gender"],
                    birth_date=p["birth_date"],
                    id_number=p["id_number"],
                    phone=p["phone"],
                    education=r.get("education"),
                    unit=r.get("unit"),
                    job=r.get("job"),
                )
            )
        bulk.insert_members(rows, self.directory)
        self.tick(len(good))


# ---------------------------------------------------------------- sessions


class _Pool:
    """The people of one org on one day, found by id, 身份证号 or name (as `lookup.find_member`)."""

    def __init__(self, people: list[bulk.Person]):
        self.by_id = {p.member_id: p for p in people}
        self.by_number = {p.id_number: p for p in people if p.id_number}
        self.by_name: dict[str, list[bulk.Person]] = defaultdict(list)
        for p in self.by_id.values():
            self.by_name[p.name].append(p)

    def find(self, ref: str, where: str) -> bulk.Person | None:
        """The one person `ref` names; None when nobody; AmbiguousError when several."""
        r = parse_ref(ref)
        if r.id is not None and r.id in self.by_id:
            return self.by_id[r.id]
        if r.id_number is not None and r.id_number in self.by_number:
            return self.by_number[r.id_number]
        return resolving.choose_person(
            r, self.by_name.get(r.name, []), lambda p: f"编号{p.member_id}（{STAGES.label(p.stage)}）", where
        )


class _SessionImport(_Import):
    model = Session
    TARGETS = {
        "hours": "hours",
        "topic": "topic",
        "location": "location",
        "host": "host",
        "recorder": "recorder",
        "for_year": "for_year",
    }

    def check(self) -> None:
        parsed: list[dict | None] = []
        for r in self.rows:
            kinds = r.parse("kind", lambda t: parse_kinds([t]))
            on = r.parse("on", _date, "日期")
            try:
                policies.happened_by(on, self.today, "召开日期", field="on")
            except InputError as exc:
                r.refuse(exc, "on")
            hours = r.parse("hours", parse_hours)
            for_year = r.parse("for_year", _year)
            if on is not None and for_year is not None:
                try:
                    policies.for_year_fits(for_year, on)
                except InputError as exc:
                    r.refuse(exc, "for_year")
            leave = split_leave(r.get("leave"))
            if any(not name for name, _ in leave):
                r.reject("leave", "请假人员应写成“姓名:原因”，姓名不能为空。")
            for _, reason in leave:
                try:
                    policies.text(reason, *bulk.text_rule(Attendance.reason), field="leave")
                except InputError as exc:
                    r.refuse(exc, "leave")
            if not r.ok:
                parsed.append(None)
                continue
            parsed.append(
                {
                    "kinds": kinds,
                    "on": on,
                    "hours": hours,
                    "for_year": for_year,
                    "present": split_names(r.get("present")),
                    "leave": leave,
                    "absent": split_names(r.get("absent")),
                }
            )
        # orgs and groups, then everyone of those orgs in one read
        places: list[tuple | None] = []
        for r, p in zip(self.rows, parsed):
            if p is None:
                places.append(None)
                continue
            try:
                org = self.directory.org(r.values["org"])
                policies.org_exists_on(org, p["on"])
            except InputError as exc:
                r.reject("org", str(exc))
                places.append(None)
                continue
            grp = None
            group = r.get("group")
            if group:
                try:
                    grp = self.directory.group(group, org)
                except InputError as exc:
                    r.reject("group", str(exc))
                    places.append(None)
                    continue
            try:
                policies.session_holder(p["kinds"], grp, p["on"], how="在“党小组”一列写明")
            except InputError as exc:
                r.refuse(exc, "group")
                places.append(None)
                continue
            places.append((org, grp))
        self.people = self.directory.people({pl[0].id for pl in places if pl})
        self.pools: dict[int, _Pool] = {}
        self.dated: set[int] = set()
        # hosts and recorders may come from outside the org: look those up once, together
        outside: set[str] = set()
        for r, p, pl in zip(self.rows, parsed, places):
            if pl is None or p is None:
                continue
            pool = self._pool(pl[0].id, p["on"])
            for key in ("host", "recorder", "lecturer"):
                ref = r.get(key)
                if ref:
                    try:
                        if pool.find(ref, "") is None:
                            outside.add(ref)
                    except InputError:
                        pass  # ambiguous within the org: reported below
        elsewhere = bulk.members_by_ref(outside)
        for r, p, pl in zip(self.rows, parsed, places):
            self.tick(1)
            if pl is None or p is None:
                continue
            org, grp = pl
            r.values["_session"] = self._session(r, p, org, grp, self._pool(org.id, p["on"]), elsewhere)
        self._match_existing([pl[0].id for pl in places if pl])

    def _match_existing(self, org_ids: list[int]) -> None:
        """Rows naming a session already recorded (same holder, date and kinds): 已存在 when every
        column agrees, else each difference rejected. A fixed number of queries per thousand orgs."""
        wanted = {
            (s.org, s.group, s.held_on, frozenset(s.kinds)): r
            for r in self.rows
            if r.ok and (s := r.values.get("_session")) is not None
        }
        if not wanted:
            return
        found: dict[int, Session] = {}
        kinds: dict[int, set[str]] = defaultdict(set)
        days = {k[2] for k in wanted}
        for chunk in pw.chunked(sorted(set(org_ids)), bulk.LOOKUP_CHUNK):
            where = Session.org.in_(chunk) & Session.held_on.between(min(days), max(days))
            for sess in Session.select().where(where):
                found[sess.id] = sess
            for sid, kind in (
                SessionKind.select(SessionKind.session, SessionKind.kind).join(Session).where(where).tuples()
            ):
                kinds[sid].add(kind)
        matches: dict[int, tuple[_Row, Session]] = {}
        for sid, sess in sorted(found.items()):
            r = wanted.get((sess.org_id, sess.group_id, sess.held_on, frozenset(kinds[sid])))
            if r is not None and r.line not in {m[0].line for m in matches.values()}:
                matches[sid] = (r, sess)
        attendance: dict[int, set[tuple[int, str, str | None]]] = defaultdict(set)
        # one query even with no match, so the count does not depend on what is already there
        for chunk in list(pw.chunked(sorted(matches), bulk.LOOKUP_CHUNK)) or [[]]:
            q = Attendance.select(Attendance.session, Attendance.member, Attendance.status, Attendance.reason)
            for sid, mid, status, reason in q.where(Attendance.session.in_(chunk)).tuples():
                attendance[sid].add((mid, status, reason))
        for sid, (r, sess) in matches.items():
            new: bulk.NewSession = r.values["_session"]
            what = format_date(sess.held_on)
            pairs: list[tuple[str, Any, Any, Callable[[Any], str]]] = [
                ("hours", sess.hours, new.hours, _shown),
                ("topic", sess.topic, new.topic, _shown),
                ("location", sess.location, new.location, _shown),
                ("host", sess.host_id, new.host, self._person),
                ("recorder", sess.recorder_id, new.recorder, self._person),
                ("lecturer", sess.lecturer_id or sess.lecturer_name, new.lecturer or new.lecturer_name, self._person),
                ("for_year", sess.for_year, new.for_year, _shown),
            ]
            self.differs(r, "会议", what, sid, pairs, fixed=("lecturer",))
            had, has = attendance[sid], set(new.attendance)
            if had != has:
                r.values.pop("_existing", None)
                r.values.pop("_update", None)
                r.reject(
                    "present",
                    f"与已有的会议“{what}”（编号{sid}）出勤不同：已有{len(had)}条出勤记录，文件中{len(has)}条，"
                    f"其中{len(had ^ has)}条不一致（--update 不改出勤，请逐条修改）。",
                )

    def _person(self, ref: Any) -> str:
        if isinstance(ref, int):
            for people in self.people.values():
                for p in people:
                    if p.member_id == ref:
                        return f"{p.name}（编号{ref}）"
            return f"编号{ref}"
        return _shown(ref)

    def _pool(self, org_id: int, on: date) -> _Pool:
        """The org's people that day; one shared pool for an org whose memberships carry no dates."""
        pool = self.pools.get(org_id)
        if pool is not None:
            return pool
        people = self.people.get(org_id, ())
        if org_id not in self.dated:
            if any(p.start is not None or p.end is not None for p in people):
                self.dated.add(org_id)
            else:
                self.pools[org_id] = pool = _Pool(list(people))
                return pool
        return _Pool([p for p in people if p.belongs_on(on)])

    def _session(
        self, r: _Row, p: dict, org, grp, pool: _Pool, elsewhere: dict[str, list[tuple[int, str | None]]]
    ) -> bulk.NewSession | None:
        on = p["on"]
        where = f"{org.name}{format_date(on)}的人员中"
        people: dict[str, int | None] = {}
        lecturer_name = None
        for key, role in (("host", "主持人"), ("recorder", "记录人"), ("lecturer", "授课人")):
            ref = r.get(key)
            if not ref:
                people[key] = None
                continue
            try:
                found = pool.find(ref, where)
            except InputError as exc:
                r.reject(key, str(exc))
                continue
            if found is not None:
                people[key] = found.member_id
                continue
            try:
                other = resolving.choose_person(
                    parse_ref(ref), elsewhere.get(ref, []), lambda c: f"编号{c[0]}（{c[1] or '无组织关系'}）"
                )
            except InputError as exc:
                r.reject(key, str(exc))
                continue
            if other is not None:
                people[key] = other[0]
            elif key == "lecturer":
                people[key], lecturer_name = None, ref  # an invited lecturer, by name
            else:
                r.reject(key, f"没有找到{role}“{ref}”。")
        request = AttendanceInput(present=p["present"], leave=p["leave"], absent=p["absent"])
        rows, errors = policies.resolve_attendance(request, (), lambda ref: pool.find(ref, where), org.name, on, where)
        for refusal in errors:
            r.refuse(refusal, "present")
        if not r.ok:
            return None
        return bulk.NewSession(
            org=org.id,
            group=grp.id if grp else None,
            held_on=on,
            kinds=tuple(p["kinds"]),
            hours=p["hours"],
            topic=r.get("topic"),
            location=r.get("location"),
            host=people["host"],
            recorder=people["recorder"],
            lecturer=people["lecturer"],
            lecturer_name=lecturer_name,
            for_year=p["for_year"],
            attendance=tuple(rows),
        )

    def summarize(self, good: list[_Row], report: ImportReport) -> None:
        sessions = [r.values["_session"] for r in good]
        report.created = {"sessions": len(sessions), "attendance": sum(len(s.attendance) for s in sessions)}
        report.details = {"kind": dict(Counter(k for s in sessions for k in s.kinds))}

    def write(self, good: list[_Row]) -> None:
        bulk.insert_sessions((r.values["_session"] for r in good), self.directory, progress=self.tick)
