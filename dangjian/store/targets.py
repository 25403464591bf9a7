"""What a user names as the database (a path or a URL), shown without its password.

Kept apart from `connection` so the command line can quote its own `--db` argument
without loading peewee.
"""

from __future__ import annotations


def describe(target: str) -> str:
    """The target without any password, for messages."""
    if "://" in target and "@" in target:
        scheme, rest = target.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return target
