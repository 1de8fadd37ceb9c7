"""The data behind each chart of the Insights page, computed from the database.

Each function returns a frozen dataclass of tuples: it can be tested on its own and handed
from a worker thread to the window. Counts are grouped in SQL over the stored UTC text;
London time (METRICS.md, Conventions) is applied in SQL by `_local_sql`, which adds the
offset in force at each moment. The figures agree with `metrics.stats()` for the same filters.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.demand import demand_for
from missing_app.core.metrics import BANDS, Settings, band_of, pct, quantile, raw_connection
from missing_app.core.models import CareHome
from missing_app.core.queries.homes import ASSESSMENT_QUESTIONS
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


def _local_sql(column: str, start: datetime, end: datetime) -> str:
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


def _rows(session: Session, sql: str, params: Mapping[str, Any]) -> list[Any]:
    """Rows of `sql` with named parameters, straight from sqlite3: at a million episodes the
    ORM's row objects would cost more than the query."""
    return list(raw_connection(session).execute(sql, dict(params)).fetchall())


def _filter(
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
) -> list[tuple[int, ...]]:
    """Three counts (`select`) of the episodes whose `column` falls in each London month.

    Joining a table of the months' UTC bounds lets SQLite walk the index month by month,
    with no time arithmetic on each row.
    """
    bounds = [local_day_range(first, month_end(first)) for first in starts]
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
    found = {row[0]: row[1:] for row in _rows(session, sql, {**(params or {}), "home_id": home_id})}
    return [tuple(int(v or 0) for v in found.get(i, (0, 0, 0))) for i in range(len(starts))]


def _series(rows: Sequence[tuple[int, ...]], index: int) -> tuple[int, ...]:
    return tuple(row[index] for row in rows)


# 1. Episodes per month ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyEpisodes:
    """Episodes per London month by type, and the distinct children who went each month."""

    scope: str
    home_id: int | None
    months: tuple[date, ...]  # first day of each month, oldest first
    missing: tuple[int, ...]
    absent: tuple[int, ...]
    children: tuple[int, ...]


def monthly_episodes(
    session: Session, last_month: date, home_id: int | None = None, months: int = 13
) -> MonthlyEpisodes:
    starts = month_starts(last_month, months)
    counts = _by_month(
        session,
        starts,
        "e.last_seen_at",
        "SUM(e.type = 'missing'), SUM(e.type = 'absent'), COUNT(DISTINCT e.child_id)",
        "",
        home_id,
    )
    return MonthlyEpisodes(
        scope_name(session, home_id),
        home_id,
        starts,
        _series(counts, 0),
        _series(counts, 1),
        _series(counts, 2),
    )


# 2 and 3. Children by repeat band; how concentrated episodes are ---------------------------


@dataclass(frozen=True)
class PeriodScope:
    """What a period chart covers: London dates `first` to `last`, one home or all."""

    scope: str
    home_id: int | None
    first: date
    last: date


def _period_scope(session: Session, first: date, last: date, home_id: int | None) -> PeriodScope:
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    return PeriodScope(scope_name(session, home_id), home_id, first, last)


