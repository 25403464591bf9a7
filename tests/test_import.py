"""`dangjian import orgs|members|sessions`: CSV in English or Chinese, all rows or none, a report of every bad row."""

from __future__ import annotations

import json

import pytest
from conftest import ok
from playhouse.test_utils import count_queries
from support.world import Group, Member, Org, build

from dangjian.io.importing import parse_csv, run_import
from dangjian.store.connection import open_database
from dangjian.store.models import MODELS


def write(tmp_path, name: str, text: str, bom: bool = False, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return str(path)


def counts(target) -> dict[str, int]:
    open_database(target)
    return {m.__name__: m.select().count() for m in MODELS}


def as_json(run, *args):
    return json.loads(ok(run(*args, "--format", "json")))


def report_lines(result) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines()[1:]]


@pytest.fixture
def branch(run):
    """县委 > 城关镇党委 > 城关镇第一党支部 (2005-04-01) with 王建国, 李娜, two 张伟 and a group."""
    first, second = "城关镇第一党支部", "城关镇第二党支部"
    build(
        run.target,
        Org("县委", kind="党委", established="1980-01-01"),
        Org("城关镇党委", kind="党委", parent="县委", established="2005-03-01"),
        Org(first, parent="城关镇党委", established="2005-04-01"),
        Org(second, parent="城关镇党委", established="2005-04-01"),
        Group("第一党小组", org=first),
        Member("王建国", org=first, group="第一党小组", joined="1996-06-20", full_since="1997-06-20"),
        Member("李娜", org=first, joined="2008-06-26", full_since="2009-06-26"),
        Member("张伟", org=first, joined="2002-12-10", full_since="2003-12-10"),
        Member("张伟", org=first, stage="积极分子"),
        Member("刘洋", org=second, joined="2013-05-28", full_since="2014-05-28"),
    )
    return first


# ---------------------------------------------------------------- orgs


def test_import_orgs_with_english_headers(run, tmp_path):
    f = write(
        tmp_path,
        "orgs.csv",
        "name,kind,parent,established\n"
        "县委,committee,,1980-01-01\n"
        "城关镇党委,党委,县委,2005/3/1\n"
        "城关镇第一党支部,branch,城关镇党委,20050401\n"
        "城关镇联合党支部,联合党支部,城关镇党委,\n",
    )
    out = ok(run("import", "orgs", f))
    assert "已导入组织4个（党委2个、党支部1个、联合党支部1个）" in out
    rows = {r["name"]: r for r in as_json(run, "org", "list")}
    assert rows["城关镇第一党支部"]["parent"] == "城关镇党委"
    assert rows["城关镇第一党支部"]["established_on"] == "2005-04-01"
    assert rows["城关镇党委"]["kind"] == "committee" and rows["城关镇党委"]["established_on"] == "2005-03-01"
    assert rows["城关镇联合党支部"]["kind"] == "joint-branch" and rows["县委"]["parent"] is None


def test_import_orgs_with_chinese_headers_and_bom_parent_anywhere_in_file(run, tmp_path):
    f = write(
        tmp_path,
        "组织.csv",
        "名称,类型,上级,成立日期\n城关镇第一党支部,,城关镇党委,2005年4月1日\n城关镇党委,党委,,2005-03-01\n",
        bom=True,
    )
    ok(run("import", "orgs", f))
    rows = {r["name"]: r for r in as_json(run, "org", "list")}
    assert rows["城关镇第一党支部"]["parent"] == "城关镇党委"
    assert rows["城关镇第一党支部"]["kind"] == "branch"  # the default, as in `org add`


