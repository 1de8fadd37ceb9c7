"""The chart builders: what each plots, read back from the Figure; that every chart renders
without warnings, inside its figure, with no text over other text; and a click on a bar or
cell leading to the episodes behind it."""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from missing_app.core import chart_data as cd
from missing_app.core import chart_data_practice as practice
from missing_app.core import chart_drill, charts, charts_practice
from missing_app.core.chart_drill import ChartSpec
from missing_app.core.db import Database
from missing_app.core.records import Records
from tests.core.test_chart_data import build_world

OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))
PERIOD = cd.PeriodScope("Oak", 1, *OCTOBER)
MONTHS = cd.month_starts(date(2025, 10, 1), 13)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def ticks(labels: Any) -> list[str]:
    return [label.get_text() for label in labels]


def heights(bars: Any) -> list[float]:
    return [bar.get_height() for bar in bars]


def legend(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.legends[0].get_texts()]


def home(name: str, ratio: float | None, **changes: Any) -> practice.HomeDemand:
    fields: dict[str, Any] = {
        "home_id": 1, "urn": "SC1", "name": name, "engagement_start": date(2025, 1, 15),
        "pre_first": date(2024, 1, 16), "post_last": date(2025, 10, 31),
        "pre_episodes": 30, "pre_child_days": 1460, "pre_rate": 20.548,
        "post_episodes": 12, "post_child_days": 1160, "post_rate": 10.345,
        "rate_ratio": ratio, "ci95": None if ratio is None else (ratio / 2, ratio * 2),
        "episodes_avoided": 11.8, "cost_avoided": 28506.44,
    }  # fmt: skip
    return practice.HomeDemand(**{**fields, **changes})


# Hand-made data for each chart ---------------------------------------------------------------

MONTHLY = cd.MonthlyEpisodes(
    "Oak", 1, MONTHS, (4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5), (1,) + (0,) * 11 + (2,),
    (2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3),
)  # fmt: skip
BANDS = cd.RepeatBands(
    PERIOD, cd.BANDS, (3, 1, 0, 0, 0, 1, 0, 0, 0),
    ((2, 3, 4), (5,), (), (), (), (1,), (), (), ()),
)  # fmt: skip
CONCENTRATION = cd.EpisodeConcentration(PERIOD, (1, 5, 2, 3, 4), (8, 2, 1, 1, 1))
GRID = tuple(tuple(3 if (day, hour) == (6, 21) else 0 for hour in range(24)) for day in range(7))
HOURS = cd.HourWeekday(PERIOD, GRID)
DURATIONS = cd.Durations(
    PERIOD, (0.5, 1.0, 2.0, 3.0, 100.0), (0.5, 1, 2, 4, 8, 16, 32, 64, 128),
    (1, 1, 2, 0, 0, 0, 0, 1), True, 2.0, 61.2,
)  # fmt: skip
RHI = cd.RhiTimeliness(
    "Oak", 1, MONTHS, (0,) * 12 + (6,), (0,) * 12 + (2,), (0,) * 12 + (1,), 72.0
)  # fmt: skip
SCORECARD = practice.ReportingScorecard(
    PERIOD, practice.MEASURES,
    (practice.ScorecardRow(None, "All homes", 6, (50.0, 20.0, 50.0, 100.0) + (None,) * 5),
     practice.ScorecardRow(1, "Oak", 4, (75.0, 20.0, 50.0, 100.0) + (None,) * 5),
     practice.ScorecardRow(2, "Elm", 2, (0.0, None) + (None,) * 7)),
    2,
)  # fmt: skip
DEMAND = practice.DemandComparison(
    date(2025, 10, 31),
    (home("Oak", 0.5), home("Elm", 0.0, home_id=2, post_episodes=0, ci95=None),
     home("Ash", None, home_id=3, pre_episodes=0, pre_rate=0.0)),
    40, 2415.80,
)  # fmt: skip
RUN = practice.DemandRun(
    home("Oak", 0.5),
    (date(2024, 12, 1), date(2025, 1, 1), date(2025, 1, 15), date(2025, 2, 1)),
    (date(2024, 12, 31), date(2025, 1, 14), date(2025, 1, 31), date(2025, 2, 28)),
    (2, 1, 0, 1), (124, 56, 68, 0),
)  # fmt: skip
SPECS = [
    ChartSpec("monthly", "", MONTHLY), ChartSpec("bands", "", BANDS),
    ChartSpec("concentration", "", CONCENTRATION), ChartSpec("hour_weekday", "", HOURS),
    ChartSpec("durations", "", DURATIONS), ChartSpec("rhi", "", RHI),
    ChartSpec("scorecard", "", SCORECARD), ChartSpec("demand", "", DEMAND),
    ChartSpec("demand_run", "", RUN),
]  # fmt: skip


