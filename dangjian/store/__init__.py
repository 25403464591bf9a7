"""Storage, the only layer that speaks SQL (peewee only).

- `base`: the database proxy the models are bound to, the base model;
- `models/`: the tables, one file per area; `migrations/`: the schema upgrades, one file each;
- `connection`: opening a database by path or URL, creating or upgrading its schema;
- `bulk`: the batch write path; `lookup`: finding records by what a user typed;
- `files`: the database's own files (private, copied live); `targets`: a target shown without its password;
- `peewee_internals`: the one reader of peewee's private query attributes.
"""
