"""Several programs writing one database at once: each write lands whole or is refused with
"busy, try again" (exit 3); the file is never corrupt. Real processes, not threads."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SERVER_URL, ok

from dangjian.store.connection import close_database, open_database
from dangjian.store.models import AuditEntry, Member, Organization, SchemaVersion

ROOT = Path(__file__).resolve().parent.parent
BUSY = "错误：数据库正被另一个程序占用，请稍后再试。"

# Runs the CLI `n` times in one process once the start file appears; prints [exit code, stderr] per run.
WORKER = r"""
import contextlib, io, json, os, sys, time
target, prefix, n, go, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
import dangjian.store.connection
if timeout:
    dangjian.store.connection.SQLITE_BUSY_TIMEOUT = timeout
from dangjian.cli.main import cli
from dangjian.store.connection import close_database
while not os.path.exists(go):
    time.sleep(0.002)
out = []
for i in range(n):
    if prefix == "会议":
        args = ["session", "add", "--org", "机关第一党支部", "--kind", "主题党日", "--on", f"2021-{i % 12 + 1:02d}-15",
                "--all-present", "--again"]
    else:
        args = ["member", "add", f"{prefix}{i}", "--org", "机关第一党支部", "--joined", "2000-01-01",
                "--since", "2024-01-01"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.main(["--db", target, *args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
    close_database()
    out.append([code, err.getvalue().strip()])
print(json.dumps(out, ensure_ascii=False))
"""


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def cli_process(target: str, *args: str) -> subprocess.Popen:
    return spawn("-c", "from dangjian.cli.main import main; main()", "--db", target, *args)


def integrity(target: str) -> None:
    if SERVER_URL:
        return
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_many_cli_processes_writing_at_once_all_land(run):
    ok(run("org", "add", "机关第一党支部", "--established", "2000-01-01"))
    procs = [
        cli_process(
            run.target,
            "member",
            "add",
            f"党员{i}",
            "--org",
            "机关第一党支部",
            "--joined",
            "2001-01-01",
            "--since",
            "2024-01-01",
        )
        for i in range(10)
    ]
    procs += [
        cli_process(
            run.target,
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "支委会",
            "--on",
            f"2021-{m:02d}-05",
            "--all-present",
        )
        for m in range(1, 5)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code in (0, 3) for code, _ in results), results
    assert all(err.strip() == BUSY for code, err in results if code == 3), results
    landed = sum(1 for code, _ in results if code == 0)
    assert landed == len(procs)  # a 10-second wait is plenty for writes this short
    integrity(run.target)
    open_database(run.target)
    try:
        assert Member.select().count() == 10
        assert AuditEntry.select().count() == 1 + landed
    finally:
        close_database()


def test_two_busy_writers_in_a_loop_never_lose_or_half_write(run, tmp_path):
    ok(run("org", "add", "机关第一党支部", "--established", "2000-01-01"))
    go = tmp_path / "go"
    workers = [spawn("-c", WORKER, run.target, prefix, "25", str(go), "0") for prefix in ("甲", "乙", "会议")]
    time.sleep(0.5)
    go.touch()
    outs = []
    for w in workers:
        stdout, stderr = w.communicate(timeout=180)
        assert w.returncode == 0, stderr
        outs.append(json.loads(stdout))
    codes = [code for out in outs for code, _ in out]
    assert set(codes) <= {0, 3}
    assert all(err == BUSY for out in outs for code, err in out if code == 3)
    integrity(run.target)
    open_database(run.target)
    try:
        for prefix, out in zip(("甲", "乙"), outs):
            written = {f"{prefix}{i}" for i, (code, _) in enumerate(out) if code == 0}
            assert {m.name for m in Member.select().where(Member.name.startswith(prefix))} == written
        # every committed write has its audit entry, and nothing else does
        assert AuditEntry.select().count() == 1 + codes.count(0)
    finally:
        close_database()


@pytest.mark.skipif(bool(SERVER_URL), reason="SQLite file locking")
def test_a_writer_that_cannot_get_the_lock_says_busy_and_writes_nothing(run, tmp_path):
    ok(run("org", "add", "机关第一党支部", "--established", "2000-01-01"))
    release = tmp_path / "release"
    holder = spawn(
        "-c",
        (
            "import os, sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"UPDATE organization SET code = 'held'\")\n"
            "print('locked', flush=True)\n"
            "deadline = time.monotonic() + 60\n"
            "while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:\n"
            "    time.sleep(0.01)\n"
            "c.execute('COMMIT')\n"
        ),
        run.target,
        str(release),
    )
    assert holder.stdout.readline().strip() == "locked"
    go = tmp_path / "go"
    go.touch()
    worker = spawn("-c", WORKER, run.target, "丙", "1", str(go), "0.3")
    out, err = worker.communicate(timeout=60)
    assert json.loads(out) == [[3, BUSY]], err
    reader = cli_process(run.target, "org", "list", "--format", "json")  # readers are not blocked
    assert json.loads(reader.communicate(timeout=60)[0])[0]["name"] == "机关第一党支部"
    assert holder.poll() is None  # the lock was held all along: the worker met it, not a finished writer
    release.touch()
    assert holder.wait(timeout=60) == 0
    integrity(run.target)
    open_database(run.target)
    try:
        assert not Member.select().exists()
        assert Organization.get().code == "held"
        assert AuditEntry.select().count() == 1
    finally:
        close_database()
    worker = spawn("-c", WORKER, run.target, "丙", "1", str(go), "0.3")
    assert json.loads(worker.communicate(timeout=60)[0]) == [[0, ""]]


@pytest.mark.skipif(bool(SERVER_URL), reason="creating a SQLite file")
def test_programs_creating_the_same_new_file_at_once(tmp_path):
    target = str(tmp_path / "new.db")
    procs = [cli_process(target, "org", "add", f"支部{i}") for i in range(8)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    integrity(target)
    open_database(target)
    try:
        assert Organization.select().count() == 8
        assert SchemaVersion.select().count() == 1
    finally:
        close_database()
    assert os.stat(target).st_mode & 0o077 == 0
