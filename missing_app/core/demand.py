"""Demand before and after the PCSO's engagement with a home (METRICS.md, Demand reduction),
and the `homes` entries of `stats`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.metrics import NO_FIGURES, Period, Settings, home_figures, raw_connection
from missing_app.core.models import CareHome

if TYPE_CHECKING:
    import pandas as pd


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
    import pandas as pd

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
