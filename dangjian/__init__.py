"""dangjian: records of Party branch work (党建) checked against the regulations.

The library never prints, never imports click and never reads the clock: pass
`as_of` in. Open a database with `open_database`, then write through `dangjian.services`,
read through `dangjian.reports` (`reports.compliance.run_check` for the checks), or call the
pure engine in `dangjian.rules.engine` on literal facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dangjian.errors import DangjianError, DatabaseUnavailable, InputError

if TYPE_CHECKING:
    from dangjian.rules.loader import load_rules
    from dangjian.store.connection import open_database


def __getattr__(name: str):
    # the database and rule loaders pull in peewee, dateutil and tomllib: only on first use
    if name == "open_database":
        from dangjian.store.connection import open_database

        return open_database
    if name == "load_rules":
        from dangjian.rules.loader import load_rules

        return load_rules
    raise AttributeError(f"module 'dangjian' has no attribute {name!r}")


__all__ = ["open_database", "load_rules", "DangjianError", "InputError", "DatabaseUnavailable"]
__version__ = "0.1.0"