# What each builder plots -------------------------------------------------------------------


def test_monthly_episodes_chart() -> None:
    fig = charts.monthly_episodes_chart(MONTHLY)
    ax = fig.axes[0]
    missing, absent = ax.containers
    assert heights(missing) == list(MONTHLY.missing)
    assert heights(absent) == list(MONTHLY.absent)
    assert [bar.get_y() for bar in absent] == list(MONTHLY.missing)  # stacked
    assert absent[0].get_hatch() == "///"
    assert list(ax.lines[0].get_ydata()) == list(MONTHLY.children)
    assert ticks(ax.get_xticklabels())[:4] == ["Oct\n2024", "Nov", "Dec", "Jan\n2025"]
    assert fig.get_suptitle() == "Missing and absent episodes per month"
    assert (
        ax.get_title()
        == "Oak, 13 months, Oct 2024 to Oct 2025: bars count episodes, the line counts children"
    )
    assert (ax.get_xlabel(), ax.get_ylabel()) == (
        "Month last seen (UK time)",
        "Episodes / children",
    )
    assert legend(fig) == [
        "Children who went missing or absent", "Missing episodes", "Absent episodes",
    ]  # fmt: skip


def test_repeat_bands_chart() -> None:
    fig = charts.repeat_bands_chart(BANDS)
    ax = fig.axes[0]
    assert heights(ax.containers[0]) == [3, 1, 0, 0, 0, 1, 0, 0, 0]
    assert ticks(ax.get_xticklabels()) == list(cd.BANDS)
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "0", "0", "1", "0", "0", "0"]
    assert fig.get_suptitle() == "Children by number of episodes"
    assert ax.get_title() == "Oak, 1 Oct 2025 to 31 Oct 2025: 5 children, 2 went more than once"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Episodes in the period (per child)", "Children")


def test_concentration_chart() -> None:
    fig = charts.concentration_chart(CONCENTRATION)
    ax, share = fig.axes
    assert heights(ax.containers[0]) == [8, 2, 1, 1, 1]
    assert [bar.get_x() + bar.get_width() / 2 for bar in ax.containers[0]] == [1, 2, 3, 4, 5]
    shares = [100 * n / 13 for n in (8, 10, 11, 12, 13)]
    assert list(share.lines[0].get_ydata()) == pytest.approx(shares)
    (marker,) = ax.lines  # the top 10%: 1 child of 5, 8 of 13 episodes
    assert list(marker.get_xdata()) == [1.5, 1.5]
    assert "Top 10% of children: 61.5% of episodes" in legend(fig)
    assert ax.get_title().endswith("the top 10% of children (1 of 5) had 61.5% of the episodes")
    assert share.get_ylabel() == "Cumulative share of episodes (%)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Children, most episodes first", "Episodes")


def test_concentration_of_many_children_is_one_outline() -> None:
    many = cd.EpisodeConcentration(PERIOD, tuple(range(200)), (5,) * 100 + (1,) * 100)
    ax = charts.concentration_chart(many).axes[0]
    (outline,) = ax.patches
    assert list(outline.get_data().values) == [5] * 100 + [1] * 100  # type: ignore[attr-defined]


def test_hour_weekday_chart() -> None:
    fig = charts.hour_weekday_chart(HOURS)
    ax = fig.axes[0]
    assert ax.images[0].get_array().tolist() == [list(row) for row in GRID]
    (cell,) = ax.texts  # zero cells stay blank
    assert (cell.get_text(), cell.get_position()) == ("3", (21, 6))
    assert ticks(ax.get_yticklabels()) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert ticks(ax.get_xticklabels())[:3] == ["00", "01", "02"]
    assert fig.get_suptitle() == "When children were last seen: day of week and hour"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Hour last seen (UK time)", "Day of week")
    assert fig.axes[1].get_ylabel() == "Episodes"  # the colour bar


