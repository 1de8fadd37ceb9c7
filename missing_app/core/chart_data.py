"""The data behind the Insights page's charts of episodes, computed from the database.

Each function returns a frozen dataclass of tuples: it can be tested on its own and handed
from a worker thread to the window. Counts are grouped in SQL over the stored UTC text;
London time (METRICS.md, Conventions) is applied in SQL by `london_sql`, which adds the
offset in force at each moment. The figures agree with `metrics.stats()` for the same filters.
The charts of homes' reporting practice and demand are in `chart_data_practice`, built on the
SQL helpers here.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from missing_app.core.metrics import BANDS, band_of, pct, quantile, raw_connection
from missing_app.core.models import CareHome
from missing_app.core.times import LONDON, local_day_range, to_storage

ALL_HOMES = "All homes"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SECONDS = "ROUND((julianday({later}) - julianday({earlier})) * 86400.0, 3)"
DURATION_SECONDS = SECONDS.format(later="e.returned_at", earlier="e.last_seen_at")


# London time in SQL --------------------------------------------------------------------------


def _minutes_ahead(moment: datetime) -> int:
    offset = moment.astimezone(LONDON).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) // 60


def _offsets(start: datetime, end: datetime) -> list[tuple[str, int]]:
    """London's lead on UTC over [start, end): (UTC text it starts at, minutes), in order."""
    segments = [(to_storage(start), _minutes_ahead(start))]
    moment = start
    while moment < end:
        step = min(moment + timedelta(days=1), end)
        if _minutes_ahead(step) != segments[-1][1]:
            change = moment  # the clocks change on the hour, UTC
            while _minutes_ahead(change) == segments[-1][1]:
                change += timedelta(hours=1)
            segments.append((to_storage(change), _minutes_ahead(change)))
        moment = step
    return segments


def london_sql(column: str, start: datetime, end: datetime) -> str:
    """SQL for the London wall-clock time of a stored UTC `column` lying in [start, end)."""
    segments = _offsets(start, end)
    cases = " ".join(
        f"WHEN {column} < '{later}' THEN '+{minutes} minutes'"
        for (_, minutes), (later, _) in itertools.pairwise(segments)
    )
    last = f"'+{segments[-1][1]} minutes'"
    return (
        f"datetime({column}, CASE {cases} ELSE {last} END)"
        if cases
        else f"datetime({column}, {last})"
    )


# Shared helpers -------------------------------------------------------------------------------


def sql_rows(session: Session, sql: str, params: Mapping[str, Any]) -> list[Any]:
    """Rows of `sql` with named parameters, straight from sqlite3: at a million episodes the
    ORM's row objects would cost more than the query."""
    return list(raw_connection(session).execute(sql, dict(params)).fetchall())


def episode_filter(
    start: datetime, end: datetime, home_id: int | None, column: str = "e.last_seen_at"
) -> tuple[str, dict[str, Any]]:
    """SQL conditions and parameters: `column` in [start, end), at one home if given."""
    where = f"{column} >= :start AND {column} < :end"
    params: dict[str, Any] = {"start": to_storage(start), "end": to_storage(end)}
    if home_id is not None:
        where += " AND e.home_id = :home_id"
        params["home_id"] = home_id
    return where, params


def scope_name(session: Session, home_id: int | None) -> str:
    """The home's name, or "All homes"."""
    home = None if home_id is None else session.get(CareHome, home_id)
    return ALL_HOMES if home is None else home.name


