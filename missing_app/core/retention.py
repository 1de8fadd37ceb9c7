"""Retention: records kept a set time after a child leaves care or turns 18, then erased.

A child's retention clock starts on the earlier of their 18th birthday and the day they left
care (the end of their last placement, when none is still open). The review list shows
children whose clock has run `retention_years` (a setting: the force's review schedule).
Erasing a child deletes the child, profile, placements, episodes, return interviews and
reporting assessments, and the before/after values of their audit rows, with SQLite's
secure delete, then checkpoints the log so the bytes leave the file. The audit row of the
erasure keeps who, when, why and how many records, never the personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, SQLColumnExpression, delete, func, select, update
from sqlalchemy.orm import Session

from missing_app.core.audit import log_event, refusals_audited
from missing_app.core.db import Database
from missing_app.core.errors import NotFound, Problem, ValidationError
from missing_app.core.models import (
    AuditEvent,
    Base,
    Child,
    ChildProfile,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    ReturnInterview,
)
from missing_app.core.records import read_settings
from missing_app.core.security.access import Permission, require, resolve_actor
from missing_app.core.times import from_storage, local_date, utc_now

log = logging.getLogger(__name__)

ADULT_AGE = 18


def anniversary(day: date, years: int) -> date:
    """The date `years` after `day` (a 29 February moves to 1 March, as ages do)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def retention_start(dob: date, left_care: date | None) -> date:
    """When the retention clock starts: 18th birthday, or leaving care if earlier."""
    adult = anniversary(dob, ADULT_AGE)
    return adult if left_care is None else min(adult, left_care)


@dataclass(frozen=True)
class RetentionDue:
    """A child whose records are past the retention period, for review."""

    child_id: int
    local_ref: str
    name: str
    dob: date
    left_care: date | None  # None: still placed, or never placed
    clock_started: date
    due_on: date
    episodes: int
    last_episode_on: date | None


def _children_query() -> Select[tuple[int, str, str | None, str | None, date, int, date | None]]:
    placed = (
        select(
            Placement.child_id.label("child_id"),
            func.max(Placement.end.is_(None)).label("open"),
            func.max(Placement.end).label("left_care"),
        )
        .group_by(Placement.child_id)
        .subquery()
    )
    return select(
        Child.id, Child.local_ref, Child.first_name, Child.last_name, Child.dob,
        func.coalesce(placed.c.open, 0), placed.c.left_care,
    ).outerjoin(placed, placed.c.child_id == Child.id)  # fmt: skip


def children_past_retention(
    session: Session, today: date, years: int | None = None
) -> list[RetentionDue]:
    """Children whose records are due for erasure on `today`, longest overdue first."""
    if years is None:
        years = int(read_settings(session)["retention_years"])
    due: list[RetentionDue] = []
    for child_id, ref, first, last, dob, still_open, left_care in session.execute(
        _children_query()
    ):
        left = None if still_open else left_care
        started = retention_start(dob, left)
        due_on = anniversary(started, years)
        if due_on <= today:
            name = " ".join(part for part in (first, last) if part) or ref
            due.append(RetentionDue(child_id, ref, name, dob, left, started, due_on, 0, None))
    return sorted(_with_episodes(session, due), key=lambda item: (item.due_on, item.child_id))


def _with_episodes(session: Session, due: list[RetentionDue]) -> list[RetentionDue]:
    if not due:
        return []
    counts: dict[int, tuple[int, datetime | str | None]] = {}
    ids = [item.child_id for item in due]
    for start in range(0, len(ids), 500):
        query = (
            select(MissingEpisode.child_id, func.count(), func.max(MissingEpisode.last_seen_at))
            .where(MissingEpisode.child_id.in_(ids[start : start + 500]))
            .group_by(MissingEpisode.child_id)
        )
        for child_id, count, last_seen in session.execute(query):
            counts[child_id] = (count, last_seen)
    return [_counted(item, *counts.get(item.child_id, (0, None))) for item in due]


def _counted(item: RetentionDue, episodes: int, last_seen: datetime | str | None) -> RetentionDue:
    moment = from_storage(last_seen) if isinstance(last_seen, str) else last_seen
    return replace(
        item, episodes=episodes, last_episode_on=None if moment is None else local_date(moment)
    )


@dataclass(frozen=True)
class Erased:
    """What erasing one child removed, by table."""

    child_id: int
    counts: dict[str, int]


def delete_child(
    db: Database,
    username: str,
    child_id: int,
    why: str,
    now: Callable[[], datetime] = utc_now,
) -> Erased:
    """Erase a child's records from the file (supervisors and administrators), audited."""
    if not why.strip():
        raise ValidationError([Problem("why", "say why the records are erased")])
    with refusals_audited(db, username, "erase"), db.transaction() as session:
        require(resolve_actor(session, username), Permission.ERASE)
        if session.get(Child, child_id) is None:
            raise NotFound(f"There is no child {child_id}.")
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        counts = _erase(session, child_id)
        log_event(
            session, username, "erase", "children", child_id,
            after={"counts": counts}, why=why.strip(), at=now(),
        )  # fmt: skip
    _checkpoint(db)
    log.info("erased child %s: %s", child_id, counts)
    return Erased(child_id, counts)


def erase_again(db: Database, child_ids: list[int]) -> None:
    """Erase once more the records of children erased after the backup just restored (the
    erasure's own audit row came back with the rows kept across the restore)."""
    if not child_ids:
        return
    with db.transaction() as session:
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        for child_id in child_ids:
            counts = _erase(session, child_id)
            log.info("erased child %s again after a restore: %s", child_id, counts)
    _checkpoint(db)


def _erase(session: Session, child_id: int) -> dict[str, int]:
    """Delete the child's rows, then blank the values of the audit rows about them."""
    episodes = select(MissingEpisode.id).where(MissingEpisode.child_id == child_id)
    owned: list[tuple[type[Base], SQLColumnExpression[int], SQLColumnExpression[bool]]] = [
        (ReturnInterview, ReturnInterview.id, ReturnInterview.episode_id.in_(episodes)),
        (ReportingAssessment, ReportingAssessment.id,
         ReportingAssessment.episode_id.in_(episodes)),
        (MissingEpisode, MissingEpisode.id, MissingEpisode.child_id == child_id),
        (Placement, Placement.id, Placement.child_id == child_id),
        (ChildProfile, ChildProfile.child_id, ChildProfile.child_id == child_id),
        (Child, Child.id, Child.id == child_id),
    ]  # fmt: skip
    counts = {}
    for model, key, where in owned:
        ids = list(session.scalars(select(key).where(where)))
        session.execute(delete(model).where(where))
        _blank_audit(session, model.__tablename__, ids)
        counts[model.__tablename__] = len(ids)
    return counts


def _blank_audit(session: Session, entity: str, record_ids: list[int]) -> None:
    """Blank the before/after values of audit rows about deleted records (the log allows it)."""
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id.in_(chunk))
            .where((AuditEvent.before.is_not(None)) | (AuditEvent.after.is_not(None)))
            .values(before=None, after=None)
        )


def _checkpoint(db: Database) -> None:
    """Fold the write-ahead log into the file and empty it, so erased pages leave it too."""
    raw = db.engine.raw_connection()
    try:
        busy = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # type: ignore[union-attr]
        if busy and busy[0]:
            log.warning("the log could not be emptied at once (a reader is open); it will be")
    finally:
        raw.close()
