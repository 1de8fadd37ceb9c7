"""The charts of the Insights page and the monthly pack, as matplotlib Figures (never pyplot).

Each builder takes the dataclass of `chart_data` and returns a `Figure`, sized and lettered to
be read on a projector and in black-and-white print: series differ by hatching, markers and
line styles as well as by colour. `insights_charts` gathers every chart's data; `cell_at` and
`drill` turn a click on a bar or cell into the episodes behind it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session

from missing_app.core import chart_data as cd
from missing_app.core.chart_data import EpisodeQuery
from missing_app.core.metrics import Settings

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TITLE_SIZE, SUBTITLE_SIZE, LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 17, 12.5, 13, 11.5, 10.5
DARK, LIGHT, MID = "#08306b", "#9ecae1", "#4292c6"
HEAT_MAP = "Blues"  # one hue from light to dark: reads in grey too
PLOT = "plot"  # the gid of the axes a click on which `cell_at` understands


# Shared look ---------------------------------------------------------------------------


def _figure(width: float = 11.0, height: float = 6.2) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    margins = ConstrainedLayoutEngine(w_pad=0.12, h_pad=0.08)  # inches round the edge
    return Figure(figsize=(width, height), dpi=100, layout=margins)


def _frame(fig: Figure, title: str, subtitle: str) -> Axes:
    """The figure's one axes, under a bold title and a plain subtitle."""
    fig.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold")
    ax = fig.add_subplot(gid=PLOT)
    ax.set_title(subtitle, fontsize=SUBTITLE_SIZE)
    return ax


def _twin(ax: Axes) -> Axes:
    """A second y axis over the same x: clicks on it count as clicks on the chart."""
    twin = ax.twinx()
    twin.set_gid(PLOT)
    return twin


def is_plot(ax: Axes | None) -> bool:
    """Whether a click in `ax` is on the chart itself (not a colour bar): see `cell_at`."""
    return ax is not None and ax.get_gid() == PLOT


def _label(ax: Axes, xlabel: str, ylabel: str, grid: Literal["x", "y"] | None = "y") -> None:
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    if grid is not None:
        ax.grid(axis=grid, color="#cccccc", linewidth=0.8)
        ax.set_axisbelow(True)


def _legend_below(fig: Figure, ax: Axes, columns: int = 3) -> None:
    handles, labels = ax.get_legend_handles_labels()
    for other in fig.axes:
        if other is not ax:
            more = other.get_legend_handles_labels()
            handles, labels = handles + more[0], labels + more[1]
    fig.legend(
        handles, labels, loc="outside lower center", ncols=columns, fontsize=NOTE_SIZE + 0.5,
        frameon=False,
    )  # fmt: skip


def _integer_axis(ax: Axes) -> None:
    """Whole-number counts from 0, with thousands separated: call after plotting."""
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_ylim(0, max(ax.get_ylim()[1], 1))  # counts start at 0, even when all are 0


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def period_text(period: cd.PeriodScope) -> str:
    """'Oak House, 1 Oct 2025 to 31 Oct 2025'."""
    return f"{period.scope}, {day_text(period.first)} to {day_text(period.last)}"


def month_labels(months: Sequence[date]) -> list[str]:
    """Month names, with the year under the first month and under each January."""
    return [
        f"{m:%b}\n{m:%Y}" if i == 0 or m.month == 1 else f"{m:%b}" for i, m in enumerate(months)
    ]


def hours_text(hours: float) -> str:
    """'15 min', '1 h', '61.2 h'."""
    return f"{hours * 60:.3g} min" if hours < 1 else f"{hours:,.4g} h"


def money(pounds: float) -> str:
    return f"-£{-pounds:,.0f}" if pounds < 0 else f"£{pounds:,.0f}"


def _short(name: str, width: int = 30) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=LABEL_SIZE,
            transform=ax.transAxes)  # fmt: skip


# 1. Episodes per month ---------------------------------------------------------------------


