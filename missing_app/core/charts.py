"""The charts of the Insights page and the monthly pack, as matplotlib Figures (never pyplot).

Each builder takes the dataclass of `chart_data` and returns a `Figure`, sized and lettered to
be read on a projector and in black-and-white print: series differ by hatching, markers and
line styles as well as by colour. The charts of homes' reporting practice and demand, in
`charts_practice`, share the look set here; `chart_drill` gathers every chart's data and
turns a click on a bar or cell into the episodes behind it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

from missing_app.core import chart_data as cd
from missing_app.core.durations import hours_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.text import Text

TITLE_SIZE, SUBTITLE_SIZE, LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 17, 12.5, 13, 11.5, 10.5
DARK, LIGHT, MID = "#08306b", "#9ecae1", "#4292c6"
HEAT_MAP = "Blues"  # one hue from light to dark: reads in grey too
PLOT = "plot"  # the gid of the axes a click on which `chart_drill.cell_at` understands


# Shared look ---------------------------------------------------------------------------


W_PAD = 0.12  # inches between the figure's edge and any text


def new_figure(width: float = 11.0, height: float = 6.2) -> Figure:
    """A blank figure of `width` x `height` inches, laid out to keep every text inside."""
    from matplotlib.figure import Figure

    margins = _titles_layout()(w_pad=W_PAD, h_pad=0.08)  # inches round the edge
    return Figure(figsize=(width, height), dpi=100, layout=margins)


def titled_axes(fig: Figure, title: str, subtitle: str) -> Axes:
    """The figure's one axes, under a bold title and a plain subtitle, both wrapped to the
    width the figure has when drawn (the page and the pack draw it at other widths)."""
    ax = fig.add_subplot(gid=PLOT)
    layout = fig.get_layout_engine()
    layout.titles = {  # type: ignore[union-attr]
        fig.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold"): title,
        ax.set_title(subtitle, fontsize=SUBTITLE_SIZE): subtitle,
    }
    return ax


def _titles_layout() -> type[ConstrainedLayoutEngine]:
    """Constrained layout that first wraps the titles to the figure's width: a long subtitle
    takes two lines on a narrow page instead of running off both sides."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    class TitlesLayout(ConstrainedLayoutEngine):
        def __init__(self, w_pad: float, h_pad: float) -> None:
            super().__init__(w_pad=w_pad, h_pad=h_pad)
            self.titles: dict[Text, str] = {}  # each title's Text and its words, unwrapped

        def execute(self, fig: Figure) -> None:
            width = (fig.get_figwidth() - 2 * W_PAD) * fig.dpi
            for text, words in self.titles.items():
                text.set_text(wrapped(text, words, width))
            super().execute(fig)
            # The subtitle is centred on the plot, which labels on one side push off the
            # figure's middle: wrap it to the room on its narrower side, and lay out again.
            for text, words in self.titles.items():
                room = _room_each_side(fig, text) * 2
                if room < width and wrapped(text, words, room) != text.get_text():
                    text.set_text(wrapped(text, words, room))
                    super().execute(fig)

    return TitlesLayout


def _room_each_side(fig: Figure, text: Text) -> float:
    """Pixels from the text's centre to the nearer edge of the figure, less the margin."""
    centre = float(text.get_transform().transform(text.get_position())[0])
    return min(centre, fig.bbox.width - centre) - W_PAD * fig.dpi


def wrapped(text: Text, words: str, width: float) -> str:
    """`words` in lines no wider than `width` pixels in `text`'s font (a word too long for a
    line has a line of its own); the line breaks already in `words` are kept."""
    from matplotlib.textpath import TextToPath

    measure = TextToPath().get_text_width_height_descent
    points = width * 72 / text.get_figure(root=True).dpi  # type: ignore[union-attr]
    lines: list[str] = []
    for given in words.split("\n"):
        line = ""
        for word in given.split(" "):
            longer = f"{line} {word}" if line else word
            if line and measure(longer, text.get_fontproperties(), False)[0] > points:
                lines.append(line)
                longer = word
            line = longer
        lines.append(line)
    return "\n".join(lines)


def twin_axes(ax: Axes) -> Axes:
    """A second y axis over the same x: clicks on it count as clicks on the chart."""
    twin = ax.twinx()
    twin.set_gid(PLOT)
    return twin


def label_axes(ax: Axes, xlabel: str, ylabel: str, grid: Literal["x", "y"] | None = "y") -> None:
    """Name the axes, in the charts' sizes, with a light grid across `grid` (None: none)."""
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    if grid is not None:
        ax.grid(axis=grid, color="#cccccc", linewidth=0.8)
        ax.set_axisbelow(True)


def legend_below(fig: Figure, ax: Axes, columns: int = 3) -> None:
    """One legend under the chart for the series of every axes, `ax`'s first."""
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


def money(pounds: float) -> str:
    return f"-£{-pounds:,.0f}" if pounds < 0 else f"£{pounds:,.0f}"


