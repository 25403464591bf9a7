"""The `dangjian` group: global options, the application context, one error boundary.

The database is opened lazily, so `dangjian x --help` never touches it. Every
library error becomes one sentence on stderr with exit code 2 (bad input) or 3
(the database failed); nothing else prints a traceback.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from dangjian.errors import DangjianError, DatabaseUnavailable, InputError


def default_db_path() -> str:
    folder = Path(click.get_app_dir("dangjian"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "dangjian.db")


@dataclass
class App:
    target: str | None = None
    rules_file: str | None = None
    show_private: bool = False
    holidays_file: str | None = None
    #: what the rules said about how they counted (e.g. working days guessed), told once at the end
    notes: list[str] = field(default_factory=list)
    _opened: bool = field(default=False, repr=False)

    @functools.cached_property
    def db(self):
        return self.open()

    def open_db(self):
        """Open the database for the running command, once: commands call this before reading or writing."""
        return self.db

    def open(self, create: bool = True, upgrade: bool = True):
        """Open the database for the running command: create the schema, upgrade an older one."""
        from dangjian.store.connection import open_database

        db = open_database(self.target or default_db_path(), create=create, upgrade=upgrade)
        self._opened = True
        done = getattr(db, "dangjian_upgrade", None)
        if done is not None and done.changed:
            kept = f"，升级前的备份：{done.backup}" if done.backup else ""
            click.echo(f"提示：数据库结构已由第{done.from_version}版升级到第{done.to_version}版{kept}。", err=True)
        return db

    @functools.cached_property
    def rules(self):
        from dangjian.rules.loader import load_rules

        return load_rules(self.rules_file)

    @functools.cached_property
    def calendar(self):
        """The work calendar for 公示 periods: the official one, with the --holidays file's years."""
        from dangjian.io.holidays import load_calendar

        return load_calendar(self.holidays_file)

    def note(self, notes) -> None:
        """Keep the notes of a result, to be told once when the command ends."""
        self.notes.extend(n for n in notes if n not in self.notes)

    def close(self) -> None:
        if self._opened:
            from dangjian.store.connection import close_database

            close_database()


def fail(message: str, code: int = 2) -> None:
    click.echo(f"错误：{printable(message)}", err=True)
    sys.exit(code)


def printable(text: str) -> str:
    """Control characters a user typed (a tab, an escape) shown as escapes, so the message stays one line."""
    import unicodedata

    return "".join(repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(text))


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).strip().splitlines() if part.strip())


class DangjianGroup(click.Group):
    """A group whose `main` is the single error boundary of the program.

    Its subcommands are listed in `COMMANDS` and imported on first use.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        import importlib

        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"{__package__}.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("命令"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from dangjian.audit import context as audit

        argv = list(sys.argv[1:] if args is None else args)
        _running.clear()
        bad = _not_utf8(argv)
        if bad:
            fail(bad)
        try:
            # every write made by this command is recorded under its command line and OS user
            with audit.context(command=command_line(argv), action=_command_path):
                rv = super().main(argv, prog_name or "dangjian", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f"（用 {exc.ctx.command_path} --help 查看用法）"
            fail(_one_line(_translate(exc.format_message())) + hint)
        except click.ClickException as exc:
            fail(_one_line(exc.format_message()), exc.exit_code if exc.exit_code != 1 else 2)
        except click.Abort:
            click.echo("已取消。", err=True)
            sys.exit(1)
        except DatabaseUnavailable as exc:
            fail(str(exc), 3)
        except InputError as exc:
            fail(with_option(str(exc), exc.field, _running[0] if _running else None), exc.exit_code)
        except DangjianError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:  # the promise: never a traceback
            if os.environ.get("DANGJIAN_DEBUG"):
                raise
            _database_failure(exc)
            fail(f"内部错误（{type(exc).__name__}：{_one_line(exc)}），请设置 DANGJIAN_DEBUG=1 重试并报告。", 3)
        sys.exit(rv if isinstance(rv, int) else 0)


def _database_failure(exc: Exception) -> None:
    """A failure of the database driver (through peewee) as one sentence, exit code 3.

    peewee is looked up, not imported: a command that never opened a database (`--help`)
    never loads it, and then no exception can be peewee's.
    """
    pw = sys.modules.get("peewee")
    if pw is None:
        return
    if isinstance(exc, (pw.OperationalError, pw.InterfaceError)):
        text = _one_line(exc) or type(exc).__name__
        if "locked" in text or "busy" in text:
            fail("数据库正被另一个程序占用，请稍后再试。", 3)
        fail(f"数据库操作失败：{text}。", 3)
    if isinstance(exc, pw.DatabaseError):
        fail(f"数据库出错（可能已损坏）：{_one_line(exc)}。", 3)


def _command_path() -> str | None:
    """The running command (`member add`), read when a write is recorded."""
    ctx = click.get_current_context(silent=True)
    return (" ".join(ctx.command_path.split()[1:]) or None) if ctx is not None else None


def _not_utf8(argv: list[str]) -> str | None:
    """A sentence about the first argument that is not UTF-8 text (a GBK terminal or script), if any."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = (
                arg.encode("utf-8", "surrogateescape")
                if all(not ("\ud800" <= c <= "\udfff") or "\udc80" <= c <= "\udcff" for c in arg)
                else b""
            )
            try:
                guess = raw.decode("gb18030") if raw else ""
            except UnicodeDecodeError:
                guess = ""
            hint = f"（按 GBK 读是“{guess}”）" if guess else ""
            return f"命令行参数不是 UTF-8 编码的文字{hint}，请把终端或脚本的编码改为 UTF-8 后重试。"
    return None


