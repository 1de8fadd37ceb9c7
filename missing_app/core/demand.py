"""Demand before and after the PCSO's engagement with a home (METRICS.md, Demand reduction),
and the `homes` entries of `stats`.

Every engaged home is worked out at once: its episodes in each window by one SQL statement,
its child-days from its placements with numpy (imported inside the functions: the window
imports this module's callers at start-up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from missing_app.core.columns import DATE, INTEGER, read_columns
from missing_app.core.metrics import NO_FIGURES, Settings, raw_connection
from missing_app.core.models import CareHome
from missing_app.core.times import local_midnight, to_storage


@lru_cache(maxsize=4096)
def _midnight_text(day: date) -> str:
    """The UTC text of the instant London's day `day` begins (homes share their dates)."""
    return to_storage(local_midnight(day))


class Windows(NamedTuple):
    """A home's pre window [engaged - W days, engaged) and post window [engaged, end] as
    London dates, `end` being the earlier of engaged + W - 1 days and `--to`."""

    home_id: int
    engaged: date
    days: int  # W
    end: date

    @classmethod
    def of(cls, home_id: int, engaged: date, to: date, days: int) -> Windows:
        return cls(home_id, engaged, days, min(engaged + timedelta(days=days - 1), to))

    @property
    def pre_first(self) -> date:
        return self.engaged - timedelta(days=self.days)

    @property
    def post_days(self) -> int:
        return (self.end - self.engaged).days + 1

    def bounds(self) -> tuple[str, str, str]:
        """Where the pre window starts, the post window starts and ends, as UTC text."""
        return (_midnight_text(self.pre_first), _midnight_text(self.engaged),
                _midnight_text(self.end + timedelta(days=1)))  # fmt: skip


# Two counts on the index of each engaged home's episodes. A correlated COUNT(*) per window
# costs a fifth of one grouped join, which sorts every row it counts; a table of monthly counts
# per home (kept by triggers) would count fewer rows but search the index three times as
# often, and measured no faster.
EPISODES_IN_WINDOWS = """
WITH w AS (SELECT json_extract(value, '$[0]') AS home_id,
                  json_extract(value, '$[1]') AS pre_start,
                  json_extract(value, '$[2]') AS engaged_at,
                  json_extract(value, '$[3]') AS post_end
           FROM json_each(:windows))
SELECT home_id,
       (SELECT COUNT(*) FROM missing_episodes e WHERE e.home_id = w.home_id
        AND e.last_seen_at >= w.pre_start AND e.last_seen_at < w.engaged_at),
       (SELECT COUNT(*) FROM missing_episodes e WHERE e.home_id = w.home_id
        AND e.last_seen_at >= w.engaged_at AND e.last_seen_at < w.post_end)
FROM w
"""


def _episodes_in_windows(raw: Any, windows: Sequence[Windows]) -> dict[int, tuple[int, int]]:
    """(pre, post) episode counts of each home."""
    import json

    given = json.dumps([[window.home_id, *window.bounds()] for window in windows])
    rows = raw.execute(EPISODES_IN_WINDOWS, {"windows": given})
    return {int(home_id): (int(pre), int(post)) for home_id, pre, post in rows}


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
    raw = raw_connection(session)
    beds = {home_id: count for home_id, _, count in homes}
    days = _child_days(raw, windows, beds)
    counts = _episodes_in_windows(raw, windows)
    entries = {}
    for window in windows:
        pre, post = counts.get(window.home_id, (0, 0))
        pre_days, post_days = days[window.home_id]
        entries[window.home_id] = demand_entry(window, pre, post, pre_days, post_days,
                                               settings.unit_cost)  # fmt: skip
    return entries


PLACEMENT_FIELDS = {"home_id": ("p.home_id", INTEGER), "start": ("p.start", DATE),
                    "end": ('p."end"', DATE)}  # fmt: skip
MANY_HOMES = 100
EPOCH = date(1970, 1, 1).toordinal()
OPEN = 10**9  # an open placement's end, in days: past every window


