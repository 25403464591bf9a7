"""The README's walks (from 申请 to 转正; a mistake and its correction) show what the tool really says:
replay each and compare."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = {"## 发展党员：从申请到转正": 20, "## 改错与撤销": 12}


def walk(heading: str) -> list[tuple[list[str], str | None, list[str]]]:
    """(arguments, grep word or None, expected lines) for every command of the section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    nxt = re.search(r"^## ", section[len(heading) :], flags=re.M)
    if nxt:
        section = section[: len(heading) + nxt.start()]
    steps = []
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ dangjian "):
                command, _, grep = line[2:].partition(" | grep ")
                steps.append((shlex.split(command)[1:], grep.strip() or None, []))
            else:
                steps[-1][2].append(line.rstrip())
    return steps


@pytest.mark.parametrize("heading", SECTIONS)
def test_the_walk_is_replayed_exactly(run, heading):
    steps = walk(heading)
    assert len(steps) > SECTIONS[heading]
    for args, grep, expected in steps:
        r = run(*args)
        assert r.exit_code in (0, 1, 2), (args, r.exception)
        lines = [line.rstrip() for line in (r.stdout + r.stderr).splitlines()]
        if grep:
            lines = [line for line in lines if grep in line]
        assert lines == expected, (args, lines)
