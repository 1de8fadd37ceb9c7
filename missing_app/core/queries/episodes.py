"""The episodes table: every episode, filtered and sorted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select

from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.queries.paging import Listing, SortKey
from missing_app.core.security.access import Actor, restrict_to_homes
from missing_app.core.times import local_day_range

# Columns of a row, after its id: what the Episodes table shows.
EPISODE_COLUMNS = (
    "last_seen_at", "child", "child_ref", "home", "type", "risk", "returned_at",
    "hours_away", "police_ref",
)  # fmt: skip


@dataclass(frozen=True)
class EpisodeFilter:
    """Which episodes to list; None means any."""

    first_day: date | None = None  # London dates of last seen, inclusive
    last_day: date | None = None
    home_id: int | None = None
    child_id: int | None = None
    type: str | None = None
    risk: str | None = None
    open_only: bool = False


def hours_away() -> ColumnElement[Any]:
    """Hours between last seen and the return (NULL while missing), written exactly as its
    index is (ix_missing_episodes_hours_away), with a literal 24, so the index serves a sort."""
    episode = MissingEpisode
    days = func.julianday(episode.returned_at) - func.julianday(episode.last_seen_at)
    return days * literal_column("24")


def episode_listing(where: EpisodeFilter = EpisodeFilter(), actor: Actor | None = None) -> Listing:
    """The Episodes table: every episode matching `where` at the actor's homes (None: all)."""
    episode, child, home = MissingEpisode, Child, CareHome
    name = func.trim(func.coalesce(child.first_name, "") + " " + func.coalesce(child.last_name, ""))
    columns = {
        "last_seen_at": episode.last_seen_at,
        "child": name,
        "child_ref": child.local_ref,
        "home": home.name,
        "type": episode.type,
        "risk": episode.risk,
        "returned_at": episode.returned_at,
        "hours_away": hours_away(),
        "police_ref": episode.police_ref,
    }
    assert tuple(columns) == EPISODE_COLUMNS
    conditions = _conditions(where)
    query = (
        select(episode.id, *(column.label(key) for key, column in columns.items()))
        .join(child, child.id == episode.child_id)
        .join(home, home.id == episode.home_id)
        .where(*conditions)
    )
    query = restrict_to_homes(query, episode.home_id, actor)
    # Every episode has its child and its home: those joins change no count, and a sort
    # needs only the one its column comes from.
    counted = select(func.count()).select_from(episode).where(*conditions)
    counted = restrict_to_homes(counted, episode.home_id, actor)

    def ids_for(key: str) -> Select[Any]:
        ids = restrict_to_homes(select(episode.id).where(*conditions), episode.home_id, actor)
        if key in ("child", "child_ref"):
            ids = ids.join(child, child.id == episode.child_id)
        elif key == "home":
            ids = ids.join(home, home.id == episode.home_id)
        return ids

    return Listing(query, sort_keys(), episode.id, counted, frozenset(EPISODE_COLUMNS), ids_for)


def sort_keys() -> dict[str, SortKey]:
    """What each column sorts by: stored values an index serves from the first row to the
    last, so that a sort at a million episodes reads one page, not every row.

    A child sorts by the stored first and last names (ix_children_names, the order the
    shown name reads in), then within a child by time (the unique (child_id, last_seen_at)
    index); a home by its name (ix_care_homes_name), then by time (the home's index); type and
    risk by their (value, last_seen_at) indexes; police references ignoring case, as their
    index does.
    """
    episode, child, home = MissingEpisode, Child, CareHome
    return {
        "last_seen_at": episode.last_seen_at,
        "child": (child.first_name, child.last_name, child.id, episode.last_seen_at),
        "child_ref": (child.local_ref, episode.last_seen_at),
        "home": (home.name, home.id, episode.last_seen_at),
        "type": (episode.type, episode.last_seen_at),
        "risk": (episode.risk, episode.last_seen_at),
        "returned_at": episode.returned_at,
        "hours_away": hours_away(),
        "police_ref": episode.police_ref.collate("NOCASE"),
    }


def _conditions(where: EpisodeFilter) -> list[ColumnElement[bool]]:
    episode = MissingEpisode
    conditions: list[ColumnElement[bool]] = []
    if where.first_day is not None or where.last_day is not None:
        start, end = local_day_range(
            where.first_day or date(1900, 1, 1), where.last_day or date(2999, 12, 30)
        )
        conditions += [episode.last_seen_at >= start, episode.last_seen_at < end]
    if where.home_id is not None:
        conditions.append(episode.home_id == where.home_id)
    if where.child_id is not None:
        conditions.append(episode.child_id == where.child_id)
    if where.type is not None:
        conditions.append(episode.type == where.type)
    if where.risk is not None:
        conditions.append(episode.risk == where.risk)
    if where.open_only:
        conditions.append(episode.returned_at.is_(None))
    return conditions
