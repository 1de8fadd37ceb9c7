"""Which records an import added and changed, by table, for its audit row.

Added rows are those above each table's largest id when the import began (the write
transaction holds SQLite's write lock, so no one else adds any). Changed rows are caught
by temporary triggers on this connection alone, gone when it closes; only SQLite has them,
so elsewhere the changed ids are left out and the counts stand alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, text

from missing_app.core.models import Base

WATCHED = ("care_homes", "children", "placements", "missing_episodes", "return_interviews",
           "reporting_assessments")  # fmt: skip
CHANGES = "homeward_import_changes"  # a temporary table


class ChangedRecords:
    """Watch one import's transaction; `collect` says what it added and changed."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables = [Base.metadata.tables[name] for name in WATCHED]
        self.largest = {
            t.name: connection.scalar(select(func.max(t.c.id))) or 0 for t in self.tables
        }
        self.triggers = connection.dialect.name == "sqlite"
        if self.triggers:
            connection.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {CHANGES} "
                                    "(entity TEXT, id INTEGER)"))  # fmt: skip
            for name in WATCHED:
                connection.execute(text(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS watch_{name} AFTER UPDATE ON main.{name} "
                    f"BEGIN INSERT INTO {CHANGES} VALUES ('{name}', NEW.id); END"
                ))  # fmt: skip

    def collect(self) -> dict[str, dict[str, Any]]:
        """Per table: the ids added and changed (as ranges, `first-last`) and their counts."""
        found: dict[str, dict[str, Any]] = {}
        for table in self.tables:
            added = list(self.connection.scalars(
                select(table.c.id).where(table.c.id > self.largest[table.name]).order_by(table.c.id)
            ))  # fmt: skip
            changed = self._changed(table.name, set(added))
            if added or changed:
                found[table.name] = {
                    "added": len(added), "added_ids": ranges(added),
                    "changed": len(changed), "changed_ids": ranges(changed),
                }  # fmt: skip
        self._stop()
        return found

    def _changed(self, name: str, added: set[int]) -> list[int]:
        if not self.triggers:
            return []
        query = text(f"SELECT DISTINCT id FROM {CHANGES} WHERE entity = :name ORDER BY id")
        return [i for i in self.connection.scalars(query, {"name": name}) if i not in added]

    def _stop(self) -> None:
        if self.triggers:
            for name in WATCHED:
                self.connection.execute(text(f"DROP TRIGGER IF EXISTS temp.watch_{name}"))
            self.connection.execute(text(f"DROP TABLE IF EXISTS temp.{CHANGES}"))


def ranges(ids: list[int]) -> list[str]:
    """Sorted ids as runs: [1, 2, 3, 7] gives ["1-3", "7"]."""
    runs: list[list[int]] = []
    for number in ids:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [f"{first}-{last}" if first != last else str(first) for first, last in runs]
