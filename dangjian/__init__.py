"""dangjian: records of Party branch work (党建) checked against the regulations.

The library never prints, never imports click and never reads the clock: pass
`as_of` in. Open a database with `open_database`, then use the services in
`orgs`, `members`, `sessions` and `checks`, or the pure `engine` directly.
"""
from __future__ import annotations

from .db import open_database
from .errors import DangjianError, DatabaseUnavailable, InputError
from .rules import load_rules

__all__ = ["open_database", "load_rules", "DangjianError", "InputError", "DatabaseUnavailable"]
__version__ = "0.1.0"
