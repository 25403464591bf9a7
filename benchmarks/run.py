"""Time dangjian at a county's scale on SQLite and PostgreSQL (and MySQL/MariaDB if asked).

    python benchmarks/run.py                                   # SQLite only, county size
    python benchmarks/run.py --postgres postgresql://root@127.0.0.1:5432/bench
    python benchmarks/run.py --size town --repeat 5 --json results.json

For each database it loads the dataset with `generate.py` (a fresh schema: the
tables of the given database are dropped first), then runs the commands a user
runs, each as its own process, and records the wall time (median of --repeat
runs) and the peak memory (maximum resident set size of the process):

- `check` for the year over every org (table and JSON), and for one branch;
- `timeline` (and `timeline --all`) and `due`, when this version of dangjian has them;
- `member list` (table and CSV) and `member list --org` for one branch;
- the read floor: ONE SQL query that reads the sessions of the window check
  reads, joined with their attendance, fetched into Python; check's time is
  reported as a multiple of it (the library's load_facts + engine, in-process,
  and the whole command);
- start-up: `dangjian --help` against `python -c "import click, peewee, tabulate, dateutil"`.

The targets of the issue are printed next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

YEAR = 2023
AS_OF = date(YEAR + 1, 4, 30)  # after the 3-month grace of the year's annual meetings
TARGETS = {
    "load": ("< 120 s", lambda r: r["load"]["seconds"] < 120),
    "check-all": ("< 5 s (SQLite)", lambda r: r["check-all"]["seconds"] < 5),
    "check-branch": ("< 0.3 s", lambda r: r["check-branch"]["seconds"] < 0.3),
}


def _dangjian() -> list[str]:
    exe = shutil.which("dangjian", path=str(Path(sys.executable).parent)) or shutil.which("dangjian")
    return [exe] if exe else [sys.executable, "-c", "import sys; from dangjian.cli.main import main; sys.exit(main())"]


def measure(cmd: list[str], repeat: int = 1, env: dict | None = None, ok=(0, 1)) -> dict:
    """Median wall time and peak RSS (MB) of running cmd `repeat` times, stdout discarded."""
    times, peaks = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        # wait4 gives this child's own rusage (its peak RSS), unlike RUSAGE_CHILDREN
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
        times.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)
    return {"seconds": statistics.median(times), "min": min(times), "peak_mb": max(peaks), "runs": repeat}


def probe(target: str, repeat: int) -> dict:
    """Run in its own process (`run.py --probe`), so that the runner stays small: a child's
    peak memory as the kernel reports it includes what its parent held when it forked.

    Picks the branch with the most sessions (the slowest single-branch check), then times
    the library's check (load_facts + engine) for the year over every org, then the read
    floor: one query reading the sessions check reads, joined with their attendance.
    """
    import resource

    from dangjian.queries.facts import load_facts
    from dangjian.reports.compliance import make_window
    from dangjian.rules.engine import check
    from dangjian.rules.loader import load_rules
    from dangjian.store.connection import close_database, open_database

    try:
        from dangjian.queries.facts import _MARGIN  # how far around the window load_facts reads
    except ImportError:
        from dateutil.relativedelta import relativedelta

        _MARGIN = relativedelta(years=1, days=1)

    db = open_database(target)
    branch = db.execute_sql(
        "SELECT o.name FROM organization o JOIN session s ON s.org_id = o.id "
        "WHERE o.kind IN ('branch', 'joint-branch') GROUP BY o.id, o.name "
        "ORDER BY COUNT(*) DESC, o.id LIMIT 1"
    ).fetchone()[0]
    rules = load_rules(None)
    window = make_window(AS_OF, YEAR)
    library = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        facts = load_facts(window, AS_OF)
        findings = check(rules, facts, window, AS_OF)
        library.append(time.perf_counter() - t0)
    library_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = {
        "orgs": len(facts.orgs),
        "groups": len(facts.groups),
        "memberships": len(facts.memberships),
        "sessions": len(facts.sessions),
        "findings": len(findings),
        "attendance": db.execute_sql("SELECT COUNT(*) FROM attendance").fetchone()[0],
        "members": db.execute_sql("SELECT COUNT(*) FROM member").fetchone()[0],
    }
    del facts, findings
    lo, hi = window.start - _MARGIN, min(AS_OF, window.end + _MARGIN)
    sql = (
        "SELECT s.id, s.org_id, s.group_id, s.held_on, s.for_year, a.member_id, a.status "
        "FROM session s LEFT JOIN attendance a ON a.session_id = s.id "
        f"WHERE s.held_on >= {db.param} AND s.held_on <= {db.param}"
    )
    floor = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = db.execute_sql(sql, (lo.isoformat(), hi.isoformat())).fetchall()
        floor.append(time.perf_counter() - t0)
        counts["floor_rows"] = len(rows)
        del rows
    close_database()
    return {
        "branch": branch,
        "library": statistics.median(library),
        "library_min": min(library),
        "library_peak_mb": library_peak,
        "floor": statistics.median(floor),
        "floor_min": min(floor),
        "counts": counts,
    }


def _probe(target: str, repeat: int) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--probe", target, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"probe of {target} failed: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout)


def _has_command(name: str) -> bool:
    proc = subprocess.run(_dangjian() + [name, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode == 0


def _accepts(name: str, option: str) -> bool:
    proc = subprocess.run(_dangjian() + [name, "--help"], capture_output=True, text=True)
    return option in proc.stdout


def bench_backend(label: str, target: str, size: str, repeat: int, load: bool) -> dict:
    print(f"== {label}: {target}", file=sys.stderr)
    results: dict = {"target": target}
    if load:
        results["load"] = measure(
            [
                sys.executable,
                str(HERE / "generate.py"),
                "--db",
                target,
                "--size",
                size,
                "--year",
                str(YEAR),
                "--fresh",
                "--quiet",
            ],
            ok=(0,),
        )
        print(f"   load {results['load']['seconds']:.1f} s", file=sys.stderr)
    dj = _dangjian() + ["--db", target]
    results.update(_probe(target, repeat))
    branch = results["branch"]
    span = ["--year", str(YEAR), "--as-of", AS_OF.isoformat()]
    runs = {
        "check-all": dj + ["check", *span],
        "check-all-json": dj + ["check", *span, "--format", "json"],
        "check-branch": dj + ["check", "--org", branch, *span],
    }
    for extra in ("timeline", "due"):
        if _has_command(extra):
            args = ["--as-of", AS_OF.isoformat()] if _accepts(extra, "--as-of") else []
            runs[extra] = dj + [extra, *args]
            if extra == "timeline" and _accepts(extra, "--all"):
                runs["timeline-all"] = dj + [extra, "--all", *args]
    runs.update(
        {
            "member-list": dj + ["member", "list"],
            "member-list-csv": dj + ["member", "list", "--format", "csv"],
            "member-list-branch": dj + ["member", "list", "--org", branch],
        }
    )
    for key, cmd in runs.items():
        results[key] = measure(cmd, repeat)
        print(f"   {key} {results[key]['seconds']:.2f} s {results[key]['peak_mb']:.0f} MB", file=sys.stderr)
    results["ratio_library"] = results["library"] / results["floor"]
    results["ratio_command"] = results["check-all-json"]["seconds"] / results["floor"]
    return results


def bench_startup(repeat: int) -> dict:
    baseline = [sys.executable, "-c", "import click, peewee, tabulate, dateutil"]
    helpcmd = _dangjian() + ["--help"]
    for cmd in (baseline, helpcmd):  # warm the file cache
        measure(cmd, 2)
    # interleave the two so that a noisy moment hurts both alike
    a, b = [], []
    for _ in range(repeat):
        a.append(measure(baseline)["seconds"])
        b.append(measure(helpcmd)["seconds"])
    base, help_ = statistics.median(a), statistics.median(b)
    # the minimum is the run least disturbed by anything else on the machine
    return {
        "baseline": base,
        "help": help_,
        "baseline_min": min(a),
        "help_min": min(b),
        "ratio": min(b) / min(a),
        "ratio_median": help_ / base,
    }


def _machine() -> dict:
    import sqlite3

    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": platform.platform(),
    }


def report(out: dict) -> str:
    from tabulate import tabulate

    backends = [k for k in ("SQLite", "PostgreSQL", "MySQL") if k in out]
    labels = [
        ("load", "载入数据（generate.py）"),
        ("check-all", "check 全县一年（表格）"),
        ("check-all-json", "check 全县一年（JSON）"),
        ("check-branch", "check 一个支部"),
        ("timeline", "timeline（预备党员）"),
        ("timeline-all", "timeline --all（全部发展对象等）"),
        ("due", "due"),
        ("member-list", "member list（表格）"),
        ("member-list-csv", "member list（CSV）"),
        ("member-list-branch", "member list --org 一个支部"),
    ]
    head = ["操作"] + [f"{b} 秒：中位数（最快）" for b in backends] + [f"{b} 峰值MB" for b in backends] + ["目标"]
    rows = []
    for key, label in labels:
        if not any(key in out[b] for b in backends):
            continue
        target = TARGETS.get(key, ("",))[0]
        if key.startswith("check"):
            target = (target + "，" if target else "") + "峰值 < 500 MB"
        rows.append(
            [label]
            + [f"{out[b][key]['seconds']:.2f}（{out[b][key]['min']:.2f}）" if key in out[b] else "—" for b in backends]
            + [f"{out[b][key]['peak_mb']:.0f}" if key in out[b] else "—" for b in backends]
            + [target]
        )
    rows.append(
        ["读取下限：一条 SQL 读会议+出勤"]
        + [f"{out[b]['floor']:.2f}（{out[b]['floor_min']:.2f}）" for b in backends]
        + ["" for _ in backends]
        + [""]
    )
    rows.append(
        ["check 库内（load_facts + engine）"]
        + [f"{out[b]['library']:.2f}（{out[b]['library_min']:.2f}）" for b in backends]
        + [f"{out[b]['library_peak_mb']:.0f}" for b in backends]
        + ["≤ 3× 读取下限"]
    )
    lines = [tabulate(rows, headers=head, tablefmt="github", disable_numparse=True), ""]
    for b in backends:
        r = out[b]
        c = r["counts"]
        lines.append(
            f"{b}：check/读取下限 = {r['ratio_library']:.2f}×（库内）、{r['ratio_command']:.2f}×（整条 JSON 命令）"
            f"（目标 ≤ 3×）；下限读 {c['floor_rows']:,} 行；检查发现 {c['findings']:,} 项；"
            f"单支部为“{r['branch']}”。"
        )
    c = out[backends[0]]["counts"] if backends else {}
    if c:
        lines.append(
            f"数据：组织 {c['orgs']:,}，党小组 {c['groups']:,}，人员 {c['members']:,}，"
            f"组织关系 {c['memberships']:,}，会议 {c['sessions']:,}，出勤记录 {c['attendance']:,}。"
        )
    s = out.get("startup")
    if s:
        lines.append(
            f"启动：dangjian --help 最快 {s['help_min'] * 1000:.0f} ms（中位数 {s['help'] * 1000:.0f} ms），"
            f'python -c "import click, peewee, tabulate, dateutil" 最快 {s["baseline_min"] * 1000:.0f} ms'
            f"（中位数 {s['baseline'] * 1000:.0f} ms）；比值 {s['ratio']:.2f}（中位数之比 {s['ratio_median']:.2f}；"
            "目标 ≤ 1.20）。"
        )
    m = out["machine"]
    lines.append(
        f"机器：{m['cpus']} 核，{m['memory_gib']} GiB 内存，Python {m['python']}，SQLite {m['sqlite']}，{m['system']}。"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark dangjian at county scale.")
    ap.add_argument("--size", default="county", help="generate.py size: county, town, small, tiny")
    ap.add_argument("--sqlite", help="SQLite file to use (default: a temporary file)")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument(
        "--postgres",
        default=os.environ.get("DANGJIAN_BENCH_PG"),
        help="PostgreSQL URL (its dangjian tables are dropped and rebuilt)",
    )
    ap.add_argument("--mysql", default=os.environ.get("DANGJIAN_BENCH_MYSQL"), help="MySQL/MariaDB URL")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command (the median is reported)")
    ap.add_argument("--startup-repeat", type=int, default=21)
    ap.add_argument("--no-load", action="store_true", help="use the data already in the databases")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--probe", metavar="TARGET", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.probe, args.repeat)))
        return 0

    out: dict = {"size": args.size, "year": YEAR, "as_of": AS_OF.isoformat(), "machine": _machine()}
    tmp = None
    if not args.no_sqlite:
        target = args.sqlite
        if not target:
            tmp = tempfile.mkdtemp(prefix="dangjian-bench-")
            target = os.path.join(tmp, "county.db")
        out["SQLite"] = bench_backend("SQLite", target, args.size, args.repeat, not args.no_load)
    if args.postgres:
        out["PostgreSQL"] = bench_backend("PostgreSQL", args.postgres, args.size, args.repeat, not args.no_load)
    if args.mysql:
        out["MySQL"] = bench_backend("MySQL", args.mysql, args.size, args.repeat, not args.no_load)
    out["startup"] = bench_startup(args.startup_repeat)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    print(report(out))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
