"""The Insights page: a period's headline figures against the period before, and the charts,
for all homes, the homes of one council, or one home.

Every figure is `metrics.stats()` for the filters, the same numbers `missing-app stats --json`
prints; the charts come from the core's chart builders. All of it is worked out off the GUI
thread (gui/reader.py): the page shows at once, fills in as the figures arrive, and a change
of filters while work runs shows only the latest figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
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
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from missing_app.core import metrics
from missing_app.core.metrics import Period, Settings
from missing_app.core.queries.areas import HomeChoice, councils, home_choices
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.models.windowed import RIGHT, ROW_ID_ROLE
from missing_app.gui.pages.base import Page
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.tables import open_on_enter, prepare_table

log = logging.getLogger(__name__)

PERIOD_CHOICES = ("This month", "Last month", "Last 3 months", "Last 12 months", "Chosen dates")
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole


def months_back(first_of_month: date, months: int) -> date:
    """The first day of the month `months` before the month starting `first_of_month`."""
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_for(name: str, today: date) -> Period:
    """A named period on London dates: this month so far, or whole months before it."""
    month = today.replace(day=1)
    if name == "This month":
        return Period(month, today)
    back = {"Last month": 1, "Last 3 months": 3, "Last 12 months": 12}[name]
    return Period(months_back(month, back), month - timedelta(days=1))


def dates_text(period: Period) -> str:
    return f"{period.first:%d %b %Y} to {period.last:%d %b %Y}"


@dataclass(frozen=True)
class Choice:
    """What the page shows: a period, and all homes, one council's homes, or one home."""

    period: Period
    council: str | None = None
    home: HomeChoice | None = None

    @property
    def days(self) -> int:
        return (self.period.last - self.period.first).days + 1

    @property
    def by_council(self) -> bool:
        """A council without one of its homes: figures per home, not added up."""
        return self.council is not None and self.home is None

    @property
    def urn(self) -> str | None:
        return None if self.home is None else self.home.urn


# Headline figures -------------------------------------------------------------------------

COUNT, HOURS, PERCENT, MONEY = "count", "hours", "percent", "money"


@dataclass(frozen=True)
class TileSpec:
    """A headline figure: its key in `stats()`, its caption (which may name the settings:
    {n}, {d}, {rhi}, {cost}) and how its value reads."""

    key: str
    label: str
    kind: str

    def caption(self, settings: Settings) -> str:
        return self.label.format(
            n=settings.repeat_threshold,
            d=settings.repeat_window_days,
            rhi=f"{settings.rhi_window_hours:g}",
            cost=f"£{settings.unit_cost:,.2f}",
        )


TILES = (
    TileSpec("episodes", "Episodes (missing and absent)", COUNT),
    TileSpec("children", "Children who went missing or absent", COUNT),
    TileSpec("repeat_children", "Repeat children: 2 or more episodes", COUNT),
    TileSpec("triggered_children", "Children who reached {n} episodes in {d} days", COUNT),
    TileSpec("median_duration_hours", "Median time away, of those returned", HOURS),
    TileSpec("rhi_completed_72h_pct", "Returns with the RHI completed within {rhi} hours", PERCENT),
    TileSpec("police_ref_pct", "Episodes with a police reference", PERCENT),
    TileSpec("cost_estimate", "Estimated cost, at {cost} an episode", MONEY),
)
NOTHING = "–"  # a figure with nothing to measure (no returns, no episodes)


def figure_text(kind: str, value: float | None) -> str:
    """A figure as `stats --json` gives it, in a person's units: 42, 6.65 h, 63.2%, £9,663.20."""
    if value is None:
        return NOTHING
    if kind == HOURS:
        return f"{value:,.2f} h"
    if kind == PERCENT:
        return f"{value:.1f}%"
    if kind == MONEY:
        return f"£{value:,.2f}"
    return f"{value:,}"


def change_amount(
    kind: str, now: float | None, before: float | None, points: str = "points"
) -> str:
    """How much a figure moved: +5, -1.20 h, +4.1 points, +£2,415.80; blank when either
    period has nothing to measure."""
    if now is None or before is None:
        return ""
    change = now - before
    sign = "-" if change < 0 else "+"
    if kind == HOURS:
        return f"{sign}{abs(change):,.2f} h"
    if kind == PERCENT:
        return f"{sign}{abs(change):.1f} {points}"
    if kind == MONEY:
        return f"{sign}£{abs(change):,.2f}"
    return f"{sign}{abs(int(change)):,}"


def change_text(kind: str, now: float | None, before: float | None, days: int) -> str:
    """`+5 on the previous 30 days`, or why there is nothing to compare."""
    if now is None:
        return "nothing to measure in this period"
    if before is None:
        return f"nothing to compare in the previous {days} days"
    if now == before:
        return f"no change on the previous {days} days"
    return f"{change_amount(kind, now, before)} on the previous {days} days"


