"""Every command of the CLI is in the README's command table (命令一览), and the table names no other."""

from __future__ import annotations

import re
from pathlib import Path

import click

from dangjian.cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def commands() -> dict[int, set[tuple[str, ...]]]:
    """Every command (not group) of the CLI, walked recursively: command object -> the paths naming it
    (a command registered under two names, an alias, is one command with two paths)."""
    found: dict[int, set[tuple[str, ...]]] = {}

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, path + (name,)
                walk(sub, path + (name,))
        elif not cmd.hidden:
            found.setdefault(id(cmd), set()).add(path)

    walk(cli, ())
    return found


def table_cells() -> list[str]:
    """The first cell of each row of the table under “## 命令一览”, without its backticks."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 命令一览", 1)[1].split("\n## ", 1)[0]
    cells = []
    for line in section.splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if m:
            cells.append(m.group(1).replace("\\|", "|"))
    return cells


def listed(cells: list[str]) -> set[tuple[str, ...]]:
    """`org add / list [--tree] / show` -> (org, add), (org, list), (org, show); `check [--org]` -> (check,)."""
    groups = {
        name
        for name in cli.list_commands(click.Context(cli))
        if isinstance(cli.get_command(click.Context(cli), name), click.Group)
    }
    paths = set()
    for cell in cells:
        pieces = [p.split() for p in cell.split(" / ")]
        first = pieces[0]
        if first[0] in groups:
            paths.add((first[0], first[1]))
            paths.update((first[0], p[0]) for p in pieces[1:])
        else:
            paths.add((first[0],))
    return paths


def test_the_parser_reads_the_table_style():
    assert listed(["org add / list [--tree] / show", "check [--org] [--year Y | --from D --to D]", "rules list"]) == {
        ("org", "add"),
        ("org", "list"),
        ("org", "show"),
        ("check",),
        ("rules", "list"),
    }


def test_every_command_is_in_the_readme_command_table():
    cells = table_cells()
    assert len(cells) >= 10, "the command table was not found in README.md"
    in_table = listed(cells)
    missing = sorted(" ".join(min(paths)) for paths in commands().values() if not paths & in_table)
    assert missing == [], f"README.md's command table (命令一览) lacks: {', '.join(missing)}"


def test_the_command_table_names_only_real_commands():
    real = {p for paths in commands().values() for p in paths}
    assert sorted(" ".join(p) for p in listed(table_cells()) - real) == []
