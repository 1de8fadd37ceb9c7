"""From a chart to the episodes behind it: every chart of the Insights page with its data
(`insights_charts`, `chart_figure`), the bar or cell a click fell on (`cell_at`), what
episodes lie behind it (`drill`, an `EpisodeQuery`) and their ids (`episode_ids`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from missing_app.core import chart_data as cd
from missing_app.core import chart_data_practice as practice
from missing_app.core.chart_data import DURATION_SECONDS, episode_filter, london_sql, sql_rows
from missing_app.core.charts import (
    PLOT,
    concentration_chart,
    day_text,
    durations_chart,
    hour_weekday_chart,
    monthly_episodes_chart,
    period_text,
    repeat_bands_chart,
    rhi_timeliness_chart,
)
from missing_app.core.charts_practice import demand_chart, demand_run_chart, scorecard_chart
from missing_app.core.durations import hours_text
from missing_app.core.metrics import Settings
from missing_app.core.security.access import Actor
from missing_app.core.times import local_day_range

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
    where, params = episode_filter(start, end, query.home_id, column)
    conditions = [where]
    if query.child_ids is not None:
        conditions.append("e.child_id IN (SELECT value FROM json_each(:children))")
        params["children"] = json.dumps(list(query.child_ids))
    if query.type is not None:
        conditions.append("e.type = :type")
        params["type"] = query.type
    moment = london_sql("e.last_seen_at", start - timedelta(days=400), end)
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


def episode_ids(
    session: Session, query: EpisodeQuery, limit: int | None = None, actor: Actor | None = None
) -> list[int]:
    """The ids of the episodes `query` describes at the actor's homes (None: all), oldest
    first."""
    conditions, params = _query_conditions(query)
    scope = None if actor is None else actor.home_scope
    if scope is not None:
        conditions.append("e.home_id IN (SELECT value FROM json_each(:actor_homes))")
        params["actor_homes"] = json.dumps(sorted(scope))
    column = "e.returned_at" if query.by_return else "e.last_seen_at"
    where = " AND ".join(conditions)
    sql = f"SELECT e.id FROM missing_episodes e WHERE {where} ORDER BY {column}, e.id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [row[0] for row in sql_rows(session, sql, params)]


# The Insights page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the Insights page: `key` names its builder, `data` is what it plots."""

    key: str
    title: str
    data: Any


BUILDERS: dict[str, Callable[[Any], Figure]] = {
    "monthly": monthly_episodes_chart,
    "bands": repeat_bands_chart,
    "concentration": concentration_chart,
    "hour_weekday": hour_weekday_chart,
    "durations": durations_chart,
    "rhi": rhi_timeliness_chart,
    "scorecard": scorecard_chart,
    "demand": demand_chart,
    "demand_run": demand_run_chart,
}


def chart_figure(spec: ChartSpec) -> Figure:
    """The Figure of one chart."""
    return BUILDERS[spec.key](spec.data)


def insights_charts(
    session: Session,
    first: date,
    last: date,
    home_id: int | None = None,
    settings: Settings | None = None,
) -> list[ChartSpec]:
    """Every chart's data for London dates `first` to `last`, in the page's order.

    The run chart is for `home_id`, else for the first home of the demand chart; it is left
    out when that home has no engagement start by `last`.
    """
    settings = settings or Settings.read(session)
    demand = practice.demand_comparison(session, last, home_id, settings)
    # The months of the period, at least a year of them: "Last 12 months" charts the same
    # 12 months its figures count, and a shorter period is seen against its year.
    months = max(12, cd.months_spanned(first, last))
    monthly = cd.monthly_episodes(session, last, home_id, months)
    rhi = cd.rhi_timeliness(session, last, home_id, months, settings.rhi_window_hours)
    specs = [
        ChartSpec("monthly", "Episodes per month", monthly),
        ChartSpec("bands", "Children by episodes", cd.repeat_bands(session, first, last, home_id)),
        ChartSpec(
            "concentration",
            "Most frequent children",
            cd.episode_concentration(session, first, last, home_id),
        ),
        ChartSpec(
            "hour_weekday", "Hour and weekday", cd.hour_weekday(session, first, last, home_id)
        ),
        ChartSpec("durations", "Time away", cd.durations(session, first, last, home_id)),
        ChartSpec("rhi", "Return interviews", rhi),
        ChartSpec(
            "scorecard",
            "Reporting practice",
            practice.reporting_scorecard(session, first, last, home_id),
        ),
        ChartSpec("demand", "Demand by home", demand),
    ]
    run_home = home_id if home_id is not None else next((h.home_id for h in demand.homes), None)
    run = None if run_home is None else practice.demand_run(session, run_home, last, settings)
    if run is not None:
        specs.append(ChartSpec("demand_run", "Demand over time", run))
    return specs


# From a click to the episodes behind it ------------------------------------------------------


def is_plot(ax: Axes | None) -> bool:
    """Whether a click in `ax` is on the chart itself (not a colour bar): see `cell_at`."""
    return ax is not None and ax.get_gid() == PLOT


