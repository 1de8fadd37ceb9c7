"""`missing-app import episodes`: the generic episodes, homes and placements CSV files.

All or nothing: every file is read and checked in full before anything is written, and
everything is written in one transaction. Importing the same files twice changes nothing.
A blank cell never erases a value already recorded: imports fill in and correct.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from missing_app.core import rules
from missing_app.core.db import Database
from missing_app.core.db.bulk import collector_paused, insert_columns, insert_rows
from missing_app.core.errors import Problem
from missing_app.core.exchange import recorded
from missing_app.core.exchange.episodes_columns import (
    EPISODE_COLUMNS,
    EPISODE_FIELDS,
    HOME_COLUMNS,
    INTERVIEW_FIELDS,
    MERGED_FIELDS,
    PLACEMENT_COLUMNS,
)
from missing_app.core.exchange.importing import (
    ImportFailed,
    ImportJob,
    ImportReport,
    Progress,
    exploitation_flag,
    save_placement,
    stored_placements,
)
from missing_app.core.exchange.tables import Row, Table, read_table
from missing_app.core.models import CareHome, Child, MissingEpisode, ReturnInterview
from missing_app.core.times import local_date, utc_now

log = logging.getLogger(__name__)

# The report, the failure and Progress are defined in importing.py; callers import them here.
__all__ = ["ImportFailed", "ImportReport", "Progress", "import_episodes"]


@dataclass
class _Episode:
    """One episode as it will stand after the import: a file row merged over the database."""

    row: Row
    child_ref: str
    home_urn: str
    last_seen_at: datetime
    values: dict[str, Any]  # by file column: the row's, or merged over what is stored
    existing_id: int | None = None
    has_interview: bool = False
    changed: bool = True

    @property
    def interview(self) -> dict[str, Any] | None:
        """The return interview's columns, or None when the file says nothing of one."""
        values = {target: self.values.get(source) for source, target in INTERVIEW_FIELDS.items()}
        if all(value is None for value in values.values()):
            return None
        return {**values, "declined": bool(values["declined"])}


