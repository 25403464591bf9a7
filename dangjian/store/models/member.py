"""A person on the rolls: a Party member or someone on the way to becoming one."""

from __future__ import annotations

import peewee as pw

from dangjian.store.base import BaseModel, utcnow


class Member(BaseModel):
    name = pw.CharField(max_length=50, index=True)
    gender = pw.CharField(max_length=10, null=True)
    birth_date = pw.DateField(null=True)
    id_number = pw.CharField(max_length=18, null=True, unique=True)
    phone = pw.CharField(max_length=20, null=True)
    education = pw.CharField(max_length=50, null=True)
    unit = pw.CharField(max_length=100, null=True)
    job = pw.CharField(max_length=100, null=True)
    stage = pw.CharField(max_length=20)
    status = pw.CharField(max_length=20, default="active")
    joined_on = pw.DateField(null=True)  # 入党日期: the day the branch meeting admitted
    full_since = pw.DateField(null=True)  # 转正日期
    created_at = pw.DateTimeField(default=utcnow)
