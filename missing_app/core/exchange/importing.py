"""What both imports (the generic CSV and SSDA903) share: the report, the failure, and the
steps of an all-or-nothing import job (collect problems, fail on errors, write in one
audited transaction, number new episodes, save placements)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, func, insert, select, update

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.exchange import recorded
from missing_app.core.exchange.changed_records import ChangedRecords
from missing_app.core.models import MissingEpisode, Placement

Progress = Callable[[str, int, int], None]
PlacementKey = tuple[int, int, date]  # child id, home id, start

T = TypeVar("T")

EPISODE_BATCH = 20_000


class ImportFailed(ValidationError):
    """The files had errors; nothing was imported."""


@dataclass
class ImportReport:
    """What an import added and changed, and the warnings it raised."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(value for key, value in self.counts.items() if not key.endswith("unchanged"))

    def summary(self) -> str:
        parts = [f"{value} {key.replace('_', ' ')}" for key, value in self.counts.items() if value]
        return ", ".join(parts) if parts else "nothing to import"


def exploitation_flag(known: dict[str, Any] | None, day: date) -> str | None:
    """Return the child's first exploitation flag (CSE, then CCE) raised by this day."""
    if known is None:
        return None
    for label in ("CSE", "CCE"):
        since = known[label.lower() + "_flagged_on"]
        if since is not None and since <= day:
            return label
    return None


class ImportJob:
    """The shared steps of an import: problems, progress, and the audited write."""

    def __init__(self, db: Database, now: datetime, progress: Progress | None) -> None:
        self.db = db
        self.now = now
        self.progress = progress
        self.problems: list[Problem] = []
        self.report = ImportReport()

    def _tell(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def _fail_if_errors(self) -> None:
        if any(problem.is_error for problem in self.problems):
            self.problems.sort(key=lambda p: (p.file or "", p.line or 0))
            raise ImportFailed(self.problems)

    def _load_known(self, connection: Connection) -> None:
        self.known_homes = recorded.homes_by_urn(connection)
        self.known_children = recorded.children_by_ref(connection)

    # Writing -----------------------------------------------------------------------------

    def write(self, username: str) -> ImportReport:
        """Write everything in one transaction, audited when anything changed: the files,
        the counts, and the ids added and changed in each table."""
        self.report.warnings = [p for p in self.problems if not p.is_error]
        with self.db.transaction() as session:
            watch = ChangedRecords(session.connection())
            self._write(session.connection())
            changed = watch.collect()
            if self.report.changed:
                files = {path: recorded.sha256(path) for path in self._paths()}
                after = {**self._audit_tags(), "files": files, "counts": dict(self.report.counts),
                         "records": changed}  # fmt: skip
                log_event(session, username, "import", "missing_episodes", after=after)
        return self.report

    def _write(self, connection: Connection) -> None:
        raise NotImplementedError

    def _paths(self) -> list[str]:
        raise NotImplementedError

    def _audit_tags(self) -> dict[str, str]:
        return {}

    def _episode_batches(
        self, connection: Connection, new: Sequence[T]
    ) -> Iterator[tuple[range, Sequence[T]]]:
        """Yield the new episodes in batches with the ids they will take, telling progress."""
        # The write transaction holds SQLite's write lock, so new ids follow the largest.
        first = (connection.scalar(select(func.max(MissingEpisode.id))) or 0) + 1
        for start in range(0, len(new), EPISODE_BATCH):
            chunk = new[start : start + EPISODE_BATCH]
            yield range(first + start, first + start + len(chunk)), chunk
            self._tell("saving episodes", start + len(chunk), len(new))

    def _count_episodes(self, added: int, updated: int, total: int) -> None:
        self.report.counts["episodes_added"] = added
        self.report.counts["episodes_updated"] = updated
        self.report.counts["episodes_unchanged"] = total - added - updated


def stored_placements(connection: Connection) -> dict[PlacementKey, tuple[int, date | None]]:
    """Return every stored placement's id and end, by (child id, home id, start)."""
    query = select(
        Placement.id, Placement.child_id, Placement.home_id, Placement.start, Placement.end
    )
    return {(r.child_id, r.home_id, r.start): (r.id, r.end) for r in connection.execute(query)}


def save_placement(
    connection: Connection,
    stored: dict[PlacementKey, tuple[int, date | None]],
    key: PlacementKey,
    end: date | None,
) -> str:
    """Add the placement or set its end; return "added", "updated" or "unchanged"."""
    if key not in stored:
        values = {"child_id": key[0], "home_id": key[1], "start": key[2], "end": end}
        stored[key] = (recorded.new_id(connection.execute(insert(Placement), values)), end)
        return "added"
    placement_id, stored_end = stored[key]
    if end is None or stored_end == end:
        return "unchanged"
    connection.execute(update(Placement).where(Placement.id == placement_id).values(end=end))
    stored[key] = (placement_id, end)
    return "updated"
