"""A realistic sample: one county government office's Party organisation in 2021.

Built through the library's own services, so the demo exercises the same code
as a secretary's commands. Deterministic: the same data and the same findings
on every run. The gaps are deliberate and realistic:

- 机关党支部 held no 支委会 in August 2021 (flood-season duty, 防汛值班);
- 离退休党支部 held no 党课 in the third quarter;
- 离退休党支部's 退休职工党小组 held no meeting in February (Spring Festival);
- 机关第二党支部 held no 主题党日 in April.

The 2021 组织生活会 and 民主评议党员 are held in January 2022 for 2021.
"""

from __future__ import annotations

import random
from datetime import date

from dangjian.demo import development as demo_development
from dangjian.periods import periods_between
from dangjian.services import members, orgs, sessions

AS_OF = date(2022, 3, 31)
YEAR = 2021
MERGE_DAY = date(2021, 7, 1)

PARENT = "县政府办公室机关党委"
FIRST, SECOND, RETIRED, MERGED = "机关第一党支部", "机关第二党支部", "离退休党支部", "机关党支部"

# name, gender, birth, joined, group
_FIRST = [
    ("王建国", "男", date(1972, 3, 14), date(1996, 6, 20), "第一党小组"),
    ("李娜", "女", date(1985, 8, 2), date(2008, 6, 26), "第一党小组"),
    ("张伟", "男", date(1979, 11, 23), date(2002, 12, 10), "第一党小组"),
    ("刘洋", "男", date(1990, 5, 6), date(2013, 5, 28), "第一党小组"),
    ("陈静", "女", date(1988, 1, 17), date(2011, 7, 1), "第一党小组"),
    ("杨帆", "男", date(1983, 9, 9), date(2006, 11, 15), "第二党小组"),
    ("赵磊", "男", date(1992, 2, 28), date(2016, 6, 30), "第二党小组"),
    ("黄敏", "女", date(1986, 4, 12), date(2010, 12, 20), "第二党小组"),
    ("周杰", "男", date(1981, 7, 30), date(2004, 6, 18), "第二党小组"),
]
_SECOND = [
    ("吴刚", "男", date(1975, 10, 3), date(1999, 7, 1), "综合党小组"),
    ("徐丽", "女", date(1987, 12, 19), date(2012, 6, 15), "综合党小组"),
    ("孙涛", "男", date(1984, 6, 25), date(2007, 5, 20), "综合党小组"),
    ("马超", "男", date(1991, 3, 8), date(2015, 11, 11), "综合党小组"),
    ("朱红", "女", date(1989, 9, 14), date(2014, 6, 27), "综合党小组"),
    ("胡斌", "男", date(1978, 1, 5), date(2001, 7, 1), "综合党小组"),
]
_RETIRED = [
    ("林国华", "男", date(1950, 4, 18), date(1975, 7, 1), "老干部党小组"),
    ("何秀英", "女", date(1953, 2, 9), date(1978, 12, 20), "老干部党小组"),
    ("高志明", "男", date(1948, 8, 27), date(1972, 5, 4), "老干部党小组"),
    ("罗桂兰", "女", date(1956, 11, 30), date(1982, 6, 30), "老干部党小组"),
    ("郑德生", "男", date(1951, 6, 6), date(1976, 10, 1), "退休职工党小组"),
    ("梁淑珍", "女", date(1955, 3, 22), date(1980, 7, 1), "退休职工党小组"),
    ("谢振华", "男", date(1949, 12, 12), date(1974, 3, 15), "退休职工党小组"),
    ("宋玉梅", "女", date(1957, 5, 3), date(1984, 12, 26), "退休职工党小组"),
]
# after the merge, 机关党支部 regroups everyone into three groups
_MERGED_GROUPS = {
    "第一党小组": ["王建国", "李娜", "张伟", "刘洋", "陈静"],
    "第二党小组": ["杨帆", "赵磊", "黄敏", "周杰", "郭芳"],
    "第三党小组": ["吴刚", "徐丽", "孙涛", "马超", "朱红", "胡斌"],
}
_SECRETARY = {
    FIRST: ("王建国", "李娜"),
    SECOND: ("吴刚", "徐丽"),
    RETIRED: ("林国华", "何秀英"),
    MERGED: ("王建国", "李娜"),
}
_REASONS = ["出差", "病假", "下乡调研", "参加培训", "事假"]


def _add_people(branch: str, people) -> None:
    for name, gender, birth, joined, group in people:
        members.add_member(
            name,
            branch,
            group=group,
            stage="full",
            joined_on=joined,
            full_since=date(
                joined.year + 1, joined.month, joined.day if not (joined.month == 2 and joined.day == 29) else 28
            ),
            gender=gender,
            birth_date=birth,
        )


