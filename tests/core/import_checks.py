"""Shared by the import tests (generic CSV and SSDA903): what a failed import said, and
what the database holds afterwards."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from missing_app.core.db import Database
from missing_app.core.exchange.importing import ImportFailed


def import_errors(run_import: Callable[[], object]) -> list[str]:
    """Run an import that must fail, and return its errors (not its warnings) as text."""
    with pytest.raises(ImportFailed) as raised:
        run_import()
    return [str(p) for p in raised.value.problems if p.is_error]


def table_counts(db: Database) -> dict[str, int]:
    """The number of rows in each table of the database file (Alembic's own left out)."""
    assert db.path is not None
    with sqlite3.connect(db.path) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
            )
        ]
        return {
            name: connection.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in names
        }
