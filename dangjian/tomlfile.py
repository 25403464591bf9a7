"""Reading a user's TOML file (local rules, holiday schedules) with one clear error per failure."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import InputError


def read_toml(path: str | Path, what: str, error: type[InputError] = InputError) -> dict[str, Any]:
    """The parsed file; a missing, unreadable or malformed file raises `error` naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{what}“{path}”不存在。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"无法读取{what}“{path}”：{exc}。") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what}“{path}”不是有效的 TOML：{exc}。") from None
