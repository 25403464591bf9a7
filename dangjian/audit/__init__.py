"""The audit trail: who changed what, recorded in the same transaction as the change.

- `context`: who is writing, with which command (no peewee: the command line sets it
  before it knows whether the database will be opened);
- `capture`: the `Audited` database mixin that sees every write as it is sent;
- `trail`: the entries themselves, written and read (callers use `from dangjian.audit import trail`);
- `describe`: one line of Chinese for an entry.

This package imports none of them, so `dangjian.audit.context` stays cheap to load.
"""
