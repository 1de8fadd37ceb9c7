"""What the database already holds, by the keys files use (URNs, child references, and
(child reference, time last seen) for episodes), and small helpers for writing beside it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, select

from missing_app.core.models import CareHome, Child, MissingEpisode, Placement, ReturnInterview


def homes_by_urn(connection: Connection) -> dict[str, dict[str, Any]]:
    rows = connection.execute(select(CareHome.__table__)).mappings()
    return {row["urn"]: dict(row) for row in rows}


def children_by_ref(connection: Connection) -> dict[str, dict[str, Any]]:
    columns = (
        "id",
        "local_ref",
        "dob",
        "first_name",
        "last_name",
        "sex",
        "cse_flagged_on",
        "cce_flagged_on",
    )
    rows = connection.execute(select(*(getattr(Child, name) for name in columns))).mappings()
    return {row["local_ref"]: dict(row) for row in rows}


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_episodes(
    connection: Connection, child_ids: list[int], fields: Iterable[str]
) -> dict[tuple[str, datetime], dict[str, Any]]:
    """The stored episodes (with their RHI) of these children, by (child ref, last seen)."""
    episode, interview = MissingEpisode.__table__, ReturnInterview.__table__
    child, home = Child.__table__, CareHome.__table__
    query = (
        select(
            episode.c.id,
            episode.c.last_seen_at,
            child.c.local_ref,
            home.c.urn.label("home_urn"),
            *(episode.c[name] for name in fields),
            interview.c.id.label("interview_id"),
            interview.c.offered_at.label("rhi_offered_at"),
            interview.c.completed_at.label("rhi_completed_at"),
            interview.c.declined.label("rhi_declined"),
        )
        .join(child, child.c.id == episode.c.child_id)
        .join(home, home.c.id == episode.c.home_id)
        .outerjoin(interview, interview.c.episode_id == episode.c.id)
    )
    stored: dict[tuple[str, datetime], dict[str, Any]] = {}
    for chunk in _chunks(sorted(child_ids)):
        for row in connection.execute(query.where(episode.c.child_id.in_(chunk))).mappings():
            values = dict(row)
            values["rhi_declined"] = values["rhi_declined"] or None
            stored[(values["local_ref"], values["last_seen_at"])] = values
    return stored


def new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def placements_by_child(
    connection: Connection, child_refs: Iterable[str]
) -> dict[str, list[tuple[str, date, date | None]]]:
    """The stored placements (home URN, start, end) of these children, by child reference."""
    refs = sorted(set(child_refs))
    found: dict[str, list[tuple[str, date, date | None]]] = {}
    for start in range(0, len(refs), 900):
        query = (
            select(Child.local_ref, CareHome.urn, Placement.start, Placement.end)
            .join(Child, Child.id == Placement.child_id)
            .join(CareHome, CareHome.id == Placement.home_id)
            .where(Child.local_ref.in_(refs[start : start + 900]))
        )
        for ref, urn, first, end in connection.execute(query):
            found.setdefault(ref, []).append((urn, first, end))
    return found
