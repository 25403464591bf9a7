"""Schema upgrades: a version-1 database, built from the frozen v1 tables and filled,
upgrades with every row intact; a failed migration leaves it as it was; a newer one is refused."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import peewee as pw
import pytest
from conftest import SERVER_URL, ok
from playhouse.migrate import migrate

from dangjian.store import connection as dbmod
from dangjian.store import migrations
from dangjian.store.connection import SCHEMA_VERSION, close_database, open_database
from dangjian.store.migrations import MigrationFailed, SchemaTooNew, create_v1_schema, read_version

V1_TABLES = [
    "organization",
    "member",
    "party_group",
    "membership",
    "session",
    "session_kind",
    "attendance",
    "member_event",
]


def build_v1(target: str) -> pw.Database:
    """An empty database with the version-1 schema, from the frozen definitions."""
    db = open_database(target, create=False)
    create_v1_schema(db)
    return db


def fill_v1(db: pw.Database) -> None:
    """Rows in every v1 table, written through the frozen v1 models (not the current ones)."""
    m = {model._meta.table_name: model for model in migrations.v1_models()}
    t = datetime(2021, 1, 2, 3, 4, 5)
    with db.bind_ctx(list(m.values())), db.atomic():
        Org, Member, Group = m["organization"], m["member"], m["party_group"]
        top = Org.create(name="县政府办公室机关党委", kind="committee", established_on=date(2010, 3, 1), created_at=t)
        first = Org.create(
            name="机关第一党支部", kind="branch", parent=top, established_on=date(2010, 5, 1), created_at=t
        )
        merged = Org.create(
            name="机关党支部",
            kind="branch",
            parent=top,
            established_on=date(2021, 7, 1),
            village=True,
            code="A-01",
            created_at=t,
        )
        first.dissolved_on, first.merged_into = date(2021, 7, 1), merged.id
        first.save()
        wang = Member.create(
            name="王建国",
            gender="male",
            birth_date=date(1972, 3, 14),
            id_number="11010519491231002X",
            phone="13912345678",
            education="大学",
            unit="县政府办公室",
            job="主任",
            stage="full",
            status="active",
            joined_on=date(1996, 6, 20),
            full_since=date(1997, 6, 20),
            created_at=t,
        )
        li = Member.create(name='李娜 "引号"、顿号', stage="probationary", joined_on=date(2020, 11, 20), created_at=t)
        g = Group.create(name="第一党小组", org=first, leader=wang, established_on=None, created_at=t)
        ms = m["membership"]
        ms.create(member=wang, org=first, group=g, start=None, end=date(2021, 7, 1), note=None)
        ms.create(member=wang, org=merged, group=None, start=date(2021, 7, 1), note="随机关第一党支部并入")
        ms.create(member=li, org=merged, start=date(2021, 7, 1))
        s = m["session"].create(
            org=merged,
            group=None,
            held_on=date(2021, 8, 25),
            hours=Decimal("2.5"),
            topic="学习党史",
            location="三楼会议室",
            host=wang,
            recorder=li,
            lecturer=None,
            lecturer_name="县委党校王老师",
            for_year=2021,
            minutes="会议记录\n第二行",
            decisions=None,
            created_at=t,
        )
        m["session_kind"].create(session=s, kind="general-meeting")
        m["session_kind"].create(session=s, kind="party-lecture")
        m["attendance"].create(session=s, member=wang, status="present")
        m["attendance"].create(session=s, member=li, status="leave", reason="出差")
        m["member_event"].create(
            member=li,
            event="admitted",
            on=date(2020, 11, 20),
            details=json.dumps({"votes_for": 12}, ensure_ascii=False),
            note="支部大会",
            session=s,
            created_at=t,
        )


def raw_rows(db: pw.Database) -> dict[str, list[tuple]]:
    """Every row of every v1 table exactly as the database returns it."""
    return {
        t: [tuple(r) for r in db.execute_sql(f"SELECT * FROM {_q(db, t)} ORDER BY id").fetchall()] for t in V1_TABLES
    }


def _q(db: pw.Database, name: str) -> str:
    return db.quote[0] + name + db.quote[1]


def schema_of(db: pw.Database) -> dict:
    """Tables, columns, indexes and foreign keys as the database describes them."""
    out = {}
    for table in sorted(db.get_tables()):
        cols = sorted((c.name, c.data_type.lower(), c.null, c.primary_key) for c in db.get_columns(table))
        idx = sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table))
        fks = sorted((f.column, f.dest_table, f.dest_column) for f in db.get_foreign_keys(table))
        out[table] = {"columns": cols, "indexes": idx, "foreign_keys": fks, "on_delete": delete_rules(db, table)}
    return out


def delete_rules(db: pw.Database, table: str) -> list[tuple[str, str]]:
    """What each foreign key does when the row it points to is deleted."""
    if isinstance(db, pw.SqliteDatabase):
        rows = [(r[3], r[6]) for r in db.execute_sql(f'PRAGMA foreign_key_list("{table}")')]
    else:
        same_schema = "DATABASE()" if isinstance(db, pw.MySQLDatabase) else "current_schema()"
        rows = db.execute_sql(
            "SELECT kcu.column_name, rc.delete_rule FROM information_schema.referential_constraints rc "
            "JOIN information_schema.key_column_usage kcu ON rc.constraint_name = kcu.constraint_name "
            "AND rc.constraint_schema = kcu.constraint_schema "
            f"WHERE rc.constraint_schema = {same_schema} AND kcu.table_name = {db.param}",
            (table,),
        ).fetchall()
    return sorted((col, rule.upper()) for col, rule in rows)


def test_migrations_are_numbered_up_to_the_code_version():
    versions = [m.version for m in migrations.MIGRATIONS]
    assert versions == list(range(2, SCHEMA_VERSION + 1))


def test_upgrading_version_1_gives_exactly_the_fresh_schema(target):
    db = build_v1(target)
    migrations.upgrade(db)
    upgraded = schema_of(db)
    close_database()
    dbmod.drop_schema(open_database(target, create=False))
    close_database()
    fresh = schema_of(open_database(target))
    assert upgraded == fresh


def test_upgrade_keeps_every_row_and_records_itself(target, run):
    db = build_v1(target)
    fill_v1(db)
    before = raw_rows(db)
    assert read_version(db) == 1
    close_database()

    result = run("member", "list", "--format", "json")  # opening an older database upgrades it
    members = json.loads(ok(result))
    assert [m["name"] for m in members] == ["王建国", '李娜 "引号"、顿号']
    assert "由第1版升级到第2版" in result.stderr

    db = open_database(target)
    assert read_version(db) == SCHEMA_VERSION
    assert raw_rows(db) == before
    assert db.execute_sql("SELECT COUNT(*) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    close_database()
    entries = json.loads(ok(run("log", "--format", "json")))
    assert [e["action"] for e in entries] == ["db upgrade"]
    assert entries[0]["changes"]["upgrade"]["from"] == 1
    # the upgraded database works: the check reads sessions, kinds and attendance written by v1
    ok(run("session", "show", "1"))
    assert run("check", "--year", "2021", "--as-of", "2022-03-31").exit_code in (0, 1)


@pytest.mark.skipif(bool(SERVER_URL), reason="the backup copy is written for SQLite files")
def test_sqlite_upgrade_writes_a_backup_named_with_the_old_version_first(target):
    db = build_v1(target)
    fill_v1(db)
    before = raw_rows(db)
    close_database()
    db = open_database(target)
    assert db.dangjian_upgrade.from_version == 1
    copy = Path(db.dangjian_upgrade.backup)
    close_database()
    assert copy == Path(target).with_name("dangjian.v1-backup.db")
    assert copy.stat().st_mode & 0o077 == 0
    old = open_database(str(copy), create=False)
    assert read_version(old) == 1
    assert "audit_entry" not in old.get_tables()
    assert raw_rows(old) == before
    close_database()


def test_db_status_and_upgrade_commands(target, run):
    build_v1(target)
    close_database()
    out = ok(run("db", "status"))
    assert "第1版" in out and "待执行的升级" in out
    status = json.loads(ok(run("db", "version", "--format", "json")))
    assert status["schema_version"] == 1 and status["pending"][0]["version"] == 2
    out = ok(run("db", "upgrade"))
    assert "由第1版升级到第2版" in out
    assert "已是最新结构" in ok(run("db", "upgrade"))
    status = json.loads(ok(run("db", "status", "--format", "json")))
    assert status["schema_version"] == SCHEMA_VERSION and status["pending"] == []


def _failing_migration(version: int):
    """A migration that changes the schema and the data, then fails halfway."""

    def up(db, migrator):
        migrate(migrator.add_column("member", "nickname", pw.CharField(max_length=20, null=True)))
        db.execute_sql("UPDATE member SET nickname = name")
        db.execute_sql("CREATE TABLE scratch_v3 (id INTEGER PRIMARY KEY)")
        raise RuntimeError("磁盘已满")

    def down(db, migrator):
        if "nickname" in [c.name for c in db.get_columns("member")]:
            migrate(migrator.drop_column("member", "nickname"))
        if "scratch_v3" in db.get_tables():
            db.execute_sql("DROP TABLE scratch_v3")

    return migrations.Migration(version, "测试用：中途失败", up, down)


def test_a_failed_migration_leaves_the_database_as_it_was(target, run, monkeypatch):
    db = build_v1(target)
    fill_v1(db)
    schema_before, rows_before = schema_of(db), raw_rows(db)
    close_database()
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _failing_migration(3)])

    result = run("member", "list")
    assert result.exit_code == 3
    assert "升级到第3版" in result.stderr and "磁盘已满" in result.stderr and "仍是第1版" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr

    db = open_database(target, create=False)
    assert read_version(db) == 1
    assert schema_of(db) == schema_before
    assert raw_rows(db) == rows_before
    close_database()
    with pytest.raises(MigrationFailed):
        migrations.upgrade(open_database(target, create=False))
    close_database()


def test_a_database_newer_than_the_program_is_refused(target, run):
    ok(run("org", "add", "机关党委", "--kind", "党委"))
    db = open_database(target)
    db.execute_sql(
        f"INSERT INTO schema_version (version, applied_at) VALUES (99, {db.param})", ("2030-01-01 00:00:00",)
    )
    close_database()
    result = run("org", "list")
    assert result.exit_code == 3
    assert "第99版" in result.stderr and "请先升级 dangjian" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(SchemaTooNew):
        open_database(target)
    close_database()
    status = ok(run("db", "status"))
    assert "第99版" in status and "更新版本" in status
    assert run("db", "upgrade").exit_code == 3
