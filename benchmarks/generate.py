"""Build a county's Party organisation for one year, at a chosen size, through `dangjian.bulk`.

    python benchmarks/generate.py --db county.db                  # the county size
    python benchmarks/generate.py --db postgresql://…/db --size town
    python benchmarks/generate.py --db small.db --branches 50 --members 1500 --sessions 2000

The data is deterministic for a given size, year and seed. A county committee
(县委) has township and office committees (党委), and under them branches (党支部,
some 联合党支部 and village branches) with their 党小组, members (mostly full
members, some probationary members and people in development) and a year of
三会一课 with attendance: a monthly 主题党日 (in the last month of each quarter
also the 党员大会 and a 党课), a monthly 支委会 for branches with 7 or more full
members, a monthly meeting of each 党小组, and in January of the next year the
组织生活会 and 民主评议 for the year. That is about 94,000 sessions at the county
size; the schedule is thinned to the requested number (80,000), so about one
obligation in seven is missed, and the gaps are realistic: a few branches are
careless and most are diligent, 党小组会 are skipped more often than branch
meetings, some February meetings fall to the Spring Festival. Some branches are
founded during the year and some members transfer between branches. Everyone
not yet a full member has a development record (发展纪实) up to their stage, on
time except for a few late talks, skipped assessments, slow approvals and
probationary members whose year has run out without a decision.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dangjian.domain.identity import check_digit  # noqa: E402
from dangjian.store import bulk  # noqa: E402
from dangjian.store.connection import close_database, create_schema, database, drop_schema, open_database  # noqa: E402


@dataclass(frozen=True)
class Size:
    branches: int
    groups: int
    members: int
    sessions: int


SIZES = {
    "county": Size(branches=2000, groups=4000, members=60000, sessions=80000),
    "town": Size(branches=200, groups=400, members=6000, sessions=8000),
    "small": Size(branches=20, groups=40, members=600, sessions=800),
    "tiny": Size(branches=4, groups=8, members=120, sessions=160),
}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉鹏飞红梅玉兰志强海燕立新春梅永明晓东"
    "国庆建华德明淑珍振华玉梅晓红丽娟志刚俊杰宏伟雪梅金凤凤英云霞海涛子豪欣怡宇轩梓涵浩然诗琪"
)
_PLACES = (
    "城关",
    "东关",
    "西关",
    "南关",
    "北关",
    "河口",
    "新集",
    "柳林",
    "杨庄",
    "李庄",
    "王集",
    "高桥",
    "石桥",
    "龙泉",
    "青山",
    "白马",
    "黄土",
    "红旗",
    "长岭",
    "双河",
    "三里",
    "五里",
    "七里",
    "九龙",
    "凤凰",
    "莲花",
    "桃园",
    "梨园",
    "枣林",
    "杏花",
    "松林",
    "竹园",
    "马场",
    "牛山",
    "羊角",
    "鹿鸣",
    "金沙",
    "银杏",
    "铜山",
    "铁炉",
    "古城",
    "新城",
    "平原",
    "丰乐",
    "太平",
    "永安",
    "长兴",
    "广福",
    "兴隆",
    "和平",
)
_VILLAGES = (
    "东",
    "西",
    "南",
    "北",
    "前",
    "后",
    "上",
    "下",
    "中",
    "大",
    "小",
    "新",
    "老",
    "高",
    "低",
    "张",
    "王",
    "李",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
)
_OFFICES = (
    "教育",
    "卫健",
    "财政",
    "交通",
    "水利",
    "农业农村",
    "自然资源",
    "住建",
    "民政",
    "人社",
    "市场监管",
    "应急管理",
    "公安",
    "司法",
    "审计",
    "统计",
    "税务",
    "供电",
    "邮政",
    "融媒体中心",
)
_REASONS = ("出差", "病假", "事假", "下乡调研", "参加培训", "外出务工", "值班", "照顾家人")
_CN_NUM = "一二三四五六七八九十"
_TOPICS = (
    "学习党的二十大精神",
    "学习习近平新时代中国特色社会主义思想",
    "学习党章党规",
    "开展志愿服务",
    "重温入党誓词",
    "参观红色教育基地",
    "学习先进典型事迹",
    "学习主题教育读本",
    "讨论年度工作计划",
    "学习党史",
)


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n - 1]
    if n < 20:
        return "十" + _CN_NUM[n - 11]
    return _CN_NUM[n // 10 - 1] + "十" + (_CN_NUM[n % 10 - 1] if n % 10 else "")


@dataclass
class _Person:
    id: int
    stage: str
    joined_on: date | None
    full_since: date | None
    since: date | None
    group: int | None  # index of the group within its branch
    until: date | None = None  # left the branch that day

    def here(self, d: date) -> bool:
        return (self.since is None or self.since <= d) and (self.until is None or d < self.until)

    def full_on(self, d: date) -> bool:
        if not self.here(d):
            return False
        if self.full_since is not None:
            return self.full_since <= d
        return self.stage == "full" and (self.joined_on is None or self.joined_on <= d)

    def on_roster(self, d: date) -> bool:
        if self.full_on(d):
            return True
        return (
            self.here(d) and self.stage in ("probationary", "full") and (self.joined_on is None or self.joined_on <= d)
        )


@dataclass
class _Branch:
    name: str
    established_on: date
    groups: list[str]
    people: list[_Person]
    care: float  # how likely this branch is to skip a meeting, relative to the others


def _split(total: int, parts: int, rnd: random.Random, spread: float) -> list[int]:
    """`total` split into `parts` positive-ish integers around the mean, summing exactly to total."""
    weights = [max(0.15, rnd.lognormvariate(0, spread)) for _ in range(parts)]
    scale = total / sum(weights)
    out = [int(w * scale) for w in weights]
    for i in rnd.sample(range(parts), total - sum(out)) if total > sum(out) else ():
        out[i] += 1
    return out


def _id_number(rnd: random.Random, birth: date, used: set[str]) -> str:
    region = rnd.choice(("410122", "410181", "410102", "410105", "410183", "410184"))
    for _ in range(1000):
        first = f"{region}{birth:%Y%m%d}{rnd.randrange(1000):03d}"
        if first not in used:
            used.add(first)
            return first + check_digit(first)
    raise RuntimeError("ran out of 身份证号 sequence numbers")


def _name(rnd: random.Random) -> str:
    given = rnd.choice(_GIVEN) + (rnd.choice(_GIVEN) if rnd.random() < 0.7 else "")
    return rnd.choice(_SURNAMES) + given


def generate(
    size: Size, year: int = 2023, seed: int = 1, gaps: bool = True, log: Callable[[str], None] = lambda s: None
) -> dict:
    """Fill the open database (schema created, no rows needed) with the county; returns counts."""
    rnd = random.Random(seed)
    used_numbers: set[str] = set()
    directory = bulk.Directory.load()
    stats: dict[str, int] = {}

    # --- organisations: the county committee, committees, branches
    n_committees = max(1, round(size.branches / 50))
    county = f"{rnd.choice(_PLACES)}县委"
    orgs = [bulk.NewOrg(county, "committee", None, date(1978, 1, 1))]
    committees = []
    for i in range(n_committees):
        if i < len(_PLACES):
            name = f"{_PLACES[i]}{'镇' if i % 3 else '乡'}党委"
        elif i - len(_PLACES) < len(_OFFICES):
            name = f"县{_OFFICES[i - len(_PLACES)]}系统党委"
        else:
            name = f"第{i + 1}基层党委"
        committees.append(name)
        orgs.append(bulk.NewOrg(name, "committee", county, date(1980 + i % 20, 1 + i % 12, 1)))
    branch_sizes = _split(size.members, size.branches, rnd, 0.45)
    group_counts = _group_counts(branch_sizes, size.groups, rnd)
    branches: list[_Branch] = []
    for b in range(size.branches):
        parent_i = b % n_committees
        parent = committees[parent_i]
        place = parent[:-3]
        k = b // n_committees + 1
        kind, village = "branch", False
        if branch_sizes[b] < 8 and rnd.random() < 0.5:
            kind = "joint-branch"
            name = f"{place}非公企业第{_cn(k)}联合党支部" if k <= 99 else f"{place}联合党支部{k}"
        elif k <= len(_VILLAGES) and parent.endswith(("镇党委", "乡党委")) and rnd.random() < 0.6:
            name, village = f"{place}{_VILLAGES[k - 1]}村党支部", True
        else:
            name = f"{place}机关第{_cn(k)}党支部" if k <= 99 else f"{place}机关党支部{k}"
        founded = date(rnd.randint(1985, year - 1), rnd.randint(1, 12), 1)
        if rnd.random() < 0.02:  # founded during the benchmark year
            founded = date(year, rnd.randint(2, 11), 1)
        orgs.append(bulk.NewOrg(name, kind, parent, founded, village=village))
        groups = [f"第{_cn(g + 1)}党小组" for g in range(group_counts[b])]
        branches.append(_Branch(name, founded, groups, [], care=rnd.choice((0.3,) * 14 + (1.0,) * 5 + (3.0,))))
    _unique_names(orgs)
    for br, o in zip(branches, orgs[1 + n_committees :]):
        br.name = o.name
    log(f"组织 {len(orgs)} 个")
    org_ids = bulk.insert_orgs(orgs, directory)
    branch_ids = org_ids[1 + n_committees :]
    stats["orgs"] = len(org_ids)

    # --- groups
    new_groups = [bulk.NewGroup(g, oid, br.established_on) for oid, br in zip(branch_ids, branches) for g in br.groups]
    group_ids = bulk.insert_groups(new_groups, directory)
    group_id_of: dict[tuple[int, int], int] = {}
    it = iter(group_ids)
    for bi, br in enumerate(branches):
        for gi in range(len(br.groups)):
            group_id_of[(bi, gi)] = next(it)
    stats["groups"] = len(group_ids)
    log(f"党小组 {len(group_ids)} 个")

    # --- members
    new_members: list[bulk.NewMember] = []
    births: list[date] = []
    people: list[tuple[int, _Person]] = []
    moved_from: list[tuple[int, int]] = []  # (person index, from branch index)
    for bi, (br, n) in enumerate(zip(branches, branch_sizes)):
        for j in range(n):
            stage = rnd.choices(("full", "probationary", "candidate", "activist", "applicant"), (88, 4, 2, 3, 3))[0]
            if j < 3 and stage != "full":
                stage = "full"  # the secretary and committee members
            birth = date(rnd.randint(1945, 2002), rnd.randint(1, 12), rnd.randint(1, 28))
            if stage in ("full", "probationary") and birth.year > year - 20:
                birth = birth.replace(year=year - 20 - rnd.randint(0, 10))
            joined = full = None
            if stage == "full":
                joined = date(rnd.randint(birth.year + 18, year - 1), rnd.randint(1, 12), rnd.randint(1, 28))
                full = joined.replace(year=joined.year + 1)
            elif stage == "probationary":
                # admitted within the year before as_of; with gaps, a few whose year of probation
                # has run out without the branch deciding on their conversion
                joined = date(year, 5, 1) + timedelta(days=rnd.randint(0, 240))
                if gaps and rnd.random() < 0.15:
                    joined = date(year - 1, 7, 1) + timedelta(days=rnd.randint(0, 270))
            since = None
            if br.established_on.year == year:
                since = br.established_on
            elif rnd.random() < 0.02:  # transferred in during the year
                since = date(year, rnd.randint(2, 11), rnd.randint(1, 28))
                src = rnd.randrange(bi) if bi else None
                if src is not None and branches[src].established_on < since:
                    moved_from.append((len(people), src))
            gender = rnd.choice(("male", "female"))
            number = _id_number(rnd, birth, used_numbers) if rnd.random() < 0.7 else None
            if number is not None:
                gender = "male" if int(number[16]) % 2 else "female"
            group = (j % len(br.groups)) if br.groups and rnd.random() < 0.92 else None
            new_members.append(
                bulk.NewMember(
                    name=_name(rnd),
                    org=branch_ids[bi],
                    group=group_id_of[(bi, group)] if group is not None else None,
                    stage=stage,
                    joined_on=joined,
                    full_since=full,
                    since=since,
                    gender=gender,
                    birth_date=birth,
                    id_number=number,
                    phone=f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}" if rnd.random() < 0.8 else None,
                )
            )
            people.append((bi, _Person(0, stage, joined, full, since, group)))
            births.append(birth)
    member_ids = bulk.insert_members(new_members, directory)
    for (bi, p), mid in zip(people, member_ids):
        p.id = mid
        branches[bi].people.append(p)
    for i, src in moved_from:  # until the transfer they belonged to their old branch
        p = people[i][1]
        branches[src].people.append(replace(p, since=None, until=p.since, group=None))
    history = [
        bulk.NewMembership(people[i][1].id, branch_ids[src], None, None, people[i][1].since, note="转出")
        for i, src in moved_from
    ]
    bulk.insert_memberships(history, directory)
    stats["members"] = len(member_ids)
    stats["memberships"] = len(member_ids) + len(history)
    log(f"人员 {len(member_ids)} 人")

    # --- the development record of everyone not yet a full member
    as_of = date(year + 1, 4, 30)
    events = [
        bulk.NewEvent(p.id, event, on, details)
        for (bi, p), birth in zip(people, births)
        if p.stage != "full"
        for event, on, details in _development(p, birth, year, as_of, rnd, gaps)
    ]
    stats["events"] = bulk.insert_events(events)
    log(f"发展纪实 {stats['events']} 条")

    # --- sessions: plan everything, thin it to the requested count, then stream it in
    plan = [(bi, item) for bi, br in enumerate(branches) for item in _schedule(br, year, rnd, gaps)]
    kept = plan
    if gaps:
        # drop exactly what the requested count leaves out (at least 1%), the careless branches'
        # meetings and 党小组会 more likely: weighted sampling, key = u ** (1 / weight)
        drop = max(len(plan) - size.sessions, len(plan) // 100)
        keys = [rnd.random() ** (1 / (branches[bi].care * (2.0 if item[1] == "group" else 1.0))) for bi, item in plan]
        dropped = set(sorted(range(len(plan)), key=keys.__getitem__, reverse=True)[:drop])
        kept = [x for i, x in enumerate(plan) if i not in dropped]
    counts = {"sessions": 0, "attendance": 0}

    def rows() -> Iterator[bulk.NewSession]:
        for bi, (held_on, what, kinds, gi, for_year) in kept:
            br = branches[bi]
            s = _session(
                br,
                branch_ids[bi],
                group_id_of.get((bi, gi)) if gi is not None else None,
                held_on,
                what,
                kinds,
                gi,
                for_year,
                rnd,
            )
            counts["sessions"] += 1
            counts["attendance"] += len(s.attendance)
            yield s

    bulk.insert_sessions(rows(), directory)
    stats.update(counts)
    log(f"会议 {counts['sessions']} 次，出勤记录 {counts['attendance']} 条")
    return stats


def _development(
    p: _Person, birth: date, year: int, as_of: date, rnd: random.Random, gaps: bool
) -> list[tuple[str, date, dict | None]]:
    """The steps of a person's development up to their stage, in order and on time; with gaps,
    a few talks come late, an assessment is skipped, an approval takes too long."""
    days = lambda lo, hi: timedelta(days=rnd.randint(lo, hi))  # noqa: E731
    slip = lambda share: gaps and rnd.random() < share  # noqa: E731
    adult = birth.replace(year=birth.year + 18) + timedelta(days=30)
    out: list[tuple[str, date, dict | None]] = []
    if p.stage == "probationary":
        admitted = p.joined_on
        candidate = admitted - days(120, 200)
        activist = candidate - timedelta(days=365) - days(30, 120)
        applied = max(activist - days(90, 200), adult)
    elif p.stage == "candidate":
        candidate = date(year, 1, 1) + days(0, 400)
        activist = candidate - timedelta(days=365) - (days(-60, -10) if slip(0.1) else days(30, 120))
        applied = max(activist - days(90, 200), adult)
    elif p.stage == "activist":
        activist = date(year - 1, 1, 1) + days(0, 700)
        applied = max(activist - days(90, 200), adult)
    else:
        applied = max(date(year, 1, 1) + days(0, 420), adult)
    if applied > as_of - timedelta(days=30):
        applied = as_of - days(30, 60)
    out.append(("applied", applied, None))
    out.append(("talked", applied + (days(40, 70) if slip(0.1) else days(7, 25)), None))
    if p.stage == "applicant":
        return out
    if activist <= out[-1][1]:
        activist = out[-1][1] + days(10, 60)
    out.append(("activist", activist, None))
    until = candidate if p.stage != "activist" else as_of
    last = activist
    while last + timedelta(days=175) < until:
        last += days(150, 175)
        if not slip(0.08):
            out.append(("assessed", last, None))
    if p.stage == "activist":
        return out
    out.append(("candidate", candidate, None))
    out.append(("political-review", candidate + days(30, 60), None))
    out.append(("trained", candidate + days(20, 60), {"days": rnd.choice((3, 5, 7))}))
    if p.stage == "candidate":
        return [e for e in out if e[1] <= as_of]
    out.append(("pre-reviewed", admitted - days(7, 20), None))
    out.append(("admitted", admitted, None))
    approved = admitted + (days(100, 150) if slip(0.1) else days(20, 60))
    out.append(("approved", approved, None))
    out.append(("oath", approved + days(7, 30), None))
    return [e for e in out if e[1] <= as_of]


def _group_counts(sizes: list[int], total: int, rnd: random.Random) -> list[int]:
    """Groups per branch: none in the smallest, more in the big ones; summing to `total`."""
    want = [0 if s < 10 else max(1, round(s / 14)) for s in sizes]
    have = sum(want)
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    i = 0
    while have != total and order:
        b = order[i % len(order)]
        if have < total and sizes[b] >= 8 and want[b] < sizes[b] // 4:
            want[b] += 1
            have += 1
        elif have > total and want[b] > (1 if sizes[b] >= 10 else 0):
            want[b] -= 1
            have -= 1
        i += 1
        if i > 50 * len(order):
            break
    return want


def _unique_names(orgs: list[bulk.NewOrg]) -> None:
    seen: dict[str, int] = {}
    for i, o in enumerate(orgs):
        if o.name in seen:
            orgs[i] = replace(o, name=f"{o.name}（{i}）")
        seen[orgs[i].name] = i


def _schedule(br: _Branch, year: int, rnd: random.Random, gaps: bool) -> list[tuple]:
    """(held_on, what, kinds, group index, for_year) for every meeting a diligent branch holds."""
    out = []
    first = br.established_on
    for m in range(1, 13):
        full_at_start = sum(1 for p in br.people if p.full_on(date(year, m, 1)))
        day = lambda lo, hi, m=m: date(year, m, rnd.randint(lo, hi))  # noqa: E731
        kinds = ("theme-day", "general-meeting", "party-lecture") if m % 3 == 0 else ("theme-day",)
        out.append((day(10, 20), "branch", kinds, None, None))
        if full_at_start >= 7:
            out.append((day(2, 8), "committee", ("committee-meeting",), None, None))
        for gi in range(len(br.groups)):
            if gaps and m == 2 and rnd.random() < 0.15:
                continue  # the Spring Festival
            out.append((day(18, 26), "group", ("group-meeting",), gi, None))
    out.append((date(year + 1, 1, rnd.randint(10, 28)), "branch", ("life-meeting", "appraisal"), None, year))
    return sorted(x for x in out if x[0] >= first)


def _session(
    br: _Branch,
    org_id: int,
    group_id: int | None,
    held_on: date,
    what: str,
    kinds: tuple,
    gi: int | None,
    for_year: int | None,
    rnd: random.Random,
) -> bulk.NewSession:
    here = [p for p in br.people if p.here(held_on)]
    if what == "committee":
        invited = [p for p in here if p.on_roster(held_on)][:5]
    elif what == "group":
        invited = [p for p in here if p.group == gi and p.on_roster(held_on)]
    else:
        invited = [p for p in here if p.on_roster(held_on)]
        if rnd.random() < 0.3:  # people in development sit in (列席)
            invited += [p for p in here if p.stage in ("activist", "candidate")]
    attendance = []
    for p in invited:
        r = rnd.random()
        if r < 0.06:
            attendance.append((p.id, "leave", rnd.choice(_REASONS)))
        elif r < 0.08:
            attendance.append((p.id, "absent", None))
        else:
            attendance.append((p.id, "present", None))
    host = br.people[0].id if br.people else None
    recorder = br.people[1].id if len(br.people) > 1 else None
    lecture = "party-lecture" in kinds
    return bulk.NewSession(
        org=org_id,
        group=group_id,
        held_on=held_on,
        kinds=kinds,
        hours=Decimal(rnd.choice((1, 2, 2, 3))) if what in ("branch",) else None,
        topic=rnd.choice(_TOPICS),
        host=host,
        recorder=recorder,
        lecturer=host if lecture else None,
        for_year=for_year,
        attendance=tuple(attendance),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a county-scale dangjian dataset through dangjian.bulk.")
    ap.add_argument("--db", required=True, help="SQLite path or postgresql:// / mysql:// URL")
    ap.add_argument("--size", choices=sorted(SIZES), default="county")
    ap.add_argument("--branches", type=int)
    ap.add_argument("--groups", type=int)
    ap.add_argument("--members", type=int)
    ap.add_argument("--sessions", type=int)
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-gaps", action="store_true", help="hold every meeting (check finds nothing)")
    ap.add_argument("--fresh", action="store_true", help="drop dangjian's tables first")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    size = SIZES[args.size]
    size = Size(
        branches=args.branches or size.branches,
        groups=args.groups if args.groups is not None else size.groups,
        members=args.members or size.members,
        sessions=args.sessions or size.sessions,
    )
    db = open_database(args.db)
    if args.fresh:
        drop_schema(db)
        create_schema(db)
    log = (lambda s: None) if args.quiet else (lambda s: print(s, file=sys.stderr))
    t0 = time.perf_counter()
    with database.atomic():
        stats = generate(size, year=args.year, seed=args.seed, gaps=not args.no_gaps, log=log)
    elapsed = time.perf_counter() - t0
    close_database()
    log(f"用时 {elapsed:.1f} 秒")
    print(" ".join(f"{k}={v}" for k, v in stats.items()) + f" seconds={elapsed:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
