"""Fixtures: a fresh database per test, SQLite by default or DANGJIAN_TEST_DB's URL.

On a server (PostgreSQL, MariaDB) the tests create the tables they need and drop
them afterwards; they never assume an empty server.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from dangjian.store.connection import close_database, drop_schema, open_database

SERVER_URL = os.environ.get("DANGJIAN_TEST_DB")


def _clean(url: str) -> None:
    db = open_database(url, create=False)
    drop_schema(db)
    close_database()


@pytest.fixture
def target(tmp_path):
    """The database target a test (and its CLI calls) should use."""
    if SERVER_URL:
        _clean(SERVER_URL)
        yield SERVER_URL
        close_database()
        _clean(SERVER_URL)
    else:
        yield str(tmp_path / "dangjian.db")
        close_database()


@pytest.fixture
def db(target):
    """An open database with the schema created; models are bound to it."""
    database = open_database(target)
    yield database
    close_database()


class Runner:
    """Runs `dangjian --db TARGET …` in-process and returns click's Result."""

    def __init__(self, target: str):
        self.target = target
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict | None = None, input: str | None = None):
        from dangjian.cli.main import cli

        result = self.runner.invoke(cli, ["--db", self.target, *args], env=env, input=input, catch_exceptions=True)
        close_database()
        return result


@pytest.fixture
def run(target):
    return Runner(target)


def ok(result) -> str:
    """Assert a CLI result succeeded (exit 0) and return its stdout."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout
