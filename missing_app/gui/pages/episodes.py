"""The Episodes page: every episode, filtered and sorted in SQL, a window of rows at a time.

It opens on a million episodes at once: the count comes from the episodes table alone, only
the rows in view are read, and rows have one fixed height so Qt never measures them all.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.models import EPISODE_TYPES, RISK_GRADES
from missing_app.core.queries.episodes import EpisodeFilter, episode_listing
from missing_app.core.queries.paging import Sort
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.home import HomeChoice
from missing_app.gui.format import RISK_WORDS, hours, risk, when, words
from missing_app.gui.help import EMPTY_EPISODES
from missing_app.gui.models.windowed import (
    RIGHT,
    TableColumn,
    WindowedTableModel,
)
from missing_app.gui.pages.base import Page
from missing_app.gui.widgets.tables import count_label, go_to_row, open_on_enter, prepare_table

ALERT = "#b42318"
AMBER = "#9a6700"
RISK_COLOURS = {"high": ALERT, "medium": AMBER}
ANY_DATE = QDate(2000, 1, 1)  # a date box at this value means "no limit" and shows "any"


def _returned(value: Any) -> str:
    return "Still missing" if value is None else when(value)


def _still_missing(value: Any) -> str | None:
    return ALERT if value is None else None


COLUMNS = [
    TableColumn("last_seen_at", "Last seen", when),
    TableColumn("child", "Child"),
    TableColumn("child_ref", "Reference"),
    TableColumn("home", "Home"),
    TableColumn("type", "Type", words),
    TableColumn("risk", "Risk", risk, colour=RISK_COLOURS.get),
    TableColumn(
        "returned_at", "Returned", _returned, colour=lambda v: ALERT if v is None else None
    ),
    TableColumn("hours_away", "Time away", hours, RIGHT),
    TableColumn("police_ref", "Police ref"),
]
# The widest usual value of each column but the last (which stretches): widths from the font.
SAMPLES = ("Wed 30/11/2025 23:59", "Leah Fitzgerald", "WIR9151260", "Willowbank Close",
           "Missing", "No apparent risk", "Wed 30/11/2025 23:59", "23 h 59 min")  # fmt: skip


# Periods ----------------------------------------------------------------------------------


def period_days(name: str, today: date) -> tuple[date | None, date | None]:
    """The first and last London dates of a quick period; None for no limit."""
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    days = {
        "All time": (None, None),
        "Last 7 days": (today - timedelta(days=6), today),
        "Last 30 days": (today - timedelta(days=29), today),
        "Last 90 days": (today - timedelta(days=89), today),
        "This month": (month, today),
        "Last month": (last_month, month - timedelta(days=1)),
        "This year": (today.replace(month=1, day=1), today),
    }
    return days.get(name, (None, None))


PERIODS = ("All time", "Last 7 days", "Last 30 days", "Last 90 days", "This month",
           "Last month", "This year", "Chosen dates")  # fmt: skip


def date_box(tooltip: str) -> QDateEdit:
    box = QDateEdit()
    box.setDisplayFormat("dd/MM/yyyy")
    box.setCalendarPopup(True)
    box.setMinimumDate(ANY_DATE)
    box.setSpecialValueText("any")
    box.setDate(ANY_DATE)
    box.setToolTip(tooltip)
    return box


def box_day(box: QDateEdit) -> date | None:
    chosen = box.date()
    if chosen == box.minimumDate():
        return None
    return date(chosen.year(), chosen.month(), chosen.day())


def set_box_day(box: QDateEdit, value: date | None) -> None:
    box.setDate(ANY_DATE if value is None else QDate(value.year, value.month, value.day))


class EpisodesPage(Page):
    title = "Episodes"
    entities = frozenset({"missing_episodes", "children", "care_homes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        layout = self.page_layout(
            "Every missing and absent episode. Click a heading to sort; "
            "Enter or a double-click opens the episode on its child's page."
        )
        layout.addLayout(self._filters())
        self.model = WindowedTableModel(
            context.db,
            COLUMNS,
            episode_listing(EpisodeFilter(), context.who),
            Sort("last_seen_at", True),
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, SAMPLES)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        open_on_enter(self.table, self.open_episode)
        layout.addLayout(self._count_row())
        layout.addWidget(self.table, 1)
        self._show_count()

    def _filters(self) -> QVBoxLayout:
        """Two rows (when, then which), so the window still fits a 1280-pixel screen."""
        rows, row, choices = QVBoxLayout(), QHBoxLayout(), QHBoxLayout()
        rows.addLayout(row)
        rows.addLayout(choices)
        self.period = QComboBox()
        self.period.addItems(PERIODS)
        self.first_day = date_box("The first day the child was last seen (London time)")
        self.last_day = date_box("The last day the child was last seen")
        self.home = HomeChoice(self.context, "All homes")
        self.type = QComboBox()
        self.type.addItem("Missing or absent", None)
        for code in EPISODE_TYPES:
            self.type.addItem(words(code), code)
        self.risk = QComboBox()
        self.risk.addItem("Any risk", None)
        for code in RISK_GRADES:
            self.risk.addItem(RISK_WORDS[code], code)
        self.open_only = QCheckBox("&Open only")
        self.open_only.setToolTip("Only children not yet returned")
        labelled: list[tuple[str, QWidget]] = [
            ("&Period", self.period), ("from", self.first_day), ("to", self.last_day),
        ]  # fmt: skip
        for label, widget in labelled:
            caption = QLabel(label)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addStretch(1)
        for choice in (self.home, self.type, self.risk, self.open_only):
            choices.addWidget(choice)
        choices.addStretch(1)
        self.period.currentTextChanged.connect(self.choose_period)
        self.first_day.dateChanged.connect(self._dates_typed)
        self.last_day.dateChanged.connect(self._dates_typed)
        self.home.currentIndexChanged.connect(self.apply_filters)
        for combo in (self.type, self.risk):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.open_only.toggled.connect(self.apply_filters)
        return rows

    def _count_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count = count_label()
        self.last = QPushButton("Last row (Ctrl+End)")
        self.last.setToolTip("Go to the last row of the table")
        self.last.clicked.connect(self.jump_to_last)
        row.addWidget(self.count, 1)
        row.addWidget(self.last)
        return row

    # Filters ----------------------------------------------------------------------------

    def choose_period(self, name: str) -> None:
        if name == "Chosen dates":
            self.first_day.setFocus()
            return
        first, last = period_days(name, local_date(self.context.now()))
        for box, value in ((self.first_day, first), (self.last_day, last)):
            box.blockSignals(True)
            set_box_day(box, value)
            box.blockSignals(False)
        self.apply_filters()

    def _dates_typed(self) -> None:
        self.period.blockSignals(True)
        self.period.setCurrentText("Chosen dates")
        self.period.blockSignals(False)
        self.apply_filters()

    def episode_filter(self) -> EpisodeFilter:
        return EpisodeFilter(
            first_day=box_day(self.first_day),
            last_day=box_day(self.last_day),
            home_id=self.home.home_id(),
            type=self.type.currentData(),
            risk=self.risk.currentData(),
            open_only=self.open_only.isChecked(),
        )

    def apply_filters(self) -> None:
        self.model.set_listing(episode_listing(self.episode_filter(), self.context.who))
        self._show_count()

    def _show_count(self) -> None:
        total = self.model.rowCount()
        noun = "episode" if total == 1 else "episodes"
        filtered = self.episode_filter() != EpisodeFilter()
        empty = "No episodes match these filters" if filtered else EMPTY_EPISODES
        self.count.setText(f"{total:,} {noun}" if total else empty)

    # Rows -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.home.fill()
        self.model.reload()
        self._show_count()

    def jump_to_last(self) -> None:
        """Select the last row and show it (as Ctrl+End does anywhere in the window)."""
        go_to_row(self.table, last=True)

    def open_episode(self, episode_id: int) -> None:
        if self.context.navigator is not None:
            self.context.navigator.open_episode(episode_id)