def day_number(day: date) -> float:
    """Matplotlib's number for the start of `day` on a date axis."""
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def shortened(name: str, width: int = 30) -> str:
    """`name`, cut to `width` characters with an ellipsis if longer."""
    return name if len(name) <= width else name[: width - 1] + "…"


def empty_note(ax: Axes, message: str) -> None:
    """Write `message` across the middle of an axes with nothing to plot."""
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=LABEL_SIZE,
            transform=ax.transAxes)  # fmt: skip


# 1. Episodes per month ---------------------------------------------------------------------


PARTIAL_ALPHA, PARTIAL_HATCH = 0.35, ".."  # a month in progress: pale, dotted, dashed edge


def months_text(months: Sequence[date], to_date: date | None) -> str:
    """'12 months, Dec 2025 to Nov 2026', and '(to 8 Dec)' for a month in progress."""
    count = f"{len(months)} month{'' if len(months) == 1 else 's'}"
    span = f"{count}, {months[0]:%b %Y} to {months[-1]:%b %Y}"
    return span if to_date is None else f"{span} (to {to_date.day} {to_date:%b})"


def monthly_episodes_chart(data: cd.MonthlyEpisodes) -> Figure:
    fig = new_figure()
    to_date = data.to_date
    ax = titled_axes(
        fig,
        "Missing and absent episodes per month",
        f"{data.scope}, {months_text(data.months, to_date)}: bars count episodes, the line "
        "counts children",
    )
    x = list(range(len(data.months)))
    whole = len(x) - (to_date is not None)  # a month in progress is drawn apart
    ax.bar(x[:whole], data.missing[:whole], color=DARK, edgecolor="black",
           label="Missing episodes")  # fmt: skip
    ax.bar(x[:whole], data.absent[:whole], bottom=data.missing[:whole], color="white",
           edgecolor="black", hatch="///", label="Absent episodes")  # fmt: skip
    ax.plot(x[:whole], data.children[:whole], color="black", marker="o", markersize=7,
            linewidth=2, markerfacecolor="white",
            label="Children who went missing or absent")  # fmt: skip
    if to_date is not None:
        _month_to_date(ax, data, to_date)
    ax.set_xticks(x, month_labels(data.months))
    label_axes(ax, "Month last seen (UK time)", "Episodes / children")
    _integer_axis(ax)
    if to_date is not None:
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)  # room for the note over the month to date
    legend_below(fig, ax, columns=4 if to_date is not None else 3)
    return fig


def _month_to_date(ax: Axes, data: cd.MonthlyEpisodes, to_date: date) -> None:
    """The month in progress: pale dotted bars with dashed edges, the children's line
    dotted up to it, and 'to date' written over it, so it is not read as a collapse."""
    last = len(data.months) - 1
    missing, absent = data.missing[last], data.absent[last]
    label = f"{data.months[last]:%b %Y} to date (to {to_date.day} {to_date:%b})"
    ax.bar([last], [missing], color=DARK, alpha=PARTIAL_ALPHA, hatch=PARTIAL_HATCH,
           edgecolor="black", linestyle="--", label=label)  # fmt: skip
    ax.bar([last], [absent], bottom=[missing], color="white", alpha=PARTIAL_ALPHA,
           hatch="///", edgecolor="black", linestyle="--")  # fmt: skip
    ax.plot(range(max(last - 1, 0), last + 1), data.children[max(last - 1, 0):],
            color="black", marker="o", markersize=7, linewidth=2, linestyle=":",
            markerfacecolor="white")  # fmt: skip
    top = max(missing + absent, data.children[last])
    ax.annotate(f"to date\n(to {to_date.day} {to_date:%b})", (last, top), xytext=(0, 6),
                textcoords="offset points", ha="center", va="bottom",
                fontsize=NOTE_SIZE)  # fmt: skip


# 2. Children by repeat band -----------------------------------------------------------------


def repeat_bands_chart(data: cd.RepeatBands) -> Figure:
    fig = new_figure()
    children = sum(data.children)
    repeats = children - data.children[0]
    ax = titled_axes(
        fig,
        "Children by number of episodes",
        f"{period_text(data.period)}: {children:,} children, {repeats:,} went more than once",
    )
    bars = ax.bar(range(len(data.bands)), data.children, color=MID, edgecolor="black")
    ax.bar_label(bars, [f"{n:,}" for n in data.children], padding=3, fontsize=NOTE_SIZE + 1)
    ax.set_xticks(range(len(data.bands)), data.bands)
    ax.margins(y=0.12)
    label_axes(ax, "Episodes in the period (per child)", "Children")
    _integer_axis(ax)
    return fig


# 3. How concentrated episodes are (Pareto) -----------------------------------------------------

BAR_LIMIT = 80  # more children than this are drawn as one outline, not separate bars


