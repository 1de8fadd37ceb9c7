"""The Insights page: the same figures as `stats --json`, worked out off the GUI thread, only
the latest choice shown, a council's homes one by one, and the episodes behind a chart's bar."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from missing_app.cli import main as cli_main
from missing_app.core import chart_drill, metrics
from missing_app.core.demo import generate_demo
from missing_app.core.metrics import Period
from missing_app.core.queries.areas import HomeChoice, home_choices
from missing_app.gui.context import AppContext
from missing_app.gui.pages.insights import InsightsPage
from missing_app.gui.pages.insights_reads import period_for
from missing_app.gui.reader import Reader, reading_pool
from missing_app.gui.widgets.tiles import TILES, change_text, figure_text
from tests.gui.test_episodes_page import Navigator

YEAR = Period(date(2024, 11, 1), date(2025, 10, 31))  # "Last 12 months" on 15 Nov 2025
SLOW = 30_000  # milliseconds: generous, for a loaded test machine


@pytest.fixture
def demo(context: AppContext) -> AppContext:
    generate_demo(context.db, seed=1, as_of=date(2025, 11, 15))
    return context


@pytest.fixture(autouse=True)
def reads_end() -> Iterator[None]:
    """No read is left running into the next test (or a closed database)."""
    yield
    reading_pool().waitForDone(SLOW)


def settled(page: InsightsPage) -> bool:
    return not page.reader.waiting and not page.areas.waiting and page.previous is not None


def open_page(qtbot: QtBot, context: AppContext, period: str = "Last 12 months") -> InsightsPage:
    page = InsightsPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitUntil(lambda: not page.areas.waiting, timeout=SLOW)
    page.period.setCurrentText(period)
    return page


def stats_json(
    capsys: pytest.CaptureFixture[str], context: AppContext, period: Period, urn: str | None = None
) -> dict[str, Any]:
    """What `missing-app stats --json` prints for the same filters."""
    argv = ["--db", str(context.db.path), "stats", "--from", period.first.isoformat(),
            "--to", period.last.isoformat(), "--json"]  # fmt: skip
    if urn is not None:
        argv += ["--home", urn]
    capsys.readouterr()
    assert cli_main(argv) == 0
    figures: dict[str, Any] = json.loads(capsys.readouterr().out)
    return figures


def tile_texts(page: InsightsPage) -> dict[str, tuple[str, str]]:
    return {key: (tile.value.text(), tile.change.text()) for key, tile in page.tiles.items()}


def busiest_homes(context: AppContext, period: Period) -> list[HomeChoice]:
    """The homes with episodes in the period, most first (each count different)."""
    with context.db.session() as session:
        entries = metrics.stats(session, period.first, period.last)["homes"]
        homes = {home.urn: home for home in home_choices(session)}
    counts = sorted((-entry["episodes"], entry["urn"]) for entry in entries if entry["episodes"])
    seen: set[int] = set()
    distinct = [urn for count, urn in counts if not (count in seen or seen.add(count))]
    return [homes[urn] for urn in distinct]


# Periods and words --------------------------------------------------------------------------


def test_periods_are_whole_months_before_this_one_or_this_month_so_far() -> None:
    today = date(2025, 11, 15)
    assert period_for("This month", today) == Period(date(2025, 11, 1), date(2025, 11, 15))
    assert period_for("Last month", today) == Period(date(2025, 10, 1), date(2025, 10, 31))
    assert period_for("Last 3 months", today) == Period(date(2025, 8, 1), date(2025, 10, 31))
    assert period_for("Last 12 months", today) == YEAR
    assert period_for("Last month", date(2026, 1, 3)) == Period(date(2025, 12, 1),
                                                                date(2025, 12, 31))  # fmt: skip


def test_a_figure_and_its_change_read_as_a_person_says_them() -> None:
    assert (figure_text("count", 1234), figure_text("hours", 6.65)) == ("1,234", "6 h 39 min")
    assert (figure_text("percent", 63.2), figure_text("money", 9663.2)) == ("63.2%", "£9,663.20")
    assert figure_text("percent", None) == "–"
    assert change_text("count", 42, 37, 30) == "+5 on the previous 30 days"
    assert change_text("count", 30, 37, 30) == "-7 on the previous 30 days"
    assert change_text("hours", 5.1, 6.35, 15) == "-1 h 15 min on the previous 15 days"
    assert change_text("hours", 5.1, 5.105, 15) == "no change on the previous 15 days"  # 18 s
    assert change_text("percent", 63.2, 59.1, 31) == "+4.1 points on the previous 31 days"
    assert change_text("money", 4831.6, 2415.8, 7) == "+£2,415.80 on the previous 7 days"
    assert change_text("count", 4, 4, 7) == "no change on the previous 7 days"
    assert change_text("percent", 50.0, None, 7) == "nothing to compare in the previous 7 days"
    assert change_text("percent", None, 50.0, 7) == "nothing to measure in this period"


# The figures ----------------------------------------------------------------------------------


def test_the_tiles_show_the_figures_of_stats_json(
    qtbot: QtBot, demo: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: settled(page), timeout=SLOW)
    now = stats_json(capsys, demo, YEAR)
    before = stats_json(capsys, demo, Period(date(2023, 11, 2), date(2024, 10, 31)))
    texts = tile_texts(page)
    # Hand-checked once against the printed JSON of the seed-1 demo: 59 episodes, 32 fewer.
    assert texts["episodes"] == ("59", "-32 on the previous 365 days")
    assert (now["episodes"], before["episodes"]) == (59, 91)
    for spec in TILES:
        value, change = texts[spec.key]
        assert value == figure_text(spec.kind, now[spec.key]), spec.key
        assert change == change_text(spec.kind, now[spec.key], before[spec.key], 365), spec.key
    assert texts["cost_estimate"][0] == f"£{now['cost_estimate']:,.2f}"
    assert now["median_duration_hours"] == 2.67  # hours: the tile says it as the pages do
    assert texts["median_duration_hours"][0] == "2 h 40 min"
    assert page.tiles["triggered_children"].label.text() == (
        "Children who reached 3 episodes in 30 days"
    )
    assert "All homes: 01 Nov 2024 to 31 Oct 2025 (365 days)" in page.scope.text()


def test_one_home_shows_the_figures_of_stats_json_for_that_home(
    qtbot: QtBot, demo: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page(qtbot, demo)
    home = busiest_homes(demo, YEAR)[0]
    page.pick_home(home.id)
    qtbot.waitUntil(lambda: settled(page) and page.choice.home == home, timeout=SLOW)
    now = stats_json(capsys, demo, YEAR, home.urn)
    before = stats_json(capsys, demo, YEAR.previous(), home.urn)
    assert now["episodes"] > 0
    for spec in TILES:
        assert tile_texts(page)[spec.key] == (
            figure_text(spec.kind, now[spec.key]),
            change_text(spec.kind, now[spec.key], before[spec.key], 365),
        ), spec.key
    assert page.scope.text().startswith(f"{home.name} ({home.urn}): ")


def test_a_council_lists_its_homes_each_with_its_own_figures(
    qtbot: QtBot, demo: AppContext, capsys: pytest.CaptureFixture[str], qtmodeltester: Any
) -> None:
    page = open_page(qtbot, demo)
    page.council.setCurrentText("Liverpool")
    qtbot.waitUntil(lambda: settled(page) and page.choice.council == "Liverpool", timeout=SLOW)
    assert page.council_homes.isVisible() and not page.tile_grid.isVisible()
    with demo.db.session() as session:
        liverpool = {home.urn for home in home_choices(session, "Liverpool")}
    # The home picker offers Liverpool's homes only.
    offered = {page.home.itemData(i).urn for i in range(1, page.home.count())}
    assert offered == liverpool
    now = stats_json(capsys, demo, YEAR)
    before = {entry["urn"]: entry for entry in stats_json(capsys, demo, YEAR.previous())["homes"]}
    model = page.council_homes.model
    qtmodeltester.check(model)
    shown = {model.data(model.index(row, 1)): row for row in range(model.rowCount())}
    busy = [e for e in now["homes"] if e["urn"] in liverpool and e["episodes"]]
    assert busy and set(shown) >= {entry["urn"] for entry in busy}
    for entry in busy:
        row = shown[entry["urn"]]
        earlier = before.get(entry["urn"], {"episodes": 0})["episodes"]
        change = entry["episodes"] - earlier
        assert model.data(model.index(row, 2)) == f"{entry['episodes']}  ({change:+d})"
    total = sum(entry["episodes"] for entry in busy)
    assert page.council_homes.summary.text().startswith(f"Liverpool: {total} episodes at ")
    assert "Choose one of Liverpool's homes" in page.chart_note.text()
    # Enter on a home shows that home's own figures.
    page.council_homes.table.setFocus()
    page.council_homes.table.selectRow(0)
    top = model.data(model.index(0, 1))
    qtbot.keyClick(page.council_homes.table, Qt.Key.Key_Return)
    assert page.choice.home is not None and page.choice.home.urn == top
    assert page.tile_grid.isVisible() and not page.council_homes.isVisible()


def test_a_refresh_lists_new_homes_and_keeps_the_choice(qtbot: QtBot, demo: AppContext) -> None:
    page = open_page(qtbot, demo)
    home = busiest_homes(demo, YEAR)[0]
    page.pick_home(home.id)
    qtbot.waitUntil(lambda: settled(page) and page.choice.home == home, timeout=SLOW)
    demo.worker.records.create_home("SC999999", "Aaron Court", local_authority="Wirral")
    page.refresh()
    qtbot.waitUntil(lambda: settled(page) and not page.areas.waiting, timeout=SLOW)
    labels = [page.home.itemText(i) for i in range(page.home.count())]
    assert "Aaron Court (SC999999)" in labels
    assert page.home.currentData() == home and page.choice.home == home


def test_a_change_of_settings_is_shown_on_refresh(qtbot: QtBot, demo: AppContext) -> None:
    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: settled(page), timeout=SLOW)
    assert "settings" in page.entities
    demo.worker.records.set_setting("repeat_threshold", 2)
    page.refresh()
    qtbot.waitUntil(lambda: settled(page), timeout=SLOW)
    with demo.db.session() as session:
        triggered = metrics.stats(session, YEAR.first, YEAR.last)["triggered_children"]
    label = page.tiles["triggered_children"].label.text()
    assert label == "Children who reached 2 episodes in 30 days"
    assert page.tiles["triggered_children"].value.text() == str(triggered)


# Off the GUI thread ----------------------------------------------------------------------------


def test_the_page_shows_at_once_and_works_off_the_gui_thread(
    qtbot: QtBot, demo: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def recorded(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return function(*args, **kwargs)

        return run

    for module, name in (
        (metrics, "stats"),
        (chart_drill, "insights_charts"),
        (chart_drill, "chart_figure"),
    ):
        monkeypatch.setattr(module, name, recorded(getattr(module, name)))
    page = InsightsPage(demo)
    qtbot.addWidget(page)
    page.show()
    # Shown at once: the tiles wait, the progress bar runs.
    assert page.tiles["episodes"].value.text() == "…"
    assert page.progress.isVisible() and page.working.text() == "Working out the figures…"
    qtbot.waitUntil(lambda: page.charts is not None and not page.reader.waiting, timeout=SLOW)
    assert not page.progress.isVisible()
    assert len(threads) >= 2 + 1 + 8  # stats now and before, the chart data, each figure
    assert threading.main_thread().name not in threads


def test_only_the_latest_choice_is_shown(
    qtbot: QtBot, demo: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: settled(page), timeout=SLOW)
    first, second = busiest_homes(demo, YEAR)[:2]
    real, gate, calls, ended = metrics.stats, threading.Event(), [], []

    def held_for_first(session: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        urn = args[2] if len(args) > 2 else kwargs.get("home_urn")
        calls.append(urn)
        try:
            if urn == first.urn:
                gate.wait(SLOW / 1000)
            return real(session, *args, **kwargs)
        finally:
            ended.append(urn)

    monkeypatch.setattr(metrics, "stats", held_for_first)
    page.pick_home(first.id)
    qtbot.waitUntil(lambda: first.urn in calls, timeout=SLOW)  # running, and held
    page.pick_home(second.id)  # changed while the first still runs
    qtbot.waitUntil(lambda: settled(page) and page.charts is not None, timeout=SLOW)
    gate.set()  # the first now finishes: its figures must not replace the second's
    assert reading_pool().waitForDone(SLOW) and first.urn in ended
    qtbot.wait(100)
    with demo.db.session() as session:
        expected = real(session, YEAR.first, YEAR.last, second.urn)["episodes"]
    assert page.choice.home == second and page.figures is not None
    assert page.figures.choice.home == second
    assert page.tiles["episodes"].value.text() == f"{expected:,}"
    assert page.scope.text().startswith(second.name)
    assert not page.banner.isVisible()


def test_a_replaced_read_is_dropped_and_its_sql_stopped(qtbot: QtBot, context: AppContext) -> None:
    reader = Reader(context.db)
    shown: list[Any] = []
    errors: list[Exception] = []
    endless = text(  # counts for a minute or more unless it is stopped
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 1000000000) "
        "SELECT count(*) FROM n"
    )
    replaced = reader.read(lambda session: session.scalar(endless), shown.append, errors.append)
    qtbot.wait(300)
    reader.read(lambda session: session.scalar(text("SELECT 42")), shown.append, errors.append)
    qtbot.waitUntil(lambda: shown == [42], timeout=SLOW)
    assert reading_pool().waitForDone(5_000)  # the endless count was interrupted
    assert isinstance(replaced.error, OperationalError) and "interrupted" in str(replaced.error)
    assert errors == [] and shown == [42] and not reader.waiting


def test_a_failure_is_shown_in_the_page(
    qtbot: QtBot, demo: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("the database file is locked")

    monkeypatch.setattr(metrics, "stats", broken)
    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=SLOW)
    assert page.banner.text() == (
        "The figures could not be worked out: the database file is locked"
    )
    assert not page.progress.isVisible()


def test_the_charts_module_is_not_loaded_with_the_page() -> None:
    code = (
        "import sys, missing_app.gui.pages.insights, missing_app.gui.pages.settings\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'"
        " or m == 'missing_app.gui.widgets.chart'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Charts and the episodes behind a bar ----------------------------------------------------------


def test_a_chart_drawn_off_the_gui_thread_is_shown_without_drawing_again(qtbot: QtBot) -> None:
    from matplotlib.figure import Figure

    from missing_app.core.chart_drill import ChartSpec
    from missing_app.gui.widgets.chart import ChartColumn, prepared

    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.add_subplot()
    axes.bar([0, 1, 2], [4, 9, 2], color="#08306b")
    axes.set_xlim(-0.5, 2.5)
    axes.set_ylim(0, 10)
    item = prepared(ChartSpec("test", "Three bars", None), figure, width=640)
    assert item.height == 300 and item.drawn is not None  # drawn, at 640 x 300
    draws: list[int] = []
    real_draw = figure.draw
    figure.draw = lambda renderer: draws.append(1) or real_draw(renderer)  # type: ignore[method-assign]
    column = ChartColumn()
    qtbot.addWidget(column)
    column.setFixedWidth(640)
    column.show_charts([item])
    column.show()
    qtbot.waitExposed(column)
    canvas = column.canvases[0]
    assert (canvas.width(), canvas.height()) == (640, 300)
    image = canvas.grab().toImage()
    x, y = axes.transData.transform((1, 4))  # the middle of the tallest bar
    spot = QPoint(round(x), round(300 - y))
    assert image.pixelColor(spot).name() == "#08306b"  # the pixels drawn before
    assert draws == []  # and no second draw on the GUI thread
    with qtbot.waitSignal(column.clicked) as clicked:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=spot)
    key, at_x, at_y = clicked.args
    assert key == "test" and round(at_x) == 1 and 3.5 < at_y < 4.5


def test_clicking_a_bar_lists_the_episodes_behind_it(qtbot: QtBot, demo: AppContext) -> None:
    navigator = Navigator()
    demo.navigator = navigator
    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: page.charts is not None and not page.reader.waiting, timeout=SLOW)
    assert page.charts.items()[0].title == "Episodes per month"
    canvas = page.charts.canvases[0]
    monthly = canvas.item.spec.data
    busiest = max(range(len(monthly.months)), key=lambda i: monthly.missing[i])
    canvas.draw()  # at the size it has now, so the bars stand where the click lands
    axes = canvas.figure.axes[0]
    x, y = axes.transData.transform((busiest, monthly.missing[busiest] / 2))
    ratio = canvas.device_pixel_ratio
    spot = QPoint(round(x / ratio), round((canvas.figure.bbox.height - y) / ratio))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: page.behind is not None and page.behind.isVisible(), timeout=SLOW)
    behind = page.behind
    month = monthly.months[busiest]
    assert behind.heading.text() == f"Missing episodes, {month:%B %Y}, All homes"
    assert behind.table.rowCount() == monthly.missing[busiest]
    assert {behind.table.item(r, 4).text() for r in range(behind.table.rowCount())} == {"Missing"}
    shown = [behind.table.item(r, 0).text() for r in range(behind.table.rowCount())]
    assert all(f"/{month:%m/%Y} " in text for text in shown)
    behind.table.setCurrentCell(1, 0)
    qtbot.keyClick(behind.table, Qt.Key.Key_Return)
    assert navigator.opened == [("episode", int(str(behind.table.key(1))))]
    assert not behind.isVisible()


def test_the_wheel_over_a_chart_scrolls_the_page(qtbot: QtBot, demo: AppContext) -> None:
    """Issue 11: the mouse wheel over a chart did nothing; it scrolls the page as anywhere."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QWidget

    page = open_page(qtbot, demo)
    qtbot.waitUntil(lambda: page.charts is not None and not page.reader.waiting, timeout=SLOW)
    qtbot.waitUntil(lambda: bool(page.charts.canvases), timeout=SLOW)
    canvas = page.charts.canvases[0]
    bar = page.scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > canvas.height())  # laid out under the tiles
    page.scroller.ensureWidgetVisible(canvas, 0, 0)
    before = bar.value()
    assert before < bar.maximum()
    # A wheel event from the window system goes to the widget under the pointer, then to
    # each parent in turn until one accepts it (Qt does so only for real, spontaneous ones).
    middle = QPointF(canvas.width() / 2, 10)
    wheel = QWheelEvent(
        middle, QPointF(canvas.mapToGlobal(middle.toPoint())), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    target: QWidget | None = canvas
    while target is not None:
        wheel.setAccepted(True)
        QApplication.sendEvent(target, wheel)
        if wheel.isAccepted():
            break
        target = target.parentWidget()
    assert target is page.scroller.viewport()
    assert bar.value() > before


def test_last_12_months_and_the_monthly_charts_name_the_same_months(
    qtbot: QtBot, demo: AppContext
) -> None:
    page = open_page(qtbot, demo, "This month")
    page.period.setFocus()
    for _ in range(3):  # This month, Last month, Last 3 months, Last 12 months
        qtbot.keyClick(page.period, Qt.Key.Key_Down)
    assert page.period.currentText() == "Last 12 months"
    qtbot.waitUntil(lambda: settled(page) and page.charts is not None, timeout=SLOW)
    qtbot.waitUntil(lambda: not page.reader.waiting, timeout=SLOW)
    first, last = page.first_day.date().toPython(), page.last_day.date().toPython()
    assert (first, last) == (date(2024, 11, 1), date(2025, 10, 31))  # the 12 whole months
    titles = {item.spec.key: item.figure.axes[0].get_title() for item in page.charts.items()}
    for key in ("monthly", "rhi"):
        assert titles[key].startswith("All homes, 12 months, Nov 2024 to Oct 2025: "), key


# Reading the charts on a 1280 x 800 screen ------------------------------------------------


def charts_shown(qtbot: QtBot, demo: AppContext) -> InsightsPage:
    """The page as wide as in a 1280 x 800 window, its charts drawn and laid out."""
    page = open_page(qtbot, demo)
    page.resize(1050, 620)
    qtbot.waitUntil(lambda: page.charts is not None and not page.reader.waiting, timeout=SLOW)
    qtbot.waitUntil(lambda: bool(page.charts.canvases), timeout=SLOW)
    bar = page.scroller.verticalScrollBar()
    last = page.charts.canvases[-1]
    qtbot.waitUntil(lambda: bar.maximum() > last.y())  # every chart laid out
    return page


def top_in_view(page: InsightsPage, widget: Any) -> bool:
    """Whether the top of `widget` (a heading, a chart's title) shows in the scrolled view."""
    y = widget.mapTo(page.scroller.viewport(), QPoint(0, 0)).y()
    return 0 <= y <= page.scroller.viewport().height() - 40


def test_page_down_shows_the_charts_heading_and_every_charts_title(
    qtbot: QtBot, demo: AppContext
) -> None:
    """Issue 11: Page Down carried the "Charts" heading up behind the page's fixed header."""
    page = charts_shown(qtbot, demo)
    page.home.setFocus()
    qtbot.keyClick(page.home, Qt.Key.Key_Tab)  # into the charts area
    assert page.scroller.hasFocus()
    qtbot.keyClick(page.scroller, Qt.Key.Key_PageDown)
    assert top_in_view(page, page.charts_title)
    assert top_in_view(page, page.charts.canvases[0])
    bar, seen = page.scroller.verticalScrollBar(), set()
    while bar.value() < bar.maximum():
        seen |= {n for n, chart in enumerate(page.charts.canvases) if top_in_view(page, chart)}
        qtbot.keyClick(page.scroller, Qt.Key.Key_PageDown)
    seen |= {n for n, chart in enumerate(page.charts.canvases) if top_in_view(page, chart)}
    assert seen == set(range(len(page.charts.canvases)))
    qtbot.keyClick(page.scroller, Qt.Key.Key_PageUp)
    assert bar.value() < bar.maximum()


def test_every_chart_has_its_full_height_once_the_figures_are_shown(
    qtbot: QtBot, demo: AppContext
) -> None:
    """Issue 11: charts were seen squashed into their titles in a grab of the whole page."""
    page = charts_shown(qtbot, demo)
    page.grab()
    for canvas in page.charts.canvases:
        assert canvas.height() >= canvas.minimumHeight() == canvas.item.height > 300