def command_line(argv: list[str]) -> str:
    """The command as typed, for the audit trail, without any password in a --db URL."""
    import shlex

    from dangjian.store.targets import describe

    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            arg, hide_next = describe(arg), False
        elif arg == "--db":
            hide_next = True
        elif arg.startswith("--db="):
            arg = "--db=" + describe(arg[len("--db=") :])
        out.append(arg)
    # quote only what a shell would split or expand, so Chinese names stay readable
    return " ".join(["dangjian", *(a if a and not _SHELL_SPECIAL.search(a) else shlex.quote(a) for a in out)])


_SHELL_SPECIAL = re.compile(r"[\s'\"\\$`|&;<>()*?\[\]{}~#!=%^]")


_CLICK_PHRASES = [
    ("Invalid value for", "参数值无效："),
    ("Missing option", "缺少选项"),
    ("Missing argument", "缺少参数"),
    ("No such option", "没有这个选项"),
    ("No such command", "没有这个命令"),
    ("Got unexpected extra argument", "多出了参数"),
    ("Got unexpected extra arguments", "多出了参数"),
    ("is not one of", "不是以下之一："),
    ("is not a valid integer", "不是整数"),
    ("is not a valid float", "不是数字"),
    ("Option", "选项"),
    ("requires an argument", "需要一个值"),
    ("Did you mean", "是否想用"),
]


def _translate(text: str) -> str:
    for en, zh in _CLICK_PHRASES:
        text = text.replace(en, zh)
    text = re.sub(r"'([^']*)'", r"“\1”", text.rstrip("."))
    text = re.sub(r"\s*([：，])\s*", r"\1", text.replace(":", "："))
    return text.replace("?", "？").replace(". ", "，")


# ---------------------------------------------------------------- parameter types


class DateParam(click.ParamType):
    name = "日期"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        from dangjian.periods import parse_date

        try:
            return parse_date(value)
        except InputError as exc:
            self.fail(str(exc).rstrip("。"), param, ctx)


DATE = DateParam()

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="输出格式：表格、JSON 或 CSV。",
)


def as_of_option(help_text: str = "以哪一天为准（默认今天）：晚于该日的记录一律不计。"):
    return click.option("--as-of", "as_of", type=DATE, default=None, help=help_text)


def today() -> date:
    return date.today()