def monthly_episodes_chart(data: cd.MonthlyEpisodes) -> Figure:
    fig = _figure()
    span = f"{data.months[0]:%b %Y} to {data.months[-1]:%b %Y}"
    ax = _frame(
        fig,
        "Missing and absent episodes per month",
        f"{data.scope}, {span}: bars count episodes, the line counts children",
    )
    x = range(len(data.months))
    ax.bar(x, data.missing, color=DARK, edgecolor="black", label="Missing episodes")
    ax.bar(x, data.absent, bottom=data.missing, color="white", edgecolor="black", hatch="///",
           label="Absent episodes")  # fmt: skip
    ax.plot(x, data.children, color="black", marker="o", markersize=7, linewidth=2,
            markerfacecolor="white", label="Children who went missing or absent")  # fmt: skip
    ax.set_xticks(list(x), month_labels(data.months))
    _label(ax, "Month last seen (UK time)", "Episodes / children")
    _integer_axis(ax)
    _legend_below(fig, ax)
    return fig


# 2. Children by repeat band -----------------------------------------------------------------


def repeat_bands_chart(data: cd.RepeatBands) -> Figure:
    fig = _figure()
    children = sum(data.children)
    repeats = children - data.children[0]
    ax = _frame(
        fig,
        "Children by number of episodes",
        f"{period_text(data.period)}: {children:,} children, {repeats:,} went more than once",
    )
    bars = ax.bar(range(len(data.bands)), data.children, color=MID, edgecolor="black")
    ax.bar_label(bars, [f"{n:,}" for n in data.children], padding=3, fontsize=NOTE_SIZE + 1)
    ax.set_xticks(range(len(data.bands)), data.bands)
    ax.margins(y=0.12)
    _label(ax, "Episodes in the period (per child)", "Children")
    _integer_axis(ax)
    return fig


# 3. How concentrated episodes are (Pareto) -----------------------------------------------------

BAR_LIMIT = 80  # more children than this are drawn as one outline, not separate bars


def concentration_chart(data: cd.EpisodeConcentration) -> Figure:
    from matplotlib.ticker import MaxNLocator

    fig = _figure()
    count, top = len(data.episodes), data.top_children
    share = data.top10_share
    note = "no episodes" if share is None else (
        f"the top 10% of children ({top:,} of {count:,}) had {share:g}% of the episodes"
    )  # fmt: skip
    ax = _frame(
        fig, "How concentrated episodes are among children", f"{period_text(data.period)}: {note}"
    )
    ranks = range(1, count + 1)
    if count <= BAR_LIMIT:
        ax.bar(ranks, data.episodes, color=LIGHT, edgecolor="black", label="Episodes of the child")
    else:
        ax.stairs(data.episodes, [r - 0.5 for r in range(1, count + 2)], fill=True, color=LIGHT,
                  edgecolor="black", label="Episodes of the child")  # fmt: skip
    _label(ax, "Children, most episodes first", "Episodes")
    _integer_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, max(count, 1) + 0.5)
    share_ax = _twin(ax)
    share_ax.plot(ranks, data.cumulative_pct, color="black", linewidth=2,
                  marker="o" if count <= 30 else None,
                  label="Cumulative share of episodes (%)")  # fmt: skip
    if share is not None:
        ax.axvline(top + 0.5, color="black", linestyle="--", linewidth=1.5,
                   label=f"Top 10% of children: {share:g}% of episodes")  # fmt: skip
    share_ax.set_ylim(0, 105)
    share_ax.set_ylabel("Cumulative share of episodes (%)", fontsize=LABEL_SIZE)
    share_ax.tick_params(labelsize=TICK_SIZE)
    share_ax.spines[["top"]].set_visible(False)
    if count:
        _legend_below(fig, ax)
    else:
        _empty(ax, "No episodes in this period")
    return fig


# 4. Hour of day against weekday ----------------------------------------------------------

ANNOTATE_UP_TO = 999  # counts of more digits do not fit a cell