def month_starts(last_month: date, months: int) -> tuple[date, ...]:
    """The first days of the `months` months ending with the month containing `last_month`."""
    index = last_month.year * 12 + last_month.month - 1
    return tuple(date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1))


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _by_month(
    session: Session,
    starts: Sequence[date],
    column: str,
    select: str,
    joins: str,
    home_id: int | None,
    params: Mapping[str, Any] | None = None,
    through: date | None = None,
) -> list[tuple[int, ...]]:
    """Three counts (`select`) of the episodes whose `column` falls in each London month,
    up to the end of `through` (None: the whole of every month).

    Joining a table of the months' UTC bounds lets SQLite walk the index month by month,
    with no time arithmetic on each row.
    """
    ends = [
        month_end(first) if through is None else min(month_end(first), through) for first in starts
    ]
    bounds = [local_day_range(first, end) for first, end in zip(starts, ends, strict=True)]
    months = ", ".join(
        f"({i}, '{to_storage(start)}', '{to_storage(end)}')"
        for i, (start, end) in enumerate(bounds)
    )
    home = "" if home_id is None else " AND e.home_id = :home_id"
    sql = (
        f"WITH month(i, start, stop) AS (VALUES {months}) SELECT month.i, {select} "
        f"FROM month JOIN missing_episodes e ON {column} >= month.start AND {column} < month.stop"
        f"{home} {joins} GROUP BY month.i"
    )
    found = {
        row[0]: row[1:] for row in sql_rows(session, sql, {**(params or {}), "home_id": home_id})
    }
    return [tuple(int(v or 0) for v in found.get(i, (0, 0, 0))) for i in range(len(starts))]


def _series(rows: Sequence[tuple[int, ...]], index: int) -> tuple[int, ...]:
    return tuple(row[index] for row in rows)


# 1. Episodes per month ------------------------------------------------------------------------


def months_spanned(first: date, last: date) -> int:
    """How many calendar months the London dates `first` to `last` touch."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_to_date(months: Sequence[date], through: date | None) -> date | None:
    """The day the last of `months` is counted to, when that is before its end (a month in
    progress); None when every month is whole."""
    if through is None or not months or through >= month_end(months[-1]):
        return None
    return through


@dataclass(frozen=True)
class MonthlyEpisodes:
    """Episodes per London month by type, and the distinct children who went each month.
    The last month is counted up to `through` (None: whole)."""

    scope: str
    home_id: int | None
    months: tuple[date, ...]  # first day of each month, oldest first
    missing: tuple[int, ...]
    absent: tuple[int, ...]
    children: tuple[int, ...]
    through: date | None = None

    @property
    def to_date(self) -> date | None:
        """The day a month in progress is counted to; None when the last month is whole."""
        return month_to_date(self.months, self.through)


def monthly_episodes(
    session: Session, through: date, home_id: int | None = None, months: int = 13
) -> MonthlyEpisodes:
    """The `months` months to the one holding `through`, counted up to the end of that day."""
    starts = month_starts(through, months)
    counts = _by_month(
        session,
        starts,
        "e.last_seen_at",
        "SUM(e.type = 'missing'), SUM(e.type = 'absent'), COUNT(DISTINCT e.child_id)",
        "",
        home_id,
        through=through,
    )
    return MonthlyEpisodes(
        scope_name(session, home_id),
        home_id,
        starts,
        _series(counts, 0),
        _series(counts, 1),
        _series(counts, 2),
        through,
    )


# 2 and 3. Children by repeat band; how concentrated episodes are ---------------------------


@dataclass(frozen=True)
class PeriodScope:
    """What a period chart covers: London dates `first` to `last`, one home or all."""

    scope: str
    home_id: int | None
    first: date
    last: date


def period_scope(session: Session, first: date, last: date, home_id: int | None) -> PeriodScope:
    """What a chart of London dates `first` to `last` covers, at one home or all."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    return PeriodScope(scope_name(session, home_id), home_id, first, last)


def _child_counts(
    session: Session, first: date, last: date, home_id: int | None
) -> list[tuple[int, int]]:
    """(child id, episodes in the period), most episodes first, then by child id."""
    where, params = episode_filter(*local_day_range(first, last), home_id)
    sql = f"SELECT e.child_id, COUNT(*) AS n FROM missing_episodes e WHERE {where} GROUP BY 1"
    pairs = [(int(child), int(count)) for child, count in sql_rows(session, sql, params)]
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class RepeatBands:
    """Children by their number of episodes in the period, in the bands of METRICS.md."""

    period: PeriodScope
    bands: tuple[str, ...]
    children: tuple[int, ...]
    child_ids: tuple[tuple[int, ...], ...]  # the children in each band