def test_a_bad_org_row_rejects_the_file_and_every_bad_row_is_reported(run, tmp_path, target, branch):
    before = counts(target)
    f = write(
        tmp_path,
        "orgs.csv",
        "名称,类型,上级,成立日期\n"
        "新党委,党委,县委,2010-01-01\n"  # good
        "城关镇第一党支部,党支部,城关镇党委,\n"  # 3: an existing org, but without its date
        "甲支部,党支部,城关镇第一党支部,\n"  # 4: parent is a branch
        "乙支部,支部,没有的党委,\n"  # 5: unknown parent
        "丙支部,小组,新党委,\n"  # 6: unknown kind
        "丁支部,党支部,新党委,2021-02-30\n"  # 7: impossible date
        "新党委,党委,,\n"  # 8: twice in the file
        "戊支部,党支部,甲支部,\n",
    )  # 9: its parent row is bad
    result = run("import", "orgs", f)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "有7行有错，整个文件未导入" in result.stderr
    lines = report_lines(result)
    assert lines[0].startswith("第3行“成立日期”列：与已有的组织“城关镇第一党支部”（编号")
    assert lines[1].startswith("第4行“上级”列：上级组织“城关镇第一党支部”是党支部")
    assert lines[2].startswith("第5行“上级”列：没有名为“没有的党委”的组织")
    assert lines[3].startswith("第6行“类型”列：未知的组织类型“小组”")
    assert lines[4].startswith("第7行“成立日期”列：成立日期“2021-02-30”不存在")
    assert lines[5] == "第8行“名称”列：组织“新党委”与第2行重复。"
    assert lines[6].startswith("第9行“上级”列：上级组织“甲支部”（第4行）有错")
    assert "Traceback" not in result.stderr
    assert counts(target) == before


# ---------------------------------------------------------------- members

MEMBERS_EN = (
    "name,org,group,stage,joined,full_since,gender,birth,id_number,phone\n"
    "赵刚,城关镇第一党支部,第一党小组,full,1999-07-01,2000-07-01,,,11010519791123003x,139 1234 5678\n"
    "钱芳,城关镇第一党支部,第二党小组,预备党员,2023-06-01,,女,1995-04-16,,\n"
    "孙强,城关镇第一党支部,第二党小组,入党积极分子,,,男,2000-01-01,,\n"
    "周敏,城关镇第二党支部,,正式党员,2001-07-01,2002-07-01,,,110105198508020029,\n"
)


def test_import_members_creates_missing_groups_once_and_reuses_existing_ones(run, tmp_path, branch):
    out = ok(run("import", "members", write(tmp_path, "m.csv", MEMBERS_EN)))
    assert "已导入人员4人（入党积极分子1人、预备党员1人、正式党员2人），新建党小组1个" in out
    groups = as_json(run, "group", "list")
    assert sorted((g["org"], g["name"], g["members"]) for g in groups) == [
        ("城关镇第一党支部", "第一党小组", 2),
        ("城关镇第一党支部", "第二党小组", 2),
    ]
    people = {m["name"]: m for m in as_json(run, "--show-private", "member", "list")}
    zhao = people["赵刚"]
    assert zhao["id_number"] == "11010519791123003X" and zhao["phone"] == "13912345678"
    assert zhao["gender"] == "male" and zhao["birth_date"] == "1979-11-23"  # from the 身份证号
    assert people["钱芳"]["stage"] == "probationary" and people["钱芳"]["joined_on"] == "2023-06-01"
    assert people["孙强"]["group"] == "第二党小组" and people["周敏"]["org"] == "城关镇第二党支部"


def test_import_members_with_chinese_headers_and_bom(run, tmp_path, branch):
    text = (
        "姓名,支部,党小组,类别,入党日期,转正日期,性别,出生日期,身份证号,手机\n"
        "吴刚,城关镇第一党支部,第一党小组,正式党员,1999年7月1日,2000年7月1日,男,1975-10-03,,13800001111\n"
    )
    ok(run("import", "members", write(tmp_path, "党员.csv", text, bom=True)))
    wu = next(m for m in as_json(run, "member", "list") if m["name"] == "吴刚")
    assert (wu["org"], wu["group"], wu["joined_on"], wu["full_since"]) == (
        "城关镇第一党支部",
        "第一党小组",
        "1999-07-01",
        "2000-07-01",
    )


