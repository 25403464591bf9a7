"""Helpers for the tests: test worlds built through the library (`world`), not the CLI."""
