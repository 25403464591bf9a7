"""Exceptions of the library. Each carries one sentence a branch secretary can read.

The CLI maps `InputError` (and its subclasses) to exit code 2 and
`DatabaseUnavailable` to exit code 3; nothing here prints.
"""

from __future__ import annotations


class DangjianError(Exception):
    """Base class: the message is one complete sentence in Chinese."""

    exit_code = 2


class InputError(DangjianError):
    """The input cannot be true or cannot be understood; nothing was written.

    `field` names what the message is about, in the library's own words (`hours`,
    `kinds`, `host`, …), so that each caller can point at it the way its user sees
    it: the command line adds the option (`--hours`), the importer the column and line.
    The message itself names the thing (学时, 会议类型, 主持人), never a flag or a column.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(InputError):
    """A named org, group, member or session does not exist."""


class AmbiguousError(InputError):
    """A name matches more than one record; the message lists the candidates."""


class RulesError(InputError):
    """A local rule file is malformed, names an unknown rule or key, or has a wrong type."""


class DatabaseUnavailable(DangjianError):
    """The database cannot be opened, is locked or is corrupt."""

    exit_code = 3