def hour_weekday_chart(data: cd.HourWeekday) -> Figure:
    from matplotlib.ticker import MaxNLocator

    fig = _figure(12.5, 5.8)
    total = sum(map(sum, data.counts))
    ax = _frame(fig, "When children were last seen: day of week and hour",
                f"{period_text(data.period)}: {total:,} episodes")  # fmt: skip
    most = max(max(row) for row in data.counts)
    image = ax.imshow(data.counts, aspect="auto", cmap=HEAT_MAP, vmin=0, vmax=max(most, 1))
    if most <= ANNOTATE_UP_TO:
        for weekday, row in enumerate(data.counts):
            for hour, count in enumerate(row):
                if count:
                    colour = "white" if count > 0.6 * most else "black"
                    ax.text(hour, weekday, str(count), ha="center", va="center",
                            fontsize=NOTE_SIZE - 1, color=colour)  # fmt: skip
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.set_yticks(range(7), cd.WEEKDAYS)
    _label(ax, "Hour last seen (UK time)", "Day of week", grid=None)
    bar = fig.colorbar(image, ax=ax, pad=0.01)
    bar.set_label("Episodes", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


# 5. Durations ---------------------------------------------------------------------------


def durations_chart(data: cd.Durations) -> Figure:
    fig = _figure()
    count = len(data.hours)
    summary = "no returned episodes" if data.median_hours is None else (
        f"{count:,} returned episodes; half were back within {hours_text(data.median_hours)}"
    )  # fmt: skip
    ax = _frame(fig, "How long children were away", f"{period_text(data.period)}: {summary}")
    edges = data.edges
    widths = [b - a for a, b in itertools.pairwise(edges)]
    ax.bar(edges[:-1], data.counts, width=widths, align="edge", color=LIGHT, edgecolor="black",
           label="Returned episodes")  # fmt: skip
    if data.log_scale:
        ax.set_xscale("log", base=2)
        ax.set_xticks(edges, [hours_text(e) for e in edges], rotation=45, ha="right")
        ax.minorticks_off()
    ax.set_xlim(edges[0], edges[-1])
    scale = " (log scale)" if data.log_scale else ""
    _label(ax, f"Time away, from last seen to return{scale}", "Episodes")
    _integer_axis(ax)
    if data.median_hours is not None and data.p90_hours is not None:
        for value, style, name in ((data.median_hours, "--", "Median"),
                                   (data.p90_hours, ":", "90th percentile")):  # fmt: skip
            ax.axvline(max(value, edges[0]), color="black", linestyle=style, linewidth=2.2,
                       label=f"{name}: {hours_text(value)}")  # fmt: skip
        _legend_below(fig, ax)
    else:
        _empty(ax, "No returned episodes in this period")
    return fig


# 6. Return interviews on time -------------------------------------------------------------


def rhi_timeliness_chart(data: cd.RhiTimeliness) -> Figure:
    fig = _figure()
    window = f"{data.window_hours:g} hours"
    span = f"{data.months[0]:%b %Y} to {data.months[-1]:%b %Y}"
    ax = _frame(fig, f"Return interviews offered and completed within {window}",
                f"{data.scope}, {span}: % of each month's returns")  # fmt: skip
    x = range(len(data.months))
    nan = float("nan")
    lines = (
        (data.offered_pct, DARK, "o", "-", f"Offered within {window}"),
        (data.completed_pct, "black", "s", "--", f"Completed within {window}"),
    )
    for values, colour, marker, style, name in lines:
        ax.plot(x, [nan if v is None else v for v in values], color=colour, marker=marker,
                markersize=8, linestyle=style, linewidth=2, label=name)  # fmt: skip
    labels = [f"{m:%b %y}\n({n:,})" for m, n in zip(data.months, data.returns, strict=True)]
    ax.set_xticks(list(x), labels)
    ax.set_ylim(0, 105)
    _label(ax, "Month of return (number of returns)", "% of returns")
    _legend_below(fig, ax)
    return fig


# 7. Reporting practice per home ----------------------------------------------------------


def _cell_text(column: int, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} min" if column == 1 else f"{value:.0f}%"


def scorecard_chart(data: cd.ReportingScorecard) -> Figure:
    rows = data.rows
    fig = _figure(13.0, 2.6 + 0.48 * max(len(rows), 3))
    homes = sum(row.home_id is not None for row in rows)
    shown = "" if data.homes_in_period <= homes else (
        f"; the {homes} of {data.homes_in_period:,} homes with most episodes"
    )  # fmt: skip
    ax = _frame(fig, "Reporting practice by home",
                f"{period_text(data.period)}{shown}\n% of episodes with a police reference; "
                "% of assessments answered yes ('–': no answers)")  # fmt: skip
    headings = [h.replace(" ", "\n", 1) for h in cd.MEASURE_HEADINGS]
    ax.set_xticks(range(len(headings)), headings)
    ax.xaxis.tick_top()
    ax.tick_params(labelsize=TICK_SIZE - 0.5, length=0)
    ax.set_ylabel("Home (episodes)", fontsize=LABEL_SIZE)
    if not rows:
        ax.set_yticks([])
        _empty(ax, "No episodes in this period")
        return fig
    _score_cells(ax, rows, len(headings))
    ax.set_yticks(range(len(rows)), [f"{_short(r.name)} ({r.episodes:,})" for r in rows])
    return fig


def _score_cells(ax: Axes, rows: Sequence[cd.ScorecardRow], columns: int) -> None:
    """Shade the percentages from white (0) to dark (100) and write every value in its cell."""
    import numpy as np
    from matplotlib import colormaps

    values = np.array([[np.nan if v is None else v for v in row.values] for row in rows])
    shades = np.ma.masked_invalid(values)
    shades[:, 1] = np.ma.masked  # minutes are not better or worse on a 0-100 scale
    ax.imshow(shades, aspect="auto", cmap=colormaps[HEAT_MAP].with_extremes(bad="white"),
              vmin=0, vmax=100)  # fmt: skip
    for y, row in enumerate(rows):
        for x, value in enumerate(row.values):
            dark = x != 1 and value is not None and value > 60
            ax.text(x, y, _cell_text(x, value), ha="center", va="center", fontsize=NOTE_SIZE,
                    color="white" if dark else "black")  # fmt: skip
    ax.set_xticks([x - 0.5 for x in range(1, columns)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="#888888", linewidth=0.8)
    ax.tick_params(which="minor", length=0)


# 8. Demand before and after engagement --------------------------------------------------------


def _ratio_text(home: cd.HomeDemand) -> str:
    """'0.74 (0.34–1.59)': the rate ratio and its 95% interval, or why there is none."""
    if home.pre_rate is None or home.post_rate is None:
        return f"no child-days {'before' if home.pre_rate is None else 'after'}"
    if home.rate_ratio is None:
        return "no episodes before"
    if home.rate_ratio == 0:
        return "0 (none after)"
    interval = "" if home.ci95 is None else f" ({home.ci95[0]:.2f}–{home.ci95[1]:.2f})"
    return f"{home.rate_ratio:.2f}{interval}"


def _demand_text(home: cd.HomeDemand) -> str:
    """'8.82 → 6.51   0.74 (0.34–1.59)   £9,435'."""
    rates = " → ".join("–" if r is None else f"{r:.2f}" for r in (home.pre_rate, home.post_rate))
    cost = "" if home.cost_avoided is None else f"   {money(home.cost_avoided)}"
    return f"{rates}   {_ratio_text(home)}{cost}"


def _log_ticks(ax: Axes, low: float, high: float) -> None:
    nice = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
    ticks = [t for t in nice if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()


def demand_chart(data: cd.DemandComparison) -> Figure:
    homes = data.homes
    fig = _figure(12.0, 2.4 + 0.5 * max(len(homes), 3))
    costs = f"{money(data.cost_avoided)} in all at {money(data.unit_cost)} an episode"
    subtitle = (
        "Rate ratio of episodes per 1,000 child-days, after ÷ before, with 95% interval\n"
        f"Right: rate before → after, rate ratio, cost avoided ({costs})"
    )
    if data.engaged_homes > len(homes):
        subtitle += (
            f"\n{len(homes)} of {data.engaged_homes:,} engaged homes: most episodes before first"
        )
    ax = _frame(fig, "Demand before and after PCSO engagement", subtitle)
    rows = range(len(homes))
    ends = [1.0]
    for y, home in zip(rows, homes, strict=True):
        ratio = home.rate_ratio
        if ratio:  # a ratio of 0 (no episodes after) cannot sit on a log scale
            low, high = home.ci95 or (ratio, ratio)
            ax.errorbar(ratio, y, xerr=[[ratio - low], [high - ratio]], fmt="s", color="black",
                        markerfacecolor=DARK if home.ci95 else "white", markersize=8, capsize=5,
                        linewidth=1.8)  # fmt: skip
            ends += [low, high]
    ax.axvline(1.0, color="#555555", linestyle="--", linewidth=1.5)
    ax.set_xscale("log")
    ax.set_xlim(min(ends) / 1.5, max(ends) * 1.5)
    _log_ticks(ax, min(ends) / 1.5, max(ends) * 1.5)
    ax.set_ylim(max(len(homes), 1) - 0.5, -0.5)
    ax.set_yticks(list(rows), [_short(h.name) for h in homes])
    _label(ax, "Rate ratio, after ÷ before (log scale; under 1: fewer episodes after)", "", "x")
    notes = _twin(ax)
    notes.set_ylim(ax.get_ylim())
    notes.set_yticks(list(rows), [_demand_text(h) for h in homes])
    notes.tick_params(labelsize=TICK_SIZE, length=0)
    notes.spines[["top"]].set_visible(False)
    if not homes:
        _empty(ax, "No home has an engagement start date in this period")
    return fig


def _rate_text(rate: float | None) -> str:
    return "no rate" if rate is None else f"{rate:.2f} per 1,000 child-days"


def demand_run_chart(data: cd.DemandRun) -> Figure:
    home = data.demand
    fig = _figure()
    avoided = "" if home.episodes_avoided is None or home.cost_avoided is None else (
        f"{home.episodes_avoided:,.1f} episodes avoided, {money(home.cost_avoided)} cost avoided"
    )  # fmt: skip
    ratio = f"rate ratio {_ratio_text(home)}; "
    ax = _frame(fig, f"{_short(home.name, 40)}: episodes before and after engagement",
                f"Episodes per 1,000 child-days by month; {ratio}{avoided}")  # fmt: skip
    middles = [
        day_number(s) + ((e - s).days + 1) / 2 for s, e in zip(data.starts, data.ends, strict=True)
    ]
    nan = float("nan")
    ax.plot(middles, [nan if r is None else r for r in data.rates], color=DARK, marker="o",
            markersize=6, linewidth=1.8,
            label="Rate in the month")  # fmt: skip
    start, end = home.engagement_start, data.ends[-1] + timedelta(days=1)
    means: tuple[tuple[float | None, date, date, Literal["--", ":"], str], ...] = (
        (home.pre_rate, data.starts[0], start, "--", "Before"),
        (home.post_rate, start, end, ":", "After"),
    )
    for rate, left, right, style, name in means:
        if rate is not None:
            ax.hlines(rate, day_number(left), day_number(right), colors="black", linestyles=style,
                      linewidth=2.5, label=f"{name}: {_rate_text(rate)}")  # fmt: skip
    ax.axvline(day_number(start), color="#b2182b", linewidth=2.5,
               label=f"Engagement started {day_text(start)}")  # fmt: skip
    _date_axis(ax)
    _label(ax, "Month last seen (UK time)", "Episodes per 1,000 child-days")
    ax.set_ylim(bottom=0)
    _legend_below(fig, ax, columns=2)
    return fig


def day_number(day: date) -> float:
    """Matplotlib's number for the start of `day` on a date axis."""
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def _date_axis(ax: Axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=5, maxticks=12)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


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
    demand = cd.demand_comparison(session, last, home_id, settings)
    specs = [
        ChartSpec("monthly", "Episodes per month", cd.monthly_episodes(session, last, home_id)),
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
        ChartSpec(
            "rhi",
            "Return interviews",
            cd.rhi_timeliness(session, last, home_id, window_hours=settings.rhi_window_hours),
        ),
        ChartSpec(
            "scorecard", "Reporting practice", cd.reporting_scorecard(session, first, last, home_id)
        ),
        ChartSpec("demand", "Demand by home", demand),
    ]
    run_home = home_id if home_id is not None else next((h.home_id for h in demand.homes), None)
    run = None if run_home is None else cd.demand_run(session, run_home, last, settings)
    if run is not None:
        specs.append(ChartSpec("demand_run", "Demand over time", run))
    return specs


# From a click to the episodes behind it ------------------------------------------------------


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
    return EpisodeQuery(f"{noun}, {first:%B %Y}, {data.scope}", first, cd.month_end(first),
                        by_return, data.home_id, type=type_)  # fmt: skip


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


def _drill_row(data: cd.ReportingScorecard, x: int, y: int | None) -> EpisodeQuery:
    row = _at(data.rows, -1 if y is None else y)
    home = data.period.home_id if row.home_id is None else row.home_id
    period = cd.PeriodScope(row.name, home, data.period.first, data.period.last)
    return _period_query(period, "Episodes")


def _drill_home(data: cd.DemandComparison, x: int, y: int | None) -> EpisodeQuery:
    return _windows_query(_at(data.homes, -1 if y is None else y), None)


def _windows_query(home: cd.HomeDemand, piece: tuple[date, date] | None) -> EpisodeQuery:
    first, last = piece or (home.pre_first, home.post_last)
    return EpisodeQuery(f"Episodes, {home.name}, {day_text(first)} to {day_text(last)}", first,
                        last, home_id=home.home_id)  # fmt: skip


def _drill_run(data: cd.DemandRun, x: int, y: int | None) -> EpisodeQuery:
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