def _child_counts(
    session: Session, first: date, last: date, home_id: int | None
) -> list[tuple[int, int]]:
    """(child id, episodes in the period), most episodes first, then by child id."""
    where, params = _filter(*local_day_range(first, last), home_id)
    sql = f"SELECT e.child_id, COUNT(*) AS n FROM missing_episodes e WHERE {where} GROUP BY 1"
    pairs = [(int(child), int(count)) for child, count in _rows(session, sql, params)]
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
        _period_scope(session, first, last, home_id),
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
        _period_scope(session, first, last, home_id),
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
    where, params = _filter(start, end, home_id)
    moment = _local_sql("e.last_seen_at", start, end)
    sql = (
        f"SELECT CAST(strftime('%w', {moment}) AS INTEGER) AS w, "
        f"CAST(strftime('%H', {moment}) AS INTEGER) AS h, COUNT(*) "
        f"FROM missing_episodes e WHERE {where} GROUP BY w, h"
    )
    grid = [[0] * 24 for _ in WEEKDAYS]
    for sunday_first, hour, count in _rows(session, sql, params):
        grid[(sunday_first + 6) % 7][hour] = int(count)
    return HourWeekday(_period_scope(session, first, last, home_id), tuple(map(tuple, grid)))


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
    where, params = _filter(*local_day_range(first, last), home_id)
    sql = (
        f"SELECT {DURATION_SECONDS} AS s FROM missing_episodes e "
        f"WHERE {where} AND e.returned_at IS NOT NULL ORDER BY s"
    )
    hours = tuple(float(seconds) / 3600 for (seconds,) in _rows(session, sql, params))
    edges, log_scale = duration_edges(hours)
    # The durations come sorted: each bin is the run between two edges.
    cuts = [0, *(bisect.bisect_left(hours, edge) for edge in edges[1:-1]), len(hours)]
    counts = [high - low for low, high in itertools.pairwise(cuts)]
    median, p90 = quantile(hours, 0.5), quantile(hours, 0.9)
    return Durations(
        _period_scope(session, first, last, home_id),
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

    @property
    def offered_pct(self) -> tuple[float | None, ...]:
        return tuple(map(pct, self.offered_in_window, self.returns))

    @property
    def completed_pct(self) -> tuple[float | None, ...]:
        return tuple(map(pct, self.completed_in_window, self.returns))


def rhi_timeliness(
    session: Session,
    last_month: date,
    home_id: int | None = None,
    months: int = 13,
    window_hours: float = 72.0,
) -> RhiTimeliness:
    starts = month_starts(last_month, months)
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
    )
    return RhiTimeliness(
        scope_name(session, home_id),
        home_id,
        starts,
        _series(counts, 0),
        _series(counts, 1),
        _series(counts, 2),
        window_hours,
    )


# 7. Reporting practice per home ------------------------------------------------------------

MEASURES = (
    "Police reference",
    "Median minutes to report",
    *(question for _, _, question in ASSESSMENT_QUESTIONS),
)
MEASURE_HEADINGS = ("Police ref", "Minutes to report", *(h for _, h, _ in ASSESSMENT_QUESTIONS))


@dataclass(frozen=True)
class ScorecardRow:
    """One home's reporting practice: values in the order of MEASURES (None: no data)."""

    home_id: int | None  # None for the row of all homes together
    name: str
    episodes: int
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ReportingScorecard:
    """Reporting practice per home with episodes in the period, most episodes first.

    Percentages are of the episodes (police reference) or of the assessments that answered
    the question yes or no; unanswered (not applicable) answers are left out.
    """

    period: PeriodScope
    measures: tuple[str, ...]
    rows: tuple[ScorecardRow, ...]
    homes_in_period: int  # rows shows at most `limit` of them


def _scorecard_counts(session: Session, where: str, params: dict[str, Any]) -> dict[int, list[int]]:
    answers = ", ".join(
        f"SUM(a.{field} = 1), SUM(a.{field} IS NOT NULL)" for field, _, _ in ASSESSMENT_QUESTIONS
    )
    sql = (
        "SELECT e.home_id, COUNT(*), SUM(NULLIF(TRIM(e.police_ref), '') IS NOT NULL), "
        f"{answers} FROM missing_episodes e "
        "LEFT JOIN reporting_assessments a ON a.episode_id = e.id "
        f"WHERE {where} GROUP BY e.home_id"
    )
    return {row[0]: [int(v or 0) for v in row[1:]] for row in _rows(session, sql, params)}