class Tile(QFrame):
    """One headline figure: the value, what it is, and its change on the period before."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.value = QLabel("…")
        self.value.setObjectName("tileValue")
        self.label = QLabel(label)
        self.label.setObjectName("tileLabel")
        self.label.setWordWrap(True)
        self.change = QLabel("")
        self.change.setObjectName("tileLabel")
        self.change.setWordWrap(True)
        for widget in (self.value, self.label, self.change):
            layout.addWidget(widget)
        layout.addStretch(1)

    def set_label(self, text: str) -> None:
        self.label.setText(text)

    def show_figure(self, value: str, change: str) -> None:
        self.value.setText(value)
        self.change.setText(change)


# A council's homes, one by one ---------------------------------------------------------------

COUNCIL_COLUMNS = (
    ("episodes", "Episodes", COUNT),
    ("children", "Children", COUNT),
    ("repeat_children", "Repeat children", COUNT),
    ("police_ref_pct", "Police reference", PERCENT),
    ("rhi_completed_72h_pct", "RHI completed in time", PERCENT),
)


# The widest usual value of each column: widths from the font, not from every row.
COUNCIL_SAMPLES = ("Willowbank Cottage", "SC1000000", "1,234  (+1,234)", "1,234  (+1,234)",
                   "1,234  (+1,234)", "100.0%  (+100.0 pts)")  # fmt: skip


@dataclass(frozen=True)
class HomeRow:
    """One home's entry of `stats()["homes"]` now and in the period before (None: absent)."""

    home_id: int | None
    urn: str
    name: str
    now: dict[str, Any]
    before: dict[str, Any] | None

    def figure(self, key: str) -> float | None:
        value: float | None = self.now.get(key)
        return value

    def cell(self, key: str, kind: str) -> str:
        before = None if self.before is None else self.before.get(key)
        change = change_amount(kind, self.figure(key), before, points="pts")
        return figure_text(kind, self.figure(key)) + (f"  ({change})" if change else "")


def council_rows(
    council_homes: list[HomeChoice], now: dict[str, Any], before: dict[str, Any] | None
) -> list[HomeRow]:
    """The council's homes with an episode in either period, most episodes first. A home
    missing from a period's `homes` had no episode in it: its counts are 0 there."""
    ids = {home.urn: home.id for home in council_homes}
    empty = {key: 0 for key, _, kind in COUNCIL_COLUMNS if kind == COUNT}
    current = {entry["urn"]: entry for entry in now["homes"] if entry["urn"] in ids}
    earlier = {e["urn"]: e for e in (before or {}).get("homes", []) if e["urn"] in ids}
    rows = []
    for urn in current.keys() | earlier.keys():
        entry = current.get(urn, empty)
        previous = None if before is None else earlier.get(urn, empty)
        if entry["episodes"] or (previous or empty)["episodes"]:
            name = (current.get(urn) or earlier[urn])["name"]
            rows.append(HomeRow(ids[urn], urn, name, entry, previous))
    return sorted(rows, key=lambda row: (-(row.figure("episodes") or 0), row.name, row.urn))