def test_a_bad_member_row_rejects_the_file_with_line_column_and_reason(run, tmp_path, target, branch):
    ok(run("member", "add", "郑重", "--org", branch, "--id-number", "110105197203140017"))
    before = counts(target)
    text = (
        "姓名,支部,党小组,类别,入党日期,转正日期,性别,出生日期,身份证号,手机\n"
        "甲,城关镇第一党支部,新小组,正式党员,2000-01-01,2001-01-01,,,,\n"  # 2: good
        "乙,城关镇第一党支部,,,,,,,110105197203140018,\n"  # 3: checksum
        "丙,城关镇第一党支部,,,,,,,110105197203140017,\n"  # 4: registered
        "丁,城关镇第一党支部,,,,,,,11010519791123003X,\n"  # 5: first use
        "戊,城关镇第一党支部,,,,,,,11010519791123003X,\n"  # 6: repeats line 5
        "己,城关镇党委,,,,,,,,\n"  # 7: not a branch
        "庚,城关镇第一党支部,,正式党员,2005-01-01,2004-01-01,,,,\n"  # 8: full before joined
        "辛,城关镇第一党支部,,入党申请人,2010-01-01,,,,,\n"  # 9: applicant joined
        "壬,城关镇第一党支部,,正式党员,,,女,,11010519791123003X,\n"  # 10: gender vs id
        "癸,城关镇第一党支部,,正式党员,,,,,,138\n"  # 11: phone
        ",城关镇第一党支部,,,,,,,,\n"  # 12: no name
        "子,没有的支部,,,,,,,,\n"
    )  # 13: unknown org
    result = run("import", "members", write(tmp_path, "bad.csv", text))
    assert result.exit_code == 2 and result.stdout == ""
    lines = report_lines(result)
    assert "有10行有错，整个文件未导入" in result.stderr
    expect = [
        ("第3行“身份证号”列", "校验位不对"),
        ("第4行“身份证号”列", "已登记为编号"),
        ("第6行“身份证号”列", "与第5行重复"),
        ("第7行“支部”列", "党员的组织关系应在党支部"),
        ("第8行“转正日期”列", "早于入党日期"),
        ("第9行“入党日期”列", "还没有入党日期"),
        ("第10行“性别”列", "与身份证号不一致"),
        ("第11行“手机”列", "格式不对"),
        ("第12行“姓名”列", "姓名不能为空"),
        ("第13行“支部”列", "没有名为“没有的支部”的组织"),
    ]
    assert len(lines) == len(expect)
    for where, reason in expect:
        assert any(line.startswith(where) and reason in line for line in lines), (where, reason, lines)
    assert counts(target) == before  # not even the new group of line 2


# ---------------------------------------------------------------- sessions


def test_import_sessions_with_english_headers(run, tmp_path, branch):
    text = (
        "org,group,kind,on,hours,topic,host,recorder,present,leave,absent,for_year\n"
        '城关镇第一党支部,,"general-meeting,party-lecture",2024-03-05,2,学习党史,王建国,李娜,"王建国,李娜",张伟:出差,,\n'
        "城关镇第一党支部,第一党小组,党小组会,2024-03-12,,学习交流,王建国,,王建国,,,\n"
        "城关镇第一党支部,,组织生活会、民主评议,2024-01-20,4,年度组织生活会,王建国,李娜,王建国,,李娜,2023\n"
    )
    result = run("import", "sessions", write(tmp_path, "s.csv", text))
    assert result.exit_code == 2  # 张伟 is two people in this branch
    assert "第2行“leave”列：城关镇第一党支部2024年3月5日的人员中名为“张伟”的人有2个" in result.stderr
    ids = {m["name"] + m["stage"]: m["id"] for m in as_json(run, "member", "list")}
    text = text.replace("张伟:出差", f"{ids['张伟full']}:出差")
    out = ok(run("import", "sessions", write(tmp_path, "s.csv", text)))
    assert "已导入会议3次" in out and "出勤记录6条" in out
    sessions = {s["topic"]: s for s in as_json(run, "session", "list")}
    meeting = sessions["学习党史"]
    assert meeting["kinds"] == ["general-meeting", "party-lecture"] and meeting["hours"] == 2
    assert (meeting["present"], meeting["leave"], meeting["absent"]) == (2, 1, 0)
    shown = as_json(run, "session", "show", str(meeting["id"]))
    assert shown["host"] == "王建国" and shown["recorder"] == "李娜"
    assert {(a["name"], a["status"], a["reason"]) for a in shown["attendance"] if a["status"]} == {
        ("王建国", "present", None),
        ("李娜", "present", None),
        ("张伟", "leave", "出差"),
    }
    group_meeting = sessions["学习交流"]
    assert group_meeting["group"] == "第一党小组" and group_meeting["kinds"] == ["group-meeting"]
    annual = sessions["年度组织生活会"]
    assert annual["for_year"] == 2023 and annual["kinds"] == ["life-meeting", "appraisal"]


