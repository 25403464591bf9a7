"""The audit trail: one entry per write, in the same transaction; none for reads or refusals."""

from __future__ import annotations

import getpass
import json
from datetime import date

import pytest
from conftest import ok
from playhouse.test_utils import count_queries

from dangjian.audit import trail as audit
from dangjian.cli.main import command_line
from dangjian.services import members, orgs
from dangjian.store.connection import close_database, database, open_database
from dangjian.store.models import AuditEntry, AuditSubject, Member, Organization, Session

ID_NUMBER = "11010519491231002X"


def seed(run) -> None:
    ok(run("org", "add", "机关党委", "--kind", "党委", "--established", "2010-03-01"))
    ok(run("org", "add", "机关第一党支部", "--parent", "机关党委", "--established", "2010-05-01"))
    ok(run("org", "add", "机关第二党支部", "--parent", "机关党委", "--established", "2010-05-01"))
    ok(
        run(
            "member",
            "add",
            "王建国",
            "--org",
            "机关第一党支部",
            "--joined",
            "1996-06-20",
            "--full-since",
            "1997-06-20",
            "--id-number",
            ID_NUMBER,
            "--phone",
            "13912345678",
        )
    )
    ok(run("member", "add", "李娜", "--org", "机关第一党支部", "--joined", "2008-06-26", "--full-since", "2009-06-26"))
    ok(run("group", "add", "第一党小组", "--org", "机关第一党支部", "--leader", "王建国"))


def entries(run) -> list[dict]:
    return json.loads(ok(run("--show-private", "log", "--format", "json")))


def test_every_write_command_records_one_entry_with_user_command_and_changes(run):
    seed(run)
    ok(
        run(
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党员大会",
            "--kind",
            "党课",
            "--on",
            "2021-03-05",
            "--all-present",
            "--leave",
            "李娜:出差",
            "--hours",
            "2.5",
        )
    )
    ok(run("member", "transfer", "李娜", "--to", "机关第二党支部", "--on", "2021-09-01"))
    log = entries(run)
    assert [e["action"] for e in log] == ["org add"] * 3 + ["member add"] * 2 + [
        "group add",
        "session add",
        "member transfer",
    ]
    assert {e["user"] for e in log} == {getpass.getuser()}
    assert log[3]["command"].startswith("dangjian --db ")
    assert log[3]["command"].endswith(
        f"member add 王建国 --org 机关第一党支部 --joined 1996-06-20 "
        f"--full-since 1997-06-20 --id-number {ID_NUMBER} --phone 13912345678"
    )

    added = {c["entity"]: c for c in log[3]["changes"]["changes"]}
    assert set(added) == {"member", "membership"}
    row = added["member"]["rows"][0]
    assert (row["id"], row["name"], row["joined_on"], row["id_number"]) == (1, "王建国", "1996-06-20", ID_NUMBER)
    assert added["membership"]["rows"][0]["org"] == 2
    assert log[3]["changes"]["names"]["organization"] == {"2": "机关第一党支部"}
    assert log[3]["summary"] == "新增党员王建国（编号1）；新增组织关系1条（王建国）"

    assert log[6]["summary"] == "新增会议：2021年3月5日 机关第一党支部 支部党员大会、党课（编号1）；新增出勤记录2条"
    session = {c["entity"]: c for c in log[6]["changes"]["changes"]}
    assert session["session"]["rows"][0]["hours"] == "2.5"
    assert sorted(r["kind"] for r in session["session_kind"]["rows"]) == ["general-meeting", "party-lecture"]
    assert sorted((r["member"], r["status"], r["reason"]) for r in session["attendance"]["rows"]) == [
        (1, "present", None),
        (2, "leave", "出差"),
    ]

    transfer = log[7]["changes"]["changes"]
    closed = next(c for c in transfer if c["entity"] == "membership" and c["op"] == "update")
    assert closed["rows"] == [
        {"id": 2, "member": 2, "org": 2, "group": None, "before": {"end": None}, "after": {"end": "2021-09-01"}}
    ]
    assert log[7]["summary"].startswith("修改组织关系1条（李娜：截止日期→2021年9月1日）")
    opened = next(c for c in transfer if c["entity"] == "membership" and c["op"] == "insert")
    assert opened["rows"][0]["org"] == 3 and opened["rows"][0]["start"] == "2021-09-01"


