"""`missing-app import 903`: a council's Header, Episodes and Missing tables into Homeward.

Children come from the Header table (and the Missing table's `DOB`), placements from the
Episodes table (`DECOM` to `DEC`, in the home whose Ofsted `URN` it names; a home not yet
recorded is added), and each Missing row becomes an episode of type missing (`M`) or absent
(`A`) last seen at 00:00 London time on `MIS_START`, returned at 00:00 on `MIS_END` (a
period that ends the day it starts lasts no time: 903 periods are in whole days).

All or nothing: every problem is listed with its file and line, and nothing is written
unless there are none. Importing the same files again changes nothing: a period is the
child's episode that starts on the same day. Episodes recorded to the minute (by hand or
from the generic CSV) are never changed by a 903 period of the same day; only episodes a
903 import made (00:00 starts) take a later return's corrections (its type, its end).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from missing_app.core import rules
from missing_app.core.db import Database
from missing_app.core.db.bulk import collector_paused, insert_columns
from missing_app.core.errors import Problem
from missing_app.core.exchange import recorded
from missing_app.core.exchange.importing import (
    ImportJob,
    ImportReport,
    Progress,
    exploitation_flag,
    save_placement,
    stored_placements,
)
from missing_app.core.exchange.ssda903.rows import (
    ChildRow,
    PeriodRow,
    RowReader,
    Source,
    StayRow,
    covering,
    place_name,
)
from missing_app.core.exchange.ssda903.tables import EPISODES, HEADER, MISSING, read_return
from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.times import local_date, local_midnight, utc_now

log = logging.getLogger(__name__)

Stay = tuple[str, date, date | None]  # home URN, start, end


def import_903(
    db: Database,
    paths: Iterable[str | Path],
    *,
    username: str = "import",
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the 903 files in full, then import them in one transaction, or raise ImportFailed."""
    job = _Import903(db, now or utc_now(), progress)
    with collector_paused():
        job.read(list(paths))
        job.check()
        return job.write(username)


@dataclass
class _Episode:
    """A Missing row as the episode it becomes, or the stored episode it matches."""

    period: PeriodRow
    last_seen_at: datetime
    returned_at: datetime | None
    home_urn: str | None = None
    existing_id: int | None = None
    changed: bool = True