def _report_minutes(session: Session, where: str, params: dict[str, Any]) -> dict[int, list[float]]:
    report = SECONDS.format(later="e.reported_at", earlier="e.last_seen_at")
    sql = (
        f"SELECT e.home_id, {report} / 60.0 FROM missing_episodes e "
        f"WHERE {where} AND e.reported_at IS NOT NULL"
    )
    minutes: dict[int, list[float]] = {}
    for home, value in _rows(session, sql, params):
        minutes.setdefault(home, []).append(float(value))
    return minutes


def _scorecard_row(
    home_id: int | None, name: str, counts: Sequence[int], minutes: list[float]
) -> ScorecardRow:
    median = quantile(minutes, 0.5)
    answers = [pct(counts[i], counts[i + 1]) for i in range(2, len(counts), 2)]
    values = (pct(counts[1], counts[0]), None if median is None else round(median, 1), *answers)
    return ScorecardRow(home_id, name, counts[0], values)


def reporting_scorecard(
    session: Session, first: date, last: date, home_id: int | None = None, limit: int = 20
) -> ReportingScorecard:
    where, params = _filter(*local_day_range(first, last), home_id)
    counts = _scorecard_counts(session, where, params)
    minutes = _report_minutes(session, where, params)
    shown = sorted(counts, key=lambda home: (-counts[home][0], home))[:limit]
    chosen = select(CareHome.id, CareHome.urn, CareHome.name).where(CareHome.id.in_(shown))
    names = {home: (urn, name) for home, urn, name in session.execute(chosen)}
    shown.sort(key=lambda home: (-counts[home][0], names[home][0]))
    rows = [_scorecard_row(h, names[h][1], counts[h], minutes.get(h, [])) for h in shown]
    if len(counts) > 1:
        total = [sum(column) for column in zip(*counts.values(), strict=True)]
        everyone = [m for values in minutes.values() for m in values]
        rows.insert(0, _scorecard_row(None, ALL_HOMES, total, everyone))
    return ReportingScorecard(
        _period_scope(session, first, last, home_id), MEASURES, tuple(rows), len(counts)
    )


# 8. Demand before and after engagement -----------------------------------------------------


@dataclass(frozen=True)
class HomeDemand:
    """One home's `demand` object of METRICS.md (from core.demand), as plain values."""

    home_id: int
    urn: str
    name: str
    engagement_start: date
    pre_first: date  # the pre window: London dates `pre_first` to the day before engagement
    post_last: date  # the post window: engagement to `post_last`
    pre_episodes: int
    pre_child_days: int
    pre_rate: float | None  # episodes per 1,000 child-days
    post_episodes: int
    post_child_days: int
    post_rate: float | None
    rate_ratio: float | None
    ci95: tuple[float, float] | None
    episodes_avoided: float | None
    cost_avoided: float | None


def _home_demand(
    home: CareHome, found: Mapping[str, Any], to: date, settings: Settings
) -> HomeDemand:
    """The home's `demand` object of METRICS.md as a HomeDemand."""
    pre, post, ci = found["pre"], found["post"], found["ci95"]
    engaged, window = date.fromisoformat(found["engagement_start"]), settings.demand_window_days
    return HomeDemand(
        home.id,
        home.urn,
        home.name,
        engaged,
        engaged - timedelta(days=window),
        min(engaged + timedelta(days=window - 1), to),
        pre["episodes"],
        pre["child_days"],
        pre["rate_per_1000"],
        post["episodes"],
        post["child_days"],
        post["rate_per_1000"],
        found["rate_ratio"],
        None if ci is None else (ci[0], ci[1]),
        found["episodes_avoided"],
        found["cost_avoided"],
    )


def _engaged(
    session: Session, home_ids: Sequence[int], to: date, settings: Settings
) -> tuple[HomeDemand, ...]:
    """The demand of each of these homes engaged by `to`, in the order given."""
    homes = [session.get_one(CareHome, home_id) for home_id in home_ids]
    starts = [(h.id, h.engagement_start, h.beds) for h in homes if h.engagement_start is not None]
    found = demand_for(session, starts, to, settings)
    return tuple(_home_demand(h, found[h.id], to, settings) for h in homes if h.id in found)


