"""The test-world builder writes what the same CLI lines would have written, row for row."""

from __future__ import annotations

from conftest import ok
from support.world import Group, Member, Org, Session, Step, build, id_of, ids_by_name

from dangjian.store.connection import close_database, drop_schema, open_database
from dangjian.store.models import MODELS, AuditEntry, AuditSubject, SchemaVersion

CLI_LINES = [
    ("org", "add", "机关党委", "--kind", "党委", "--established", "2010-03-01"),
    ("org", "add", "机关第一党支部", "--parent", "机关党委", "--established", "2010-05-01"),
    ("org", "add", "离退休党支部", "--kind", "支部", "--parent", "机关党委", "--village"),
    ("org", "add", "机关第二党支部", "--parent", "机关党委", "--established", "2011-05-01", "--code", "002"),
    ("group", "add", "第一党小组", "--org", "机关第一党支部"),
    ("group", "add", "第二党小组", "--org", "机关第一党支部", "--established", "2015-01-01"),
    (
        "member",
        "add",
        "王建国",
        "--org",
        "机关第一党支部",
        "--group",
        "第一党小组",
        "--joined",
        "1996-06-20",
        "--full-since",
        "1997-06-20",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13912345678",
    ),
    ("member", "add", "李娜", "--org", "机关第一党支部", "--group", "第二党小组", "--stage", "预备党员",
     "--joined", "2021-03-01"),
    ("member", "add", "王芳", "--org", "机关第二党支部", "--since", "2015-01-01", "--gender", "女", "--unit", "财政局"),
    ("member", "add", "刘佳", "--org", "机关第一党支部", "--stage", "入党申请人", "--birth", "1996-08-21"),
    ("member", "record", "刘佳", "申请", "--on", "2018-03-05"),
    ("member", "record", "刘佳", "积极分子", "--on", "2018-09-10"),
    ("member", "record", "刘佳", "培训", "--on", "2019-05-10", "--days", "3"),
    ("member", "record", "刘佳", "发展对象", "--on", "2019-09-10"),
    ("member", "record", "刘佳", "接收", "--on", "2020-07-01", "--entitled", "3", "--present", "3", "--yes", "2"),
    ("session", "add", "--org", "机关第一党支部", "--kind", "党员大会", "--kind", "党课", "--on", "2021-02-25",
     "--all-present", "--leave", "王建国：出差", "--present", "刘佳", "--hours", "1.5", "--topic", "学习"),
    ("session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-02-26", "--all-present"),
    ("session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", "2021-02-27"),
    ("session", "add", "--group", "第二党小组", "--kind", "党小组会", "--on", "2021-03-01", "--all-present"),
    ("session", "add", "--group", "第一党小组", "--kind", "党小组会", "--on", "2021-03-02", "--absent", "王建国"),
    ("session", "add", "--org", "机关第二党支部", "--kind", "组织生活会", "--on", "2022-01-10", "--for-year", "2021",
     "--all-present"),
]  # fmt: skip

WORLD = [
    Org("机关党委", kind="党委", established="2010-03-01"),
    Org("机关第一党支部", parent="机关党委", established="2010-05-01"),
    Org("离退休党支部", kind="支部", parent="机关党委", village=True),
    Org("机关第二党支部", parent="机关党委", established="2011-05-01", code="002"),
    Group("第一党小组", org="机关第一党支部"),
    Group("第二党小组", org="机关第一党支部", established="2015-01-01"),
    Member(
        "王建国",
        org="机关第一党支部",
        group="第一党小组",
        joined="1996-06-20",
        full_since="1997-06-20",
        id_number="11010519491231002x",
        phone="13912345678",
    ),
    Member("李娜", org="机关第一党支部", group="第二党小组", stage="预备党员", joined="2021-03-01"),
    Member("王芳", org="机关第二党支部", since="2015-01-01", gender="女", unit="财政局"),
    Member(
        "刘佳",
        org="机关第一党支部",
        birth="1996-08-21",
        steps=(
            Step("申请", "2018-03-05"),
            Step("积极分子", "2018-09-10"),
            Step("培训", "2019-05-10", days=3),
            Step("发展对象", "2019-09-10"),
            Step("接收", "2020-07-01", entitled=3, present=3, yes=2),
        ),
    ),
    Session(
        org="机关第一党支部",
        kinds=["党员大会", "党课"],
        on="2021-02-25",
        all_present=True,
        leave=[("王建国", "出差")],
        present=["刘佳"],
        hours="1.5",
        topic="学习",
    ),
    Session(org="机关第一党支部", kinds=["主题党日"], on="2021-02-26", all_present=True),
    Session(org="机关第一党支部", kinds=["主题党日"], on="2021-02-27"),
    Session(group="第二党小组", kinds=["党小组会"], on="2021-03-01", all_present=True),
    Session(group="第一党小组", kinds=["党小组会"], on="2021-03-02", absent=["王建国"]),
    Session(org="机关第二党支部", kinds=["组织生活会"], on="2022-01-10", for_year=2021, all_present=True),
]

#: what the CLI writes besides the records themselves: the trail, and the moment of writing
NOT_COMPARED = {AuditEntry, AuditSubject, SchemaVersion}


def rows(target: str) -> dict[str, list[dict]]:
    open_database(target)
    try:
        out = {}
        for model in MODELS:
            if model in NOT_COMPARED:
                continue
            out[model._meta.table_name] = [
                {k: v for k, v in r.items() if k != "created_at"}
                for r in model.select().order_by(model._meta.primary_key).dicts()
            ]
        return out
    finally:
        close_database()


def test_a_built_world_is_row_for_row_what_the_cli_lines_write(run):
    for args in CLI_LINES:
        ok(run(*args))
    by_cli = rows(run.target)
    assert len(by_cli["attendance"]) == 7 and len(by_cli["member_event"]) == 5  # the lines did write all that
    drop_schema(open_database(run.target))
    close_database()

    world = build(run.target, *WORLD)
    assert rows(run.target) == by_cli
    assert world.org("机关第二党支部") == 4 and world.member("刘佳") == 4 and world.sessions == [1, 2, 3, 4, 5, 6]


def test_ids_come_back_from_whatever_a_write_returns(db):
    class Written:
        id = 7

    assert [id_of(7), id_of({"id": 7, "name": "x"}), id_of(Written())] == [7, 7, 7]
    close_database()


def test_ids_by_name_lists_repeated_names_in_order(target):
    build(target, Org("一支部"), Org("二支部"), Member("王芳", org="一支部"), Member("王芳", org="二支部"))
    open_database(target)
    try:
        assert ids_by_name("member") == {"王芳": [1, 2]}
        assert ids_by_name("org") == {"一支部": [1], "二支部": [2]}
    finally:
        close_database()
