"""The figures of METRICS.md worked out the straightforward way, with pandas frames.

This is how `metrics.stats()` computed them before it read numpy columns (see
missing_app/core/period_figures.py and demand.py): kept here, unchanged but for imports,
as the reference the fast path must equal exactly (tests/core/test_metrics_fast.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.metrics import (
    BANDS,
    NO_FIGURES,
    Period,
    Settings,
    band_of,
    episodes_frame,
    home_by_urn,
    pct,
    quantile,
    raw_connection,
    returns_frame,
)
from missing_app.core.models import CareHome
from missing_app.core.times import LONDON, to_storage

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
    return to_storage(datetime.fromtimestamp(microseconds / 1_000_000, UTC))


def _history(session: Session, child_ids: list[int], earliest: str, latest: str) -> pd.DataFrame:
    """Every episode of these children (any home) last seen from `earliest` to `latest`."""
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


def stats_from_frames(
    session: Session,
    first: date,
    last: date,
    home_urn: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """`metrics.stats()` as it was: every figure from pandas frames."""
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


# Demand -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """A home's pre and post windows, as London dates (inclusive)."""

    home_id: int
    engaged: date
    pre: Period
    post: Period

    @classmethod
    def of(cls, home_id: int, engaged: date, to: date, days: int) -> Windows:
        pre = Period(engaged - timedelta(days=days), engaged - timedelta(days=1))
        post = Period(engaged, min(engaged + timedelta(days=days - 1), to))
        return cls(home_id, engaged, pre, post)


def _days(period: Period) -> int:
    return (period.last - period.first).days + 1


def _episodes_in_windows(session: Session, windows: list[Windows]) -> dict[int, tuple[int, int]]:
    """(pre, post) episode counts of each home, by one grouped query per 400 homes."""
    raw = raw_connection(session)
    counts: dict[int, tuple[int, int]] = {}
    for start in range(0, len(windows), 400):
        chunk = windows[start : start + 400]
        values = ", ".join("(?, ?, ?, ?)" for _ in chunk)
        params: list[Any] = []
        for window in chunk:
            pre_start, engaged_at = window.pre.bounds[0], window.post.bounds[0]
            params += [window.home_id, pre_start, engaged_at, window.post.bounds[1]]
        rows = raw.execute(
            f"WITH w(home_id, pre_start, engaged_at, post_end) AS (VALUES {values}) "
            "SELECT w.home_id, SUM(e.last_seen_at < w.engaged_at), "
            "SUM(e.last_seen_at >= w.engaged_at) FROM w JOIN missing_episodes e "
            "ON e.home_id = w.home_id AND e.last_seen_at >= w.pre_start "
            "AND e.last_seen_at < w.post_end GROUP BY w.home_id",
            params,
        )
        counts |= {home_id: (int(pre or 0), int(post or 0)) for home_id, pre, post in rows}
    return counts


def _rate(episodes: int, days: int) -> float | None:
    return None if days == 0 else 1000 * episodes / days


def demand_entry(
    windows: Windows, pre_episodes: int, post_episodes: int, pre_days: int, post_days: int,
    unit_cost: float,
) -> dict[str, Any]:  # fmt: skip
    """The `demand` object of one home from its counts."""
    pre_rate, post_rate = _rate(pre_episodes, pre_days), _rate(post_episodes, post_days)
    ratio = ci95 = avoided = cost = None
    if pre_rate is not None and post_rate is not None:
        if pre_rate > 0:
            ratio = post_rate / pre_rate
            if pre_episodes and post_episodes:
                spread = 1.96 * math.sqrt(1 / pre_episodes + 1 / post_episodes)
                low, high = math.exp(math.log(ratio) - spread), math.exp(math.log(ratio) + spread)
                ci95 = [round(low, 3), round(high, 3)]
        avoided = pre_episodes / pre_days * post_days - post_episodes
        cost = round(avoided * unit_cost, 2)
    return {
        "engagement_start": windows.engaged.isoformat(),
        "pre": _window(pre_episodes, pre_days, pre_rate),
        "post": _window(post_episodes, post_days, post_rate),
        "rate_ratio": None if ratio is None else round(ratio, 3),
        "ci95": ci95,
        "episodes_avoided": None if avoided is None else round(avoided, 1),
        "cost_avoided": cost,
    }


def _window(episodes: int, days: int, rate: float | None) -> dict[str, Any]:
    return {
        "episodes": episodes,
        "child_days": days,
        "rate_per_1000": None if rate is None else round(rate, 3),
    }