def pass_app(f: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the App to a command, and note the command as the one running (for the error boundary)."""

    def new_func(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        app = ctx.find_object(App)
        if app is None:
            raise RuntimeError("dangjian commands run under the dangjian group")
        _running[:] = [ctx.command]
        return ctx.invoke(f, app, *args, **kwargs)

    return functools.update_wrapper(new_func, f)


#: the command whose function is running, so a refusal can name that command's option
_running: list[click.Command] = []

#: a field the library names (`InputError.field`) -> the parameter a command calls it, where
#: neither the field itself nor FIELD_ref nor the field without its _on/_date suffix is that name
FIELD_PARAMS = {"held_on": "on", "yes": "yes_votes", "kinds": "kinds"}


def option_for(field: str | None, command: click.Command | None) -> str | None:
    """The option (`--hours`) of `command` that gives the library's `field`, if it has one."""
    if field is None or command is None:
        return None
    names = [field, f"{field}_ref", FIELD_PARAMS.get(field, field)]
    names += [field[: -len(suffix)] for suffix in ("_on", "_date") if field.endswith(suffix)]
    for name in names:
        for p in command.params:
            if isinstance(p, click.Option) and p.name == name and p.opts:
                return max(p.opts, key=len)
    return None


def with_option(message: str, field: str | None, command: click.Command | None) -> str:
    """A library sentence pointed at the option it is about: 学时“x”应在0到24之间（--hours）。"""
    flag = option_for(field, command)
    if flag is None or flag in message:
        return message
    body, end = (message[:-1], message[-1]) if message.endswith(("。", "？", "！")) else (message, "")
    return f"{body}（{flag}）{end}"


@click.group(cls=DangjianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "target",
    envvar="DANGJIAN_DB",
    metavar="TARGET",
    help="数据库：SQLite 文件路径，或 sqlite:///…、postgresql://…、mysql://… 地址。"
    "默认是用户数据目录中的 dangjian.db。",
)
@click.option(
    "--rules",
    "rules_file",
    envvar="DANGJIAN_RULES",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="本地规则文件（TOML），可调整规则的数字、级别或停用规则。",
)
@click.option("--show-private", is_flag=True, help="显示完整的身份证号和手机号（默认遮盖）。")
@click.option(
    "--holidays",
    "holidays_file",
    envvar="DANGJIAN_HOLIDAYS",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="节假日安排文件（TOML，每年一个表，含 holidays 放假日和 workdays 调休上班日），"
    "用于 chinese-calendar 尚未收录的年份的工作日计算。",
)
@click.version_option(package_name="dangjian", message="dangjian %(version)s")
@click.pass_context
def cli(
    ctx: click.Context, target: str | None, rules_file: str | None, show_private: bool, holidays_file: str | None
) -> None:
    """dangjian：党支部工作台账与合规检查。

    记录组织、党员、三会一课，并对照《中国共产党支部工作条例（试行）》等规定检查。

    \b
    例：
      dangjian org add 机关第一党支部 --kind 党支部 --established 2018-01-01
      dangjian session add --org 机关第一党支部 --kind 党员大会 --on 2021年3月5日 --all-present
      dangjian check --year 2021
    """
    app = App(target=target, rules_file=rules_file, show_private=show_private, holidays_file=holidays_file)
    ctx.obj = app
    ctx.call_on_close(app.close)
    ctx.call_on_close(functools.partial(_tell_notes, app))


def _tell_notes(app: App) -> None:
    """Say once, on stderr, what the rules noted (which years' working days were counted Monday to Friday)."""
    for note in app.notes:
        click.echo(note, err=True)


def main() -> None:
    cli.main(prog_name="dangjian")


# The commands live one module per noun and are imported only when used, so that
# `dangjian --help` and every single command start without loading the others.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "org": ("commands.org", "org", "组织：党委、党总支、党支部、联合党支部。"),
    "group": ("commands.org", "group", "党小组。"),
    "member": ("commands.member", "member", "党员和入党申请人，发展纪实。"),
    "session": ("commands.session", "session", "组织生活：会议、党课、主题党日等，及其出勤。"),
    "check": ("commands.check", "check", "对照规定检查三会一课等组织生活和发展党员工作。"),
    "timeline": ("commands.timeline", "timeline", "预备期和发展进度：下一步、期限和问题。"),
    "due": ("commands.timeline", "due", "今后若干天内到期和已经逾期的事项。"),
    "rules": ("commands.check", "rules", "检查规则。"),
    "demo": ("commands.demo", "demo", "生成示例数据库并打印检查结果。"),
    "import": ("commands.importing", "import_", "批量导入：从 CSV 导入组织、党员、会议。"),
    "db": ("commands.db", "db_group", "数据库：版本、升级、备份与恢复。"),
    "log": ("commands.db", "log", "操作日志：何时、何人、用什么命令改了什么。"),
    "undo": ("commands.undo", "undo", "撤销最近一次（或操作日志中指定的一次）写入。"),
}
