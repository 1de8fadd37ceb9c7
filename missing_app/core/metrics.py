"""The figures of METRICS.md, computed from the database for a period and optionally a home.

`stats()` returns exactly the JSON of `missing-app stats --json`; every screen, file and chart
shows these values. Frames are read with pandas straight from SQLite (pandas is imported
inside the functions that need it, so the window starts fast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.errors import NotFound
from missing_app.core.models import CareHome
from missing_app.core.records import read_settings
from missing_app.core.times import LONDON, local_day_range, to_storage

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


# Volume, repeats, time of day --------------------------------------------------------------


def _volume(episodes: pd.DataFrame) -> dict[str, Any]:
    count = len(episodes)
    per_child = episodes.groupby("child_id").size()
    children = len(per_child)
    bands = dict.fromkeys(BANDS, 0)
    for episodes_of_child in per_child.tolist():
        bands[band_of(int(episodes_of_child))] += 1
    top = sorted(per_child.tolist(), reverse=True)[: (children + 9) // 10]  # ceil(10%)
    return {
        "episodes": count,
        "missing_episodes": int((episodes["type"] == "missing").sum()),
        "absent_episodes": int((episodes["type"] == "absent").sum()),
        "children": children,
        "episodes_per_child": round(count / children, 2) if children else 0,
        "repeat_children": int((per_child >= 2).sum()),
        "bands": bands,
        "top10_share": pct(sum(top), count),
    }


def _by_time(episodes: pd.DataFrame) -> dict[str, list[int]]:
    local = episodes["last_seen_at"].dt.tz_convert(LONDON.key)
    hours = local.dt.hour.value_counts()
    weekdays = local.dt.weekday.value_counts()
    return {
        "by_hour": [int(hours.get(hour, 0)) for hour in range(24)],
        "by_weekday": [int(weekdays.get(day, 0)) for day in range(7)],
    }


def triggered_children(session: Session, episodes: pd.DataFrame, settings: Settings) -> int:
    """Children with an episode e in `episodes` such that their episodes at any home last
    seen in (e - D days, e] number at least N (D days = D x 24 hours of real time)."""
    import numpy as np

    if episodes.empty:
        return 0
    window = np.int64(settings.repeat_window_days) * 86_400_000_000  # microseconds
    ends = _microseconds(episodes["last_seen_at"].dt.tz_convert("UTC").dt.tz_localize(None))
    earliest = int(ends.min() - window)
    history = _history(session, sorted(set(episodes["child_id"].tolist())),
                       _as_text(earliest), _as_text(int(ends.max())))  # fmt: skip
    # Each child's times in a band of their own on one axis, so that one sorted array and two
    # binary searches count every episode's window at once, exactly to the microsecond.
    band = np.int64(int(ends.max()) - earliest + 1)
    _, rank = np.unique(
        np.concatenate([history["child_id"].to_numpy(), episodes["child_id"].to_numpy()]),
        return_inverse=True,
    )
    seen = rank[: len(history)] * band + (_microseconds(history["at"]) - earliest)
    seen.sort()
    keys = rank[len(history) :] * band + (ends - earliest)
    count = np.searchsorted(seen, keys, side="right") - np.searchsorted(
        seen, keys - window, side="right")  # fmt: skip
    crossed = episodes["child_id"].to_numpy()[count >= settings.repeat_threshold]
    return len(set(crossed.tolist()))


def _microseconds(moments: Any) -> Any:
    """Naive UTC moments as int64 microseconds since 1970."""
    return moments.to_numpy().astype("datetime64[us]").astype("int64")


def _as_text(microseconds: int) -> str:
    from datetime import UTC, datetime

    return to_storage(datetime.fromtimestamp(microseconds / 1_000_000, UTC))


def _history(session: Session, child_ids: list[int], earliest: str, latest: str) -> pd.DataFrame:
    """Every episode of these children (any home) last seen from `earliest` to `latest`."""
    import pandas as pd

    frames = []
    for start in range(0, len(child_ids), 900):
        chunk = child_ids[start : start + 900]
        marks = ", ".join("?" for _ in chunk)
        frames.append(pd.read_sql_query(
            f"SELECT child_id, last_seen_at AS at FROM missing_episodes WHERE child_id IN "
            f"({marks}) AND last_seen_at >= ? AND last_seen_at <= ?",
            raw_connection(session), params=[*chunk, earliest, latest]))  # fmt: skip
    history = pd.concat(frames, ignore_index=True)
    history["at"] = pd.to_datetime(history["at"], format="ISO8601")  # naive UTC
    return history


def open_at_end(session: Session, last: date, home_id: int | None = None) -> int:
    """Episodes last seen before the period's end and not returned by then."""
    _, end = Period(last, last).bounds
    home = "" if home_id is None else " AND home_id = ?"
    extra = [] if home_id is None else [home_id]
    raw = raw_connection(session)
    still_open = raw.execute(
        "SELECT COUNT(*) FROM missing_episodes WHERE returned_at IS NULL AND last_seen_at < ?"
        + home, [end, *extra]).fetchone()[0]  # fmt: skip
    back_later = raw.execute(
        "SELECT COUNT(*) FROM missing_episodes WHERE returned_at > ? AND last_seen_at < ?"
        + home, [end, end, *extra]).fetchone()[0]  # fmt: skip
    return int(still_open + back_later)


