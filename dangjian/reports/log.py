"""The audit trail as frozen records: when, who, which command, what changed.

The command line and the changes may hold 身份证号 and phone numbers (a `member add`
typed with them, a phone changed): both are private fields, and the one-line summary
is derived from the changes, so it is masked whenever they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dangjian.audit.describe import describe_changes
from dangjian.audit.trail import list_entries
from dangjian.domain.identity import mask_id_number, mask_phone
from dangjian.reports.records import private

_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_text(text: str | None) -> str | None:
    """Free text with every 身份证号 and mobile number in it masked."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group().upper()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def mask_changes(value: Any) -> Any:
    """Recorded changes with `id_number` and `phone` values masked, and numbers in any text too."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "id_number" and isinstance(v, str):
                out[k] = mask_id_number(v)
            elif k == "phone" and isinstance(v, str):
                out[k] = mask_phone(v)
            else:
                out[k] = mask_changes(v)
        return out
    if isinstance(value, list):
        return [mask_changes(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


@dataclass(frozen=True)
class LogEntry:
    """One write, at local time `at` (to the second); `summary` is one line of Chinese for `changes`."""

    id: int
    at: datetime
    user: str | None
    host: str | None
    action: str | None
    command: str | None = private(mask_text)
    summary: str = field(init=False, default="")
    changes: dict[str, Any] = private(mask_changes, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", describe_changes(self.changes or {}))


def _utc(d: date) -> datetime:
    """Local midnight of day `d` as a naive UTC datetime (how entries are stored)."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone().replace(microsecond=0)


def list_log(
    member: str | None = None,
    org: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """The entries about a member or an org, from `since` to `until` (days, both included), oldest first."""
    entries = list_entries(
        member=member,
        org=org,
        since=_utc(since) if since else None,
        until=_utc(until + timedelta(days=1)) if until and until < date.max else None,
        limit=limit,
    )
    return [
        LogEntry(e["id"], _local(e["at"]), e["user"], e["host"], e["action"], e["command"], e["changes"])
        for e in entries
    ]
