"""Helpers for the database-safety tests: a small world, and a digest of a file's content."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

from missing_app.core.db import cipher
from missing_app.core.records import Records

Digest = dict[str, tuple[int, str]]


def small_world(records: Records, homes: int = 2, children: int = 3) -> None:
    """Homes, children placed in them, and an episode each (names easy to search for)."""
    for h in range(homes):
        home = records.create_home(f"SC10000{h}", f"Oakview House {h}", beds=4).record
        for c in range(children):
            child = records.create_child(
                f"C{h}-{c}", date(2011, 3, 4), first_name="Amy", last_name=f"Zebedee{h}{c}"
            ).record
            records.add_placement(child.id, home.id, date(2025, 9, 1))
            records.record_missing(child.id, datetime(2025, 10, 1 + c, 21, 30, tzinfo=UTC))


def digest(path: Path, key: bytes | None = None) -> Digest:
    """Per table: its row count and a hash of all its rows in storage order."""
    connection = cipher.connect(path, key)
    try:
        result = {}
        for table in cipher.table_counts(connection):
            rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result
    finally:
        connection.close()


def integrity(path: Path, key: bytes | None = None) -> list[str]:
    connection = cipher.connect(path, key)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