# Duration, reporting, after the return ------------------------------------------------------


def _median_and_p90(values: Any) -> tuple[float | None, float | None]:
    return quantile(values, 0.5), quantile(values, 0.9)


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _durations(episodes: pd.DataFrame) -> dict[str, Any]:
    returned = episodes[episodes["returned_at"].notna()]
    hours = (returned["returned_at"] - returned["last_seen_at"]).dt.total_seconds() / 3600
    median, p90 = _median_and_p90(hours.to_numpy())
    return {
        "median_duration_hours": _rounded(median, 2),
        "p90_duration_hours": _rounded(p90, 2),
        "share_over_24h": pct(int((hours > 24).sum()), len(hours)),
    }


def _reporting(episodes: pd.DataFrame) -> dict[str, Any]:
    reported = episodes[episodes["reported_at"].notna()]
    minutes = (reported["reported_at"] - reported["last_seen_at"]).dt.total_seconds() / 60
    median, _ = _median_and_p90(minutes.to_numpy())
    return {
        "police_ref_pct": pct(int(episodes["police_ref"].notna().sum()), len(episodes)),
        "median_minutes_to_report": _rounded(median, 1),
    }


def _after_return(returns: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    import pandas as pd

    count = len(returns)
    due = returns["returned_at"] + pd.Timedelta(hours=settings.rhi_window_hours)
    offered, completed = returns["rhi_offered_at"], returns["rhi_completed_at"]
    return {
        "returns": count,
        "safe_and_well_pct": pct(int(returns["safe_and_well_at"].notna().sum()), count),
        "rhi_offered_pct": pct(int(offered.notna().sum()), count),
        "rhi_offered_72h_pct": pct(int((offered <= due).sum()), count),
        "rhi_completed_pct": pct(int(completed.notna().sum()), count),
        "rhi_completed_72h_pct": pct(int((completed <= due).sum()), count),
    }


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
    from missing_app.core.demand import homes_entries

    settings = settings or Settings.read(session)
    home_id = None if home_urn is None else home_by_urn(session, home_urn).id
    episodes = episodes_frame(session, first, last, home_id)
    returns = returns_frame(session, first, last, home_id)
    figures: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat(), "home": home_urn}
    figures |= _volume(episodes)
    figures["triggered_children"] = triggered_children(session, episodes, settings)
    figures["open_at_end"] = open_at_end(session, last, home_id)
    figures |= _by_time(episodes)
    figures |= _durations(episodes)
    figures |= _reporting(episodes)
    figures |= _after_return(returns, settings)
    figures["cost_estimate"] = round(figures["episodes"] * settings.unit_cost, 2)
    figures["homes"] = homes_entries(session, last, home_id, episodes, returns, settings)
    return figures


def home_figures(
    episodes: pd.DataFrame, returns: pd.DataFrame, settings: Settings
) -> dict[int, dict[str, Any]]:
    """The figures each entry of `homes` carries, for every home at once, by home id."""
    import pandas as pd

    by_home = episodes.groupby("home_id")
    per_child = episodes.groupby(["home_id", "child_id"]).size()
    repeat = (per_child >= 2).groupby(level="home_id").sum()
    refs = episodes["police_ref"].notna().groupby(episodes["home_id"]).sum()
    due = returns["returned_at"] + pd.Timedelta(hours=settings.rhi_window_hours)
    in_time = (returns["rhi_completed_at"] <= due).groupby(returns["home_id"])
    counts = {
        name: series.to_dict()
        for name, series in (
            ("episodes", by_home.size()), ("children", by_home["child_id"].nunique()),
            ("repeat", repeat), ("refs", refs), ("on_time", in_time.sum()),
            ("returned", in_time.size()),
        )
    }  # fmt: skip
    homes = set(counts["episodes"]) | set(counts["returned"])

    def of(name: str, home: Any) -> int:
        return int(counts[name].get(home, 0))

    return {
        int(home): {
            "episodes": of("episodes", home),
            "children": of("children", home),
            "repeat_children": of("repeat", home),
            "police_ref_pct": pct(of("refs", home), of("episodes", home)),
            "rhi_completed_72h_pct": pct(of("on_time", home), of("returned", home)),
        }
        for home in homes
    }


NO_FIGURES = {"episodes": 0, "children": 0, "repeat_children": 0, "police_ref_pct": None,
              "rhi_completed_72h_pct": None}  # fmt: skip