def demand_for(
    session: Session, homes: list[tuple[int, date, int | None]], to: date, settings: Settings
) -> dict[int, dict[str, Any]]:
    """The demand object of each (home id, engagement start, beds) engaged by `to`."""
    windows = [Windows.of(home_id, engaged, to, settings.demand_window_days)
               for home_id, engaged, _ in homes if engaged <= to]  # fmt: skip
    if not windows:
        return {}
    beds = {home_id: count for home_id, _, count in homes}
    days = _child_days(session, windows, beds)
    counts = _episodes_in_windows(session, windows)
    entries = {}
    for window in windows:
        pre, post = counts.get(window.home_id, (0, 0))
        pre_days, post_days = days[window.home_id]
        entries[window.home_id] = demand_entry(window, pre, post, pre_days, post_days,
                                               settings.unit_cost)  # fmt: skip
    return entries


def _child_days(
    session: Session, windows: list[Windows], beds: dict[int, int | None]
) -> dict[int, tuple[int, int]]:
    """(pre, post) child-days of each home: for every placement at the home, the local dates
    of the window on which the child was placed there (a placement covers its start up to
    the day before its end; an open one runs past the window); beds x days when the records
    hold no placement at the home at all."""
    ids = [window.home_id for window in windows]
    frames = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        frames.append(pd.read_sql_query(
            'SELECT home_id, start, "end" FROM placements WHERE home_id IN '
            f"({', '.join('?' for _ in chunk)})",
            raw_connection(session), params=chunk))  # fmt: skip
    stays = pd.concat(frames, ignore_index=True)
    stays["start"] = pd.to_datetime(stays["start"])
    stays["end"] = pd.to_datetime(stays["end"]).fillna(pd.Timestamp.max.normalize())
    columns = ["home_id", "pre_first", "pre_last", "post_first", "post_last"]
    bounds = pd.DataFrame(
        [(w.home_id, w.pre.first, w.pre.last, w.post.first, w.post.last) for w in windows],
        columns=columns,
    )
    for column in bounds.columns[1:]:
        bounds[column] = pd.to_datetime(bounds[column])
    joined = stays.merge(bounds, on="home_id")
    one_day = pd.Timedelta(days=1)
    result: dict[int, tuple[int, int]] = {}
    totals = {}
    for part in ("pre", "post"):
        first = joined[["start", f"{part}_first"]].max(axis=1)
        stop = pd.concat([joined["end"], joined[f"{part}_last"] + one_day], axis=1).min(axis=1)
        totals[part] = ((stop - first).dt.days.clip(lower=0)).groupby(joined["home_id"]).sum()
    placed = set(stays["home_id"].tolist())
    for window in windows:
        if window.home_id in placed:
            result[window.home_id] = (int(totals["pre"].get(window.home_id, 0)),
                                      int(totals["post"].get(window.home_id, 0)))  # fmt: skip
        else:  # no placement at the home at all: beds x days
            home_beds = beds.get(window.home_id) or 0
            result[window.home_id] = (home_beds * _days(window.pre),
                                      home_beds * _days(window.post))  # fmt: skip
    return result


def demand(session: Session, home_id: int, to: date, settings: Settings) -> dict[str, Any] | None:
    """One home's demand object; None without an engagement start, or one after `to`."""
    home = session.get(CareHome, home_id)
    if home is None or home.engagement_start is None:
        return None
    return demand_for(session, [(home.id, home.engagement_start, home.beds)], to, settings).get(
        home.id
    )


def homes_entries(
    session: Session,
    to: date,
    home_id: int | None,
    episodes: pd.DataFrame,
    returns: pd.DataFrame,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Every home with an episode in the period or an engagement start, by URN; with a home
    chosen, that home alone if it qualifies. Each entry as if `--home` named it."""
    with_episodes = set(episodes["home_id"].unique().tolist())
    query = select(CareHome.id, CareHome.urn, CareHome.name, CareHome.engagement_start,
                   CareHome.beds)  # fmt: skip
    if home_id is not None:
        query = query.where(CareHome.id == home_id)
    homes = [row for row in session.execute(query)
             if row.id in with_episodes or row.engagement_start is not None]  # fmt: skip
    homes.sort(key=lambda row: row.urn)
    engaged = [(row.id, row.engagement_start, row.beds) for row in homes if row.engagement_start]
    demands = demand_for(session, engaged, to, settings)
    figures = home_figures(episodes, returns, settings)
    return [
        {"urn": row.urn, "name": row.name, **figures.get(row.id, NO_FIGURES),
         "demand": demands.get(row.id)}
        for row in homes
    ]  # fmt: skip
