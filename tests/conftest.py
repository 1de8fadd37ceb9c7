"""Shared fixtures: a fresh database file per test, a fixed clock, CSV writing."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from missing_app.core.db import Database, open_database
from missing_app.core.records import Records

# Tests run "now" at a fixed moment: 2025-11-15 12:00 UTC (12:00 in London, GMT).
NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(str(tmp_path / "homeward.sqlite"))
    yield database
    database.close()


@pytest.fixture
def records(db: Database) -> Records:
    return Records(db, "pcso.jones", now=lambda: NOW)


def write_csv(
    path: Path, rows: Sequence[dict[str, str]], header: Sequence[str] | None = None
) -> Path:
    """Write rows as a CSV file (columns in first-seen order unless `header` is given)."""
    columns = list(header or dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
