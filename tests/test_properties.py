"""Property tests: random dates, names, kinds and sequences of commands thrown at the CLI, and
hostile tokens (Unicode digits, NaN, control characters, over-long text) in `import` files and
`member record` options.

Whatever comes in, the program answers with exit 0, 1 (only `check`) or 2, never a
traceback; a refused command (exit 2) leaves every table row for row as it was; a
successful write leaves exactly one new audit entry. Every example starts from the
same small seed, put back with `db restore --force` (plain DML, fast on every backend).
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from conftest import Runner, ok
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dangjian.domain.identity import check_digit
from dangjian.io import backup
from dangjian.store.connection import close_database, open_database
from dangjian.vocab import EVENTS, ORG_KINDS, SESSION_KINDS, STAGES

EXAMPLES = int(os.environ.get("DANGJIAN_PROPERTY_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("DANGJIAN_PROPERTY_SEARCH"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

BRANCHES = ["机关第一党支部", "机关第二党支部", "离退休党支部", "2"]
ORGS = ["机关党委", *BRANCHES, "1", "99", "机关第一党支部 "]
PEOPLE = ["王建国", "李娜", "张伟", "王芳", "1", "2", "3", "7", "11010519491231002X", "陈静"]
LONG = ["很长的名字" * 11, "王" * 50, "王" * 51, "x" * 101, "题" * 201]
GROUPS = ["第一党小组", "第二党小组", "1", "9"]


# ---------------------------------------------------------------- strategies


def _written(d: date, form: int) -> str:
    return [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        d.strftime("%Y%m%d"),
        f"{d.year}年{d.month}月{d.day}日",
        f" {d.isoformat()} ",
    ][form]


dates = st.one_of(
    st.builds(_written, st.dates(date(1890, 1, 1), date(3100, 12, 31)), st.integers(0, 5)),
    st.builds(_written, st.dates(date(1995, 1, 1), date(2023, 12, 31)), st.integers(0, 5)),
    st.sampled_from(
        [
            "2021-02-29",
            "2021-02-30",
            "2020-02-29",
            "2021-13-01",
            "0000-01-01",
            "9999-12-31",
            "2999-12-31",
            "3000-01-01",
            "1899-12-31",
            "yesterday",
            "",
            " ",
            "2021-3",
            "2021年2月30日",
            "21-03-05",
            "2021-00-10",
        ]
    ),
    st.text(max_size=12),
)
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=70)
cjk_names = st.text(
    alphabet=st.sampled_from("王李张刘陈杨赵黄周吴建国娜伟磊静芳党支部小组第一二, ，、:：;；\t"),
    min_size=0,
    max_size=60,
)
names = st.one_of(st.sampled_from(PEOPLE), st.sampled_from(LONG), cjk_names, text)
new_names = st.one_of(st.sampled_from(["赵磊", "孙涛", "王芳"]), st.sampled_from(LONG), cjk_names, text)
branches = st.sampled_from(BRANCHES)
org_refs = st.one_of(branches, branches, st.sampled_from(ORGS), cjk_names, text)
free_text = st.one_of(text, st.sampled_from(LONG))
group_refs = st.one_of(st.sampled_from(GROUPS), cjk_names)


def _slugs_and_labels(vocab) -> list[str]:
    return [t for term in vocab.terms for t in (term.slug, term.label, *term.aliases)]


kinds = st.one_of(
    st.sampled_from(_slugs_and_labels(SESSION_KINDS)),
    text,
    st.builds(
        lambda ks, sep: sep.join(ks),
        st.lists(st.sampled_from(_slugs_and_labels(SESSION_KINDS)), min_size=1, max_size=3),
        st.sampled_from([",", "、", "，", ";"]),
    ),
)
org_kinds = st.one_of(st.sampled_from(_slugs_and_labels(ORG_KINDS)), text)
stages = st.one_of(st.sampled_from(_slugs_and_labels(STAGES)), text)
hours = st.one_of(
    st.sampled_from(
        [
            "2",
            "2.5",
            "0",
            "24",
            "24.01",
            "-1",
            "1e400",
            "NaN",
            "sNaN",
            "Infinity",
            "-0",
            "0.05",
            "半天",
            "",
            "1,5",
            "３",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


events = st.one_of(st.sampled_from(_slugs_and_labels(EVENTS)), text)
numbers = st.one_of(st.integers(-3, 40), st.integers(-(10**12), 10**12), st.just(2**63)).map(str)


def _id_number(born: date, seq: int) -> str:
    first = f"110105{born:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


id_numbers = st.one_of(
    st.builds(_id_number, st.dates(date(1900, 1, 1), date(2020, 12, 31)), st.integers(0, 999)),
    st.sampled_from(["11010519491231002X", "110105194912310021", "123", "11010519491331002X"]),
    text,
)
phones = st.one_of(st.sampled_from(["13912345678", "+86 139 1234 5678", "010-12345678", "12345"]), text)


def opt(flag: str, values) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda v: [flag, v]))


def cmd(*parts) -> st.SearchStrategy[list[str]]:
    """A command line from fixed words (str) and optional pieces (strategies of lists)."""
    return st.tuples(*[st.just([p]) if isinstance(p, str) else p for p in parts]).map(
        lambda chunks: [w for chunk in chunks for w in chunk]
    )


people_lists = st.lists(names, max_size=4).map("、".join)
session_refs = st.one_of(st.sampled_from(["1", "2", "99", "#1", "²"]), text)
leave_lists = st.lists(st.tuples(names, st.one_of(st.just(""), cjk_names)), max_size=3).map(
    lambda pairs: ",".join(f"{n}:{r}" if r else n for n, r in pairs)
)

writes = st.one_of(
    cmd(
        "org",
        "add",
        new_names.map(lambda n: [n]),
        opt("--kind", org_kinds),
        opt("--parent", org_refs),
        opt("--established", dates),
        opt("--code", free_text),
        st.sampled_from([[], ["--village"]]),
    ),
    cmd(
        "group",
        "add",
        new_names.map(lambda n: [n]),
        "--org",
        org_refs.map(lambda o: [o]),
        opt("--leader", names),
        opt("--established", dates),
    ),
    cmd(
        "member",
        "add",
        new_names.map(lambda n: [n]),
        "--org",
        org_refs.map(lambda o: [o]),
        opt("--group", group_refs),
        opt("--stage", stages),
        opt("--joined", dates),
        opt("--full-since", dates),
        opt("--since", dates),
        opt("--gender", st.sampled_from(["男", "女", "male", "f", "未知", ""])),
        opt("--birth", dates),
        opt("--id-number", id_numbers),
        opt("--phone", phones),
        opt("--unit", free_text),
        opt("--job", free_text),
        opt("--education", free_text),
    ),
    cmd(
        "member",
        "transfer",
        names.map(lambda n: [n]),
        opt("--to", org_refs),
        st.sampled_from([[], ["--out"]]),
        "--on",
        dates.map(lambda d: [d]),
        opt("--group", group_refs),
        opt("--note", free_text),
    ),
    cmd(
        "session",
        "add",
        opt("--org", org_refs),
        opt("--group", group_refs),
        st.lists(kinds, min_size=1, max_size=3).map(lambda ks: [w for k in ks for w in ("--kind", k)]),
        "--on",
        dates.map(lambda d: [d]),
        opt("--hours", hours),
        opt("--topic", free_text),
        opt("--location", free_text),
        opt("--host", names),
        opt("--recorder", names),
        opt("--lecturer", names),
        st.sampled_from([[], ["--all-present"]]),
        opt("--decisions", free_text),
        opt("--present", people_lists),
        opt("--leave", leave_lists),
        opt("--absent", people_lists),
        opt("--for-year", st.one_of(st.integers(-5, 3000).map(str), text)),
    ),
    cmd(
        "member",
        "record",
        names.map(lambda n: [n]),
        events.map(lambda e: [e]),
        "--on",
        dates.map(lambda d: [d]),
        opt("--months", numbers),
        opt("--days", numbers),
        opt("--hours", hours),
        opt("--until", dates),
        opt("--session", st.one_of(st.sampled_from(["1", "2"]), text)),
        opt("--entitled", numbers),
        opt("--present", numbers),
        opt("--yes", numbers),
        opt("--note", free_text),
    ),
    cmd("org", "merge", st.lists(org_refs, max_size=3), opt("--into", org_refs), "--on", dates.map(lambda d: [d])),
    cmd("org", "dissolve", org_refs.map(lambda o: [o]), "--on", dates.map(lambda d: [d])),
    # correcting records: the same hostile values reach edit, delete, unrecord, status and undo
    cmd(
        "session",
        "edit",
        session_refs.map(lambda s: [s]),
        opt("--on", dates),
        opt("--kind", kinds),
        opt("--topic", free_text),
        opt("--hours", hours),
        opt("--host", names),
        opt("--present", people_lists),
        opt("--leave", leave_lists),
        opt("--absent", people_lists),
    ),
    cmd("session", "delete", session_refs.map(lambda s: [s])),
    cmd(
        "member",
        "edit",
        names.map(lambda n: [n]),
        opt("--name", new_names),
        opt("--birth", dates),
        opt("--id-number", id_numbers),
        opt("--phone", phones),
        opt("--joined", dates),
        opt("--unit", free_text),
    ),
    cmd("member", "unrecord", names.map(lambda n: [n]), events.map(lambda e: [e]), opt("--on", dates)),
    cmd(
        "member",
        "status",
        names.map(lambda n: [n]),
        st.one_of(
            st.sampled_from(["deceased", "expelled", "lapsed", "withdrawn", "stopped", "active", "去世"]), text
        ).map(lambda v: [v]),
        "--on",
        dates.map(lambda d: [d]),
        opt("--note", free_text),
    ),
    cmd("org", "edit", org_refs.map(lambda o: [o]), opt("--name", new_names), opt("--established", dates)),
    cmd("group", "dissolve", group_refs.map(lambda g: [g]), opt("--org", org_refs), "--on", dates.map(lambda d: [d])),
    cmd("undo", st.one_of(st.just([]), session_refs.map(lambda s: [s]))),
)
reads = st.one_of(
    cmd(
        "check",
        opt("--year", st.one_of(st.integers(1800, 2200).map(str), text)),
        opt("--from", dates),
        opt("--to", dates),
        opt("--as-of", dates),
        opt("--org", org_refs),
        opt("--format", st.sampled_from(["table", "json", "csv"])),
    ),
    cmd("member", "list", opt("--org", org_refs), opt("--stage", stages), st.sampled_from([[], ["--all"]])),
    cmd("member", "show", names.map(lambda n: [n]), opt("--format", st.sampled_from(["json", "csv"]))),
    cmd("org", "show", org_refs.map(lambda o: [o])),
    cmd("org", "list", st.sampled_from([[], ["--tree"]])),
    cmd("group", "list", opt("--org", org_refs)),
    cmd("session", "list", opt("--org", org_refs), opt("--kind", kinds), opt("--from", dates), opt("--to", dates)),
    cmd("session", "show", st.one_of(st.sampled_from(["1", "2", "99"]), text).map(lambda s: [s])),
    cmd("log", opt("--member", names), opt("--org", org_refs), opt("--since", dates), opt("--until", dates)),
    cmd("db", "status"),
    cmd(
        "timeline",
        st.one_of(st.just([]), names.map(lambda n: [n])),
        st.sampled_from([[], ["--all"]]),
        opt("--org", org_refs),
        opt("--as-of", dates),
        opt("--format", st.sampled_from(["table", "json", "csv"])),
    ),
    cmd(
        "due",
        opt("--within", numbers),
        opt("--org", org_refs),
        opt("--as-of", dates),
        opt("--format", st.sampled_from(["table", "json", "csv"])),
    ),
)
commands = st.one_of(writes, writes, reads)


# ---------------------------------------------------------------- the seed and the checks

SEED = [
    ("org", "add", "机关党委", "--kind", "党委", "--established", "2010-03-01"),
    ("org", "add", "机关第一党支部", "--parent", "机关党委", "--established", "2010-05-01"),
    ("org", "add", "机关第二党支部", "--parent", "机关党委", "--established", "2010-05-01"),
    ("org", "add", "离退休党支部", "--parent", "机关党委", "--established", "2012-06-01"),
    ("group", "add", "第一党小组", "--org", "机关第一党支部"),
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
    ),
    (
        "member",
        "add",
        "李娜",
        "--org",
        "机关第一党支部",
        "--stage",
        "预备党员",
        "--joined",
        "2020-11-20",
        "--birth",
        "1995-04-16",
    ),
    ("member", "add", "张伟", "--org", "机关第二党支部", "--stage", "入党申请人"),
    ("member", "add", "王芳", "--org", "机关第一党支部", "--joined", "2005-01-01", "--full-since", "2006-01-01"),
    ("member", "add", "王芳", "--org", "机关第二党支部", "--joined", "2008-01-01", "--full-since", "2009-01-01"),
    ("session", "add", "--org", "机关第一党支部", "--kind", "党员大会", "--on", "2021-03-05", "--all-present"),
]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> str:
    """The seed, written once through the CLI into a SQLite file of its own and kept as a JSON backup."""
    folder = tmp_path_factory.mktemp("seed")
    writer = Runner(str(folder / "seed.db"))
    for args in SEED:
        ok(writer(*args))
    path = str(folder / "seed.json")
    ok(writer("db", "backup", path))
    return path


class World:
    """The database under test, put back to the seed before each example.

    `reset` restores the seed only when the last command changed something: a refusal (most
    examples) leaves every row as it was, which `check` has just compared.
    """

    def __init__(self, run, seed: str):
        self._run = run
        self.seed_file = seed
        self.dirty = True
        self.current: dict[str, list[tuple]] | None = None
        self.reset()

    def run(self, *args: str):
        """Run a command whose effect is not compared: the world counts as changed."""
        self.dirty, self.current = True, None
        return self._run(*args)

    def reset(self) -> None:
        if self.dirty:
            ok(self._run("db", "restore", self.seed_file, "--force"))
            self.dirty, self.current = False, None

    def rows(self) -> dict[str, list[tuple]]:
        open_database(self._run.target)
        try:
            return backup.snapshot()
        finally:
            close_database()

    def attempt(self, args: list[str]):
        """Run one command; (result, rows before, rows after). Until it returns, the world counts as changed."""
        before = self.current if self.current is not None else self.rows()
        self.dirty, self.current = True, None
        result = self._run(*args)
        after = self.rows()
        self.dirty, self.current = after != before, after
        return result, before, after

    def check(self, args: list[str]) -> None:
        result, before, after = self.attempt(args)
        shown = (args, result.exit_code, result.stderr[-500:])
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, shown
        assert result.exception is None or isinstance(result.exception, SystemExit), shown
        assert result.exit_code in (0, 1, 2), shown
        if result.exit_code == 1:
            assert args[0] == "check", shown
        if result.exit_code == 2:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("错误："), shown
            assert after == before, shown  # refused: nothing written, row for row
        elif after != before:
            new = after["audit_entry"][len(before["audit_entry"]) :]
            assert len(new) == 1, shown  # a write leaves exactly one audit entry
            assert new[0][4] == " ".join(args[:2]), shown
            assert after["audit_entry"][: len(before["audit_entry"])] == before["audit_entry"], shown


def test_any_single_command_exits_cleanly_and_a_refusal_writes_nothing(run, seed):
    world = World(run, seed)

    @SETTINGS
    @given(args=commands)
    def one(args):
        world.reset()
        world.check(args)

    one()


def test_any_sequence_of_commands_exits_cleanly_and_a_refusal_writes_nothing(run, seed):
    world = World(run, seed)

    @settings(SETTINGS, max_examples=max(EXAMPLES // 2, 5))
    @given(sequence=st.lists(commands, min_size=2, max_size=6))
    def many(sequence):
        world.reset()
        for args in sequence:
            world.check(args)

    many()


undecodable = st.text(alphabet=st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), min_size=1, max_size=6)


def test_arguments_that_are_not_utf8_are_refused_and_write_nothing(run, seed):
    world = World(run, seed)

    @settings(SETTINGS, max_examples=max(EXAMPLES // 4, 5))
    @given(
        args=st.one_of(
            st.tuples(undecodable).map(lambda t: ["member", "add", t[0], "--org", "机关第一党支部"]),
            st.tuples(undecodable).map(lambda t: ["org", "add", "赵" + t[0]]),
            st.tuples(undecodable).map(
                lambda t: [
                    "session",
                    "add",
                    "--org",
                    "机关第一党支部",
                    "--kind",
                    "党课",
                    "--on",
                    "2021-05-05",
                    "--topic",
                    t[0],
                ]
            ),
        )
    )
    def one(args):
        world.check(args)

    one()


# Inputs the property tests found to end in a traceback, an exit 3 or a half-written row, kept
# as fixed cases: each must now be refused (exit 2) or succeed, on every backend.
FOUND = [
    (["org", "dissolve", "²", "--on", "2020-02-29"], 2),  # '²'.isdigit() but int('²') fails
    (["session", "show", "²"], 2),
    (["member", "show", "１"], 0),  # full-width digits are an id, as typed with a Chinese IME
    (["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-05-05", "--hours", "NaN"], 2),
    (["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-05-05", "--hours", "sNaN"], 2),
    (["org", "add", "赵磊", "--code", "很长的名字" * 11], 2),  # longer than the column: PostgreSQL failed
    (["member", "add", "王" * 51, "--org", "机关第一党支部"], 2),
    (["member", "add", "王" * 50, "--org", "机关第一党支部", "--since", "2024-01-01"], 0),
    (["session", "add", "--org", "机关第一党支部", "--kind", "党课", "--on", "2021-05-05", "--topic", "题" * 201], 2),
    (
        [
            "session",
            "add",
            "--org",
            "机关第一党支部",
            "--kind",
            "党课",
            "--on",
            "2021-05-05",
            "--leave",
            "王建国:" + "因" * 201,
        ],
        2,
    ),
    (["check", "--as-of", "9999-12-31"], 2),  # overflowed the period arithmetic
    (["check", "--as-of", "2999-12-31"], 1),
    (["log", "--until", "9999-12-31"], 2),
    (["due", "--within", "9223372036854775808"], 2),  # the horizon overflowed the date range
    (["due", "--within", "36500"], 0),
    (["group", "list", "--org", "0\x1e0"], 2),  # a control character split the message in two lines
    (["member", "add", "\udccd\udcf5\udcbd\udca8\udcb9\udcfa", "--org", "机关第一党支部"], 2),  # 王建国 in GBK
]


def test_inputs_that_once_broke_the_program(run, seed):
    world = World(run, seed)
    for args, code in FOUND:
        world.reset()
        result = world.run(*args)
        assert result.exit_code == code, (args, result.stderr)
        world.reset()
        world.check(args)
    result = run("member", "add", "\udccd\udcf5\udcbd\udca8\udcb9\udcfa", "--org", "机关第一党支部")
    assert "按 GBK 读是“王建国”" in result.stderr
    result = run("org", "add", "赵磊", "--code", "很长的名字" * 11)
    assert (
        result.stderr.strip()
        == "错误：组织代码“很长的名字很长的名字很长的名字很长的名字…”太长：最多50个字，现有55个字（--code）。"
    )
    assert "\\x1e" in run("group", "list", "--org", "0\x1e0").stderr


# ---------------------------------------------------------------- hostile tokens through `import` and `member record`

# The tokens that found the bugs above, aimed at the paths that parse the same things again: the
# importer's columns and `member record`'s options. Unicode digits pass `str.isdigit` (and some
# `isdecimal`) yet `int()` or `Decimal()` disagree; NaN, infinities and -0 are numbers to Decimal;
# control characters (NUL included) split lines or are refused by a server; over-long text does
# not fit its column.
UNICODE_DIGITS = ["²", "³", "٣", "①", "１", "߁", "𝟙", "²³", "#²", "#①", "٣٣", "12²"]
NON_FINITE = ["NaN", "nan", "-NaN", "sNaN", "-sNaN", "inf", "-inf", "Infinity", "-Infinity", "1e400", "-1e400"]
ZEROES = ["-0", "-0.0", "0e-9999", "+0", "0.000"]
CONTROLS = [
    "\x00",
    "\x01",
    "\x08",
    "\x1b",
    "\x1e",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\ufeff",
]
OVERLONG = ["王" * 51, "王" * 101, "题" * 201, "因" * 501, "x" * 1001, "很长" * 1500]

controlled = st.builds(
    lambda a, c, b: a + c + b,
    st.one_of(st.just(""), st.sampled_from(PEOPLE + BRANCHES + GROUPS)),
    st.sampled_from(CONTROLS),
    st.one_of(st.just(""), st.sampled_from(["甲", "1", "2021-05-05", "2"])),
)
hostile = st.one_of(
    st.sampled_from(UNICODE_DIGITS),
    st.sampled_from(NON_FINITE + ZEROES),
    controlled,
    st.sampled_from(OVERLONG),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
hostile_numbers = st.one_of(st.sampled_from(UNICODE_DIGITS + NON_FINITE + ZEROES), numbers, controlled)


def cell(good) -> st.SearchStrategy[str]:
    """A CSV cell: mostly a plausible value (so rows reach the deeper checks), sometimes hostile or empty."""
    return st.one_of(good, good, hostile, st.just(""))


MEMBER_COLUMNS = {
    "name": cell(new_names),
    "org": cell(branches),
    "group": cell(group_refs),
    "stage": cell(stages),
    "joined": cell(dates),
    "full_since": cell(dates),
    "gender": cell(st.sampled_from(["男", "女", "male"])),
    "birth": cell(dates),
    "id_number": cell(id_numbers),
    "phone": cell(phones),
    "since": cell(dates),
    "education": cell(free_text),
    "unit": cell(free_text),
    "job": cell(free_text),
}
SESSION_COLUMNS = {
    "org": cell(branches),
    "group": cell(group_refs),
    "kind": cell(kinds),
    "on": cell(dates),
    "hours": cell(hours),
    "topic": cell(free_text),
    "host": cell(names),
    "recorder": cell(names),
    "present": cell(people_lists),
    "leave": cell(leave_lists),
    "absent": cell(people_lists),
    "for_year": cell(st.integers(2019, 2023).map(str)),
    "location": cell(free_text),
    "lecturer": cell(names),
}


def csv_file(columns: dict) -> st.SearchStrategy[str]:
    """The text of a CSV file: a header of some of the columns, then one to three rows."""

    def rows_for(header: list[str]) -> st.SearchStrategy[str]:
        row = st.tuples(*[columns[c] for c in header])
        return st.lists(row, min_size=1, max_size=3).map(lambda rows: _csv_text(header, rows))

    header = st.lists(st.sampled_from(list(columns)), min_size=1, max_size=len(columns), unique=True)
    return header.map(lambda h: sorted(h, key=list(columns).index)).flatmap(rows_for)


def _csv_text(header: list[str], rows: list[tuple[str, ...]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


#: the new searches report the example they found as drawn (shrinking it costs minutes) and do
#: not replay earlier failures, so a run's result does not depend on the ones before it; set
#: DANGJIAN_PROPERTY_SEARCH to search, replay and shrink
HOSTILE_SETTINGS = settings(
    SETTINGS,
    max_examples=max(EXAMPLES // 2, 5),
    phases=tuple(Phase)
    if os.environ.get("DANGJIAN_PROPERTY_SEARCH")
    else (Phase.explicit, Phase.reuse, Phase.generate),
)
import_flags = st.sampled_from([[], ["--dry-run"], ["--skip-invalid"], ["--dry-run", "--skip-invalid"]])
imports = st.one_of(
    st.tuples(st.just("members"), csv_file(MEMBER_COLUMNS), import_flags),
    st.tuples(st.just("sessions"), csv_file(SESSION_COLUMNS), import_flags),
)
records = cmd(
    "member",
    "record",
    st.one_of(names, st.sampled_from(UNICODE_DIGITS), controlled, st.sampled_from(OVERLONG)).map(lambda n: [n]),
    st.one_of(events, st.sampled_from(["trained", "extended", "publicized", "admitted", "converted"])).map(
        lambda e: [e]
    ),
    "--on",
    st.one_of(dates, controlled, st.sampled_from(UNICODE_DIGITS)).map(lambda d: [d]),
    opt("--hours", st.one_of(hours, st.sampled_from(NON_FINITE + ZEROES + UNICODE_DIGITS))),
    opt("--days", hostile_numbers),
    opt("--months", hostile_numbers),
    opt("--until", st.one_of(dates, controlled)),
    opt("--session", st.one_of(st.sampled_from(["1", "#1", "2"] + UNICODE_DIGITS), controlled, text)),
    opt("--entitled", hostile_numbers),
    opt("--present", hostile_numbers),
    opt("--yes", hostile_numbers),
    opt("--note", st.one_of(free_text, controlled, st.sampled_from(OVERLONG))),
)


def check_import(world: World, kind: str, path: str, flags: list[str]) -> None:
    """As `World.check`, for `import`: exit 0 or 2, never 3; a refusal's first line is one sentence and
    every other line names a line of the file; refused (or a dry run), nothing is written."""
    result, before, after = world.attempt(["import", kind, path, *flags])
    with open(path, encoding="utf-8", newline="") as f:
        shown = (kind, flags, result.exit_code, result.stderr[-800:], f.read()[:800])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert result.exit_code in (0, 2), shown
    lines = result.stderr.strip("\n").splitlines()
    if result.exit_code == 2:
        assert lines and lines[0].startswith("错误：") and lines[0].count("。") <= 1, shown
        assert all(line.startswith("  第") and "行" in line for line in lines[1:]), shown
        assert after == before, shown
    if "--dry-run" in flags:
        assert after == before, shown
    elif after != before:
        new = after["audit_entry"][len(before["audit_entry"]) :]
        assert len(new) == 1 and new[0][4] == f"import {kind}", shown
        assert after["audit_entry"][: len(before["audit_entry"])] == before["audit_entry"], shown


def failures_of(cases, check) -> list[str]:
    """Run `check` on every case and list the ones that fail (one line each), so that one run shows them all."""
    failed = []
    for case in cases:
        try:
            check(case)
        except AssertionError as exc:
            shown = exc.args[0] if exc.args and isinstance(exc.args[0], tuple) else (str(exc)[:300],)
            failed.append(repr(case)[:160] + " -> " + repr(shown[:4] if len(shown) > 4 else shown)[:300])
    return failed


def test_any_import_file_exits_cleanly_and_a_refusal_writes_nothing(run, tmp_path, seed):
    world = World(run, seed)
    path = tmp_path / "hostile.csv"

    @HOSTILE_SETTINGS
    @given(example=imports)
    def one(example):
        kind, content, flags = example
        path.write_text(content, encoding="utf-8", newline="")
        world.reset()
        check_import(world, kind, str(path), flags)

    one()


def test_member_record_with_hostile_tokens_exits_cleanly_and_a_refusal_writes_nothing(run, seed):
    world = World(run, seed)

    @HOSTILE_SETTINGS
    @given(args=records)
    def one(args):
        world.reset()
        world.check(args)

    one()


# The hostile tokens one by one, where each is most likely to break: fixed cases, so that every
# backend meets every kind of token on every run, whatever the random search above happens to draw.
DIGITS = ["²", "٣", "①", "#²"]
NUMBERS = ["NaN", "sNaN", "-inf", "1e400", "-0"]
CUTS = ["\x00", "\x1e", "\x0c", "\u2028", "\r\n"]
RECORD_AT = ["member", "record", "李娜"]
HOSTILE_RECORDS = (
    [[*RECORD_AT, "trained", "--on", "2021-05-10", "--hours", h] for h in NUMBERS + DIGITS]
    + [[*RECORD_AT, "trained", "--on", "2021-05-10", "--days", d] for d in DIGITS]
    + [[*RECORD_AT, "extended", "--on", "2021-05-10", "--months", m] for m in DIGITS]
    + [[*RECORD_AT, "converted", "--on", "2021-11-25", "--entitled", n, "--present", n] for n in DIGITS]
    + [[*RECORD_AT, "approved", "--on", "2021-03-05", "--session", s] for s in DIGITS]
    + [["member", "record", r, "applied", "--on", "2021-03-05"] for r in DIGITS]
    + [[*RECORD_AT, "approved", "--on", "2021-03-05", "--note", t] for t in [c + "备注" for c in CUTS] + ["因" * 501]]
    + [[*RECORD_AT, "approved", "--on", "2021-03-05" + c] for c in CUTS]
    + [[*RECORD_AT, "approved", "--on", "2021" + c + "03-05"] for c in CUTS]
)


def test_member_record_meets_every_hostile_token(run, seed):
    world = World(run, seed)

    def one(args):
        world.reset()
        world.check(args)

    failed = failures_of(HOSTILE_RECORDS, one)
    assert failed == [], f"{len(failed)} of {len(HOSTILE_RECORDS)} cases fail:\n" + "\n".join(failed)


#: per column of each file, the values put in it, one row each; the other cells of a row are valid
HOSTILE_COLUMNS = {
    "members": {
        "group": DIGITS + CUTS + ["组" * 101],
        "name": DIGITS + CUTS + ["王" * 51],
        "org": DIGITS + ["支" * 101],
        "unit": CUTS + ["单" * 1001],
        "joined": DIGITS + ["2001-07-01" + c for c in CUTS] + ["2001" + c + "07-01" for c in CUTS],
    },
    "sessions": {
        "host": DIGITS + CUTS + ["主" * 51],
        "hours": NUMBERS + DIGITS,
        "present": DIGITS + CUTS,
        "leave": ["王建国:" + t for t in CUTS + ["因" * 201]],
        "topic": CUTS + ["题" * 201],
        "org": DIGITS,
        "for_year": DIGITS,
        "on": ["2021-05-05" + c for c in CUTS] + ["2021" + c + "05-05" for c in CUTS],
        "kind": ["党" + c + "课" for c in CUTS],
    },
}
GOOD_ROWS = {
    "members": {"name": "赵磊", "org": "机关第一党支部", "group": "第一党小组", "joined": "2001-07-01",
                "unit": "财政局"},
    "sessions": {"org": "机关第一党支部", "kind": "党课", "on": "2021-05-05", "hours": "2", "topic": "学习",
                 "host": "王建国", "present": "王建国", "leave": "", "for_year": ""},
}  # fmt: skip


def test_import_meets_every_hostile_token(run, tmp_path, seed):
    """One file per column, a row per value; when a file fails, its values are tried one by one to name them."""
    world = World(run, seed)
    path = tmp_path / "hostile.csv"

    def one(case):
        kind, column, values = case
        good = GOOD_ROWS[kind]
        rows = [tuple({**good, column: v}.values()) for v in values]
        path.write_text(_csv_text(list(good), rows), encoding="utf-8", newline="")
        world.reset()
        check_import(world, kind, str(path), [])

    failed = []
    for kind, columns in HOSTILE_COLUMNS.items():
        for column, values in columns.items():
            if failures_of([(kind, column, values)], one):
                failed += failures_of([(kind, column, [v]) for v in values], one)
    assert failed == [], f"{len(failed)} values fail:\n" + "\n".join(failed)