def test_reads_and_refused_commands_leave_no_entry(run):
    seed(run)
    before = entries(run)
    for args in (
        ("org", "list"),
        ("member", "list", "--format", "json"),
        ("member", "show", "王建国"),
        ("check", "--year", "2021", "--as-of", "2021-12-31"),
        ("log",),
        ("db", "status"),
    ):
        assert run(*args).exit_code in (0, 1), args
    refused = [
        ("member", "add", "张三", "--org", "没有这个支部"),
        ("member", "add", "张三", "--org", "机关第一党支部", "--id-number", ID_NUMBER),  # already registered
        (
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党员大会",
            "--on",
            "2021-03-05",
            "--present",
            "王建国",
            "--absent",
            "王建国",
        ),
        ("org", "add", "机关第一党支部"),
        ("member", "transfer", "王建国", "--to", "机关第二党支部", "--on", "1990-01-01"),
    ]
    for args in refused:
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
    assert entries(run) == before


def test_a_command_that_fails_after_writing_leaves_neither_rows_nor_entry(run, monkeypatch):
    seed(run)
    before = entries(run)

    def broken(*args, **kwargs):
        raise RuntimeError("写到一半断电")

    from dangjian.store.models import SessionKind

    monkeypatch.setattr(SessionKind, "insert_many", broken)
    result = run(
        "session", "add", "--org", "机关第一党支部", "--kind", "党员大会", "--on", "2021-03-05", "--all-present"
    )
    assert result.exit_code == 3 and "写到一半断电" in result.stderr
    monkeypatch.undo()
    assert entries(run) == before
    open_database(run.target)
    assert Session.select().count() == 0
    close_database()


def test_if_the_entry_cannot_be_written_the_change_is_not_committed(run, monkeypatch):
    seed(run)
    monkeypatch.setattr(audit, "_names", lambda refs: 1 / 0)
    result = run("member", "add", "赵磊", "--org", "机关第一党支部")
    assert result.exit_code == 3
    monkeypatch.undo()
    open_database(run.target)
    assert not Member.select().where(Member.name == "赵磊").exists()
    close_database()


def test_log_filters_by_member_org_and_date_and_masks_private_data(run):
    seed(run)
    ok(run("member", "add", "赵磊", "--org", "机关第二党支部"))
    by_member = json.loads(ok(run("log", "--member", "王建国", "--format", "json")))
    # added, then made leader of the group (its membership moved into the group)
    assert [e["action"] for e in by_member] == ["member add", "group add"]
    assert by_member[0]["changes"]["changes"][0]["rows"][0]["id_number"] == "110105********002X"
    assert "13912345678" not in json.dumps(by_member, ensure_ascii=False)
    assert "110105********002X" in by_member[0]["command"]
    by_org = json.loads(ok(run("log", "--org", "机关第二党支部", "--format", "json")))
    assert [e["summary"] for e in by_org] == [
        "新增组织机关第二党支部（编号3）",
        "新增党员赵磊（编号3）；新增组织关系1条（赵磊）",
    ]
    assert json.loads(ok(run("log", "--since", "2000-01-01", "--limit", "2", "--format", "json")))[-1][
        "summary"
    ].startswith("新增党员赵磊")
    assert json.loads(ok(run("log", "--until", "2000-01-01", "--format", "json"))) == []
    table = ok(run("log"))
    assert "新增党员王建国（编号1）" in table and "时间" in table
    csv = ok(run("log", "--format", "csv"))
    assert csv.startswith("\ufeffid,at,user,host,action,command,summary")
    assert run("log", "--member", "没有这个人").exit_code == 2


def test_command_line_hides_database_passwords():
    assert (
        command_line(["--db", "postgresql://dj:secret@db.local/county", "org", "list"])
        == "dangjian --db postgresql://dj@db.local/county org list"
    )
    assert "secret" not in command_line(["--db=mysql://dj:secret@h/x", "log"])
    assert command_line(["member", "add", "王 建国"]) == "dangjian member add '王 建国'"