def test_import_sessions_with_chinese_headers_and_bom_counts_for_check(run, tmp_path, branch):
    text = "支部,党小组,类型,日期,学时,主题,主持人,记录人,出席,请假,缺席,所属年度\n" + "".join(
        f"城关镇第二党支部,,主题党日,2024-{m:02d}-15,1,主题党日,刘洋,刘洋,刘洋,,,\n" for m in range(1, 13)
    )
    ok(run("import", "sessions", write(tmp_path, "会议.csv", text, bom=True)))
    check = run("check", "--org", "城关镇第二党支部", "--year", "2024", "--as-of", "2025-06-30", "--format", "json")
    rules = {f["rule"] for f in json.loads(check.stdout)["findings"]}
    assert "theme-day-monthly" not in rules and "general-meeting-quarterly" in rules


@pytest.mark.parametrize(
    "row, where, reason",
    [
        (
            "城关镇第一党支部,,党员大会,2024-03-05,,,,刘洋,,,",
            "“出席”列",
            "“刘洋”在2024年3月5日不属于城关镇第一党支部，不能记为出席",
        ),
        ("城关镇第一党支部,,党员大会,2024-03-05,,,,张伟,,,", "“出席”列", "名为“张伟”的人有2个"),
        ("城关镇第一党支部,,党员大会,2024-03-05,,没人,,,,,", "“主持人”列", "没有找到主持人“没人”"),
        ("城关镇第一党支部,,党员大会,2024-03-05,,,,王建国,,王建国,", "“缺席”列", "王建国同时被记为出席和缺席"),
        ("城关镇第一党支部,,党小组会,2024-03-05,,,,,,,", "“党小组”列", "党小组会须在“党小组”一列写明"),
        ("城关镇第一党支部,第一党小组,党员大会,2024-03-05,,,,,,,", "“类型”列", "由党支部召开"),
        ("城关镇第一党支部,,茶话会,2024-03-05,,,,,,,", "“类型”列", "未知的会议类型“茶话会”"),
        ("城关镇第一党支部,,党员大会,2000-03-05,,,,,,,", "“支部”列", "在2000年3月5日尚未成立"),
        ("城关镇第一党支部,,组织生活会,2024-01-20,,,,,,,2021", "“所属年度”列", "只能算作2023年或2024年的"),
        ("城关镇第一党支部,,党员大会,2024-03-05,30,,,,,,", "“学时”列", "应在0到24之间"),
        ("城关镇第一党支部,没有的小组,党员大会,2024-03-05,,,,,,,", "“党小组”列", "没有名为“没有的小组”的党小组"),
    ],
)
def test_a_bad_session_row_rejects_the_file(run, tmp_path, target, branch, row, where, reason):
    before = counts(target)
    text = (
        "支部,党小组,类型,日期,学时,主持人,记录人,出席,请假,缺席,所属年度\n"
        "城关镇第一党支部,,党员大会,2024-03-01,,王建国,,王建国,,,\n" + row + "\n"
    )
    result = run("import", "sessions", write(tmp_path, "bad.csv", text))
    assert result.exit_code == 2
    line = report_lines(result)[0]
    assert line.startswith("第3行" + where) and reason in line, line
    assert counts(target) == before


