"""Write episodes as the generic episodes CSV, the same columns `import episodes` reads."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Select, select

from missing_app.core.db import Database
from missing_app.core.db.files import create_private
from missing_app.core.exchange.episodes_columns import EPISODE_COLUMNS
from missing_app.core.models import CareHome, Child, MissingEpisode, ReturnInterview
from missing_app.core.times import LONDON, from_storage

TIME_COLUMNS = {"last_seen_at", "reported_at", "returned_at", "safe_and_well_at",
                "rhi_offered_at", "rhi_completed_at"}  # fmt: skip


def _query(limit: int | None) -> Select[tuple[object, ...]]:
    episode, interview = MissingEpisode.__table__, ReturnInterview.__table__
    child, home = Child.__table__, CareHome.__table__
    columns = {
        "child_ref": child.c.local_ref, "first_name": child.c.first_name,
        "last_name": child.c.last_name, "dob": child.c.dob, "sex": child.c.sex,
        "home_urn": home.c.urn, "home_name": home.c.name,
        "local_authority": home.c.local_authority, "type": episode.c.type,
        "last_seen_at": episode.c.last_seen_at, "reported_at": episode.c.reported_at,
        "police_ref": episode.c.police_ref, "risk": episode.c.risk,
        "returned_at": episode.c.returned_at, "return_method": episode.c.return_method,
        "found_location": episode.c.found_location,
        "safe_and_well_at": episode.c.safe_and_well_at,
        "rhi_offered_at": interview.c.offered_at, "rhi_completed_at": interview.c.completed_at,
        "rhi_declined": interview.c.declined,
    }  # fmt: skip
    assert list(columns) == list(EPISODE_COLUMNS)
    query = (
        select(*(column.label(name) for name, column in columns.items()))
        .join(child, child.c.id == episode.c.child_id)
        .join(home, home.c.id == episode.c.home_id)
        .outerjoin(interview, interview.c.episode_id == episode.c.id)
        .order_by(episode.c.id)
    )
    return query.limit(limit) if limit is not None else query


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name in TIME_COLUMNS:
        moment = value if isinstance(value, datetime) else from_storage(str(value))
        # Local time with its offset: unambiguous even in the repeated autumn hour.
        return moment.astimezone(LONDON).isoformat(timespec="seconds")
    if name == "rhi_declined":
        return "yes" if value else "no"
    return str(value)


def export_episodes(
    db: Database,
    path: str | Path,
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write episodes (oldest recorded first) to `path`; returns the number of rows.

    The file is written beside its final name and moved into place, so a failure never
    leaves half a file behind.
    """
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    count = 0
    create_private(partial)
    with db.engine.connect() as connection, open(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(EPISODE_COLUMNS)
        for row in connection.execute(_query(limit)):
            writer.writerow(
                [_cell(name, value) for name, value in zip(EPISODE_COLUMNS, row, strict=True)]
            )
            count += 1
            if progress is not None and count % 10000 == 0:
                progress(count)
    os.replace(partial, target)
    return count
