"""Demand before and after the PCSO's engagement with a home (METRICS.md, Demand reduction),
and the `homes` entries of `stats`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.metrics import NO_FIGURES, Period, Settings, home_figures, raw_connection
from missing_app.core.models import CareHome, Placement

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


def child_days(
    placements: Iterable[tuple[date, date | None]], window: Period, beds: int | None
) -> int:
    """Local dates in `window` on which each placement had its child at the home (a placement
    covers start up to the day before end); beds x days when the home has no placement."""
    stays = list(placements)
    if not stays:
        return (beds or 0) * _days(window)
    after = window.last + timedelta(days=1)
    total = 0
    for start, end in stays:
        first, stop = max(start, window.first), min(end or after, after)
        total += max(0, (stop - first).days)
    return total


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
    stays: dict[int, list[tuple[date, date | None]]] = {w.home_id: [] for w in windows}
    ids = list(stays)
    for start in range(0, len(ids), 900):
        query = select(Placement.home_id, Placement.start, Placement.end).where(
            Placement.home_id.in_(ids[start : start + 900]))  # fmt: skip
        for home_id, first, end in session.execute(query):
            stays[home_id].append((first, end))
    counts = _episodes_in_windows(session, windows)
    entries = {}
    for window in windows:
        pre, post = counts.get(window.home_id, (0, 0))
        home_beds, home_stays = beds[window.home_id], stays[window.home_id]
        pre_days = child_days(home_stays, window.pre, home_beds)
        post_days = child_days(home_stays, window.post, home_beds)
        entries[window.home_id] = demand_entry(window, pre, post, pre_days, post_days,
                                               settings.unit_cost)  # fmt: skip
    return entries


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