def test_people_are_resolved_on_the_day_of_the_session(run, tmp_path, branch):
    ok(run("member", "transfer", "刘洋", "--to", branch, "--on", "2024-03-01"))
    text = "org,kind,on,present\n城关镇第一党支部,党员大会,2024-03-05,刘洋\n城关镇第一党支部,党员大会,2024-02-05,刘洋\n"
    result = run("import", "sessions", write(tmp_path, "s.csv", text))
    assert result.exit_code == 2
    assert report_lines(result) == ["第3行“present”列：“刘洋”在2024年2月5日不属于城关镇第一党支部，不能记为出席。"]


# ---------------------------------------------------------------- dry run, skipping, file problems


@pytest.mark.parametrize(
    "kind, text, says",
    [
        ("orgs", "name,kind,parent\n新党委,党委,县委\n新支部,党支部,新党委\n", "可导入组织2个（党委1个、党支部1个）"),
        ("members", MEMBERS_EN, "可导入人员4人（入党积极分子1人、预备党员1人、正式党员2人），新建党小组1个"),
        (
            "sessions",
            "org,kind,on,present\n城关镇第一党支部,党员大会、党课,2024-03-05,王建国、李娜\n",
            "可导入会议1次（支部党员大会1次、党课1次），出勤记录2条",
        ),
    ],
)
def test_dry_run_reports_and_writes_nothing(run, tmp_path, target, branch, kind, text, says):
    before = counts(target)
    out = ok(run("import", kind, write(tmp_path, "f.csv", text), "--dry-run"))
    assert out.startswith("试运行，未写入") and says in out
    assert counts(target) == before


def test_dry_run_of_a_bad_file_reports_rows_and_exits_2(run, tmp_path, target, branch):
    before = counts(target)
    result = run("import", "orgs", write(tmp_path, "f.csv", "name,parent\n新支部,城关镇第一党支部\n"), "--dry-run")
    assert result.exit_code == 2 and "第2行“parent”列" in result.stderr
    assert counts(target) == before


def test_skip_invalid_writes_the_good_rows_and_reports_the_bad(run, tmp_path, target, branch):
    text = "name,org\n甲,城关镇第一党支部\n乙,没有的支部\n丙,城关镇第二党支部\n"
    result = run("import", "members", write(tmp_path, "m.csv", text), "--skip-invalid")
    assert result.exit_code == 0
    assert "已跳过这些行" in result.stderr and "第3行“org”列" in result.stderr
    assert "已导入人员2人" in result.stdout
    names = {m["name"] for m in as_json(run, "member", "list")}
    assert {"甲", "丙"} <= names and "乙" not in names


@pytest.mark.parametrize(
    "content, message",
    [
        ("名称,类别,备注\n甲,党支部,x\n", "列名“类别”不认识"),
        ("kind,parent\n党支部,县委\n", "缺少必需的列：name/名称"),
        ("name,名称\n甲,乙\n", "重复"),
        ("", "是空的"),
        ("name\n甲,多出来的\n", "第2行：这一行有2个字段"),
    ],
)
def test_file_problems_are_one_sentence_and_exit_2(run, tmp_path, target, content, message):
    before = counts(target)
    result = run("import", "orgs", write(tmp_path, "f.csv", content))
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
    assert counts(target) == before


def test_a_file_not_in_utf8_says_how_to_save_it(run, tmp_path):
    result = run("import", "orgs", write(tmp_path, "gbk.csv", "名称,类型\n城关镇党委,党委\n", encoding="gbk"))
    assert result.exit_code == 2
    assert "第1行不是 UTF-8 编码" in result.stderr and "CSV UTF-8" in result.stderr
    result = run("import", "orgs", str(tmp_path / "没有.csv"))
    assert result.exit_code == 2 and "不存在" in result.stderr


def test_line_numbers_count_blank_lines_and_multiline_cells(run, tmp_path):
    text = 'name,kind\n\n"城关镇\n党委",党委\n甲,茶话会\n'
    result = run("import", "orgs", write(tmp_path, "f.csv", text))
    assert report_lines(result)[0].startswith("第5行“kind”列")


