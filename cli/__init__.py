"""The `dangjian` command line: parse arguments, call the library, render the result."""

from __future__ import annotations


def main() -> None:
    """The console script: `dangjian …`."""
    from dangjian.cli.main import main as run

    run()
