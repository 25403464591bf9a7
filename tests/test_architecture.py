"""The import contract of the layers, checked by reading the source (nothing is imported).

- rules/ and domain/ are pure: no peewee, no storage, no services, no click.
- Only the command line (the cli/ folder, installed as dangjian.cli) imports click.
- The library never prints and never reads the clock for a date (`as_of` is passed in); only the
  storage and audit layers read it, to stamp when a record was written.
- No two modules import each other, directly or through others, even inside functions.
- Every package folder is listed in setup.cfg, so a regular install ships it.
"""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent

PURE_LAYERS = ("dangjian.rules", "dangjian.domain")
#: what a pure layer may not import (besides click, which only dangjian.cli may)
IMPURE = (
    "peewee",
    "playhouse",
    "dangjian.store",
    "dangjian.audit",
    "dangjian.queries",
    "dangjian.services",
    "dangjian.reports",
    "dangjian.demo",
    "dangjian.cli",
)


def _module_name(path: Path) -> str:
    rel = path.relative_to(TOP).with_suffix("")
    parts = list(rel.parts)
    if parts[0] == "cli":
        parts = ["dangjian", "cli", *parts[1:]]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [*TOP.joinpath("dangjian").rglob("*.py"), *TOP.joinpath("cli").rglob("*.py")]
    return {_module_name(p): p for p in files if "__pycache__" not in p.parts}


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module named by an import statement (at any depth, except under TYPE_CHECKING), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = module.split(".") if is_pkg else module.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (child.level - 1)]
                    base = ".".join(pkg + ([base] if base else []))
                found.append((base, child.lineno))
                found.extend((f"{base}.{a.name}", child.lineno) for a in child.names)
            visit(child)

    visit(tree)
    return found


SOURCES = _sources()
IMPORTS = {m: _imports(p, m) for m, p in SOURCES.items()}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_the_pure_layers_import_no_storage_and_no_click():
    bad = [
        f"{m}:{line} imports {name}"
        for m, names in IMPORTS.items()
        if any(_within(m, layer) for layer in PURE_LAYERS)
        for name, line in names
        if any(_within(name, x) for x in (*IMPURE, "click"))
    ]
    assert bad == []


def test_only_the_command_line_imports_click():
    bad = [
        f"{m}:{line} imports {name}"
        for m, names in IMPORTS.items()
        if not _within(m, "dangjian.cli")
        for name, line in names
        if _within(name, "click")
    ]
    assert bad == []


def test_the_library_never_prints_nor_reads_the_clock():
    bad = []
    for m, path in SOURCES.items():
        if _within(m, "dangjian.cli"):
            continue
        stamps = _within(m, "dangjian.store") or _within(m, "dangjian.audit")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                text = ast.unparse(node.func)
                if text == "print" or text.endswith(("date.today", "datetime.today")):
                    bad.append(f"{m}:{node.lineno} calls {text}()")
                elif text.endswith("datetime.now") and not stamps:
                    bad.append(f"{m}:{node.lineno} calls {text}()")
    assert bad == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_module_imports_itself_through_others():
    graph: dict[str, set[str]] = {}
    for m, names in IMPORTS.items():
        # a package importing its own submodules (re-exports) is how packages work, not a cycle
        graph[m] = {n for n, _ in names if n in SOURCES and n != m and not n.startswith(m + ".")}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("folder", sorted({p.parent for p in SOURCES.values() if p.name == "__init__.py"}))
def test_every_package_is_installed(folder: Path):
    cfg = configparser.ConfigParser()
    cfg.read(TOP / "setup.cfg", encoding="utf-8")
    listed = cfg["options"]["packages"].split()
    assert _module_name(folder / "__init__.py") in listed