def import_episodes(
    db: Database,
    episodes: str | Path,
    *,
    homes: str | Path | None = None,
    placements: str | Path | None = None,
    username: str = "import",
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the files in full, then import them in one transaction, or raise ImportFailed."""
    job = _Import(db, now or utc_now(), progress)
    with collector_paused():
        job.read(episodes, homes, placements)
        job.check()
        return job.write(username)


class _Import(ImportJob):
    def __init__(self, db: Database, now: datetime, progress: Progress | None) -> None:
        super().__init__(db, now, progress)
        self.tables: dict[str, Table] = {}

    def _reading(self, kind: str) -> Callable[[int], None]:
        return lambda rows: self._tell(f"reading {kind}", rows, 0)

    # Reading -----------------------------------------------------------------------------

    def read(
        self, episodes: str | Path, homes: str | Path | None, placements: str | Path | None
    ) -> None:
        files = {"episodes": (episodes, EPISODE_COLUMNS)}
        if homes is not None:
            files["homes"] = (homes, HOME_COLUMNS)
        if placements is not None:
            files["placements"] = (placements, PLACEMENT_COLUMNS)
        for kind, (path, columns) in files.items():
            table = read_table(path, columns, self._reading(kind))
            self.tables[kind] = table
            self.problems.extend(table.problems)
        # A file that could not be read at all (or lacks a column) stops here; otherwise
        # every row is checked, so that one run lists every problem.
        if any(p.is_error and p.line in (0, 1) for p in self.problems):
            self._fail_if_errors()
        for table in self.tables.values():
            unreadable = {p.line for p in table.problems if p.is_error}
            table.rows = [row for row in table.rows if row.line not in unreadable]

    # Checking ----------------------------------------------------------------------------

    def check(self) -> None:
        self._tell("checking", len(self.tables["episodes"].rows), 0)
        with self.db.engine.connect() as connection:
            self._load_known(connection)
            self._check_homes()
            self._check_children()
            self._merge_episodes(connection)
            placements = self.tables.get("placements")
            refs = [row.values["child_ref"] for row in placements.rows] if placements else []
            self.stored_placements = recorded.placements_by_child(connection, refs)
        self._check_episodes()
        self._check_overlaps()
        self._check_placements()
        self._fail_if_errors()

    def _problem(
        self, table: str, row: Row, column: str, message: str, severity: Any = "error"
    ) -> None:
        self.problems.append(Problem(column, message, severity, self.tables[table].path, row.line))

    def _check_homes(self) -> None:
        self.file_homes: dict[str, Row] = {}
        for row in self.tables.get("homes", Table("", [], [], ())).rows:
            urn = row.values["urn"]
            if urn in self.file_homes:
                line = self.file_homes[urn].line
                self._problem("homes", row, "urn", f"{urn} is already on line {line}")
            self.file_homes[urn] = row

    def _check_children(self) -> None:
        """One date of birth per child, across the file and the database."""
        self.file_children: dict[str, Row] = {}
        for row in self.tables["episodes"].rows:
            ref, dob = row.values["child_ref"], row.values["dob"]
            first = self.file_children.setdefault(ref, row)
            if first is not row and dob != first.values["dob"]:
                self._problem(
                    "episodes",
                    row,
                    "dob",
                    f"{dob} differs from {first.values['dob']} "
                    f"given for child {ref} on line {first.line}",
                )
            known = self.known_children.get(ref)
            if known is not None and dob != known["dob"]:
                self._problem(
                    "episodes",
                    row,
                    "dob",
                    f"{dob} differs from the date of birth "
                    f"already recorded for child {ref} ({known['dob']})",
                )

    def _merge_episodes(self, connection: Connection) -> None:
        child_ids = [
            self.known_children[ref]["id"]
            for ref in self.file_children
            if ref in self.known_children
        ]
        stored = recorded.stored_episodes(connection, child_ids, EPISODE_FIELDS)
        self.stored = stored
        self.episodes: list[_Episode] = []
        seen: dict[tuple[str, datetime], Row] = {}
        for row in self.tables["episodes"].rows:
            ref, when = row.values["child_ref"], row.values["last_seen_at"]
            if when is None:
                continue
            if (ref, when) in seen:
                self._problem(
                    "episodes",
                    row,
                    "last_seen_at",
                    f"the same episode is already on line {seen[(ref, when)].line}",
                )
                continue
            seen[(ref, when)] = row
            self.episodes.append(self._merge(row, stored.get((ref, when))))

    def _merge(self, row: Row, stored: dict[str, Any] | None) -> _Episode:
        values = row.values
        episode = _Episode(
            row, values["child_ref"], values["home_urn"], values["last_seen_at"], values
        )
        if stored is None:
            values["type"] = values.get("type") or "missing"
            return episode
        episode.existing_id = stored["id"]
        episode.has_interview = stored["interview_id"] is not None
        merged = {
            name: stored[name] if values.get(name) is None else values[name]
            for name in MERGED_FIELDS
        }
        episode.changed = stored["home_urn"] != episode.home_urn or any(
            merged[name] != stored[name] for name in MERGED_FIELDS
        )
        episode.values = merged
        return episode

    def _check_episodes(self) -> None:
        for episode in self.episodes:
            known = self.known_children.get(episode.child_ref)
            flag = exploitation_flag(known, local_date(episode.last_seen_at))
            facts = rules.EpisodeFacts(
                last_seen_at=episode.last_seen_at,
                type=episode.values["type"] or "missing",
                risk=episode.values["risk"],
                reported_at=episode.values["reported_at"],
                returned_at=episode.values["returned_at"],
                dob=episode.row.values["dob"],
                exploitation_flag=flag,
            )
            for problem in rules.check_episode(facts, self.now):
                self.problems.append(
                    replace(problem, file=self.tables["episodes"].path, line=episode.row.line)
                )

    def _check_overlaps(self) -> None:
        spans: dict[str, list[rules.Span]] = defaultdict(list)
        in_file = set()
        for episode in self.episodes:
            spans[episode.child_ref].append(
                rules.Span(episode, episode.last_seen_at, episode.values["returned_at"])
            )
            in_file.add((episode.child_ref, episode.last_seen_at))
        for (ref, when), stored in self.stored.items():
            if (ref, when) not in in_file and ref in spans:
                spans[ref].append(rules.Span(None, when, stored["returned_at"]))
        for child_spans in spans.values():
            for earlier, later in rules.overlaps(child_spans):
                reported = later if isinstance(later.key, _Episode) else earlier
                other = earlier if reported is later else later
                if isinstance(reported.key, _Episode):
                    message = rules.overlap_message(reported, other.start, other.end)
                    if isinstance(other.key, _Episode):
                        message += f" (line {other.key.row.line})"
                    column = "last_seen_at" if reported is later else "returned_at"
                    self._problem("episodes", reported.key.row, column, message)

    def _check_placements(self) -> None:
        table = self.tables.get("placements")
        if table is None:
            return
        homes = set(self.known_homes) | set(self.file_homes)
        homes |= {episode.home_urn for episode in self.episodes}
        children = set(self.known_children) | set(self.file_children)
        for row in table.rows:
            values = row.values
            if values["child_ref"] and values["child_ref"] not in children:
                self._problem(
                    "placements",
                    row,
                    "child_ref",
                    f"child {values['child_ref']} is not in the episodes file nor already recorded",
                )
            if values["home_urn"] and values["home_urn"] not in homes:
                self._problem(
                    "placements",
                    row,
                    "home_urn",
                    f"home {values['home_urn']} is not "
                    "in the homes or episodes file nor already recorded",
                )
            if values["start"] and values["end"] and values["end"] < values["start"]:
                self._problem(
                    "placements",
                    row,
                    "end",
                    f"{values['end']} is before the start {values['start']}",
                )
        wrong = {p.line for p in self.problems if p.is_error and p.file == table.path}
        self._check_placement_overlaps([row for row in table.rows if row.line not in wrong])

    def _check_placement_overlaps(self, rows: list[Row]) -> None:
        """A child lives in one place at a time: the file's placements, over the stored ones
        (a file row replaces the stored placement with its child, home and start)."""
        by_child: dict[str, list[tuple[str, date, date | None, Row | None]]] = defaultdict(list)
        in_file = set()
        for row in rows:
            values = row.values
            key = (values["child_ref"], values["home_urn"], values["start"])
            in_file.add(key)
            by_child[key[0]].append((key[1], key[2], values["end"], row))
        for ref, stored in self.stored_placements.items():
            for urn, start, end in stored:
                if (ref, urn, start) not in in_file:
                    by_child[ref].append((urn, start, end, None))
        for stays in by_child.values():
            stays.sort(key=lambda stay: stay[1])
            reported: set[int] = set()
            for index, later in enumerate(stays):
                for earlier in stays[:index]:
                    if not rules.dates_overlap(later[1], later[2], earlier[1], earlier[2]):
                        continue
                    # Report on the file's side; the later one when both are in the file.
                    mine, other = (later, earlier) if later[3] is not None else (earlier, later)
                    if mine[3] is None or mine[3].line in reported:
                        continue
                    reported.add(mine[3].line)
                    where = "already recorded" if other[3] is None else f"line {other[3].line}"
                    until = f" to {other[2]}" if other[2] else ""
                    self._problem(
                        "placements",
                        mine[3],
                        "start",
                        "the child is already placed "
                        f"at {other[0]} from {other[1]}{until} ({where})",
                    )

    # Writing -----------------------------------------------------------------------------

    def _write(self, connection: Connection) -> None:
        home_ids = self._write_homes(connection)
        child_ids = self._write_children(connection)
        self._write_episodes(connection, home_ids, child_ids)
        self._write_placements(connection, home_ids, child_ids)

    def _paths(self) -> list[str]:
        return [table.path for table in self.tables.values()]

    def _write_homes(self, connection: Connection) -> dict[str, int]:
        wanted: dict[str, dict[str, Any]] = {}
        for episode in self.episodes:
            row = episode.row.values
            wanted.setdefault(
                episode.home_urn,
                {"name": row.get("home_name"), "local_authority": row.get("local_authority")},
            )
        for urn, home_row in self.file_homes.items():
            wanted[urn] = {key: value for key, value in home_row.values.items() if key != "urn"}
        for urn, values in wanted.items():
            known = self.known_homes.get(urn)
            if known is None:
                values = {**values, "name": values.get("name") or f"Home {urn}"}
                result = connection.execute(insert(CareHome), {"urn": urn, **values})
                self.known_homes[urn] = {"id": recorded.new_id(result), **values}
                self.report.counts["homes_added"] += 1
            elif urn in self.file_homes:
                changes = {k: v for k, v in values.items() if v is not None and known.get(k) != v}
                if changes:
                    connection.execute(
                        update(CareHome).where(CareHome.id == known["id"]).values(**changes)
                    )
                    self.report.counts["homes_updated"] += 1
        return {urn: known["id"] for urn, known in self.known_homes.items()}

    def _write_children(self, connection: Connection) -> dict[str, int]:
        new, changed = [], []
        for ref, row in self.file_children.items():
            names = {key: row.values.get(key) for key in ("first_name", "last_name", "sex")}
            known = self.known_children.get(ref)
            if known is None:
                new.append({"local_ref": ref, "dob": row.values["dob"], **names})
                continue
            changes = {k: v for k, v in names.items() if v is not None and known[k] != v}
            if changes:
                changed.append({**{k: known[k] for k in names}, **changes, "_id": known["id"]})
        model = Child
        if new:
            connection.execute(insert(model), new)
            self.report.counts["children_added"] += len(new)
        if changed:
            connection.execute(update(model).where(model.id == bindparam("_id")), changed)
            self.report.counts["children_updated"] += len(changed)
        return {ref: known["id"] for ref, known in recorded.children_by_ref(connection).items()}

    def _write_episodes(
        self, connection: Connection, home_ids: Mapping[str, int], child_ids: Mapping[str, int]
    ) -> None:
        new = [e for e in self.episodes if e.existing_id is None]
        changed = [e for e in self.episodes if e.existing_id is not None and e.changed]
        self._insert_episodes(connection, new, home_ids, child_ids)
        if changed:
            rows = [
                {
                    **{name: e.values[name] for name in EPISODE_FIELDS},
                    "home_id": home_ids[e.home_urn],
                    "_id": e.existing_id,
                }
                for e in changed
            ]
            model = MissingEpisode
            connection.execute(update(model).where(model.id == bindparam("_id")), rows)
            self._update_interviews(connection, changed)
        self._count_episodes(len(new), len(changed), len(self.episodes))

    def _insert_episodes(
        self,
        connection: Connection,
        new: list[_Episode],
        home_ids: Mapping[str, int],
        child_ids: Mapping[str, int],
    ) -> None:
        for ids, chunk in self._episode_batches(connection, new):
            columns = {name: [e.values.get(name) for e in chunk] for name in EPISODE_FIELDS}
            columns |= {
                "id": list(ids),
                "child_id": [child_ids[e.child_ref] for e in chunk],
                "home_id": [home_ids[e.home_urn] for e in chunk],
                "last_seen_at": [e.last_seen_at for e in chunk],
            }
            insert_columns(connection, MissingEpisode, columns)
            interviews = [
                {**interview, "episode_id": episode_id}
                for episode_id, e in zip(ids, chunk, strict=True)
                if (interview := e.interview) is not None
            ]
            insert_rows(connection, ReturnInterview, interviews)

    def _update_interviews(self, connection: Connection, changed: list[_Episode]) -> None:
        new, updated = [], []
        for episode in changed:
            interview = episode.interview
            if interview is None:
                continue
            if episode.has_interview:
                updated.append({**interview, "_episode_id": episode.existing_id})
            else:
                new.append({**interview, "episode_id": episode.existing_id})
        insert_rows(connection, ReturnInterview, new)
        if updated:
            model = ReturnInterview
            connection.execute(
                update(model).where(model.episode_id == bindparam("_episode_id")), updated
            )

    def _write_placements(
        self, connection: Connection, home_ids: Mapping[str, int], child_ids: Mapping[str, int]
    ) -> None:
        table = self.tables.get("placements")
        if table is None:
            return
        stored = stored_placements(connection)
        for row in table.rows:
            values = row.values
            key = (child_ids[values["child_ref"]], home_ids[values["home_urn"]], values["start"])
            outcome = save_placement(connection, stored, key, values["end"])
            if outcome != "unchanged":  # this report has never counted unchanged placements
                self.report.counts[f"placements_{outcome}"] += 1