def _child_days(
    raw: Any, windows: Sequence[Windows], beds: dict[int, int | None]
) -> dict[int, tuple[int, int]]:
    """(pre, post) child-days of each home: for every placement at the home, the local dates
    of the window on which the child was placed there (a placement covers its start up to
    the day before its end; an open one runs past the window); beds x days when the records
    hold no placement at the home at all."""
    import numpy as np

    ordered = sorted(windows, key=lambda window: window.home_id)
    homes = np.array([window.home_id for window in ordered], dtype=np.int64)
    placed = _placements(raw, homes)
    at = np.searchsorted(homes, placed["home_id"])  # the window of each placement
    start = placed["start"].astype(np.int64)  # days since 1970
    end = np.where(np.isnat(placed["end"]), OPEN, placed["end"].astype(np.int64))

    def each_placement(days: list[date]) -> Any:
        """One date of each home's windows, as days since 1970, for each placement."""
        return (np.array([day.toordinal() for day in days], dtype=np.int64) - EPOCH)[at]

    first = each_placement([window.pre_first for window in ordered])
    engaged = each_placement([window.engaged for window in ordered])
    stop = each_placement([window.end + timedelta(days=1) for window in ordered])

    def covered(since: Any, until: Any) -> list[int]:
        overlap = np.maximum(np.minimum(end, until) - np.maximum(start, since), 0)
        totals: list[int] = np.bincount(at, overlap, len(homes)).astype(np.int64).tolist()
        return totals

    placements = np.bincount(at, minlength=len(homes)).tolist()
    pre, post = covered(first, engaged), covered(engaged, stop)
    result = {}
    for n, window in enumerate(ordered):
        if placements[n]:
            result[window.home_id] = (pre[n], post[n])
        else:  # no placement at the home at all: beds x days
            home_beds = beds.get(window.home_id) or 0
            result[window.home_id] = (home_beds * window.days, home_beds * window.post_days)
    return result


def _placements(raw: Any, homes: Any) -> dict[str, Any]:
    """The placements at these homes (a sorted numpy array of ids)."""
    import json

    import numpy as np

    if len(homes) > MANY_HOMES:  # one pass over every placement beats a search per home
        placed = read_columns(raw, "FROM placements p", PLACEMENT_FIELDS, {})
        keep = np.isin(placed["home_id"], homes)
        return {name: column[keep] for name, column in placed.items()}
    source = "FROM json_each(:homes) h JOIN placements p ON p.home_id = h.value"
    return read_columns(raw, source, PLACEMENT_FIELDS, {"homes": json.dumps(homes.tolist())})


def demand(session: Session, home_id: int, to: date, settings: Settings) -> dict[str, Any] | None:
    """One home's demand object; None without an engagement start, or one after `to`."""
    home = session.get(CareHome, home_id)
    if home is None or home.engagement_start is None:
        return None
    return demand_for(session, [(home.id, home.engagement_start, home.beds)], to, settings).get(
        home.id
    )


HOMES = "SELECT id, urn, name, engagement_start, beds FROM care_homes"


def homes_entries(
    session: Session,
    to: date,
    home_id: int | None,
    figures: dict[int, dict[str, Any]],
    with_episodes: set[int],
    settings: Settings,
) -> list[dict[str, Any]]:
    """Every home with an episode in the period or an engagement start, by URN; with a home
    chosen, that home alone if it qualifies. Each entry as if `--home` named it, from
    `figures` (by home id)."""
    raw = raw_connection(session)
    rows = raw.execute(HOMES + (" WHERE id = ?" if home_id is not None else ""),
                       [] if home_id is None else [home_id]).fetchall()  # fmt: skip
    homes = sorted((row for row in rows if row[0] in with_episodes or row[3] is not None),
                   key=lambda row: row[1])  # fmt: skip
    engaged = [(id_, date.fromisoformat(start), beds)
               for id_, _, _, start, beds in homes if start is not None]  # fmt: skip
    demands = demand_for(session, engaged, to, settings)
    return [
        {"urn": urn, "name": name, **figures.get(id_, NO_FIGURES), "demand": demands.get(id_)}
        for id_, urn, name, _, _ in homes
    ]