def test_hour_weekday_counts_too_big_for_a_cell_are_left_to_the_colours() -> None:
    big = cd.HourWeekday(PERIOD, tuple(tuple(1000 + h for h in range(24)) for _ in range(7)))
    assert len(charts.hour_weekday_chart(big).axes[0].texts) == 0


def test_durations_chart() -> None:
    fig = charts.durations_chart(DURATIONS)
    ax = fig.axes[0]
    bars = ax.containers[0]
    assert heights(bars) == [1, 1, 2, 0, 0, 0, 0, 1]
    assert [bar.get_x() for bar in bars] == [0.5, 1, 2, 4, 8, 16, 32, 64]
    assert ax.get_xscale() == "log"
    median, p90 = ax.lines
    assert median.get_xdata()[0] == 2.0 and p90.get_xdata()[0] == 61.2
    assert legend(fig) == ["Median: 2 h 00 min", "90th percentile: 2 d 13 h", "Returned episodes"]
    assert ticks(ax.get_xticklabels())[:3] == ["30 min", "1 h 00 min", "2 h 00 min"]
    assert fig.get_suptitle() == "How long children were away"
    assert ax.get_title().endswith("5 returned episodes; half were back within 2 h 00 min")
    assert ax.get_xlabel() == "Time away, from last seen to return (log scale)"


def test_a_month_in_progress_is_drawn_apart_and_says_to_date() -> None:
    to_8th = dataclasses.replace(MONTHLY, through=date(2025, 10, 8))
    fig = charts.monthly_episodes_chart(to_8th)
    ax = fig.axes[0]
    missing, absent, partial, partial_absent = ax.containers
    assert len(missing) == len(absent) == 12  # the whole months
    assert missing[0].get_alpha() is None and not missing[0].get_hatch()
    assert (partial[0].get_height(), partial_absent[0].get_height()) == (5, 2)
    for bar in (partial[0], partial_absent[0]):
        assert bar.get_alpha() == charts.PARTIAL_ALPHA and bar.get_linestyle() == "--"
    assert partial[0].get_hatch() == charts.PARTIAL_HATCH
    assert [t.get_text() for t in ax.texts] == ["to date\n(to 8 Oct)"]
    assert "Oct 2025 to date (to 8 Oct)" in legend(fig)
    assert ax.get_title().startswith("Oak, 13 months, Oct 2024 to Oct 2025 (to 8 Oct): ")
    whole = charts.monthly_episodes_chart(MONTHLY).axes[0]
    assert len(whole.containers) == 2 and not whole.texts


def test_every_rhi_point_shows_at_0_and_100_percent() -> None:
    """A 0% month had its points cut in half by the frame and one hidden under the other."""
    both_zero = dataclasses.replace(
        RHI, offered_in_window=(0,) * 13, completed_in_window=(0,) * 13, through=date(2025, 10, 8)
    )
    fig = charts.rhi_timeliness_chart(both_zero)
    ax = fig.axes[0]
    offered, completed = ax.lines
    assert offered.get_ydata()[12] == completed.get_ydata()[12] == 0.0
    frame = max(spine.get_zorder() for spine in ax.spines.values())
    assert frame < offered.get_zorder() < completed.get_zorder()  # markers over the frame
    assert not offered.get_clip_on() and not completed.get_clip_on()
    assert offered.get_markerfacecolor() == "white"  # a ring round the smaller square
    assert offered.get_markersize() > completed.get_markersize() + 3
    assert ax.get_ylim()[0] < 0 and ax.get_ylim()[1] > 100
    assert ticks(ax.get_xticklabels())[-1] == "Oct 25\nto 8\n(6)"


def test_the_time_away_axis_says_its_unit() -> None:
    linear = dataclasses.replace(
        DURATIONS, edges=(0.0, 2.0, 4.0, 6.0), counts=(3, 1, 1), log_scale=False
    )
    ax = charts.durations_chart(linear).axes[0]
    assert ax.get_xlabel() == "Time away, from last seen to return (hours)"


