"""The charts of homes on the Insights page and in the monthly pack: how each reports its
episodes, and its demand before and after PCSO engagement; matplotlib Figures in the look of
`charts` (never pyplot).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from missing_app.core.chart_data_practice import (
    MEASURE_HEADINGS,
    DemandComparison,
    DemandRun,
    HomeDemand,
    ReportingScorecard,
    ScorecardRow,
)
from missing_app.core.charts import (
    DARK,
    HEAT_MAP,
    LABEL_SIZE,
    NOTE_SIZE,
    TICK_SIZE,
    day_number,
    day_text,
    empty_note,
    label_axes,
    legend_below,
    money,
    new_figure,
    period_text,
    shortened,
    titled_axes,
    twin_axes,
)
from missing_app.core.durations import minutes_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# 7. Reporting practice per home ----------------------------------------------------------


def _cell_text(column: int, value: float | None) -> str:
    if value is None:
        return "–"
    return minutes_text(value) if column == 1 else f"{value:.0f}%"


def scorecard_chart(data: ReportingScorecard) -> Figure:
    rows = data.rows
    fig = new_figure(13.0, 2.6 + 0.48 * max(len(rows), 3))
    homes = sum(row.home_id is not None for row in rows)
    shown = "" if data.homes_in_period <= homes else (
        f"; the {homes} of {data.homes_in_period:,} homes with most episodes"
    )  # fmt: skip
    ax = titled_axes(fig, "Reporting practice by home",
                f"{period_text(data.period)}{shown}\n% of episodes with a police reference; "
                "% of assessments answered yes ('–': no answers)")  # fmt: skip
    headings = [h.replace(" ", "\n", 1) for h in MEASURE_HEADINGS]
    ax.set_xticks(range(len(headings)), headings)
    ax.xaxis.tick_top()
    ax.tick_params(labelsize=TICK_SIZE - 0.5, length=0)
    ax.set_ylabel("Home (episodes)", fontsize=LABEL_SIZE)
    if not rows:
        ax.set_yticks([])
        empty_note(ax, "No episodes in this period")
        return fig
    _score_cells(ax, rows, len(headings))
    ax.set_yticks(range(len(rows)), [f"{shortened(r.name)} ({r.episodes:,})" for r in rows])
    return fig


def _score_cells(ax: Axes, rows: Sequence[ScorecardRow], columns: int) -> None:
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


def _ratio_text(home: HomeDemand) -> str:
    """'0.74 (0.34–1.59)': the rate ratio and its 95% interval, or why there is none."""
    if home.pre_rate is None or home.post_rate is None:
        return f"no child-days {'before' if home.pre_rate is None else 'after'}"
    if home.rate_ratio is None:
        return "no episodes before"
    if home.rate_ratio == 0:
        return "0 (none after)"
    interval = "" if home.ci95 is None else f" ({home.ci95[0]:.2f}–{home.ci95[1]:.2f})"
    return f"{home.rate_ratio:.2f}{interval}"


def _demand_text(home: HomeDemand) -> str:
    """'8.82 → 6.51   0.74 (0.34–1.59)   £9,435'."""
    rates = " → ".join("–" if r is None else f"{r:.2f}" for r in (home.pre_rate, home.post_rate))
    cost = "" if home.cost_avoided is None else f"   {money(home.cost_avoided)}"
    return f"{rates}   {_ratio_text(home)}{cost}"


def _log_ticks(ax: Axes, low: float, high: float) -> None:
    nice = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
    ticks = [t for t in nice if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()


def demand_chart(data: DemandComparison) -> Figure:
    homes = data.homes
    fig = new_figure(12.0, 2.4 + 0.5 * max(len(homes), 3))
    costs = f"{money(data.cost_avoided)} in all at {money(data.unit_cost)} an episode"
    subtitle = (
        "Rate ratio of episodes per 1,000 child-days, after ÷ before, with 95% interval\n"
        f"Right: rate before → after, rate ratio, cost avoided ({costs})"
    )
    if data.engaged_homes > len(homes):
        subtitle += (
            f"\n{len(homes)} of {data.engaged_homes:,} engaged homes: most episodes before first"
        )
    ax = titled_axes(fig, "Demand before and after PCSO engagement", subtitle)
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
    ax.set_yticks(list(rows), [shortened(h.name) for h in homes])
    label_axes(ax, "Rate ratio, after ÷ before (log scale; under 1: fewer episodes after)", "", "x")
    notes = twin_axes(ax)
    notes.set_ylim(ax.get_ylim())
    notes.set_yticks(list(rows), [_demand_text(h) for h in homes])
    notes.tick_params(labelsize=TICK_SIZE, length=0)
    notes.spines[["top"]].set_visible(False)
    if not homes:
        empty_note(ax, "No home has an engagement start date in this period")
    return fig


def _rate_text(rate: float | None) -> str:
    return "no rate" if rate is None else f"{rate:.2f} per 1,000 child-days"


def demand_run_chart(data: DemandRun) -> Figure:
    home = data.demand
    fig = new_figure()
    avoided = "" if home.episodes_avoided is None or home.cost_avoided is None else (
        f"{home.episodes_avoided:,.1f} episodes avoided, {money(home.cost_avoided)} cost avoided"
    )  # fmt: skip
    ratio = f"rate ratio {_ratio_text(home)}; "
    ax = titled_axes(fig, f"{shortened(home.name, 40)}: episodes before and after engagement",
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
    label_axes(ax, "Month last seen (UK time)", "Episodes per 1,000 child-days")
    rates = [r for r in (*data.rates, home.pre_rate, home.post_rate) if r is not None]
    # Rates all 0 would be given an axis of hundredths (0.00 to 0.05): show 0 to 1 instead.
    ax.set_ylim(0, None if max(rates, default=0.0) > 0 else 1)
    legend_below(fig, ax, columns=2)
    return fig


def _date_axis(ax: Axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=5, maxticks=12)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
