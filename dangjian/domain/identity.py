"""居民身份证号 and phone numbers: validation and masking. Pure."""

from __future__ import annotations

import re
from datetime import date

from dangjian.errors import InputError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def normalize_id_number(text: str) -> str:
    """Validate an 18-digit 居民身份证号 (GB 11643 check digit, birth date) and upper-case it."""
    s = (text or "").strip().upper()
    if not _ID.match(s):
        raise InputError(f"身份证号“{text}”格式不对：应为18位，前17位是数字，最后一位是数字或X。")
    try:
        date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise InputError(f"身份证号“{text}”中的出生日期{s[6:14]}不存在。") from None
    expected = check_digit(s[:17])
    if s[17] != expected:
        raise InputError(f"身份证号“{text}”的校验位不对（按前17位应为{expected}），请核对。")
    return s


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_of(id_number: str) -> str:
    return "male" if int(id_number[16]) % 2 == 1 else "female"


def normalize_phone(text: str) -> str:
    s = re.sub(r"[\s]", "", text or "")
    if s.startswith("+86"):
        s = s[3:]
    if not (_MOBILE.match(s) or _LANDLINE.match(s)):
        raise InputError(f"电话号码“{text}”格式不对：应为11位手机号或带区号的固定电话。")
    return s


def mask_id_number(s: str | None) -> str:
    if not s:
        return ""
    return s[:6] + "*" * (len(s) - 10) + s[-4:] if len(s) > 10 else "*" * len(s)


def mask_phone(s: str | None) -> str:
    if not s:
        return ""
    if len(s) >= 11:
        return s[:3] + "*" * (len(s) - 7) + s[-4:]
    return s[:2] + "*" * max(len(s) - 4, 0) + s[-2:]