def test_library_writes_are_recorded_when_a_context_is_set(db):
    with audit.context("脚本 import.py", user="组织员", action="导入"):
        orgs.add_org("机关党委", kind="committee")
        Organization.create(name="直接写入", kind="branch")  # outside any transaction: wrapped in one
    with database.atomic():
        orgs.add_org("没有上下文的写入", kind="committee")  # no context, no capture
    rows = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [(e.user, e.action, e.command) for e in rows] == [("组织员", "导入", "脚本 import.py")] * 2
    assert rows[1].changes["changes"][0]["rows"][0]["name"] == "直接写入"


def test_a_rolled_back_savepoint_is_not_recorded(db):
    with audit.context("test"):
        with database.atomic():
            orgs.add_org("机关党委", kind="committee")
            try:
                with database.atomic():
                    orgs.add_org("撤回的组织", kind="committee")
                    raise ValueError
            except ValueError:
                pass
    (entry,) = AuditEntry.select()
    assert [r["name"] for c in entry.changes["changes"] for r in c["rows"]] == ["机关党委"]
    assert [o.name for o in Organization.select()] == ["机关党委"]


def test_bulk_writes_keep_a_bounded_summary_and_link_every_member(db):
    with audit.context("bulk"):
        org = orgs.add_org("机关第一党支部", kind="branch")
        with database.atomic():
            Member.insert_many([{"name": f"党员{i}", "stage": "full"} for i in range(300)]).execute()
            ids = [m.id for m in Member.select(Member.id)]
            from dangjian.store.models import Membership

            Membership.insert_many({"member": i, "org": org.id} for i in ids).execute()  # a generator
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    changes = {c["entity"]: c for c in entry.changes["changes"]}
    assert changes["member"]["count"] == 300 and len(changes["member"]["rows"]) == audit.DETAIL_LIMIT
    assert changes["membership"]["count"] == 300 and entry.changes["truncated"] is True
    linked = {
        s.entity_id
        for s in AuditSubject.select().where((AuditSubject.entry == entry.id) & (AuditSubject.entity == "member"))
    }
    assert linked == set(ids)
    from dangjian.store.models import Membership

    assert Membership.select().count() == 300  # the generator was still inserted in full


def test_the_log_reads_in_a_fixed_number_of_queries(db):
    def queries(n: int) -> int:
        with audit.context("seed"):
            org = Organization.get_or_none(Organization.name == "支部") or orgs.add_org("支部", kind="branch")
            for i in range(n):
                members.add_member(f"党员{n}-{i}", "支部", joined_on=date(2000, 1, 1))
        with count_queries() as counter:
            audit.list_entries(member=f"党员{n}-0", org=org.name)
        return counter.count

    assert queries(2) == queries(20)


@pytest.mark.parametrize("text", ["新增党员王建国（编号1）"])
def test_describe_changes_reads_back_a_stored_summary(db, text):
    with audit.context("x"):
        orgs.add_org("支部", kind="branch")
        members.add_member("王建国", "支部")
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).get()
    assert audit.describe_changes(entry.changes).startswith(text)


def test_bulk_import_is_recorded_with_every_member_it_wrote(run, tmp_path):
    orgs_csv = tmp_path / "组织.csv"
    orgs_csv.write_text("名称,类型,上级\n城关镇党委,党委,\n城关镇第一党支部,党支部,城关镇党委\n", encoding="utf-8")
    people = tmp_path / "党员.csv"
    people.write_text(
        "姓名,支部,党小组\n" + "".join(f"党员{i},城关镇第一党支部,第一党小组\n" for i in range(60)),
        encoding="utf-8-sig",
    )
    ok(run("import", "orgs", str(orgs_csv)))
    ok(run("import", "members", str(people)))
    log = entries(run)
    assert [e["action"] for e in log][-2:] == ["import orgs", "import members"]
    changes = {c["entity"]: c for c in log[-1]["changes"]["changes"]}
    assert changes["member"]["count"] == 60 and changes["membership"]["count"] == 60
    assert changes["party_group"]["count"] == 1
    # past the rows kept in full, every member is still linked: `log --member` finds the 60th
    found = json.loads(ok(run("log", "--member", "党员59", "--format", "json")))
    assert [e["action"] for e in found] == ["import members"]
