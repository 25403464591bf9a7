"""The organisation's structure: organisations, their party groups, and who belonged where when.

The `<name>_id` annotations declare, for type checkers, the id attributes peewee adds
for each foreign key; they create nothing at run time.
"""

from __future__ import annotations

from datetime import date

import peewee as pw

from dangjian.store.base import BaseModel, utcnow
from dangjian.store.models.member import Member


class Organization(BaseModel):
    name = pw.CharField(max_length=100, index=True)
    kind = pw.CharField(max_length=20)
    parent = pw.ForeignKeyField("self", null=True, backref="children")
    established_on = pw.DateField(null=True)
    dissolved_on = pw.DateField(null=True)  # also the merge date when merged_into is set
    merged_into = pw.ForeignKeyField("self", null=True, backref="merged_from")
    village = pw.BooleanField(default=False)
    code = pw.CharField(max_length=50, null=True)
    created_at = pw.DateTimeField(default=utcnow)

    parent_id: pw.ForeignKeyField[int | None]
    merged_into_id: pw.ForeignKeyField[int | None]

    def exists_on(self, d: date) -> bool:
        return (self.established_on is None or self.established_on <= d) and (
            self.dissolved_on is None or d < self.dissolved_on
        )


class PartyGroup(BaseModel):
    name = pw.CharField(max_length=100)
    org = pw.ForeignKeyField(Organization, backref="groups")
    leader = pw.ForeignKeyField(Member, null=True, on_delete="SET NULL")
    established_on = pw.DateField(null=True)
    dissolved_on = pw.DateField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    org_id: pw.ForeignKeyField[int]
    leader_id: pw.ForeignKeyField[int | None]


class Membership(BaseModel):
    """Which branch (and group) a member belonged to, from `start` until before `end`."""

    member = pw.ForeignKeyField(Member, backref="memberships", on_delete="CASCADE")
    org = pw.ForeignKeyField(Organization, backref="memberships")
    group = pw.ForeignKeyField(PartyGroup, null=True, backref="memberships")
    start = pw.DateField(null=True)
    end = pw.DateField(null=True)
    note = pw.TextField(null=True)

    member_id: pw.ForeignKeyField[int]
    org_id: pw.ForeignKeyField[int]
    group_id: pw.ForeignKeyField[int | None]

    class Meta:
        indexes = ((("org", "start"), False),)