def test_rhi_timeliness_chart() -> None:
    fig = charts.rhi_timeliness_chart(RHI)
    ax = fig.axes[0]
    offered, completed = ax.lines
    assert math.isnan(offered.get_ydata()[0]) and offered.get_ydata()[12] == 33.3
    assert completed.get_ydata()[12] == 16.7 and completed.get_linestyle() == "--"
    assert offered.get_marker() == "o" and completed.get_marker() == "s"
    assert ticks(ax.get_xticklabels())[-1] == "Oct 25\n(6)"
    assert fig.get_suptitle() == "Return interviews offered and completed within 72 hours"
    assert (ax.get_xlabel(), ax.get_ylabel()) == (
        "Month of return (number of returns)", "% of returns",
    )  # fmt: skip


def test_scorecard_chart() -> None:
    fig = charts_practice.scorecard_chart(SCORECARD)
    ax = fig.axes[0]
    shades = ax.images[0].get_array()
    assert shades[1, 0] == 75.0 and shades.mask[1, 1] and shades.mask[2, 2]  # minutes: no shade
    cells = [t.get_text() for t in ax.texts]
    assert cells[:9] == ["50%", "20 min", "50%", "100%", "–", "–", "–", "–", "–"]
    assert cells[18:20] == ["0%", "–"]
    assert ticks(ax.get_yticklabels()) == ["All homes (6)", "Oak (4)", "Elm (2)"]
    assert ticks(ax.get_xticklabels())[:2] == ["Police\nref", "Time\nto report"]
    assert fig.get_suptitle() == "Reporting practice by home"
    assert ax.get_ylabel() == "Home (episodes)"


def test_demand_chart() -> None:
    fig = charts_practice.demand_chart(DEMAND)
    ax, notes = fig.axes
    (oak,) = ax.containers  # Elm's ratio of 0 and Ash's none cannot sit on a log scale
    assert oak.lines[0].get_xdata()[0] == 0.5 and oak.lines[0].get_ydata()[0] == 0
    assert ax.get_xscale() == "log"
    assert ticks(ax.get_yticklabels()) == ["Oak", "Elm", "Ash"]
    assert ticks(notes.get_yticklabels()) == [
        "20.55 → 10.35   0.50 (0.25–1.00)   £28,506",
        "20.55 → 10.35   0 (none after)   £28,506",
        "0.00 → 10.35   no episodes before   £28,506",
    ]
    assert fig.get_suptitle() == "Demand before and after PCSO engagement"
    assert "(£85,519 in all at £2,416 an episode)" in ax.get_title()
    assert "3 of 40 engaged homes" in ax.get_title()
    assert ax.get_xlabel().startswith("Rate ratio, after ÷ before")


def test_demand_run_chart() -> None:
    fig = charts_practice.demand_run_chart(RUN)
    ax = fig.axes[0]
    rates, engaged = ax.lines
    assert list(rates.get_ydata()[:3]) == pytest.approx([1000 * 2 / 124, 1000 / 56, 0.0])
    assert math.isnan(rates.get_ydata()[3])  # no child-days in February
    assert rates.get_xdata()[0] == charts.day_number(date(2024, 12, 1)) + 15.5
    assert engaged.get_xdata()[0] == charts.day_number(date(2025, 1, 15))
    before, after = ax.collections
    assert before.get_segments()[0][0][1] == 20.548 and after.get_segments()[0][0][1] == 10.345
    assert "Engagement started 15 Jan 2025" in legend(fig)
    assert fig.get_suptitle() == "Oak: episodes before and after engagement"
    assert ax.get_title() == (
        "Episodes per 1,000 child-days by month; rate ratio 0.50 (0.25–1.00); "
        "11.8 episodes avoided, £28,506 cost avoided"
    )
    assert ax.get_ylabel() == "Episodes per 1,000 child-days"


# Readable: no warnings, nothing clipped, no text over other text ------------------------------


