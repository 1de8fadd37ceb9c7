"""The children and episodes of the month, for the pack's per-child and per-episode tables.

Which children crossed the repeat threshold is found with `metrics.triggered_children`
itself, so the list can never disagree with the figure `triggered_children` of `stats()`.
Children are named only when the pack asks for names; otherwise only their codes leave here.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core.metrics import Period, Settings, triggered_children
from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.reports.pseudonyms import Pseudonyms
from missing_app.core.times import from_storage

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

LOOK_BACK_DAYS = 90  # "episodes in the last 90 days": 90 x 24 hours to the end of the month
CHUNK = 900  # ids per IN (...): under SQLite's limit of bound parameters


@dataclass(frozen=True)
class ChildLabel:
    """How a child appears in the pack: always the code; name and reference only with names."""

    code: str
    name: str | None = None
    local_ref: str | None = None

    @property
    def text(self) -> str:
        """'C-7F3A9B2K', or 'Amy Smith (C1)' with names."""
        return self.code if self.name is None else f"{self.name} ({self.local_ref})"


@dataclass(frozen=True)
class ChildRow:
    """One child with an episode in the month (in the pack's scope)."""

    child_id: int
    child: ChildLabel
    homes: str  # the homes of the month's episodes, by name
    episodes: int  # in the month, in the pack's scope
    episodes_90_days: int  # at any home, in the 90 days to the end of the month
    crossed: bool  # crossed the repeat threshold with an episode of the month
    last_seen_at: datetime  # the month's latest episode


@dataclass(frozen=True)
class EpisodeRow:
    """One episode of the month, with its return, checks and return interview."""

    episode_id: int
    child: ChildLabel
    home_urn: str
    home: str
    type: str
    risk: str | None
    last_seen_at: datetime
    reported_at: datetime | None
    police_ref: str | None  # only with names: a reference finds the child in police systems
    has_police_ref: bool
    returned_at: datetime | None
    safe_and_well_at: datetime | None
    rhi_offered_at: datetime | None
    rhi_completed_at: datetime | None
    rhi_declined: bool

    @property
    def hours_away(self) -> float | None:
        if self.returned_at is None:
            return None
        return round((self.returned_at - self.last_seen_at).total_seconds() / 3600, 2)


def crossed_children(session: Session, episodes: pd.DataFrame, settings: Settings) -> set[int]:
    """The children `metrics.triggered_children` counts among `episodes`.

    Each child's look-backs are counted here to find them quickly; the figure's own function
    then confirms the answer (it counts all of them, and none of the others), so the list
    never disagrees with `triggered_children` of stats(). Should it ever disagree, the list
    is found with that function alone.
    """
    everyone = set(episodes["child_id"].tolist())
    found = _look_back_crossings(session, episodes, settings)
    rest = everyone - found
    if _counted(session, episodes, found, settings) == len(found) and not _counted(
        session, episodes, rest, settings
    ):
        return found
    log.error("The repeat threshold's look-backs disagree with metrics; asking metrics alone.")
    return _found_by_halving(session, episodes, settings)


def _counted(
    session: Session, episodes: pd.DataFrame, children: set[int], settings: Settings
) -> int:
    if not children:
        return 0
    return triggered_children(session, episodes[episodes["child_id"].isin(children)], settings)


def _look_back_crossings(session: Session, episodes: pd.DataFrame, settings: Settings) -> set[int]:
    """Children with an episode in `episodes` whose episodes at any home in the D days up to
    it (D x 24 hours, the episode included) number at least N."""
    window = timedelta(days=settings.repeat_window_days)
    seen = [
        (int(child), moment.to_pydatetime())
        for child, moment in zip(episodes["child_id"], episodes["last_seen_at"], strict=True)
    ]
    if not seen:
        return set()
    earliest = min(moment for _, moment in seen) - window
    latest = max(moment for _, moment in seen)
    history: dict[int, list[datetime]] = {}
    for chunk in _chunks(sorted({child for child, _ in seen})):
        query = select(MissingEpisode.child_id, MissingEpisode.last_seen_at).where(
            MissingEpisode.child_id.in_(chunk),
            MissingEpisode.last_seen_at > earliest,
            MissingEpisode.last_seen_at <= latest,
        )
        for child, moment in session.execute(query):
            history.setdefault(child, []).append(moment)
    for times in history.values():
        times.sort()
    return {
        child
        for child, moment in seen
        if bisect.bisect_right(history[child], moment)
        - bisect.bisect_right(history[child], moment - window)
        >= settings.repeat_threshold
    }


def _found_by_halving(session: Session, episodes: pd.DataFrame, settings: Settings) -> set[int]:
    """The children the figure counts, asked of groups: a group that all counted, or none,
    is settled at once; any other is halved."""
    found: set[int] = set()
    pending = [sorted(set(episodes["child_id"].tolist()))]
    while pending:
        group = pending.pop()
        count = _counted(session, episodes, set(group), settings)
        if count == len(group):
            found.update(group)
        elif count:
            middle = len(group) // 2
            pending += [group[:middle], group[middle:]]
    return found


def child_labels(
    session: Session, child_ids: Sequence[int], pseudonyms: Pseudonyms, names: bool
) -> dict[int, ChildLabel]:
    """Each child's label, by id."""
    labels: dict[int, ChildLabel] = {}
    for chunk in _chunks(child_ids):
        query = select(Child.id, Child.local_ref, Child.first_name, Child.last_name)
        for child_id, ref, first, last in session.execute(query.where(Child.id.in_(chunk))):
            name = " ".join(part for part in (first, last) if part) or ref
            code = pseudonyms.code(ref)
            labels[child_id] = ChildLabel(code, name, ref) if names else ChildLabel(code)
    return labels


def recent_episodes(session: Session, child_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Each child's episodes at any home in the 90 days before the period's end."""
    end = from_storage(period.bounds[1])
    since = end - timedelta(days=LOOK_BACK_DAYS)
    counts: dict[int, int] = {}
    for chunk in _chunks(child_ids):
        query = (
            select(MissingEpisode.child_id, func.count())
            .where(MissingEpisode.child_id.in_(chunk))
            .where(MissingEpisode.last_seen_at >= since, MissingEpisode.last_seen_at < end)
            .group_by(MissingEpisode.child_id)
        )
        counts |= {child: int(count) for child, count in session.execute(query)}
    return counts


def month_children(
    session: Session,
    episodes: pd.DataFrame,
    period: Period,
    settings: Settings,
    labels: dict[int, ChildLabel],
    home_names: dict[int, str],
) -> tuple[ChildRow, ...]:
    """Every child with an episode in `episodes`: threshold children first, then by episodes."""
    crossed = crossed_children(session, episodes, settings)
    ids = sorted(set(episodes["child_id"].tolist()))
    recent = recent_episodes(session, ids, period)
    by_child = episodes.groupby("child_id")
    counts = by_child.size().to_dict()
    latest = by_child["last_seen_at"].max().to_dict()
    homes: dict[int, set[str]] = {}
    for child_id, home_id in (
        episodes[["child_id", "home_id"]].drop_duplicates().itertuples(index=False)
    ):
        homes.setdefault(int(child_id), set()).add(home_names[int(home_id)])
    rows = [
        ChildRow(
            child_id,
            labels[child_id],
            ", ".join(sorted(homes[child_id])),
            int(counts[child_id]),
            recent.get(child_id, 0),
            child_id in crossed,
            latest[child_id].to_pydatetime(),
        )
        for child_id in ids
    ]
    rows.sort(
        key=lambda row: (not row.crossed, -row.episodes, -row.episodes_90_days, row.child.code)
    )
    return tuple(rows)


def month_episodes(
    session: Session,
    episodes: pd.DataFrame,
    labels: dict[int, ChildLabel],
    homes: dict[int, tuple[str, str]],
    names: bool,
) -> tuple[EpisodeRow, ...]:
    """The rows of `episodes` (the frame stats() counts), oldest first."""
    risks = _risks(session, episodes["id"].tolist())
    rows = [
        _episode_row(row, labels, homes, risks, names)
        for row in episodes.sort_values(["last_seen_at", "id"]).itertuples(index=False)
    ]
    return tuple(rows)


def _episode_row(
    row: Any,
    labels: dict[int, ChildLabel],
    homes: dict[int, tuple[str, str]],
    risks: dict[int, str | None],
    names: bool,
) -> EpisodeRow:
    urn, home = homes[int(row.home_id)]
    return EpisodeRow(
        int(row.id),
        labels[int(row.child_id)],
        urn,
        home,
        str(row.type),
        risks.get(int(row.id)),
        row.last_seen_at.to_pydatetime(),
        _moment(row.reported_at),
        row.police_ref if names and isinstance(row.police_ref, str) else None,
        isinstance(row.police_ref, str),
        _moment(row.returned_at),
        _moment(row.safe_and_well_at),
        _moment(row.rhi_offered_at),
        _moment(row.rhi_completed_at),
        bool(row.rhi_declined),
    )


def _moment(value: Any) -> datetime | None:
    """A frame's timestamp as an aware datetime; None for NaT."""
    import pandas as pd

    return None if pd.isna(value) else value.to_pydatetime()


def _risks(session: Session, episode_ids: Sequence[int]) -> dict[int, str | None]:
    risks: dict[int, str | None] = {}
    for chunk in _chunks(episode_ids):
        query = select(MissingEpisode.id, MissingEpisode.risk).where(MissingEpisode.id.in_(chunk))
        risks |= {episode_id: risk for episode_id, risk in session.execute(query)}
    return risks


def home_names(session: Session, home_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each home's (URN, name), by id."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(home_ids):
        query = select(CareHome.id, CareHome.urn, CareHome.name).where(CareHome.id.in_(chunk))
        found |= {home_id: (urn, name) for home_id, urn, name in session.execute(query)}
    return found


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    values = [int(i) for i in ids]
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]