@dataclass(frozen=True)
class DemandComparison:
    """Episodes per 1,000 child-days before and after engagement, for engaged homes."""

    to: date
    homes: tuple[HomeDemand, ...]
    engaged_homes: int  # homes shows at most `limit` of them
    unit_cost: float

    @property
    def cost_avoided(self) -> float:
        return sum(home.cost_avoided or 0.0 for home in self.homes)


def demand_comparison(
    session: Session,
    to: date,
    home_id: int | None = None,
    settings: Settings | None = None,
    limit: int = 20,
) -> DemandComparison:
    """The engaged homes with the most episodes in their year before engagement (or one).

    The ranking counts on UTC dates, near enough to choose which homes to show; the figures
    shown are those of METRICS.md.
    """
    settings = settings or Settings.read(session)
    before = (
        "SELECT COUNT(*) FROM missing_episodes e WHERE e.home_id = h.id "
        "AND e.last_seen_at >= date(h.engagement_start, :back) "
        "AND e.last_seen_at < h.engagement_start"
    )
    engaged = "h.engagement_start IS NOT NULL AND h.engagement_start <= :to"
    if home_id is not None:
        engaged += " AND h.id = :home_id"
    back = f"-{settings.demand_window_days} days"
    params = {"to": to.isoformat(), "back": back, "home_id": home_id, "limit": limit}
    count = _rows(session, f"SELECT COUNT(*) FROM care_homes h WHERE {engaged}", params)[0][0]
    order = f"ORDER BY ({before}) DESC, h.urn LIMIT :limit"
    sql = f"SELECT h.id FROM care_homes h WHERE {engaged} {order}"
    shown = _engaged(session, [row[0] for row in _rows(session, sql, params)], to, settings)
    if home_id is None:  # a home with no episodes either side tells nothing
        shown = tuple(h for h in shown if h.pre_episodes + h.post_episodes)
    return DemandComparison(to, shown, int(count), settings.unit_cost)


@dataclass(frozen=True)
class DemandRun:
    """One home's episodes per 1,000 child-days through its pre and post windows, by month
    (the month of the engagement start split in two at that date)."""

    demand: HomeDemand
    starts: tuple[date, ...]  # each piece: London dates `starts[i]` to `ends[i]`
    ends: tuple[date, ...]
    episodes: tuple[int, ...]
    child_days: tuple[int, ...]

    @property
    def rates(self) -> tuple[float | None, ...]:
        return tuple(
            None if days == 0 else 1000 * count / days
            for count, days in zip(self.episodes, self.child_days, strict=True)
        )


def _pieces(first: date, last: date) -> list[tuple[date, date]]:
    """London dates `first` to `last` cut at month boundaries."""
    pieces = []
    while first <= last:
        end = min(month_end(first.replace(day=1)), last)
        pieces.append((first, end))
        first = end + timedelta(days=1)
    return pieces


def _days_placed(start: date, end: date | None, first: date, last: date) -> int:
    """London dates `first` to `last` on which a placement from `start` to the day before
    `end` (open when None) held its child."""
    stop = last + timedelta(days=1) if end is None else min(end, last + timedelta(days=1))
    return max(0, (stop - max(start, first)).days)


def _child_days(session: Session, home: CareHome, pieces: Sequence[tuple[date, date]]) -> list[int]:
    """Child-days at the home in each piece: beds x days when it has no placement at all."""
    sql = 'SELECT start, "end" FROM placements WHERE home_id = :home'
    stays = [
        (date.fromisoformat(s), None if e is None else date.fromisoformat(e))
        for s, e in _rows(session, sql, {"home": home.id})
    ]
    if not stays:
        return [(home.beds or 0) * ((last - first).days + 1) for first, last in pieces]
    return [sum(_days_placed(*stay, first, last) for stay in stays) for first, last in pieces]


