"""The one reader of a reference a user typed: an id (`12`, `#12`), a 身份证号, or a name.

Pure: no database. Only the digits 0–9 make an id, in ASCII or in their full-width
form (`１２`, as a Chinese input method types them); anything else that Python calls a
digit (`²`, `١٢`) is read as a name (and then not found), never handed to `int()`. Every caller that looks a record
up by what a user typed (commands, bulk writes, imports) reads it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dangjian.errors import InputError, NotFoundError

#: an id: digits 0-9, at most 11 of them (no database here holds more rows)
_ID = re.compile(r"#?([0-9]{1,11})")
#: full-width digits (U+FF10..U+FF19), read as the ASCII ones
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_ID_NUMBER_LENGTH = 18


@dataclass(frozen=True)
class Ref:
    """What a reference may mean; a lookup tries the id, then the 身份证号, then the name."""

    #: the reference as typed, without surrounding spaces
    text: str
    #: the id it names, when it is `12` or `#12`
    id: int | None
    #: the 身份证号 it may be (upper-cased), when it has 18 characters
    id_number: str | None

    @property
    def looks_like_id(self) -> bool:
        """Written as a number (in any script: `12`, `#12`, `²`, `１２`), whether or not it is a valid id."""
        digits = self.text[1:] if self.text.startswith("#") else self.text
        return digits.isdigit()

    @property
    def name(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def parse_ref(value: str | int) -> Ref:
    """Read a reference typed by a user (or an id passed by a program)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Ref(str(value), value, None)
    text = str(value).strip()
    if "\x00" in text:
        # no record holds a NUL (domain.policies.text refuses it), and PostgreSQL cannot even be asked
        raise InputError("名称或编号中含有空字符（NUL），请删去后再试。")
    return Ref(text, id_of(text), text.upper() if len(text) == _ID_NUMBER_LENGTH else None)


def id_of(value: str | int) -> int | None:
    """The id a reference names (`12`, `#12`, `１２`), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _ID.fullmatch(str(value).strip().translate(_FULL_WIDTH))
    return int(m.group(1)) if m else None


def session_id(value: str | int) -> int:
    """A session is named by its id only: the id, or NotFoundError saying where to look."""
    sid = id_of(value)
    if sid is None:
        raise NotFoundError(
            f"没有编号为“{str(value).strip()}”的会议，可用 dangjian session list 查看。", field="session"
        )
    return sid