class CouncilModel(QAbstractTableModel):
    """A council's homes with their figures and changes; sorted in Python (a few hundred)."""

    HEADINGS = ("Home", "URN", *(title for _, title, _ in COUNCIL_COLUMNS))

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HomeRow] = []

    def show_rows(self, rows: list[HomeRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return self.HEADINGS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == DISPLAY:
            if column < 2:
                return row.name if column == 0 else row.urn
            key, _, kind = COUNCIL_COLUMNS[column - 2]
            return row.cell(key, kind)
        if role == ROW_ID_ROLE:
            return row.home_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(RIGHT.value)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        def key(row: HomeRow) -> Any:
            if column < 2:
                return row.name if column == 0 else row.urn
            value = row.figure(COUNCIL_COLUMNS[column - 2][0])
            return -1.0 if value is None else value

        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class CouncilHomes(QWidget):
    """The figures of a council's homes, one row each: Enter on a row shows that home."""

    def __init__(self, pick_home: Callable[[int], object]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setObjectName("sectionTitle")
        self.summary.setWordWrap(True)
        self.note = QLabel(
            "Each home with an episode in this period or the one before, with its own "
            "figures, as for that home alone; the change on the period before is in brackets. "
            "Children are not added up for the council, since a child who went missing from "
            "two homes counts at each. Enter or a double-click shows a home's figures and charts."
        )
        self.note.setObjectName("pageSubtitle")
        self.note.setWordWrap(True)
        self.model = CouncilModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, COUNCIL_SAMPLES)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setMinimumHeight(420)
        self.opener = open_on_enter(self.table, pick_home)
        for widget in (self.summary, self.note, self.table):
            layout.addWidget(widget)

    def waiting(self, council: str) -> None:
        self.summary.setText(f"The homes of {council}: working out their figures…")
        self.model.show_rows([])

    def show_homes(
        self,
        council: str,
        now: dict[str, Any],
        before: dict[str, Any] | None,
        days: int,
        homes: list[HomeChoice],
    ) -> None:
        rows = council_rows([home for home in homes if home.council == council], now, before)
        self.model.show_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        total = sum(row.figure("episodes") or 0 for row in rows)
        text = f"{council}: {total:,} episodes at {len(rows):,} homes"
        if before is not None:
            earlier = sum((row.before or {}).get("episodes", 0) for row in rows)
            text += f" ({change_text(COUNT, total, earlier, days)})"
        self.summary.setText(text)


# The work done off the GUI thread (plain functions of a session, as Orange3's `run`) --------


@dataclass(frozen=True)
class Figures:
    """`metrics.stats()` of the chosen period, and the settings they were worked out with."""

    choice: Choice
    settings: Settings
    current: dict[str, Any]


def read_figures(session: Session, choice: Choice) -> Figures:
    settings = Settings.read(session)
    first, last = choice.period.first, choice.period.last
    return Figures(choice, settings, metrics.stats(session, first, last, choice.urn, settings))


def read_previous(session: Session, choice: Choice, settings: Settings) -> dict[str, Any]:
    """`metrics.stats()` of the period of the same length just before."""
    before = choice.period.previous()
    return metrics.stats(session, before.first, before.last, choice.urn, settings)


def read_charts(
    session: Session, choice: Choice, settings: Settings, width: int = 0, ratio: float = 1.0
) -> list[Any]:
    """The charts for the choice, as ChartItems drawn `width` pixels wide (loading
    matplotlib's Qt canvas here, not on the GUI thread)."""
    from missing_app.gui.widgets import chart

    home_id = None if choice.home is None else choice.home.id
    return chart.chart_items(session, choice.period, home_id, settings, width, ratio)


def read_areas(session: Session) -> tuple[list[str], list[HomeChoice]]:
    return councils(session), home_choices(session)


def read_behind(session: Session, spec: Any, x: float, y: float) -> Any:
    """The episodes behind the bar or cell at (x, y) of a chart (a ChartSpec)."""
    from missing_app.gui.widgets import chart

    return chart.episodes_behind(session, spec, x, y)


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
        self.areas.read(read_areas, self._areas_read, self._failed)
        self.load()

    # Pickers ------------------------------------------------------------------------------

    def _pickers(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.period = QComboBox()
        self.period.addItems(PERIOD_CHOICES)
        self.first_day, self.last_day = _date_box(), _date_box()
        today = local_date(self.context.now())
        self.first_day.setDate(_qdate(today.replace(day=1)))
        self.last_day.setDate(_qdate(today))
        self.council = QComboBox()
        self.council.addItem("All councils", None)
        self.home = QComboBox()
        self.home.setEditable(True)
        self.home.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.home.setMinimumContentsLength(28)
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

    def _body(self) -> QScrollArea:
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
        charts_title = QLabel("Charts")
        charts_title.setObjectName("sectionTitle")
        column.addWidget(charts_title)
        self.chart_note = QLabel("")
        self.chart_note.setObjectName("pageSubtitle")
        self.chart_note.setWordWrap(True)
        column.addWidget(self.chart_note)
        self.chart_holder = QVBoxLayout()
        self.chart_holder.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.chart_holder)
        self.charts: Any = None  # chart.ChartColumn, made when the first charts arrive
        column.addStretch(1)
        scroll = QScrollArea()
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

    def _fill_homes(self, keep: int | None = None) -> None:
        """The homes of the council chosen (or all), with home `keep` chosen if listed."""
        council = self.council.currentData()
        self.home.blockSignals(True)
        self.home.clear()
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
        if self.chosen() != self.choice:
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
        self.reader.read(lambda session: read_figures(session, choice), self._figures_read,
                         self._failed)  # fmt: skip

    def refresh(self) -> None:
        """Read the homes and the figures again (after a change to the records)."""
        self.areas.read(read_areas, self._areas_read, self._failed)
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
        self.reader.read(lambda session: read_previous(session, choice, settings),
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
        self.reader.read(lambda session: read_charts(session, choice, settings, width, ratio),
                         self._charts_read, self._failed)  # fmt: skip

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
        self.drill.read(lambda session: read_behind(session, spec, x, y),
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