def build_demo() -> dict:
    """Fill the open (empty) database with the sample; returns what the demo checks."""
    rnd = random.Random(2021)
    orgs.add_org(PARENT, kind="committee", established_on=date(2010, 3, 1))
    for name, est in ((FIRST, date(2010, 5, 1)), (SECOND, date(2010, 5, 1)), (RETIRED, date(2012, 6, 1))):
        orgs.add_org(name, kind="branch", parent=PARENT, established_on=est)
    for branch, groups in (
        (FIRST, ["第一党小组", "第二党小组"]),
        (SECOND, ["综合党小组"]),
        (RETIRED, ["老干部党小组", "退休职工党小组"]),
    ):
        for g in groups:
            orgs.add_group(g, branch)
    _add_people(FIRST, _FIRST)
    _add_people(SECOND, _SECOND)
    _add_people(RETIRED, _RETIRED)
    members.add_member(
        "郭芳",
        SECOND,
        group="综合党小组",
        stage="probationary",
        joined_on=date(2020, 11, 20),
        gender="女",
        birth_date=date(1995, 4, 16),
    )

    orgs.add_org(MERGED, kind="branch", parent=PARENT, established_on=MERGE_DAY)
    orgs.merge_orgs([FIRST, SECOND], MERGED, MERGE_DAY)
    for g, names in _MERGED_GROUPS.items():
        orgs.add_group(g, MERGED, established_on=MERGE_DAY)
        for n in names:
            members.transfer_member(n, MERGE_DAY, to=MERGED, group=g)

    def hold(branch, kinds, on, group=None, topic=None, hours=None, for_year=None, lecturer=None):
        host, recorder = _SECRETARY[branch]
        leave: list[tuple[str, str | None]] = []
        absent: list[str] = []
        if rnd.random() < 0.35:
            expected, _ = sessions.roster_on(
                orgs.find_org(branch), on, orgs.find_group(group, orgs.find_org(branch)) if group else None
            )
            pick = rnd.choice(expected)
            if pick.name not in (host, recorder):
                if rnd.random() < 0.8:
                    leave.append((pick.name, rnd.choice(_REASONS)))
                else:
                    absent.append(pick.name)
        sessions.add_session(
            kinds,
            on,
            org=branch,
            group=group,
            topic=topic,
            hours=hours,
            host=host,
            recorder=recorder,
            lecturer=lecturer,
            for_year=for_year,
            attendance=sessions.AttendanceInput(all_present=True, leave=leave, absent=absent),
        )

    topics = [
        "学习党史",
        "学习习近平新时代中国特色社会主义思想",
        "学习党章党规",
        "学习贯彻全会精神",
        "开展志愿服务",
        "重温入党誓词",
        "参观红色教育基地",
        "学习先进典型事迹",
    ]
    for month in periods_between("month", date(YEAR, 1, 1), date(YEAR, 12, 31)):
        y, m = month.start.year, month.start.month
        quarter_month = m in (2, 5, 8, 11)
        before_merge = month.end < MERGE_DAY
        branches = [FIRST, SECOND, RETIRED] if before_merge else [MERGED, RETIRED]
        for branch in branches:
            if not (branch == SECOND and m == 4):
                hold(branch, ["theme-day"], date(y, m, 15), topic=topics[m % len(topics)], hours=2)
            full_enough = branch != SECOND
            if full_enough and not (branch == MERGED and m == 8):
                hold(branch, ["committee-meeting"], date(y, m, 5), topic="研究本月党建工作")
            if quarter_month:
                kinds = ["general-meeting"]
                if not (branch == RETIRED and m == 8):
                    kinds.append("party-lecture")
                secretary = _SECRETARY[branch][0]
                hold(
                    branch,
                    kinds,
                    date(y, m, 25),
                    topic=f"{y}年第{(m - 1) // 3 + 1}季度党员大会",
                    hours=3,
                    lecturer=secretary if "party-lecture" in kinds else None,
                )
        month_groups = (
            [(FIRST, "第一党小组"), (FIRST, "第二党小组"), (SECOND, "综合党小组")]
            if before_merge
            else [(MERGED, g) for g in _MERGED_GROUPS]
        ) + [(RETIRED, "老干部党小组"), (RETIRED, "退休职工党小组")]
        for branch, g in month_groups:
            if branch == RETIRED and g == "退休职工党小组" and m == 2:
                continue
            hold(branch, ["group-meeting"], date(y, m, 20), group=g, topic="学习交流")
    for branch, day in ((MERGED, date(2022, 1, 20)), (RETIRED, date(2022, 1, 25))):
        hold(
            branch,
            ["life-meeting", "appraisal"],
            day,
            topic=f"{YEAR}年度组织生活会暨民主评议党员",
            hours=4,
            for_year=YEAR,
        )
    demo_development.build_development()
    return {"as_of": AS_OF, "year": YEAR}
