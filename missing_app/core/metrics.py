"""The figures of METRICS.md, computed from the database for a period and optionally a home.

`stats()` returns exactly the JSON of `missing-app stats --json`; every screen, file and chart
shows these values. It reads each of the period's rows once, as numpy columns (`columns.py`),
works the figures out in `period_figures.py` and each home's demand in `demand.py`.
`episodes_frame` and `returns_frame` give the same rows as pandas frames. numpy and pandas
are imported inside the functions that need them, so the window starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.errors import NotFound
from missing_app.core.models import CareHome
from missing_app.core.records import read_settings
from missing_app.core.times import from_storage, local_day_range, to_storage

if TYPE_CHECKING:
    import pandas as pd

BANDS = ("1", "2", "3", "4", "5", "6-10", "11-20", "21-50", "51+")
BAND_EDGES = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 50), (51, None))


@dataclass(frozen=True)
class Settings:
    """The settings a figure depends on (METRICS.md, Conventions)."""

    repeat_threshold: int = 3  # N
    repeat_window_days: int = 30  # D
    rhi_window_hours: float = 72.0
    unit_cost: float = 2415.80
    demand_window_days: int = 365  # W

    @classmethod
    def read(cls, session: Session) -> Settings:
        values = read_settings(session)
        return cls(
            repeat_threshold=int(values["repeat_threshold"]),
            repeat_window_days=int(values["repeat_window_days"]),
            rhi_window_hours=float(values["rhi_window_hours"]),
            unit_cost=float(values["unit_cost"]),
            demand_window_days=int(values["demand_window_days"]),
        )


@dataclass(frozen=True)
class Period:
    """London dates `first` to `last`, both inclusive."""

    first: date
    last: date

    @property
    def bounds(self) -> tuple[str, str]:
        """The period as stored UTC text: [start, end)."""
        start, end = local_day_range(self.first, self.last)
        return to_storage(start), to_storage(end)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        days = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=days), self.first - timedelta(days=1))


def pct(part: float, whole: float) -> float | None:
    """A percentage 0-100 to 1 decimal; None when the denominator is 0."""
    return None if whole == 0 else round(100 * part / whole, 1)


def band_of(count: int) -> str:
    for label, (low, high) in zip(BANDS, BAND_EDGES, strict=True):
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(f"no band for {count}")


def quantile(values: Sequence[float] | Any, q: float) -> float | None:
    """Linear interpolation between the two nearest values (numpy's default); None if empty."""
    import numpy as np

    if len(values) == 0:
        return None
    return float(np.quantile(np.asarray(values, dtype=float), q))


# Frames -----------------------------------------------------------------------------------

TIME_COLUMNS = ("last_seen_at", "reported_at", "returned_at", "safe_and_well_at",
                "rhi_offered_at", "rhi_completed_at")  # fmt: skip
_FRAME_SQL = """
SELECT e.id, e.child_id, e.home_id, e.type, e.last_seen_at, e.reported_at, e.returned_at,
       e.safe_and_well_at, e.police_ref, r.offered_at AS rhi_offered_at,
       r.completed_at AS rhi_completed_at, COALESCE(r.declined, 0) AS rhi_declined
FROM missing_episodes e LEFT JOIN return_interviews r ON r.episode_id = e.id
WHERE e.{column} >= ? AND e.{column} < ?{home}
"""


def raw_connection(session: Session) -> Any:
    """The sqlite3 connection under the session (pandas reads it twice as fast)."""
    return session.connection().connection.driver_connection


def _frame(
    session: Session, column: str, first: date, last: date, home_id: int | None
) -> pd.DataFrame:
    import pandas as pd

    start, end = Period(first, last).bounds
    params: list[Any] = [start, end]
    home = ""
    if home_id is not None:
        home, params = " AND e.home_id = ?", [*params, home_id]
    sql = _FRAME_SQL.format(column=column, home=home)
    frame = pd.read_sql_query(sql, raw_connection(session), params=params)
    for name in TIME_COLUMNS:
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    frame["rhi_declined"] = frame["rhi_declined"].astype(bool)
    blank = frame["police_ref"].fillna("").str.strip() == ""
    frame["police_ref"] = frame["police_ref"].where(~blank, None)
    return frame


def episodes_frame(
    session: Session, first: date, last: date, home_id: int | None = None
) -> pd.DataFrame:
    """Episodes last seen in the period (London dates), with their return interview."""
    return _frame(session, "last_seen_at", first, last, home_id)


def returns_frame(
    session: Session, first: date, last: date, home_id: int | None = None
) -> pd.DataFrame:
    """Episodes whose return falls in the period, with their return interview."""
    return _frame(session, "returned_at", first, last, home_id)


# The look-back of triggered_children ------------------------------------------------------


def triggered_children(session: Session, episodes: pd.DataFrame, settings: Settings) -> int:
    """Children with an episode e in `episodes` (a frame of `episodes_frame`) such that their
    episodes at any home last seen in (e - D days, e] number at least N."""
    from missing_app.core import period_figures

    period = {
        "child_id": episodes["child_id"].to_numpy(dtype="int64"),
        "last_seen_at": episodes["last_seen_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        .to_numpy().astype("datetime64[ns]"),
    }  # fmt: skip
    if len(period["child_id"]) == 0:
        return 0
    first, last = (
        moment.to_pydatetime()
        for moment in (episodes["last_seen_at"].min(), episodes["last_seen_at"].max())
    )
    children = sorted(set(period["child_id"].tolist()))
    history = _history(session, children, first, last + timedelta(microseconds=1), settings)
    return period_figures.triggered(period, history, settings)


def _history(
    session: Session, children: list[int] | None, start: datetime, end: datetime,
    settings: Settings,
) -> dict[str, Any]:  # fmt: skip
    """The episodes that can count towards `triggered_children` for episodes last seen in
    [start, end): those of these children (None: of every child) in [start - D days, end)."""
    from missing_app.core.columns import seen_between

    since = start - timedelta(days=settings.repeat_window_days)
    return seen_between(raw_connection(session), to_storage(since), to_storage(end), children)


OPEN_AT_END = """
SELECT (SELECT COUNT(*) FROM missing_episodes e WHERE e.returned_at IS NULL{home})
     + (SELECT COUNT(*) FROM missing_episodes e WHERE e.returned_at > :end{home})
     - (SELECT COUNT(*) FROM missing_episodes e WHERE e.last_seen_at >= :end{home})
     + (SELECT COUNT(*) FROM missing_episodes e
        WHERE e.last_seen_at = :end AND e.returned_at = :end{home})
"""


def open_at_end(session: Session, last: date, home_id: int | None = None) -> int:
    """Episodes last seen before the period's end and not returned by then.

    Counted on the indexes alone, rather than reading every row returned after the end:
    those never returned, plus those returned after the end, less those last seen at or
    after it. A return never precedes its last sighting, so each of the last was returned
    after the end or never, but for any seen and returned at the end itself (added back)."""
    _, end = Period(last, last).bounds
    home = "" if home_id is None else " AND e.home_id = :home"
    query = OPEN_AT_END.format(home=home)
    return int(raw_connection(session).execute(query, {"end": end, "home": home_id}).fetchone()[0])


# The whole set ----------------------------------------------------------------------------


def home_by_urn(session: Session, urn: str) -> CareHome:
    home = session.scalars(select(CareHome).where(CareHome.urn == urn)).one_or_none()
    if home is None:
        raise NotFound(f"There is no home with the URN {urn}.")
    return home


def stats(
    session: Session,
    first: date,
    last: date,
    home_urn: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Every figure of METRICS.md for London dates `first` to `last`, as `stats --json`."""
    from missing_app.core import period_figures as of
    from missing_app.core.columns import episodes_in, returns_in
    from missing_app.core.demand import homes_entries

    settings = settings or Settings.read(session)
    home_id = None if home_urn is None else home_by_urn(session, home_urn).id
    raw = raw_connection(session)
    start, end = Period(first, last).bounds
    episodes = episodes_in(raw, start, end, home_id)
    returns = returns_in(raw, start, end, home_id, episodes)
    figures: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat(), "home": home_urn}
    figures |= of.volume(episodes)
    history = _period_history(session, episodes, start, end, home_id, settings)
    figures["triggered_children"] = of.triggered(episodes, history, settings)
    figures["open_at_end"] = open_at_end(session, last, home_id)
    figures |= of.by_time(episodes["last_seen_at"])
    figures |= of.durations(episodes)
    figures |= of.reporting(episodes)
    figures |= of.after_return(returns, settings)
    figures["cost_estimate"] = round(figures["episodes"] * settings.unit_cost, 2)
    by_home = of.home_figures(episodes, returns, settings)
    with_episodes = set(episodes["home_id"].tolist())
    figures["homes"] = homes_entries(session, last, home_id, by_home, with_episodes, settings)
    return figures


def _period_history(
    session: Session, episodes: dict[str, Any], start: str, end: str, home_id: int | None,
    settings: Settings,
) -> dict[str, Any]:  # fmt: skip
    """The episodes that can count towards the period's `triggered_children`. Without a
    home, the period's own episodes are all of them from `start` on: only the D days before
    it are read."""
    import numpy as np

    first, stop = from_storage(start), from_storage(end)
    if home_id is not None:
        children = sorted(set(episodes["child_id"].tolist()))
        return _history(session, children, first, stop, settings)
    before = _history(session, None, first, first, settings)
    return {name: np.concatenate([before[name], episodes[name]]) for name in before}


NO_FIGURES = {"episodes": 0, "children": 0, "repeat_children": 0, "police_ref_pct": None,
              "rhi_completed_72h_pct": None}  # fmt: skip