def overlaps(a: Any, b: Any) -> bool:
    return a.x0 + 1 < b.x1 and b.x0 + 1 < a.x1 and a.y0 + 1 < b.y1 and b.y0 + 1 < a.y1


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a reader sees: tick labels only for ticks inside their axis's view."""
    labels, drawn = [], []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels += [tick.label1, tick.label2]
                if low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    drawn += [tick.label1, tick.label2]
    others = [t for t in fig.findobj(Text) if all(t is not label for label in labels)]
    return [t for t in drawn + others if t.get_visible() and t.get_text().strip()]


def assert_readable(spec: ChartSpec, path: Path, width: int | None = None) -> None:
    """Build and save the chart without a warning (`width` pixels wide if given, as the page
    draws it), then look at where its texts landed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = chart_drill.chart_figure(spec)
        if width is not None:
            fig.set_size_inches(width / fig.dpi, fig.get_figheight())
        fig.savefig(path)
        FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn_texts(fig)]
    page = fig.bbox
    for text, box in boxes:
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, f"{text!r} runs off the side"
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, f"{text!r} runs off the page"
    for (one, a), (other, b) in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), f"{one!r} overlaps {other!r}"
    assert fig.get_suptitle()
    ax = fig.axes[0]
    assert ax.get_title() and (ax.get_xlabel() or ax.get_ylabel())


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_every_chart_renders_readably(spec: ChartSpec, tmp_path: Path) -> None:
    assert_readable(spec, tmp_path / f"{spec.key}.png")


# The chart widths of the Insights page in windows 1280 and 1440 pixels wide.
PAGE_WIDTHS = [986, 1146]


@pytest.mark.parametrize("width", PAGE_WIDTHS)
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_every_chart_reads_whole_at_the_page_widths(
    spec: ChartSpec, width: int, tmp_path: Path
) -> None:
    assert_readable(spec, tmp_path / f"{spec.key}.png", width)


def force_scale() -> list[ChartSpec]:
    """Numbers as big as a force's year, and names as long as the longest."""
    long = "Wellington Road Children's Home"
    rows = tuple(
        practice.ScorecardRow(i, f"{long} {i}", 25_000 - i, (87.5, 1234.5) + (66.7,) * 7)
        for i in range(21)
    )
    homes = tuple(home(f"{long} {i}", 0.5 + i / 40, home_id=i, cost_avoided=-1_234_567.0)
                  for i in range(20))  # fmt: skip
    return [
        ChartSpec("monthly", "", cd.MonthlyEpisodes(long, 1, MONTHS, (250_000,) * 13,
                                                    (30_000,) * 13, (9_000,) * 13)),
        ChartSpec("bands", "", cd.RepeatBands(PERIOD, cd.BANDS, (12_345,) * 9, ((),) * 9)),
        ChartSpec("concentration", "", cd.EpisodeConcentration(
            PERIOD, tuple(range(50_000)), tuple(range(50_000, 0, -1)))),
        ChartSpec("hour_weekday", "", cd.HourWeekday(PERIOD, ((999,) * 24,) * 7)),
        ChartSpec("rhi", "", cd.RhiTimeliness(long, 1, MONTHS, (123_456,) * 13,
                                              (100_000,) * 13, (50_000,) * 13, 720.0)),
        ChartSpec("scorecard", "", practice.ReportingScorecard(PERIOD, practice.MEASURES, rows,
                                                               5_000)),
        ChartSpec("demand", "", practice.DemandComparison(date(2025, 10, 31), homes, 2_500,
                                                          2415.80)),
    ]  # fmt: skip


@pytest.mark.parametrize("spec", force_scale(), ids=lambda spec: spec.key)
def test_big_numbers_and_long_names_stay_readable(spec: ChartSpec, tmp_path: Path) -> None:
    assert_readable(spec, tmp_path / f"{spec.key}.png")


@pytest.mark.parametrize("width", [None, *PAGE_WIDTHS])
@pytest.mark.parametrize("spec", SPECS + force_scale(), ids=lambda spec: spec.key)
def test_titles_wrap_to_show_every_word_at_every_width(spec: ChartSpec, width: int | None) -> None:
    fig = chart_drill.chart_figure(spec)
    words = (fig.get_suptitle(), fig.axes[0].get_title())
    if width is not None:
        fig.set_size_inches(width / fig.dpi, fig.get_figheight())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    suptitle = [t for t in fig.findobj(Text) if t.get_fontsize() == charts.TITLE_SIZE]
    titles = [*suptitle, fig.axes[0].title]
    assert [" ".join(t.get_text().split()) for t in titles] == [" ".join(w.split()) for w in words]
    for title in titles:
        box = title.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, f"{title.get_text()!r} is cut"
        assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, f"{title.get_text()!r} is cut"


