"""The peewee models, one file per area; every model and `MODELS` are importable from here.

All models are bound to `store.base.database`, a proxy that `open_database` points at a
SQLite file, PostgreSQL or MySQL/MariaDB at run time.
"""

from __future__ import annotations

from dangjian.store.base import BaseModel, JSONText, utcnow
from dangjian.store.models.audit import AuditEntry, AuditSubject
from dangjian.store.models.development import MemberEvent
from dangjian.store.models.member import Member
from dangjian.store.models.org import Membership, Organization, PartyGroup
from dangjian.store.models.schema import SCHEMA_VERSION, SchemaVersion
from dangjian.store.models.session import Attendance, Session, SessionKind

#: Every table, parents before children (creation order; dropped in reverse).
MODELS: list[type[BaseModel]] = [
    SchemaVersion,
    Organization,
    Member,
    PartyGroup,
    Membership,
    Session,
    SessionKind,
    Attendance,
    MemberEvent,
    AuditEntry,
    AuditSubject,
]

__all__ = [
    "MODELS",
    "SCHEMA_VERSION",
    "Attendance",
    "AuditEntry",
    "AuditSubject",
    "BaseModel",
    "JSONText",
    "Member",
    "MemberEvent",
    "Membership",
    "Organization",
    "PartyGroup",
    "SchemaVersion",
    "Session",
    "SessionKind",
    "utcnow",
]