def demand_run(
    session: Session, home_id: int, to: date, settings: Settings | None = None
) -> DemandRun | None:
    """None when the home has no engagement start on or before `to`."""
    settings = settings or Settings.read(session)
    home = session.get_one(CareHome, home_id)
    engaged = _engaged(session, [home_id], to, settings)
    if not engaged:
        return None
    found = engaged[0]
    start = found.engagement_start
    pieces = _pieces(found.pre_first, start - timedelta(days=1))
    pieces += _pieces(start, found.post_last)
    bounds = local_day_range(pieces[0][0], pieces[-1][1])
    where, params = _filter(*bounds, home_id)
    local_day = f"date({_local_sql('e.last_seen_at', *bounds)})"
    sql = f"SELECT {local_day} FROM missing_episodes e WHERE {where}"
    ends = [last for _, last in pieces]
    counts = [0] * len(pieces)
    for (day,) in _rows(session, sql, params):
        counts[bisect.bisect_left(ends, date.fromisoformat(day))] += 1
    return DemandRun(
        found,
        tuple(first for first, _ in pieces),
        tuple(ends),
        tuple(counts),
        tuple(_child_days(session, home, pieces)),
    )


# The episodes behind a bar or cell -------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeQuery:
    """Which episodes lie behind one bar or cell of a chart; None means any.

    Dates are London dates, inclusive, of last seen (of the return when `by_return`). Hour
    and weekday (Monday 0) are London time of last seen; a duration range [min, max) hours
    keeps returned episodes only. `label` says in words what the episodes are.
    """

    label: str
    first_day: date
    last_day: date
    by_return: bool = False
    home_id: int | None = None
    child_ids: tuple[int, ...] | None = None
    type: str | None = None
    hour: int | None = None
    weekday: int | None = None
    min_hours: float | None = None
    max_hours: float | None = None


def _query_conditions(query: EpisodeQuery) -> tuple[list[str], dict[str, Any]]:
    column = "e.returned_at" if query.by_return else "e.last_seen_at"
    start, end = local_day_range(query.first_day, query.last_day)
    where, params = _filter(start, end, query.home_id, column)
    conditions = [where]
    if query.child_ids is not None:
        conditions.append("e.child_id IN (SELECT value FROM json_each(:children))")
        params["children"] = json.dumps(list(query.child_ids))
    if query.type is not None:
        conditions.append("e.type = :type")
        params["type"] = query.type
    moment = _local_sql("e.last_seen_at", start - timedelta(days=400), end)
    if query.hour is not None:
        conditions.append(f"CAST(strftime('%H', {moment}) AS INTEGER) = :hour")
        params["hour"] = query.hour
    if query.weekday is not None:
        conditions.append(f"(CAST(strftime('%w', {moment}) AS INTEGER) + 6) % 7 = :weekday")
        params["weekday"] = query.weekday
    if query.min_hours is not None or query.max_hours is not None:
        conditions.append("e.returned_at IS NOT NULL")
    if query.min_hours is not None:
        conditions.append(f"{DURATION_SECONDS} >= :min_seconds")
        params["min_seconds"] = query.min_hours * 3600
    if query.max_hours is not None:
        conditions.append(f"{DURATION_SECONDS} < :max_seconds")
        params["max_seconds"] = query.max_hours * 3600
    return conditions, params


def episode_ids(session: Session, query: EpisodeQuery, limit: int | None = None) -> list[int]:
    """The ids of the episodes `query` describes, oldest first."""
    conditions, params = _query_conditions(query)
    column = "e.returned_at" if query.by_return else "e.last_seen_at"
    where = " AND ".join(conditions)
    sql = f"SELECT e.id FROM missing_episodes e WHERE {where} ORDER BY {column}, e.id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [row[0] for row in _rows(session, sql, params)]