def test_no_progress_bar_when_stderr_is_not_a_terminal(run, tmp_path, branch):
    result = run("import", "members", write(tmp_path, "m.csv", MEMBERS_EN))
    assert result.exit_code == 0 and result.stderr == ""


# ---------------------------------------------------------------- fixed number of queries


def _import_queries(kind: str, text: str) -> int:
    with count_queries() as c:
        report = run_import(parse_csv(kind, text), dry_run=False)
    assert report.written and not report.rejected, report.rejected
    return c.count


def test_import_query_count_does_not_grow_with_rows(run, target, branch):
    open_database(target)

    def members(prefix: str, n: int) -> str:
        return "name,org,group,stage,joined\n" + "".join(
            f"{prefix}{i},城关镇{'第一' if i % 2 else '第二'}党支部,{prefix}组{i % 3},正式党员,2001-01-01\n"
            for i in range(n)
        )

    assert _import_queries("members", members("甲", 3)) == _import_queries("members", members("乙", 60))

    def sessions(n: int) -> str:
        return "org,group,kind,on,host,present,leave\n" + "".join(
            f'城关镇第一党支部,,党员大会,2024-{1 + i % 12:02d}-{1 + i % 28:02d},王建国,"王建国,李娜",甲1:出差\n'
            for i in range(n)
        )

    assert _import_queries("sessions", sessions(2)) == _import_queries("sessions", sessions(50))

    def orgs(prefix: str, n: int) -> str:
        return (
            "name,kind,parent\n"
            + f"{prefix}党委,党委,县委\n"
            + "".join(f"{prefix}支部{i},党支部,{prefix}党委\n" for i in range(n))
        )

    assert _import_queries("orgs", orgs("丙", 2)) == _import_queries("orgs", orgs("丁", 40))


def test_dates_in_the_report_are_checked_like_member_add(run, tmp_path, branch):
    # the same sentence as `member add` gives, for the same mistake
    add = run("member", "add", "甲", "--org", branch, "--id-number", "110105197203140018")
    imported = run(
        "import", "members", write(tmp_path, "m.csv", f"name,org,id_number\n甲,{branch},110105197203140018\n")
    )
    assert add.exit_code == imported.exit_code == 2
    # the library's sentence; the command line points it at its option, the importer at the column
    reason = add.stderr.removeprefix("错误：").strip().replace("（--id-number）", "")
    assert report_lines(imported) == [f"第2行“id_number”列：{reason}"]


def test_a_member_born_after_joining_is_refused_as_by_member_add(run, tmp_path, branch):
    text = f"name,org,joined,birth\n甲,{branch},1990-01-01,1995-01-01\n"
    result = run("import", "members", write(tmp_path, "m.csv", text))
    assert report_lines(result) == ["第2行“joined”列：入党日期1990年1月1日早于出生日期1995年1月1日。"]


def test_a_host_from_outside_the_branch_is_found_by_name_or_id_as_in_session_add(run, tmp_path, branch):
    liu = next(m["id"] for m in as_json(run, "member", "list") if m["name"] == "刘洋")
    text = (
        "org,kind,on,topic,host,recorder\n"
        "城关镇第一党支部,党课,2024-03-05,外请,刘洋,\n"
        f"城关镇第一党支部,党课,2024-03-06,编号,#{liu},王建国\n"
    )
    ok(run("import", "sessions", write(tmp_path, "s.csv", text)))
    shown = {s["topic"]: as_json(run, "session", "show", str(s["id"])) for s in as_json(run, "session", "list")}
    assert shown["外请"]["host"] == "刘洋" and shown["编号"]["host"] == "刘洋"
    assert shown["编号"]["recorder"] == "王建国"
    ok(run("member", "add", "刘洋", "--org", branch, "--since", "2024-04-01"))  # a second 刘洋, later
    result = run(
        "import", "sessions", write(tmp_path, "s.csv", "org,kind,on,host\n城关镇第一党支部,党课,2024-03-07,刘洋\n")
    )
    assert result.exit_code == 2
    assert report_lines(result)[0].startswith("第2行“host”列：名为“刘洋”的人有2个")
