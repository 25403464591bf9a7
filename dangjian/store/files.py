"""The database's own files: a new file only its owner can read, a consistent copy of a live SQLite file.

Used by the pre-upgrade copy (`store.migrations`) and by backups (`io.backup`). Both hold
身份证号 and phone numbers, so every file made here is readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def private_file(path: Path) -> None:
    """Create (or empty) `path`, readable and writable by its owner only."""
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)


def copy_sqlite(source: str | Path, dest: str | Path) -> None:
    """Copy a live SQLite database with the online backup API into a file readable by its owner only.

    It reads through a connection of its own, so it works even while this program
    holds the write lock (WAL lets readers in). The copy is written beside `dest`
    and renamed, so `dest` is either complete or untouched.
    """
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    private_file(tmp)
    try:
        src = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True, timeout=30)
        try:
            out = sqlite3.connect(str(tmp))
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                out.close()
        finally:
            src.close()
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