def empty() -> list[ChartSpec]:
    nothing = cd.duration_edges([])
    return [
        ChartSpec("concentration", "", cd.EpisodeConcentration(PERIOD, (), ())),
        ChartSpec("hour_weekday", "", cd.HourWeekday(PERIOD, ((0,) * 24,) * 7)),
        ChartSpec("durations", "", cd.Durations(PERIOD, (), nothing[0], (0,), False, None, None)),
        ChartSpec("rhi", "", cd.RhiTimeliness("Oak", 1, MONTHS, (0,) * 13, (0,) * 13,
                                              (0,) * 13, 72.0)),
        ChartSpec("scorecard", "", practice.ReportingScorecard(PERIOD, practice.MEASURES, (), 0)),
        ChartSpec("demand", "", practice.DemandComparison(date(2025, 10, 31), (), 0, 2415.80)),
    ]  # fmt: skip


@pytest.mark.parametrize("spec", empty(), ids=lambda spec: spec.key)
def test_charts_of_nothing_still_render(spec: ChartSpec, tmp_path: Path) -> None:
    assert_readable(spec, tmp_path / f"{spec.key}.png")


# Data with every value alike: no warnings, and axes that read as whole numbers -----------------

QUIET = home("Oak", None, pre_episodes=0, pre_rate=0.0, post_episodes=0, post_rate=0.0,
             episodes_avoided=0.0, cost_avoided=0.0)  # fmt: skip
QUIET_RUN = practice.DemandRun(QUIET, RUN.starts, RUN.ends, (0,) * 4, (124, 56, 68, 31))
NO_MONTHS = cd.MonthlyEpisodes("Oak", 1, MONTHS, (0,) * 13, (0,) * 13, (0,) * 13)


def all_alike() -> list[Any]:
    """One home, one child, every answer missing or every value the same."""
    unanswered = practice.ScorecardRow(1, "Oak", 1, (None,) * 9)
    perfect = practice.ScorecardRow(1, "Oak", 3, (100.0, 0.0) + (100.0,) * 7)
    even = home("Oak", 1.0, ci95=None)  # a ratio of exactly 1 and no interval
    none_after = home("Elm", 0.0, ci95=None, post_episodes=0)  # nothing on the log scale
    to = date(2025, 10, 31)
    return [
        pytest.param(ChartSpec("monthly", "", NO_MONTHS), id="monthly-none"),
        pytest.param(ChartSpec("bands", "", cd.RepeatBands(PERIOD, cd.BANDS, (0,) * 9,
                                                           ((),) * 9)), id="bands-none"),
        pytest.param(ChartSpec("concentration", "", cd.EpisodeConcentration(PERIOD, (7,), (1,))),
                     id="concentration-one-child"),
        pytest.param(ChartSpec("hour_weekday", "", cd.HourWeekday(PERIOD, ((2,) * 24,) * 7)),
                     id="hour_weekday-even"),
        pytest.param(ChartSpec("scorecard", "", practice.ReportingScorecard(
            PERIOD, practice.MEASURES, (unanswered,), 1)), id="scorecard-unanswered"),
        pytest.param(ChartSpec("scorecard", "", practice.ReportingScorecard(
            PERIOD, practice.MEASURES, (perfect,), 1)), id="scorecard-one-row"),
        pytest.param(ChartSpec("demand", "", practice.DemandComparison(to, (even,), 1, 2415.80)),
                     id="demand-ratio-1"),
        pytest.param(ChartSpec("demand", "", practice.DemandComparison(
            to, (none_after,), 1, 2415.80)), id="demand-none-after"),
        pytest.param(ChartSpec("demand_run", "", QUIET_RUN), id="demand_run-none"),
    ]  # fmt: skip