def repeat_bands(
    session: Session, first: date, last: date, home_id: int | None = None
) -> RepeatBands:
    members: dict[str, list[int]] = {band: [] for band in BANDS}
    for child, count in _child_counts(session, first, last, home_id):
        members[band_of(count)].append(child)
    return RepeatBands(
        period_scope(session, first, last, home_id),
        BANDS,
        tuple(len(members[band]) for band in BANDS),
        tuple(tuple(sorted(members[band])) for band in BANDS),
    )


@dataclass(frozen=True)
class EpisodeConcentration:
    """Children sorted by their episodes in the period, most first (a Pareto chart)."""

    period: PeriodScope
    child_ids: tuple[int, ...]
    episodes: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.episodes)

    @property
    def top_children(self) -> int:
        """How many children make the top 10%: ceil(children x 0.10)."""
        return math.ceil(len(self.episodes) * 0.10)

    @property
    def top10_share(self) -> float | None:
        return pct(sum(self.episodes[: self.top_children]), self.total)

    @property
    def cumulative_pct(self) -> tuple[float, ...]:
        total = self.total
        return tuple(100 * running / total for running in itertools.accumulate(self.episodes))


def episode_concentration(
    session: Session, first: date, last: date, home_id: int | None = None
) -> EpisodeConcentration:
    pairs = _child_counts(session, first, last, home_id)
    return EpisodeConcentration(
        period_scope(session, first, last, home_id),
        tuple(child for child, _ in pairs),
        tuple(count for _, count in pairs),
    )


# 4. Hour of day against weekday ----------------------------------------------------------


@dataclass(frozen=True)
class HourWeekday:
    """Episodes by London weekday (rows, Monday first) and hour (columns, 0-23) of last seen."""

    period: PeriodScope
    counts: tuple[tuple[int, ...], ...]  # 7 rows of 24


def hour_weekday(
    session: Session, first: date, last: date, home_id: int | None = None
) -> HourWeekday:
    start, end = local_day_range(first, last)
    where, params = episode_filter(start, end, home_id)
    moment = london_sql("e.last_seen_at", start, end)
    sql = (
        f"SELECT CAST(strftime('%w', {moment}) AS INTEGER) AS w, "
        f"CAST(strftime('%H', {moment}) AS INTEGER) AS h, COUNT(*) "
        f"FROM missing_episodes e WHERE {where} GROUP BY w, h"
    )
    grid = [[0] * 24 for _ in WEEKDAYS]
    for sunday_first, hour, count in sql_rows(session, sql, params):
        grid[(sunday_first + 6) % 7][hour] = int(count)
    return HourWeekday(period_scope(session, first, last, home_id), tuple(map(tuple, grid)))


