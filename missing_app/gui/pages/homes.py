"""The Homes page: every care home with its figures today; Enter opens the home's page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
)

from missing_app.core.models import LOCAL_AUTHORITIES
from missing_app.core.queries.homes import OTHER_COUNCILS, HomeFilter, home_listing
from missing_app.core.queries.paging import Sort
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.home import HomeDialog
from missing_app.gui.format import day
from missing_app.gui.help import EMPTY_HOMES
from missing_app.gui.models.windowed import RIGHT, TableColumn, WindowedTableModel
from missing_app.gui.pages.base import Page
from missing_app.gui.widgets.record_text import fit_combo
from missing_app.gui.widgets.tables import count_label, open_on_enter, prepare_table

ALERT = "#b42318"


def _number(value: Any) -> str:
    return "" if value is None else f"{value:,}"


def _engaged(value: Any) -> str:
    return "Not yet" if value is None else day(value)


COLUMNS = [
    TableColumn("urn", "URN"),
    TableColumn("name", "Home"),
    TableColumn("local_authority", "Council"),
    TableColumn("beds", "Beds", _number, RIGHT),
    TableColumn("pcso", "PCSO"),
    TableColumn("engagement_start", "Engaged since", _engaged),
    TableColumn("placed_now", "Children now", _number, RIGHT),
    TableColumn("episodes_90d", "Episodes, 90 d", _number, RIGHT),
    TableColumn("open_actions", "Open actions", _number, RIGHT, lambda v: ALERT if v else None),
]
SAMPLES = ("SC1000000", "Willowbank Cottage", "St Helens", "100", "PCSO Simon Cunningham",
           "30/11/2025", "0", "0")  # fmt: skip


class HomesPage(Page):
    title = "Homes"
    entities = frozenset(
        {"care_homes", "placements", "missing_episodes", "liaison_meetings", "actions", "users"}
    )

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        layout = self.page_layout(
            "Every care home, with the children placed there today, its episodes in the last "
            "90 days and the actions still open. Enter or a double-click opens the home."
        )
        layout.addLayout(self._filters())
        self.model = WindowedTableModel(
            context.db,
            COLUMNS,
            home_listing(HomeFilter(), context.now(), context.who),
            Sort("name"),
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, SAMPLES)
        self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        open_on_enter(self.table, self.open_home)
        self.count = count_label()
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.search, self.council)
        self.setTabOrder(self.council, self.table)
        self._show_count()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a home: name or URN")
        self.search.setClearButtonEnabled(True)
        self.council = fit_combo(QComboBox(), 18)
        self.council.addItem("All councils", None)
        for council in (*LOCAL_AUTHORITIES, OTHER_COUNCILS):
            self.council.addItem(council, council)
        self.new_home = QPushButton("&New home…")
        self.new_home.clicked.connect(self.create_home)
        self.typing = QTimer(self, singleShot=True, interval=250)
        self.typing.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self.typing.start())
        self.search.returnPressed.connect(self._to_table)
        self.council.currentIndexChanged.connect(self.apply_filters)
        row.addWidget(self.search, 2)
        row.addWidget(self.council)
        row.addStretch(1)
        row.addWidget(self.new_home)
        return row

    def home_filter(self) -> HomeFilter:
        return HomeFilter(self.search.text(), self.council.currentData())

    def apply_filters(self) -> None:
        self.typing.stop()
        self.model.set_listing(
            home_listing(self.home_filter(), self.context.now(), self.context.who)
        )
        self._show_count()

    def _show_count(self) -> None:
        total = self.model.rowCount()
        noun = "home" if total == 1 else "homes"
        filtered = self.home_filter() != HomeFilter()
        empty = "No homes match these filters" if filtered else EMPTY_HOMES
        self.count.setText(f"{total:,} {noun}" if total else empty)

    def _to_table(self) -> None:
        """Enter in the search box: filter now and go to the first home."""
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def refresh(self) -> None:
        self.model.set_listing(
            home_listing(self.home_filter(), self.context.now(), self.context.who)
        )
        self._show_count()

    def open_home(self, home_id: int) -> None:
        if self.context.navigator is not None:
            self.context.navigator.open_home(home_id)

    def create_home(self) -> HomeDialog:
        dialog = HomeDialog(self.context, parent=self)
        dialog.accepted.connect(lambda: self._created(dialog))
        dialog.open()
        return dialog

    def _created(self, dialog: HomeDialog) -> None:
        saved = dialog.result_value
        if saved is not None:
            self.open_home(saved.record.id)
