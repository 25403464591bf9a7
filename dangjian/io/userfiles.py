"""Reading files a user names (meeting minutes, local rules, holiday schedules).

Each failure is one clear sentence naming the file: missing, unreadable, not UTF-8, or
(for TOML) malformed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from dangjian.errors import InputError


def read_text(path: str | Path, what: str, error: type[InputError] = InputError) -> str:
    """The file's UTF-8 text (a BOM is dropped)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{what}“{path}”不存在。") from None
    except UnicodeDecodeError:
        raise error(f"{what}“{path}”不是 UTF-8 编码的文本。") from None
    except OSError as exc:
        raise error(f"无法读取{what}“{path}”：{exc.strerror or exc}。") from None


def read_toml(path: str | Path, what: str, error: type[InputError] = InputError) -> dict[str, Any]:
    """The parsed TOML file."""
    text = read_text(path, what, error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what}“{path}”不是有效的 TOML：{exc}。") from None
