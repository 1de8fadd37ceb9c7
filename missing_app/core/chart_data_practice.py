"""The data behind the Insights page's charts of homes: how each reports its episodes, and
its demand before and after PCSO engagement (METRICS.md).

As in `chart_data`, each function returns a frozen dataclass of tuples, counted in SQL over
the stored UTC text, and the figures agree with `metrics.stats()` for the same filters.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.chart_data import (
    ALL_HOMES,
    SECONDS,
    PeriodScope,
    episode_filter,
    london_sql,
    month_end,
    period_scope,
    sql_rows,
)
from missing_app.core.demand import demand_for
from missing_app.core.metrics import Settings, pct, quantile
from missing_app.core.models import CareHome
from missing_app.core.queries.homes import ASSESSMENT_QUESTIONS
from missing_app.core.times import local_day_range

# 7. Reporting practice per home ------------------------------------------------------------

MEASURES = (
    "Police reference",
    "Median time to report",
    *(question for _, _, question in ASSESSMENT_QUESTIONS),
)
MEASURE_HEADINGS = ("Police ref", "Time to report", *(h for _, h, _ in ASSESSMENT_QUESTIONS))


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
    return {row[0]: [int(v or 0) for v in row[1:]] for row in sql_rows(session, sql, params)}


def _report_minutes(session: Session, where: str, params: dict[str, Any]) -> dict[int, list[float]]:
    report = SECONDS.format(later="e.reported_at", earlier="e.last_seen_at")
    sql = (
        f"SELECT e.home_id, {report} / 60.0 FROM missing_episodes e "
        f"WHERE {where} AND e.reported_at IS NOT NULL"
    )
    minutes: dict[int, list[float]] = {}
    for home, value in sql_rows(session, sql, params):
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
    where, params = episode_filter(*local_day_range(first, last), home_id)
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
        period_scope(session, first, last, home_id), MEASURES, tuple(rows), len(counts)
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
    count = sql_rows(session, f"SELECT COUNT(*) FROM care_homes h WHERE {engaged}", params)[0][0]
    order = f"ORDER BY ({before}) DESC, h.urn LIMIT :limit"
    sql = f"SELECT h.id FROM care_homes h WHERE {engaged} {order}"
    shown = _engaged(session, [row[0] for row in sql_rows(session, sql, params)], to, settings)
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
        for s, e in sql_rows(session, sql, {"home": home.id})
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
    where, params = episode_filter(*bounds, home_id)
    local_day = f"date({london_sql('e.last_seen_at', *bounds)})"
    sql = f"SELECT {local_day} FROM missing_episodes e WHERE {where}"
    ends = [last for _, last in pieces]
    counts = [0] * len(pieces)
    for (day,) in sql_rows(session, sql, params):
        counts[bisect.bisect_left(ends, date.fromisoformat(day))] += 1
    return DemandRun(
        found,
        tuple(first for first, _ in pieces),
        tuple(ends),
        tuple(counts),
        tuple(_child_days(session, home, pieces)),
    )