# 5. Durations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """How long returned episodes of the period lasted, binned for a histogram.

    Bin i holds durations from `edges[i]` up to (not including) `edges[i + 1]`; the first bin
    also takes anything shorter and the last anything longer. With `log_scale` the edges
    double from one bin to the next.
    """

    period: PeriodScope
    hours: tuple[float, ...]  # shortest first
    edges: tuple[float, ...]
    counts: tuple[int, ...]
    log_scale: bool
    median_hours: float | None  # as stats(): 2 decimals
    p90_hours: float | None


LINEAR_STEPS = (1, 2, 3, 4, 6, 12, 24, 48, 168)


def duration_edges(hours: Sequence[float]) -> tuple[tuple[float, ...], bool]:
    """Bin edges for these durations, and whether they are on a log scale.

    A log scale helps when most episodes last hours and a few weeks: the longest is over
    48 hours and the shortest non-zero one under 12.
    """
    longest = max(hours, default=0.0)
    positive = [h for h in hours if h > 0]
    if longest > 48 and positive and min(positive) < 12:
        low = 2.0 ** math.floor(math.log2(max(min(positive), 1 / 60)))
        count = math.floor(math.log2(longest / low)) + 2
        return tuple(low * 2.0**i for i in range(count)), True
    step = next((s for s in LINEAR_STEPS if longest < s * 12), LINEAR_STEPS[-1])
    return tuple(float(step * i) for i in range(math.floor(longest / step) + 2)), False


def bin_index(edges: Sequence[float], value: float) -> int:
    """The bin of `value`: anything below the second edge is in the first bin."""
    return min(max(bisect.bisect_right(edges, value) - 1, 0), len(edges) - 2)


def durations(session: Session, first: date, last: date, home_id: int | None = None) -> Durations:
    where, params = episode_filter(*local_day_range(first, last), home_id)
    sql = (
        f"SELECT {DURATION_SECONDS} AS s FROM missing_episodes e "
        f"WHERE {where} AND e.returned_at IS NOT NULL ORDER BY s"
    )
    hours = tuple(float(seconds) / 3600 for (seconds,) in sql_rows(session, sql, params))
    edges, log_scale = duration_edges(hours)
    # The durations come sorted: each bin is the run between two edges.
    cuts = [0, *(bisect.bisect_left(hours, edge) for edge in edges[1:-1]), len(hours)]
    counts = [high - low for low, high in itertools.pairwise(cuts)]
    median, p90 = quantile(hours, 0.5), quantile(hours, 0.9)
    return Durations(
        period_scope(session, first, last, home_id),
        hours,
        edges,
        tuple(counts),
        log_scale,
        None if median is None else round(median, 2),
        None if p90 is None else round(p90, 2),
    )


# 6. Return interviews on time ------------------------------------------------------------


@dataclass(frozen=True)
class RhiTimeliness:
    """Returns per London month of the return, and how many had their RHI offered and
    completed within the window (exactly the window counts as within)."""

    scope: str
    home_id: int | None
    months: tuple[date, ...]
    returns: tuple[int, ...]
    offered_in_window: tuple[int, ...]
    completed_in_window: tuple[int, ...]
    window_hours: float
    through: date | None = None  # the last month counted to the end of this day

    @property
    def to_date(self) -> date | None:
        """The day a month in progress is counted to; None when the last month is whole."""
        return month_to_date(self.months, self.through)

    @property
    def offered_pct(self) -> tuple[float | None, ...]:
        return tuple(map(pct, self.offered_in_window, self.returns))

    @property
    def completed_pct(self) -> tuple[float | None, ...]:
        return tuple(map(pct, self.completed_in_window, self.returns))


def rhi_timeliness(
    session: Session,
    through: date,
    home_id: int | None = None,
    months: int = 13,
    window_hours: float = 72.0,
) -> RhiTimeliness:
    """Returns of the `months` months to the one holding `through`, up to the end of it."""
    starts = month_starts(through, months)
    within = " <= :window AND {0} IS NOT NULL"
    offered = SECONDS.format(later="r.offered_at", earlier="e.returned_at")
    completed = SECONDS.format(later="r.completed_at", earlier="e.returned_at")
    counts = _by_month(
        session,
        starts,
        "e.returned_at",
        f"COUNT(*), SUM({offered}{within.format('r.offered_at')}), "
        f"SUM({completed}{within.format('r.completed_at')})",
        "LEFT JOIN return_interviews r ON r.episode_id = e.id",
        home_id,
        {"window": window_hours * 3600},
        through,
    )
    return RhiTimeliness(
        scope_name(session, home_id),
        home_id,
        starts,
        _series(counts, 0),
        _series(counts, 1),
        _series(counts, 2),
        window_hours,
        through,
    )