@pytest.mark.parametrize("spec", all_alike())
def test_charts_of_values_all_alike_render_without_warnings(
    spec: ChartSpec, tmp_path: Path
) -> None:
    assert_readable(spec, tmp_path / f"{spec.key}.png")


def drawn(fig: Figure) -> Figure:
    FigureCanvasAgg(fig).draw()
    return fig


def shown_ticks(axis: Any) -> list[str]:
    """The tick labels a reader sees on `axis`: those inside its view."""
    low, high = sorted(axis.get_view_interval())
    inside = [t for t in axis.get_major_ticks() if low - 1e-9 <= t.get_loc() <= high + 1e-9]
    return [tick.label1.get_text() for tick in inside]


def test_a_home_with_no_episodes_counts_0_and_1_a_month() -> None:
    ax = drawn(charts.monthly_episodes_chart(NO_MONTHS)).axes[0]
    assert ax.get_ylim() == (0, 1)
    assert shown_ticks(ax.yaxis) == ["0", "1"]  # not 0, 0, 0, 0 from ticks of 0.25


@pytest.mark.parametrize("children", [1, 2, 4, 5, 7, 12, 30])
def test_concentration_ranks_children_in_whole_numbers(children: int) -> None:
    data = cd.EpisodeConcentration(PERIOD, tuple(range(children)), tuple(range(children, 0, -1)))
    ranks = shown_ticks(drawn(charts.concentration_chart(data)).axes[0].xaxis)
    assert ranks and all(rank.isdigit() for rank in ranks)  # never 0.0, 2.5, 5.0
    assert int(ranks[0]) >= 1 and int(ranks[-1]) <= children
    if children <= 7:
        assert ranks == [str(rank) for rank in range(1, children + 1)]


def test_a_run_with_no_episodes_reads_0_to_1_not_hundredths() -> None:
    ax = drawn(charts_practice.demand_run_chart(QUIET_RUN)).axes[0]
    assert ax.get_ylim() == (0, 1)
    assert shown_ticks(ax.yaxis) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]


# From a click to the episodes ------------------------------------------------------------------


def test_clicks_count_on_the_plot_and_its_twin_only() -> None:
    plotted = {spec.key: [chart_drill.is_plot(ax) for ax in chart_drill.chart_figure(spec).axes]
               for spec in SPECS}  # fmt: skip
    assert plotted["monthly"] == [True]
    assert plotted["hour_weekday"] == [True, False]  # not the colour bar
    assert plotted["concentration"] == plotted["demand"] == [True, True]
    assert not chart_drill.is_plot(None)


def test_cell_at_turns_coordinates_into_indexes() -> None:
    spec = {s.key: s for s in SPECS}
    assert chart_drill.cell_at(spec["monthly"], 12.2, 4.9) == (12, 0)  # in October's missing bar
    assert chart_drill.cell_at(spec["monthly"], 11.8, 6.5) == (12, 1)  # its absent part
    assert chart_drill.cell_at(spec["monthly"], 12.0, 9.0) == (12, None)  # above the bar
    assert chart_drill.cell_at(spec["concentration"], 1.3, 0) == (0, 0)
    assert chart_drill.cell_at(spec["hour_weekday"], 20.6, 5.7) == (21, 6)
    assert chart_drill.cell_at(spec["durations"], 3.0, 1) == (2, None)
    assert chart_drill.cell_at(spec["durations"], 200.0, 1) is None
    january = charts.day_number(date(2025, 1, 20))
    assert chart_drill.cell_at(spec["demand_run"], january, 3) == (2, None)
    assert chart_drill.cell_at(spec["demand_run"], january + 60, 3) is None


