"""The audit log, filtered by user, child, action and dates; paged, and exported to CSV.

Reading it is for supervisors and administrators (`Permission.AUDIT`): the page checks with
`may_read_audit_log`, and `export_audit_log` refuses anyone else. The export is itself
audited, as a disclosure with its reason.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.db.files import create_private
from missing_app.core.models import (
    AuditEvent,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    ReturnInterview,
)
from missing_app.core.queries.paging import Listing, Sort
from missing_app.core.security.access import Permission, require, resolve_actor
from missing_app.core.times import local, local_day_range, utc_now

# Columns of a row of the audit table, after its id.
AUDIT_COLUMNS = ("at", "username", "action", "entity", "entity_id", "why", "recipient")
CSV_COLUMNS = ("id", *AUDIT_COLUMNS, "before", "after")
CHUNK = 5000


@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to show: any field left None does not filter."""

    username: str | None = None
    action: str | None = None
    child_id: int | None = None
    first: date | None = None  # London dates, inclusive
    last: date | None = None

    def to_json(self) -> dict[str, Any]:
        values = asdict(self)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v}


@dataclass(frozen=True)
class AuditRow:
    event_id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: int | None
    why: str | None
    recipient: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> AuditRow:
        return cls(*row)


def _about_child(child_id: int) -> ColumnElement[bool]:
    """Audit rows about the child or any of their records."""
    episodes = select(MissingEpisode.id).where(MissingEpisode.child_id == child_id)
    owned = {
        "placements": select(Placement.id).where(Placement.child_id == child_id),
        "missing_episodes": episodes,
        "return_interviews": select(ReturnInterview.id).where(
            ReturnInterview.episode_id.in_(episodes)
        ),
        "reporting_assessments": select(ReportingAssessment.id).where(
            ReportingAssessment.episode_id.in_(episodes)
        ),
    }
    entity, entity_id = AuditEvent.entity, AuditEvent.entity_id
    return or_(
        and_(entity.in_(("children", "child_profiles")), entity_id == child_id),
        *(and_(entity == name, entity_id.in_(ids)) for name, ids in owned.items()),
    )


def _where(chosen: AuditFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if chosen.username:
        where.append(AuditEvent.username == chosen.username)
    if chosen.action:
        where.append(AuditEvent.action == chosen.action)
    if chosen.child_id is not None:
        where.append(_about_child(chosen.child_id))
    if chosen.first is not None or chosen.last is not None:
        start, end = local_day_range(
            chosen.first or date(1900, 1, 1), chosen.last or date(9998, 12, 31)
        )
        where.extend([AuditEvent.at >= start, AuditEvent.at < end])
    return where


def audit_listing(chosen: AuditFilter = AuditFilter()) -> Listing:
    """The filtered log as a Listing (newest first is Sort("at", descending=True))."""
    base: Select[Any] = select(
        AuditEvent.id, AuditEvent.at, AuditEvent.username, AuditEvent.action,
        AuditEvent.entity, AuditEvent.entity_id, AuditEvent.why, AuditEvent.recipient,
    ).where(*_where(chosen))  # fmt: skip
    return Listing(
        base=base,
        sortable={
            "at": AuditEvent.at,
            "username": AuditEvent.username,
            "action": AuditEvent.action,
            "entity": AuditEvent.entity,
        },
        tiebreak=AuditEvent.id,
        indexed=frozenset({"at", "username"}),  # both have an index (ids are its rowids)
    )


def audit_page(
    session: Session, chosen: AuditFilter, offset: int, limit: int, newest_first: bool = True
) -> list[AuditRow]:
    """One page of the filtered log, by time."""
    rows = audit_listing(chosen).page(session, Sort("at", newest_first), offset, limit)
    return [AuditRow.from_row(row) for row in rows]


def audit_actions(session: Session) -> list[str]:
    """The actions the log holds, for a filter's choices."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def may_read_audit_log(session: Session, username: str) -> bool:
    """Whether `username` may read the audit log (supervisors, administrators)."""
    return resolve_actor(session, username).may(Permission.AUDIT)


def write_audit_csv(session: Session, chosen: AuditFilter, out: Path) -> int:
    """Write the filtered log, oldest first, to a CSV file (times in London); its row count."""
    query = select(
        AuditEvent.id, AuditEvent.at, AuditEvent.username, AuditEvent.action,
        AuditEvent.entity, AuditEvent.entity_id, AuditEvent.why, AuditEvent.recipient,
        AuditEvent.before, AuditEvent.after,
    ).where(*_where(chosen)).order_by(AuditEvent.id)  # fmt: skip
    written = 0
    with open(create_private(out), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in session.execute(query.execution_options(yield_per=CHUNK)):
            values = list(row)
            values[1] = local(values[1]).isoformat(sep=" ", timespec="seconds")
            writer.writerow(["" if value is None else value for value in values])
            written += 1
    return written


def export_audit_log(
    db: Database,
    username: str,
    chosen: AuditFilter,
    out: str | Path,
    why: str,
    now: Callable[[], datetime] = utc_now,
) -> int:
    """Export the filtered log to CSV as `username` (supervisors, administrators), audited."""
    path = Path(out)
    with db.session() as session:
        require(resolve_actor(session, username), Permission.AUDIT)
        written = write_audit_csv(session, chosen, path)
    with db.transaction() as session:
        log_event(
            session, username, "export", "audit_events",
            after={"rows": written, "filter": chosen.to_json(), "file": path.name},
            why=why, at=now(),
        )  # fmt: skip
    return written
