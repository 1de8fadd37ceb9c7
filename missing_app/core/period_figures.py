"""The figures of one period (METRICS.md), worked out with numpy from columns of rows.

`metrics.stats()` reads the columns (`columns.py`) and hands them here; only the figures
import this module, never the window at start-up, so numpy is imported at the top. Each
function gives exactly what the straightforward pandas computation gave: the same counts,
and durations as the same floating-point numbers (nanoseconds / 1e9, as pandas divides).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from missing_app.core.metrics import BAND_EDGES, BANDS, Settings, pct, quantile
from missing_app.core.times import LONDON

Columns = dict[str, Any]  # name: numpy array, all of one length
NANOSECONDS = 1_000_000_000


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _seconds(later: Any, earlier: Any) -> Any:
    """Elapsed seconds where `later` is known (NaT dropped), as pandas' total_seconds()."""
    known = ~np.isnat(later)
    return (later[known] - earlier[known]).astype("int64") / NANOSECONDS


# Volume, repeats, time of day --------------------------------------------------------------


def volume(episodes: Columns) -> dict[str, Any]:
    """Episodes, children, repeats, bands and the top tenth's share of the period."""
    count = len(episodes["child_id"])
    _, per_child = np.unique(episodes["child_id"], return_counts=True)
    children = len(per_child)
    lowest = np.array([low for low, _ in BAND_EDGES])
    in_band = np.bincount(np.searchsorted(lowest, per_child, side="right") - 1,
                          minlength=len(BANDS))  # fmt: skip
    top = np.sort(per_child)[::-1][: (children + 9) // 10]  # ceil(10%)
    return {
        "episodes": count,
        "missing_episodes": int(episodes["missing"].sum()),
        "absent_episodes": count - int(episodes["missing"].sum()),
        "children": children,
        "episodes_per_child": round(count / children, 2) if children else 0,
        "repeat_children": int((per_child >= 2).sum()),
        "bands": {band: int(n) for band, n in zip(BANDS, in_band.tolist(), strict=True)},
        "top10_share": pct(int(top.sum()), count),
    }


def by_time(last_seen: Any) -> dict[str, list[int]]:
    """Episodes by London hour of day and weekday. London's clocks have changed only on a
    UTC hour since 1847, so each UTC hour is converted once."""
    hours, which = np.unique(last_seen.astype("datetime64[h]"), return_inverse=True)
    local = [datetime.fromtimestamp(hour * 3600, UTC).astimezone(LONDON)
             for hour in hours.astype("int64").tolist()]  # fmt: skip
    hour = np.array([moment.hour for moment in local], dtype=np.int64)
    weekday = np.array([moment.weekday() for moment in local], dtype=np.int64)
    return {
        "by_hour": np.bincount(hour[which], minlength=24).tolist(),
        "by_weekday": np.bincount(weekday[which], minlength=7).tolist(),
    }


def triggered(period: Columns, history: Columns, settings: Settings) -> int:
    """Children with an episode e in `period` such that their episodes in `history` (which
    holds every episode of theirs that can count, at any home) last seen in
    (e - D days, e] number at least N (D days = D x 24 hours of real time)."""
    if len(period["child_id"]) == 0:
        return 0
    ends = period["last_seen_at"]
    starts = ends - np.timedelta64(settings.repeat_window_days * 24, "h")
    children, child = np.unique(period["child_id"], return_inverse=True)
    known = np.minimum(np.searchsorted(children, history["child_id"]), len(children) - 1)
    mine = children[known] == history["child_id"]  # others' episodes cannot count
    # Times replaced by their ranks, each child's times lie in a band of their own on one
    # axis: one sorted array and two binary searches count every window at once, exactly.
    moments, moment = np.unique(history["last_seen_at"][mine], return_inverse=True)
    band = np.int64(len(moments) + 1)
    seen = np.sort(known[mine] * band + moment)
    own = child * band
    upto = np.searchsorted(seen, own + np.searchsorted(moments, ends, side="right"))
    before = np.searchsorted(seen, own + np.searchsorted(moments, starts, side="right"))
    return len(np.unique(period["child_id"][(upto - before) >= settings.repeat_threshold]))


# Duration, reporting, after the return ------------------------------------------------------


def durations(episodes: Columns) -> dict[str, Any]:
    """Median and 90th percentile of the hours away, and the share over 24 hours."""
    hours = _seconds(episodes["returned_at"], episodes["last_seen_at"]) / 3600
    return {
        "median_duration_hours": _rounded(quantile(hours, 0.5), 2),
        "p90_duration_hours": _rounded(quantile(hours, 0.9), 2),
        "share_over_24h": pct(int((hours > 24).sum()), len(hours)),
    }


def reporting(episodes: Columns) -> dict[str, Any]:
    """The share with a police reference and the median minutes to report."""
    minutes = _seconds(episodes["reported_at"], episodes["last_seen_at"]) / 60
    return {
        "police_ref_pct": pct(int(episodes["police_ref"].sum()), len(episodes["police_ref"])),
        "median_minutes_to_report": _rounded(quantile(minutes, 0.5), 1),
    }


def rhi_window(settings: Settings) -> Any:
    """The RHI window as numpy nanoseconds, rounded to the microsecond as pandas does."""
    window = timedelta(hours=settings.rhi_window_hours)
    return np.timedelta64(window // timedelta(microseconds=1), "us").astype("m8[ns]")


def after_return(returns: Columns, settings: Settings) -> dict[str, Any]:
    """The returns, and the shares with a safe-and-well check and an RHI (in time)."""
    count = len(returns["returned_at"])
    due = returns["returned_at"] + rhi_window(settings)
    offered, completed = returns["rhi_offered_at"], returns["rhi_completed_at"]
    return {
        "returns": count,
        "safe_and_well_pct": pct(int(returns["safe_and_well"].sum()), count),
        "rhi_offered_pct": pct(int((~np.isnat(offered)).sum()), count),
        "rhi_offered_72h_pct": pct(int((offered <= due).sum()), count),
        "rhi_completed_pct": pct(int((~np.isnat(completed)).sum()), count),
        "rhi_completed_72h_pct": pct(int((completed <= due).sum()), count),
    }


# Each home --------------------------------------------------------------------------------


def home_figures(
    episodes: Columns, returns: Columns, settings: Settings
) -> dict[int, dict[str, Any]]:
    """The figures each entry of `homes` carries, for every home at once, by home id."""
    split = len(episodes["home_id"])  # episodes first, then returns
    homes, at = np.unique(np.concatenate([episodes["home_id"], returns["home_id"]]),
                          return_inverse=True)  # fmt: skip
    of_episode, of_return = at[:split], at[split:]

    def per_home(where: Any, weights: Any = None) -> list[int]:
        totals: list[int] = np.bincount(where, weights, len(homes)).astype(np.int64).tolist()
        return totals

    span = np.int64(episodes["child_id"].max(initial=0) + 1)
    pairs, per_pair = np.unique(of_episode * span + episodes["child_id"],
                                return_counts=True)  # each (home, child) once  # fmt: skip
    in_time = returns["rhi_completed_at"] <= returns["returned_at"] + rhi_window(settings)
    counts = zip(
        homes.tolist(), per_home(of_episode), per_home(pairs // span),
        per_home(pairs // span, per_pair >= 2), per_home(of_episode, episodes["police_ref"]),
        per_home(of_return), per_home(of_return, in_time), strict=True,
    )  # fmt: skip
    return {
        home: {
            "episodes": count,
            "children": kids,
            "repeat_children": repeat,
            "police_ref_pct": pct(refs, count),
            "rhi_completed_72h_pct": pct(on_time, returned),
        }
        for home, count, kids, repeat, refs, returned, on_time in counts
    }