def test_drill_describes_the_episodes_behind_a_bar() -> None:
    query = chart_drill.drill("monthly", MONTHLY, 12, 1)
    assert query == chart_drill.EpisodeQuery(
        "Absent episodes, October 2025, Oak", date(2025, 10, 1), date(2025, 10, 31), False, 1,
        type="absent",
    )  # fmt: skip
    assert chart_drill.drill("monthly", MONTHLY, 13, None) is None
    assert chart_drill.drill("bands", BANDS, 2, None) is None  # nobody in the band
    band = chart_drill.drill("bands", BANDS, 0, None)
    assert band is not None and band.child_ids == (2, 3, 4) and band.home_id == 1
    hour = chart_drill.drill("hour_weekday", HOURS, 21, 6)
    assert hour is not None and (hour.hour, hour.weekday) == (21, 6)
    assert hour.label == "Episodes last seen Sun 21:00-21:59, Oak, 1 Oct 2025 to 31 Oct 2025"
    assert chart_drill.drill("hour_weekday", HOURS, 21, None) is None
    first, last = (
        chart_drill.drill("durations", DURATIONS, 0, None),
        chart_drill.drill("durations", DURATIONS, 7, None),
    )
    assert first is not None and (first.min_hours, first.max_hours) == (None, 1)
    assert last is not None and (last.min_hours, last.max_hours) == (64, None)
    rhi = chart_drill.drill("rhi", RHI, 12, 0)
    assert rhi is not None and rhi.by_return and rhi.label == "Returns, October 2025, Oak"
    everyone = chart_drill.drill("scorecard", SCORECARD, 3, 0)
    assert everyone is not None and everyone.home_id == 1  # the chart's own scope
    elm = chart_drill.drill("scorecard", SCORECARD, 0, 2)
    assert elm is not None and elm.home_id == 2 and elm.label.startswith("Episodes, Elm, ")
    windows = chart_drill.drill("demand", DEMAND, 0, 0)
    assert windows is not None
    assert (windows.first_day, windows.last_day) == (date(2024, 1, 16), date(2025, 10, 31))
    piece = chart_drill.drill("demand_run", RUN, 1, None)
    assert piece is not None
    assert (piece.first_day, piece.last_day) == (date(2025, 1, 1), date(2025, 1, 14))


def test_a_click_lists_the_episodes_behind_it(records: Records, db: Database) -> None:
    w = build_world(records)
    with db.session() as session:
        specs = {spec.key: spec for spec in chart_drill.insights_charts(session, *OCTOBER)}

        def clicked(key: str, x: float, y: float) -> list[int]:
            spec = specs[key]
            cell = chart_drill.cell_at(spec, x, y)
            assert cell is not None
            query = chart_drill.drill(key, spec.data, *cell)
            assert query is not None
            return chart_drill.episode_ids(session, query)

        def named(*names: str) -> list[int]:
            return [w[name] for name in names]

        # The 12 months to October: the page's year, November 2024 first.
        assert clicked("monthly", 11, 5.5) == named("e2")  # October's absent part
        assert clicked("monthly", 2, 0.5) == named("e13", "e14")  # January 2025
        assert clicked("bands", 0, 1) == named("e4", "e8", "e5")  # Ben, Dee, Cal: once each
        assert clicked("concentration", 1, 1) == named("e1", "e3", "e2")  # Amy
        assert clicked("hour_weekday", 1, 6) == named("e2", "e8")  # Sunday 01:00, BST and GMT
        assert clicked("durations", 2.5, 1) == named("e4", "e2")  # 2 to 4 hours
        assert clicked("rhi", 11, 50) == named("e7", "e1", "e4", "e3", "e8", "e2")
        assert clicked("scorecard", 0, 2) == named("e8", "e5")  # Elm
        oak = named("e11", "e12", "e13", "e14", "e1", "e4", "e3", "e2")
        assert clicked("demand", 1, 0) == oak
        assert clicked("demand_run", charts.day_number(date(2025, 1, 20)), 0) == named("e14")


def test_insights_charts_in_order(records: Records, db: Database) -> None:
    w = build_world(records)
    keys = ["monthly", "bands", "concentration", "hour_weekday", "durations", "rhi", "scorecard",
            "demand", "demand_run"]  # fmt: skip
    with db.session() as session:
        force = chart_drill.insights_charts(session, *OCTOBER)
        elm = chart_drill.insights_charts(session, *OCTOBER, home_id=w["elm"])
    assert [spec.key for spec in force] == keys
    assert all(spec.title for spec in force)
    assert force[-1].data.demand.name == "Oak"  # the first home of the demand chart
    assert [spec.key for spec in elm] == keys[:-1]  # Elm has no engagement start
    assert elm[0].data.scope == "Elm" and elm[-1].data.homes == ()
