"""Who is writing and with which command: the audit context the program's entry point sets.

Loaded by the command line for every command, `--help` included, so it imports no peewee
and nothing from the storage layer.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class AuditContext:
    """Who is writing and with which command; set by the program's entry point."""

    command: str
    user: str
    host: str | None = None
    #: e.g. "member add", or a function that tells it when an entry is written
    action: str | Callable[[], str | None] | None = None

    def action_name(self) -> str | None:
        return self.action() if callable(self.action) else self.action


_current: ContextVar[AuditContext | None] = ContextVar("dangjian_audit", default=None)
_paused: ContextVar[bool] = ContextVar("dangjian_audit_paused", default=False)


def os_user() -> str:
    """The OS user name, or the numeric uid when the system has no name for it."""
    try:
        return getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def host_name() -> str | None:
    try:
        return socket.gethostname() or None
    except OSError:
        return None


@contextmanager
def context(
    command: str, user: str | None = None, host: str | None = None, action: str | Callable[[], str | None] | None = None
) -> Iterator[AuditContext]:
    """Record every write made inside the block under this command line and user."""
    ctx = AuditContext(
        command=command, user=user or os_user(), host=host if host is not None else host_name(), action=action
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current() -> AuditContext | None:
    return _current.get()


@contextmanager
def paused() -> Iterator[None]:
    """Do not capture writes row by row inside the block (restore records one summary instead)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def capturing() -> bool:
    """Whether writes are being recorded now: inside a context and not paused."""
    return _current.get() is not None and not _paused.get()
