"""The Insights page: a period's headline figures against the period before, and the charts,
for all homes, the homes of one council, or one home.

Every figure is `metrics.stats()` for the filters, the same numbers `missing-app stats --json`
prints; the charts come from the core's chart builders. All of it is worked out off the GUI
thread (gui/reader.py): the page shows at once, fills in as the figures arrive, and a change
of filters while work runs shows only the latest figures. What is chosen and the reads are
in pages/insights_reads.py, the tiles of the headline figures in widgets/tiles.py, the table
of a council's homes in pages/council_homes.py.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.metrics import Period, Settings
from missing_app.core.queries.areas import HomeChoice
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.pages.base import Page
from missing_app.gui.pages.council_homes import CouncilHomes
from missing_app.gui.pages.insights_reads import (
    PERIOD_CHOICES,
    Choice,
    Figures,
    dates_text,
    period_for,
    read_areas,
    read_behind,
    read_charts,
    read_figures,
    read_previous,
)
from missing_app.gui.pages.insights_scroll import SectionScroll
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.record_text import fit_combo
from missing_app.gui.widgets.tiles import TILES, Tile, change_text, figure_text

log = logging.getLogger(__name__)


# The page ---------------------------------------------------------------------------------


class InsightsPage(Page):
    title = "Insights"
    entities = frozenset(
        {"missing_episodes", "return_interviews", "reporting_assessments", "placements",
         "care_homes", "children", "settings"}
    )  # fmt: skip

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.reader = Reader(context.db, self)
        self.areas = Reader(context.db, self)
        self.drill = Reader(context.db, self)
        self.homes: list[HomeChoice] = []
        self.choice = Choice(period_for("This month", local_date(context.now())))
        self.figures: Figures | None = None
        self.previous: dict[str, Any] | None = None
        self.behind: Any = None  # chart.EpisodesBehind, made on the first click
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 8)
        self.heading(
            self.title,
            layout,
            "The figures of a period against the period of the same length before it, and "
            "the charts. Click a bar or a cell of a chart to list the episodes behind it.",
        )
        layout.addLayout(self._pickers())
        layout.addLayout(self._progress())
        self.banner = QLabel("")
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self._body(), 1)
        self.reader.busy.connect(self._busy)
        self.drill.busy.connect(self._busy)
        again = QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        again.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._read_areas()
        if not self.scoped:
            self.load()  # a PCSO's figures wait for their homes (`_areas_read`)

    @property
    def scoped(self) -> bool:
        """Whether the user may have one home's figures at a time (a PCSO), not all homes."""
        return self.context.who.home_scope is not None

    def _read_areas(self) -> None:
        """Read the councils and homes the user may choose, off the GUI thread."""
        who = self.context.who
        self.areas.read(lambda session: read_areas(session, who), self._areas_read, self._failed)

    # Pickers ------------------------------------------------------------------------------

    def _pickers(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.period = QComboBox()
        self.period.addItems(PERIOD_CHOICES)
        self.first_day, self.last_day = _date_box(), _date_box()
        today = local_date(self.context.now())
        self.first_day.setDate(_qdate(today.replace(day=1)))
        self.last_day.setDate(_qdate(today))
        self.council = fit_combo(QComboBox(), 12)
        self.council.addItem("All councils", None)
        self.home = QComboBox()
        self.home.setEditable(True)
        self.home.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        fit_combo(self.home, 20)
        self._fill_homes()
        for label, widget in (("&Period", self.period), ("from", self.first_day),
                              ("to", self.last_day), ("&Council", self.council),
                              ("&Home", self.home)):  # fmt: skip
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addStretch(1)
        self._show_dates()
        self.period.currentTextChanged.connect(self._period_chosen)
        # Typing a date changes it digit by digit: work it out once typing pauses.
        self.typing = QTimer(self, singleShot=True, interval=500)
        self.typing.timeout.connect(self.load)
        self.first_day.dateChanged.connect(lambda _day: self.typing.start())
        self.last_day.dateChanged.connect(lambda _day: self.typing.start())
        self.council.currentIndexChanged.connect(self._council_chosen)
        self.home.currentIndexChanged.connect(lambda _index: self.load())
        return row

    def _progress(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.scope = QLabel("")
        self.scope.setObjectName("sectionTitle")
        self.scope.setWordWrap(True)
        self.working = QLabel("")
        self.working.setObjectName("pageSubtitle")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # no steps to count: it shows the work is alive
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop working out these figures (F5 starts again)")
        self.stop.clicked.connect(self.cancel)
        row.addWidget(self.scope, 1)
        row.addWidget(self.working)
        row.addWidget(self.progress)
        row.addWidget(self.stop)
        self._busy(False)
        return row

    def _body(self) -> SectionScroll:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 4, 12, 12)
        with self.context.db.session() as session:  # one small read, for the captions
            settings = Settings.read(session)
        self.tiles = {spec.key: Tile(spec.caption(settings)) for spec in TILES}
        self.tile_grid = QWidget()
        grid = QGridLayout(self.tile_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        for number, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, number // 4, number % 4)
            grid.setColumnStretch(number % 4, 1)
        column.addWidget(self.tile_grid)
        self.council_homes = CouncilHomes(self.pick_home)
        column.addWidget(self.council_homes)
        self.charts_title = QLabel("Charts")
        self.charts_title.setObjectName("sectionTitle")
        column.addWidget(self.charts_title)
        self.chart_note = QLabel("")
        self.chart_note.setObjectName("pageSubtitle")
        self.chart_note.setWordWrap(True)
        column.addWidget(self.chart_note)
        self.chart_holder = QVBoxLayout()
        self.chart_holder.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.chart_holder)
        self.charts: Any = None  # chart.ChartColumn, made when the first charts arrive
        column.addStretch(1)
        scroll = SectionScroll(self._sections)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Always there, so the charts' width does not change when they arrive.
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        scroll.setWidget(body)
        # The window's colour behind the tiles, not the scroll area's grey.
        body.setObjectName("insightsBody")
        scroll.setStyleSheet("QScrollArea, QWidget#insightsBody { background: transparent; }")
        self.scroller = scroll
        return scroll

    def _sections(self) -> list[QWidget]:
        """Where Page Down stops: the "Charts" heading (over the first chart), each chart."""
        canvases = [] if self.charts is None else self.charts.canvases[1:]
        return [self.charts_title, *canvases]

    def _fill_homes(self, keep: int | None = None) -> None:
        """The homes of the council chosen (or all), with home `keep` chosen if listed."""
        council = self.council.currentData()
        self.home.blockSignals(True)
        self.home.clear()
        if not self.scoped:
            self.home.addItem("All homes" if council is None else f"All homes of {council}", None)
        for home in self.homes:
            if council is None or home.council == council:
                self.home.addItem(home.label, home)
                if home.id == keep:
                    self.home.setCurrentIndex(self.home.count() - 1)
        completer = QCompleter(self.home.model(), self.home)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.home.setCompleter(completer)
        self.home.blockSignals(False)

    def _areas_read(self, found: tuple[list[str], list[HomeChoice]]) -> None:
        """Fill the pickers, keeping the council and home chosen where they still exist."""
        names, self.homes = found
        council, home = self.council.currentData(), self.home.currentData()
        self.council.blockSignals(True)
        self.council.clear()
        self.council.addItem("All councils", None)
        for name in names:
            self.council.addItem(name, name)
            if name == council:
                self.council.setCurrentIndex(self.council.count() - 1)
        self.council.blockSignals(False)
        self._fill_homes(None if home is None else home.id)
        unread = self.scoped and self.figures is None and not self.reader.waiting
        if self.chosen() != self.choice or unread:
            self.load()

    def _period_chosen(self, name: str) -> None:
        self._show_dates()
        if name != "Chosen dates":
            self.load()

    def _show_dates(self) -> None:
        """The boxes show the period's dates, and can be changed only for chosen dates."""
        name = self.period.currentText()
        chosen = name == "Chosen dates"
        for box in (self.first_day, self.last_day):
            box.setEnabled(chosen)
        if not chosen:
            period = period_for(name, local_date(self.context.now()))
            for box, day in ((self.first_day, period.first), (self.last_day, period.last)):
                box.blockSignals(True)
                box.setDate(_qdate(day))
                box.blockSignals(False)

    def _council_chosen(self, _index: int) -> None:
        self._fill_homes()
        self.load()

    def pick_home(self, home_id: int) -> None:
        """Show one home (Enter on a home of the council's table)."""
        for index in range(self.home.count()):
            home = self.home.itemData(index)
            if home is not None and home.id == home_id:
                self.home.setCurrentIndex(index)
                self.home.setFocus()
                return

    def chosen(self) -> Choice:
        first, last = _day(self.first_day), _day(self.last_day)
        if last < first:
            first, last = last, first
        home = self.home.currentData()
        return Choice(Period(first, last), self.council.currentData(), home)

    # Work ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Work out the figures for the pickers' choice (replacing any work under way)."""
        self.typing.stop()
        self.choice = choice = self.chosen()
        self.figures, self.previous = None, None
        self.banner.hide()
        self._describe(choice)
        for tile in self.tiles.values():
            tile.show_figure("…", "")
        self.tile_grid.setVisible(not choice.by_council)
        self.council_homes.setVisible(choice.by_council)
        self.council_homes.waiting(choice.council or "")
        self._clear_charts("The charts are drawn after the figures.")
        self.working.setText("Working out the figures…")
        who = self.context.who
        self.reader.read(lambda session: read_figures(session, choice, who), self._figures_read,
                         self._failed)  # fmt: skip

    def refresh(self) -> None:
        """Read the homes and the figures again (after a change to the records)."""
        self._read_areas()
        self.load()

    def cancel(self) -> None:
        self.reader.cancel()
        self.drill.cancel()
        self.working.setText("Stopped. Press F5 or change a filter to work them out again.")

    def _describe(self, choice: Choice) -> None:
        before = choice.period.previous()
        where = "All homes"
        if choice.home is not None:
            where = choice.home.label
        elif choice.council is not None:
            where = f"The homes of {choice.council}, one by one"
        self.scope.setText(
            f"{where}: {dates_text(choice.period)} ({choice.days} days), compared with "
            f"{dates_text(before)}"
        )

    def _figures_read(self, figures: Figures) -> None:
        self.figures = figures
        for spec in TILES:
            self.tiles[spec.key].set_label(spec.caption(figures.settings))
        self._show_tiles()
        self.working.setText("Comparing with the period before…")
        choice, settings = figures.choice, figures.settings
        who = self.context.who
        self.reader.read(lambda session: read_previous(session, choice, settings, who),
                         self._previous_read, self._failed)  # fmt: skip

    def _previous_read(self, previous: dict[str, Any]) -> None:
        self.previous = previous
        self._show_tiles()
        assert self.figures is not None
        choice, settings = self.figures.choice, self.figures.settings
        if choice.by_council:
            self._clear_charts(
                f"Charts are drawn for all homes or for one home. Choose one of "
                f"{choice.council}'s homes above, or press Enter on a home in the table."
            )
            self.working.setText("")
            return
        self.working.setText("Drawing the charts…")
        width, ratio = self.chart_width(), self.devicePixelRatioF() or 1.0
        who = self.context.who
        self.reader.read(
            lambda session: read_charts(session, choice, settings, width, ratio, who),
            self._charts_read,
            self._failed,
        )

    def chart_width(self) -> int:
        """How wide a chart will be: the page's width inside its margins and scroll bar."""
        margins = self.scroller.widget().layout().contentsMargins()
        return self.scroller.viewport().width() - margins.left() - margins.right()

    def _show_tiles(self) -> None:
        assert self.figures is not None
        current, days = self.figures.current, self.figures.choice.days
        if self.figures.choice.by_council:
            self.council_homes.show_homes(
                self.figures.choice.council or "", current, self.previous, days, self.homes
            )
            return
        for spec in TILES:
            now = current[spec.key]
            change = "" if self.previous is None else (
                change_text(spec.kind, now, self.previous[spec.key], days))  # fmt: skip
            self.tiles[spec.key].show_figure(figure_text(spec.kind, now), change)

    def _charts_read(self, items: list[Any]) -> None:
        from missing_app.gui.widgets.chart import ChartColumn

        self.working.setText("")
        if self.charts is None:
            self.charts = ChartColumn()
            self.charts.clicked.connect(self.show_behind)
            self.chart_holder.addWidget(self.charts)
        self.charts.show_charts(items)
        self.chart_note.setText("" if items else "No charts for this choice.")
        self.chart_note.setVisible(not items)

    def _clear_charts(self, note: str) -> None:
        if self.charts is not None:
            self.charts.clear()
        self.chart_note.setText(note)
        self.chart_note.setVisible(bool(note))

    def _failed(self, error: Exception, what: str = "The figures could not be worked out") -> None:
        log.error(what, exc_info=error)
        self.working.setText("")
        self.banner.setText(f"{what}: {error}")
        self.banner.show()

    def _not_listed(self, error: Exception) -> None:
        self._failed(error, "The episodes behind the chart could not be listed")

    def _busy(self, _on: bool = False) -> None:
        working = self.reader.waiting or self.drill.waiting
        self.progress.setVisible(working)
        self.stop.setVisible(working)

    # The episodes behind a bar or cell ---------------------------------------------------

    def show_behind(self, key: str, x: float, y: float) -> None:
        """List the episodes behind the bar or cell clicked (read off the GUI thread)."""
        item = next((i for i in self.charts.items() if i.key == key), None) if self.charts else None
        if item is None:
            return
        self.working.setText("Finding the episodes…")
        spec = item.spec
        who = self.context.who
        self.drill.read(lambda session: read_behind(session, spec, x, y, who),
                        self._behind_read, self._not_listed)  # fmt: skip

    def _behind_read(self, found: Any) -> None:
        self.working.setText("")
        if found is None:
            return
        from missing_app.gui.widgets.chart import EpisodesBehind

        if self.behind is None:
            self.behind = EpisodesBehind(self.context, self)
        self.behind.show_episodes(found)
        self.behind.open()


def _date_box() -> QDateEdit:
    box = QDateEdit()
    box.setDisplayFormat("dd/MM/yyyy")
    box.setCalendarPopup(True)
    return box


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(box: QDateEdit) -> date:
    chosen = box.date()
    return date(chosen.year(), chosen.month(), chosen.day())