def concentration_chart(data: cd.EpisodeConcentration) -> Figure:
    from matplotlib.ticker import MaxNLocator

    fig = new_figure()
    count, top = len(data.episodes), data.top_children
    share = data.top10_share
    note = "no episodes" if share is None else (
        f"the top 10% of children ({top:,} of {count:,}) had {share:g}% of the episodes"
    )  # fmt: skip
    ax = titled_axes(
        fig, "How concentrated episodes are among children", f"{period_text(data.period)}: {note}"
    )
    ranks = range(1, count + 1)
    if count <= BAR_LIMIT:
        ax.bar(ranks, data.episodes, color=LIGHT, edgecolor="black", label="Episodes of the child")
    else:
        ax.stairs(data.episodes, [r - 0.5 for r in range(1, count + 2)], fill=True, color=LIGHT,
                  edgecolor="black", label="Episodes of the child")  # fmt: skip
    label_axes(ax, "Children, most episodes first", "Episodes")
    _integer_axis(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, max(count, 1) + 0.5)
    share_ax = twin_axes(ax)
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
        legend_below(fig, ax)
    else:
        empty_note(ax, "No episodes in this period")
    return fig


# 4. Hour of day against weekday ----------------------------------------------------------

ANNOTATE_UP_TO = 999  # counts of more digits do not fit a cell


def hour_weekday_chart(data: cd.HourWeekday) -> Figure:
    from matplotlib.ticker import MaxNLocator

    fig = new_figure(12.5, 5.8)
    total = sum(map(sum, data.counts))
    ax = titled_axes(fig, "When children were last seen: day of week and hour",
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
    label_axes(ax, "Hour last seen (UK time)", "Day of week", grid=None)
    bar = fig.colorbar(image, ax=ax, pad=0.01)
    bar.set_label("Episodes", fontsize=LABEL_SIZE)
    bar.ax.tick_params(labelsize=TICK_SIZE)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


# 5. Durations ---------------------------------------------------------------------------


def durations_chart(data: cd.Durations) -> Figure:
    fig = new_figure()
    count = len(data.hours)
    summary = "no returned episodes" if data.median_hours is None else (
        f"{count:,} returned episodes; half were back within {hours_text(data.median_hours)}"
    )  # fmt: skip
    ax = titled_axes(fig, "How long children were away", f"{period_text(data.period)}: {summary}")
    edges = data.edges
    widths = [b - a for a, b in itertools.pairwise(edges)]
    ax.bar(edges[:-1], data.counts, width=widths, align="edge", color=LIGHT, edgecolor="black",
           label="Returned episodes")  # fmt: skip
    if data.log_scale:
        ax.set_xscale("log", base=2)
        ax.set_xticks(edges, [hours_text(e) for e in edges], rotation=45, ha="right")
        ax.minorticks_off()
    ax.set_xlim(edges[0], edges[-1])
    # The unit: hours on a linear axis; on a log scale each tick says its own.
    scale = " (log scale)" if data.log_scale else " (hours)"
    label_axes(ax, f"Time away, from last seen to return{scale}", "Episodes")
    _integer_axis(ax)
    if data.median_hours is not None and data.p90_hours is not None:
        for value, style, name in ((data.median_hours, "--", "Median"),
                                   (data.p90_hours, ":", "90th percentile")):  # fmt: skip
            ax.axvline(max(value, edges[0]), color="black", linestyle=style, linewidth=2.2,
                       label=f"{name}: {hours_text(value)}")  # fmt: skip
        legend_below(fig, ax)
    else:
        empty_note(ax, "No returned episodes in this period")
    return fig


# 6. Return interviews on time -------------------------------------------------------------


def rhi_timeliness_chart(data: cd.RhiTimeliness) -> Figure:
    fig = new_figure()
    window = f"{data.window_hours:g} hours"
    to_date = data.to_date
    ax = titled_axes(fig, f"Return interviews offered and completed within {window}",
                f"{data.scope}, {months_text(data.months, to_date)}: % of each month's "
                "returns")  # fmt: skip
    x = range(len(data.months))
    nan = float("nan")
    # Every point must show, at 0% and 100% too and where the two lines meet: a large
    # hollow circle under a small filled square, both over the axes and never clipped.
    lines = (
        (data.offered_pct, DARK, "o", 11, "white", "-", 4, f"Offered within {window}"),
        (data.completed_pct, "black", "s", 6, "black", "--", 5, f"Completed within {window}"),
    )
    for values, colour, marker, size, face, style, order, name in lines:
        ax.plot(x, [nan if v is None else v for v in values], color=colour, marker=marker,
                markersize=size, markerfacecolor=face, markeredgewidth=2, linestyle=style,
                linewidth=2, zorder=order, clip_on=False, label=name)  # fmt: skip
    labels = [f"{m:%b %y}\n({n:,})" for m, n in zip(data.months, data.returns, strict=True)]
    if to_date is not None:
        labels[-1] = f"{data.months[-1]:%b %y}\nto {to_date.day}\n({data.returns[-1]:,})"
    ax.set_xticks(list(x), labels)
    ax.set_ylim(-4, 104)  # a point at 0% or 100% stands clear of the frame
    ax.set_yticks(range(0, 101, 20))
    label_axes(ax, "Month of return (number of returns)", "% of returns")
    legend_below(fig, ax)
    return fig