def cell_at(spec: ChartSpec, x: float, y: float) -> tuple[int, int | None] | None:
    """The (x_index, y_index) of `drill` under a click at data coordinates (x, y) of the
    chart's main axes, `fig.axes[0]`. A twin y axis (`is_plot` holds for it too) shares x,
    and y where `drill` uses it, so its `xdata` and `ydata` serve as well; a colour bar's
    do not.
    """
    data = spec.data
    if spec.key == "durations":
        edges = data.edges
        return (cd.bin_index(edges, x), None) if edges[0] <= x <= edges[-1] else None
    if spec.key == "demand_run":
        from matplotlib.dates import num2date

        day = num2date(x).date()  # type: ignore[no-untyped-call]
        inside = [
            i for i, (s, e) in enumerate(zip(data.starts, data.ends, strict=True)) if s <= day <= e
        ]
        return (inside[0], None) if inside else None
    column, row = round(x), round(y)
    if spec.key == "concentration":
        column -= 1  # bars stand at ranks 1, 2, ...
    if spec.key == "monthly" and 0 <= column < len(data.months):
        missing = data.missing[column]
        row = 0 if 0 <= y < missing else 1 if missing <= y < missing + data.absent[column] else -1
    return column, (row if row >= 0 else None)


def drill(key: str, data: Any, x_index: int, y_index: int | None) -> EpisodeQuery | None:
    """The episodes behind bar or cell (x_index, y_index) of chart `key`; None off the chart
    (or for a band with no children).

    monthly: x the month, y 0 missing, 1 absent, None both. bands: x the band.
    concentration: x the child's rank (0 most). hour_weekday: x the hour, y the weekday
    (Monday 0). durations: x the bin. rhi: x the month (its returns). scorecard: y the row
    (its home's episodes). demand: y the home (its pre and post windows). demand_run: x the
    piece of month.
    """
    try:
        return DRILLS[key](data, x_index, y_index)
    except IndexError:
        return None


def _month_query(
    data: cd.MonthlyEpisodes | cd.RhiTimeliness, x: int, by_return: bool, type_: str | None
) -> EpisodeQuery:
    first = _at(data.months, x)
    noun = "Returns" if by_return else f"{(type_ or 'missing and absent').capitalize()} episodes"
    last = cd.month_end(first)
    if x == len(data.months) - 1 and data.to_date is not None:
        last = data.to_date  # the month in progress, as far as the chart counts it
    return EpisodeQuery(f"{noun}, {first:%B %Y}, {data.scope}", first, last, by_return,
                        data.home_id, type=type_)  # fmt: skip


def _at(values: Sequence[Any], index: int) -> Any:
    if not 0 <= index < len(values):
        raise IndexError(index)
    return values[index]


def _period_query(period: cd.PeriodScope, what: str, **filters: Any) -> EpisodeQuery:
    label = f"{what}, {period_text(period)}"
    return EpisodeQuery(label, period.first, period.last, home_id=period.home_id, **filters)


def _drill_monthly(data: cd.MonthlyEpisodes, x: int, y: int | None) -> EpisodeQuery:
    type_ = None if y is None else _at(("missing", "absent"), y)
    return _month_query(data, x, False, type_)


def _drill_band(data: cd.RepeatBands, x: int, y: int | None) -> EpisodeQuery | None:
    children = _at(data.child_ids, x)
    what = f"Episodes of the children with {data.bands[x]} episodes"
    return _period_query(data.period, what, child_ids=children) if children else None


def _drill_child(data: cd.EpisodeConcentration, x: int, y: int | None) -> EpisodeQuery:
    child = _at(data.child_ids, x)
    return _period_query(
        data.period, f"Episodes of the child ranked {x + 1} by episodes", child_ids=(child,)
    )


def _drill_hour(data: cd.HourWeekday, x: int, y: int | None) -> EpisodeQuery:
    day = _at(cd.WEEKDAYS, -1 if y is None else y)
    what = f"Episodes last seen {day} {_at(range(24), x):02d}:00-{x:02d}:59"
    return _period_query(data.period, what, hour=x, weekday=y)


def _drill_duration(data: cd.Durations, x: int, y: int | None) -> EpisodeQuery:
    _at(data.counts, x)
    low = None if x == 0 else data.edges[x]
    high = None if x == len(data.counts) - 1 else data.edges[x + 1]
    span = f"{hours_text(data.edges[x])} to {hours_text(data.edges[x + 1])}"
    return _period_query(data.period, f"Returned episodes away {span}", min_hours=low,
                         max_hours=high)  # fmt: skip


def _drill_row(data: practice.ReportingScorecard, x: int, y: int | None) -> EpisodeQuery:
    row = _at(data.rows, -1 if y is None else y)
    home = data.period.home_id if row.home_id is None else row.home_id
    period = cd.PeriodScope(row.name, home, data.period.first, data.period.last)
    return _period_query(period, "Episodes")


def _drill_home(data: practice.DemandComparison, x: int, y: int | None) -> EpisodeQuery:
    return _windows_query(_at(data.homes, -1 if y is None else y), None)


def _windows_query(home: practice.HomeDemand, piece: tuple[date, date] | None) -> EpisodeQuery:
    first, last = piece or (home.pre_first, home.post_last)
    return EpisodeQuery(f"Episodes, {home.name}, {day_text(first)} to {day_text(last)}", first,
                        last, home_id=home.home_id)  # fmt: skip


def _drill_run(data: practice.DemandRun, x: int, y: int | None) -> EpisodeQuery:
    return _windows_query(data.demand, (_at(data.starts, x), data.ends[x]))


DRILLS: dict[str, Callable[[Any, int, int | None], EpisodeQuery | None]] = {
    "monthly": _drill_monthly,
    "bands": _drill_band,
    "concentration": _drill_child,
    "hour_weekday": _drill_hour,
    "durations": _drill_duration,
    "rhi": lambda data, x, y: _month_query(data, x, True, None),
    "scorecard": _drill_row,
    "demand": _drill_home,
    "demand_run": _drill_run,
}
