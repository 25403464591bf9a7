"""Storage: peewee models, the connection, migrations, bulk inserts and lookups. The only layer that speaks SQL."""
