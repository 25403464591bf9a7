"""Files people bring and take: CSV imports, backups, local TOML files."""
