"""The Data quality page: the Department's 903 checks on Homeward's own records for one
collection year, as rows a person can act on, and the export of that year's Missing table.

Access is the core's: a PCSO sees the failures of episodes at their own homes only (the
checks themselves run on the whole return, as the council's validator would, so a period
overlapping one at another home is still caught), an analyst sees children's references
but not their names unless granted, and only those who may report on every home may export
(as `missing-app export 903`). Reading loads pandas: call `read_quality` from a background
read, never on the GUI thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core.db import Database
from missing_app.core.exchange.ssda903.exporter import Exported, export_903
from missing_app.core.exchange.ssda903.own_records import (
    RecordFailure,
    check_return,
    own_return,
)
from missing_app.core.exchange.ssda903.rulebook import RULES
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.models import Child, MissingEpisode
from missing_app.core.security.access import (
    Actor,
    Permission,
    can_see_names,
    require,
    require_report,
    resolve_actor,
)
from missing_app.core.times import local_date

# Rules about the child's own record (date of birth, the Header row): fixed on the child.
# Every other rule is about the missing period, fixed on the episode (whose page shows the
# child's placements too, for the rules on periods of care).
CHILD_RULES = frozenset({"586", "INT04", "INT13"})
CHUNK = 900  # ids per IN (...) list, well inside SQLite's limit on parameters
T = TypeVar("T")


@dataclass(frozen=True)
class QualityRow:
    """One failure as the page lists it: the rule, the child, the episode's start."""

    failure: RecordFailure
    child: str  # "name · reference", or the reference alone when names are hidden
    started: date | None  # the London day the child was last seen

    @property
    def code(self) -> str:
        return self.failure.code

    @property
    def opens_child(self) -> bool:
        """Whether the record to correct is the child's rather than the episode's."""
        return self.failure.code in CHILD_RULES


@dataclass(frozen=True)
class QualityReport:
    """The failures one person may see for one collection year."""

    year: CollectionYear
    episodes: int  # rows of the year's Missing table, every home's
    rows: list[QualityRow]
    first_year: CollectionYear  # the earliest year holding an episode (or this year)
    limited: bool  # to the person's own homes (a PCSO)
    may_export: bool

    @property
    def records(self) -> int:
        """How many episodes fail at least one rule."""
        return len({row.failure.episode_id for row in self.rows})

    def counts(self) -> list[tuple[str, int]]:
        """Failures per rule code, most first (ties in the rulebook's order)."""
        order = list(RULES)
        tally = Counter(row.code for row in self.rows)
        return sorted(tally.items(), key=lambda item: (-item[1], order.index(item[0])))


def read_quality(session: Session, username: str, year: CollectionYear) -> QualityReport:
    """The year's failures that `username` may see, each with its child and start day."""
    actor = resolve_actor(session, username)
    require(actor, Permission.READ)
    own = own_return(session, year)
    failures = visible_failures(session, actor, check_return(own))
    rows = _rows(session, failures, can_see_names(actor))
    first = _first_year(session, year)
    limited = actor.home_scope is not None
    return QualityReport(year, len(own.missing), rows, first, limited, may_export(actor))


def visible_failures(
    session: Session, actor: Actor, failures: Sequence[RecordFailure]
) -> list[RecordFailure]:
    """The failures of episodes at the actor's homes (all of them for those who see all)."""
    scope = actor.home_scope
    if scope is None:
        return list(failures)
    ids = {failure.episode_id for failure in failures}
    query = select(MissingEpisode.id).where(MissingEpisode.home_id.in_(sorted(scope)))
    mine = {
        episode_id
        for chunk in _chunks(sorted(ids))
        for episode_id in session.scalars(query.where(MissingEpisode.id.in_(chunk)))
    }
    return [failure for failure in failures if failure.episode_id in mine]


def may_export(actor: Actor) -> bool:
    """Whether the actor may export every home's episodes (as `export 903` requires)."""
    return actor.may(Permission.REPORT) and actor.home_scope is None


def export_year(
    db: Database, username: str, year: CollectionYear, out_dir: str | Path, *, force: bool
) -> Exported:
    """Check the year's records and write its `missing.csv`, if `username` may; audited."""
    with db.session() as session:
        require_report(session, resolve_actor(session, username), None)
    return export_903(db, year, out_dir, force=force, username=username)


def _rows(session: Session, failures: Sequence[RecordFailure], names: bool) -> list[QualityRow]:
    children = _children(session, {failure.child_id for failure in failures}, names)
    starts = _starts(session, {failure.episode_id for failure in failures})
    return [
        QualityRow(failure, children.get(failure.child_id, failure.child_ref),
                   starts.get(failure.episode_id))
        for failure in failures
    ]  # fmt: skip


def _children(session: Session, ids: Iterable[int], names: bool) -> dict[int, str]:
    """Each child as the table shows them."""
    query = select(Child.id, Child.first_name, Child.last_name, Child.local_ref)
    shown: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        for child_id, first, last, ref in session.execute(query.where(Child.id.in_(chunk))):
            name = " ".join(part for part in (first, last) if part) if names else ""
            shown[child_id] = f"{name} · {ref}" if name else ref
    return shown


def _starts(session: Session, ids: Iterable[int]) -> dict[int, date]:
    """The London day each episode's child was last seen."""
    query = select(MissingEpisode.id, MissingEpisode.last_seen_at)
    return {
        episode_id: local_date(seen)
        for chunk in _chunks(sorted(ids))
        for episode_id, seen in session.execute(query.where(MissingEpisode.id.in_(chunk)))
    }


def _first_year(session: Session, year: CollectionYear) -> CollectionYear:
    """The collection year of the earliest episode, or `year` when it is earlier."""
    first = session.scalar(select(func.min(MissingEpisode.last_seen_at)))
    if first is None:
        return year
    return min(year, CollectionYear.containing(local_date(first)))


def _chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