class _Import903(ImportJob):
    def __init__(self, db: Database, now: datetime, progress: Progress | None) -> None:
        super().__init__(db, now, progress)
        self.files: list[str] = []

    def _problem(self, source: Source, column: str, message: str, severity: Any = "error") -> None:
        self.problems.append(Problem(column, message, severity, source.file, source.line))

    # Reading -----------------------------------------------------------------------------

    def read(self, paths: list[str | Path]) -> None:
        found = read_return(paths, self.progress)
        self.problems.extend(found.problems)
        self._fail_if_errors()
        self.files = sorted({table.path for table in found.tables.values()})
        reader = RowReader()
        header, episodes, missing = (found.tables.get(n) for n in (HEADER, EPISODES, MISSING))
        self.header_rows = reader.children(header) if header else []
        self.stays = reader.stays(episodes) if episodes else []
        self.periods = reader.periods(missing) if missing else []
        self.problems.extend(reader.problems)
        if reader.without_urn:
            first = reader.without_urn[0]
            message = (
                f"{len(reader.without_urn):,} Episodes rows have no URN (not a home): "
                "they are not imported as placements"
            )
            self._problem(first, "URN", message, "warning")
        self._fail_if_errors()

    # Checking ----------------------------------------------------------------------------

    def check(self) -> None:
        self._tell("checking", len(self.periods), 0)
        with self.db.engine.connect() as connection:
            self._load_known(connection)
            self.ethnicities: dict[str, str | None] = {
                ref: ethnicity
                for ref, ethnicity in connection.execute(select(Child.local_ref, Child.ethnicity))
            }
            self._check_children()
            refs = {stay.ref for stay in self.stays} | {p.ref for p in self.periods}
            self.stored_stays = recorded.placements_by_child(connection, refs)
            self._check_stays()
            ids = [self.known_children[r]["id"] for r in refs if r in self.known_children]
            self.stored = recorded.stored_episodes(connection, ids, ("type", "returned_at"))
        self._match_episodes()
        self._check_episodes()
        self._check_overlaps()
        self._fail_if_errors()

    def _check_children(self) -> None:
        """One date of birth per child, across the files and the database."""
        self.children: dict[str, ChildRow] = {}
        rows = [*self.header_rows]
        rows += [ChildRow(p.ref, p.dob, None, None, p.source) for p in self.periods]
        for row in rows:
            first = self.children.setdefault(row.ref, row)
            if first.dob is None and row.dob is not None:
                self.children[row.ref] = first = ChildRow(
                    row.ref, row.dob, first.sex, first.ethnicity, first.source
                )
            elif row.dob is not None and first.dob != row.dob:
                where = f"{first.source.file} line {first.source.line}"
                message = f"{row.dob:%d/%m/%Y} differs from {first.dob:%d/%m/%Y} ({where})"
                self._problem(row.source, "DOB", message)
            known = self.known_children.get(row.ref)
            if known is not None and row.dob is not None and row.dob != known["dob"]:
                message = (
                    f"{row.dob:%d/%m/%Y} differs from the date of birth already recorded "
                    f"for child {row.ref} ({known['dob']:%d/%m/%Y})"
                )
                self._problem(row.source, "DOB", message)
        for ref, child in self.children.items():
            if child.dob is None and ref not in self.known_children:
                self._problem(child.source, "DOB", f"child {ref} is new: a date of birth is needed")

    def _check_stays(self) -> None:
        """A child lives in one place at a time: the file's stays over the stored ones."""
        for stay in self.stays:
            if stay.ref not in self.children and stay.ref not in self.known_children:
                message = (
                    f"child {stay.ref} is not in the Header or Missing table, "
                    "nor already recorded (a date of birth is needed)"
                )
                self._problem(stay.source, "CHILD", message)
        self.placements: dict[str, list[Stay]] = defaultdict(list)
        by_child: dict[str, list[tuple[Stay, StayRow | None]]] = defaultdict(list)
        in_file = {(s.ref, s.urn, s.start) for s in self.stays}
        for stay in self.stays:
            by_child[stay.ref].append(((stay.urn, stay.start, stay.end), stay))
        for ref, stored in self.stored_stays.items():
            for urn, start, end in stored:
                if (ref, urn, start) not in in_file:
                    by_child[ref].append(((urn, start, end), None))
        for ref, stays in by_child.items():
            stays.sort(key=lambda item: item[0][1])
            self.placements[ref] = [stay for stay, _row in stays]
            self._check_stay_overlaps(stays)

    def _check_stay_overlaps(self, stays: list[tuple[Stay, StayRow | None]]) -> None:
        for index, (later, later_row) in enumerate(stays):
            for earlier, earlier_row in stays[:index]:
                if not rules.dates_overlap(later[1], later[2], earlier[1], earlier[2]):
                    continue
                row, other, other_row = (
                    (later_row, earlier, earlier_row)
                    if later_row is not None
                    else (earlier_row, later, later_row)
                )
                if row is None:
                    continue  # both already recorded: not this import's doing
                where = "already recorded" if other_row is None else f"line {other_row.source.line}"
                until = f" to {other[2]:%d/%m/%Y}" if other[2] else ""
                since = f"{other[1]:%d/%m/%Y}{until}"
                message = f"the child is already placed at {other[0]} from {since} ({where})"
                self._problem(row.source, "DECOM", message)
                break

    def _match_episodes(self) -> None:
        """Each period as an episode: the stored one starting that day, or a new one."""
        stored_by_day: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
        for (ref, seen), values in self.stored.items():
            stored_by_day[(ref, local_date(seen))].append(values)
        self.episodes: list[_Episode] = []
        first_line: dict[tuple[str, date], Source] = {}
        for period in self.periods:
            key = (period.ref, period.start)
            if key in first_line:
                line = first_line[key].line
                message = f"another period of child {period.ref} starts that day (line {line})"
                self._problem(period.source, "MIS_START", message)
                continue
            first_line[key] = period.source
            self.episodes.append(self._episode(period, stored_by_day.get(key, [])))

    def _episode(self, period: PeriodRow, stored: list[dict[str, Any]]) -> _Episode:
        start = local_midnight(period.start)
        end = None if period.end is None else local_midnight(period.end)
        episode = _Episode(period, start, end)
        if not stored:
            episode.home_urn = covering(self.placements.get(period.ref, []), period.start)
            if episode.home_urn is None:
                message = (
                    f"child {period.ref} has no placement with a URN on {period.start:%d/%m/%Y}: "
                    "give the Episodes table, or record the placement first"
                )
                self._problem(period.source, "MIS_START", message)
            return episode
        match = next((s for s in stored if s["type"] == period.type), stored[0])
        episode.existing_id = match["id"]
        episode.last_seen_at, episode.home_urn = match["last_seen_at"], match["home_urn"]
        if match["last_seen_at"] != start:  # recorded to the minute: left as it is
            episode.returned_at, episode.changed = match["returned_at"], False
            return episode
        stored_end = match["returned_at"]
        same_end = end is None or (stored_end is not None and local_date(stored_end) == period.end)
        if same_end:
            episode.returned_at = stored_end
        episode.changed = match["type"] != period.type or not same_end
        return episode

    def _check_episodes(self) -> None:
        for episode in self.episodes:
            if not episode.changed:
                continue
            period = episode.period
            known = self.known_children.get(period.ref)
            child = self.children.get(period.ref)
            flag = exploitation_flag(known, period.start)
            facts = rules.EpisodeFacts(
                last_seen_at=episode.last_seen_at,
                type=period.type,
                returned_at=episode.returned_at,
                dob=(child.dob if child else None) or (known["dob"] if known else None),
                exploitation_flag=flag,
            )
            for problem in rules.check_episode(facts, self.now):
                column = {"last_seen_at": "MIS_START", "returned_at": "MIS_END"}.get(problem.field)
                self._problem(
                    period.source, column or problem.field, problem.message, problem.severity
                )

    def _check_overlaps(self) -> None:
        """A child's episodes after the import must not overlap (touching is fine)."""
        spans: dict[str, list[rules.Span]] = defaultdict(list)
        matched = {e.existing_id for e in self.episodes if e.existing_id is not None}
        for episode in self.episodes:
            spans[episode.period.ref].append(
                rules.Span(episode, episode.last_seen_at, episode.returned_at)
            )
        for (ref, seen), stored in self.stored.items():
            if stored["id"] not in matched and ref in spans:
                spans[ref].append(rules.Span(None, seen, stored["returned_at"]))
        for child_spans in spans.values():
            for earlier, later in rules.overlaps(child_spans):
                self._report_overlap(earlier, later)

    def _report_overlap(self, earlier: rules.Span, later: rules.Span) -> None:
        def changing(span: rules.Span) -> bool:
            return isinstance(span.key, _Episode) and span.key.changed

        reported, other = (later, earlier) if changing(later) else (earlier, later)
        if not changing(reported):
            return
        assert isinstance(reported.key, _Episode)
        message = rules.overlap_message(reported, other.start, other.end)
        if isinstance(other.key, _Episode):
            message += f" (line {other.key.period.source.line})"
        column = "MIS_START" if reported is later else "MIS_END"
        self._problem(reported.key.period.source, column, message)

    # Writing -----------------------------------------------------------------------------

    def _write(self, connection: Connection) -> None:
        home_ids = self._write_homes(connection)
        child_ids = self._write_children(connection)
        self._write_placements(connection, home_ids, child_ids)
        self._write_episodes(connection, home_ids, child_ids)

    def _paths(self) -> list[str]:
        return self.files

    def _audit_tags(self) -> dict[str, str]:
        return {"format": "SSDA903"}

    def _write_homes(self, connection: Connection) -> dict[str, int]:
        for stay in self.stays:
            if stay.urn not in self.known_homes:
                values = {"urn": stay.urn, "name": place_name(stay.place, stay.urn)}
                result = connection.execute(insert(CareHome), values)
                self.known_homes[stay.urn] = {"id": recorded.new_id(result), **values}
                self.report.counts["homes_added"] += 1
        return {urn: known["id"] for urn, known in self.known_homes.items()}

    def _write_children(self, connection: Connection) -> dict[str, int]:
        new, changed = [], []
        for ref, child in self.children.items():
            values = {"sex": child.sex, "ethnicity": child.ethnicity}
            known = self.known_children.get(ref)
            if known is None:
                new.append({"local_ref": ref, "dob": child.dob, **values})
                continue
            stored = {"sex": known["sex"], "ethnicity": self.ethnicities.get(ref)}
            changes = {k: v for k, v in values.items() if v is not None and stored[k] != v}
            if changes:
                changed.append({**changes, "_id": known["id"]})
        if new:
            connection.execute(insert(Child), new)
            self.report.counts["children_added"] += len(new)
        for row in changed:  # each may change different columns
            child_id = row.pop("_id")
            connection.execute(update(Child).where(Child.id == child_id).values(**row))
        self.report.counts["children_updated"] += len(changed)
        return {ref: known["id"] for ref, known in recorded.children_by_ref(connection).items()}

    def _write_placements(
        self, connection: Connection, home_ids: Mapping[str, int], child_ids: Mapping[str, int]
    ) -> None:
        stored = stored_placements(connection)
        for stay in self.stays:
            key = (child_ids[stay.ref], home_ids[stay.urn], stay.start)
            outcome = save_placement(connection, stored, key, stay.end)
            self.report.counts[f"placements_{outcome}"] += 1

    def _write_episodes(
        self, connection: Connection, home_ids: Mapping[str, int], child_ids: Mapping[str, int]
    ) -> None:
        new = [e for e in self.episodes if e.existing_id is None]
        changed = [e for e in self.episodes if e.existing_id is not None and e.changed]
        for ids, chunk in self._episode_batches(connection, new):
            insert_columns(
                connection,
                MissingEpisode,
                {
                    "id": list(ids),
                    "child_id": [child_ids[e.period.ref] for e in chunk],
                    "home_id": [home_ids[_home(e)] for e in chunk],
                    "type": [e.period.type for e in chunk],
                    "last_seen_at": [e.last_seen_at for e in chunk],
                    "returned_at": [e.returned_at for e in chunk],
                },
            )
        if changed:
            rows = [
                {"type": e.period.type, "returned_at": e.returned_at, "_id": e.existing_id}
                for e in changed
            ]
            model = MissingEpisode
            connection.execute(update(model).where(model.id == bindparam("_id")), rows)
        self._count_episodes(len(new), len(changed), len(self.episodes))


def _home(episode: _Episode) -> str:
    assert episode.home_urn is not None  # checked: a new episode without a home is an error
    return episode.home_urn
