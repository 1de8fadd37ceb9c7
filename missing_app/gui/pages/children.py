"""The Children page: every child, filtered and sorted in SQL; Enter opens the child."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from missing_app.core.queries.areas import home_labels
from missing_app.core.queries.children import (
    ChildFilter,
    children_listing,
    placing_authorities,
)
from missing_app.core.queries.paging import Sort
from missing_app.core.times import local
from missing_app.gui.context import AppContext
from missing_app.gui.models.windowed import RIGHT, TableColumn, WindowedTableModel
from missing_app.gui.pages.base import Page
from missing_app.gui.widgets.record_text import fit_combo
from missing_app.gui.widgets.tables import open_on_enter, prepare_table

ALERT = "#b42318"
FLAG_CHOICES = (("All children", None), ("CSE flag", "CSE"), ("CCE flag", "CCE"),
                ("CSE or CCE flag", "any"))  # fmt: skip


def _count(value: Any) -> str:
    return "" if not value else str(value)


def _moment(value: datetime | None) -> str:
    return "" if value is None else f"{local(value):%d/%m/%Y %H:%M}"


COLUMNS = [
    TableColumn("name", "Name"),
    TableColumn("local_ref", "Reference"),
    TableColumn("age", "Age", align=RIGHT),
    TableColumn(
        "missing_now",
        "Missing now",
        lambda value: "Missing" if value else "",
        colour=lambda value: ALERT if value else None,
    ),
    TableColumn("home", "Current home"),
    TableColumn("placing_authority", "Placing authority"),
    TableColumn("flags", "Flags", colour=lambda value: ALERT if value else None),
    TableColumn("episodes_90d", "Last 90 days", _count, RIGHT),
    TableColumn("last_episode", "Last episode", _moment),
]
WIDTHS = (165, 95, 40, 90, 165, 145, 70, 90)


class ChildrenPage(Page):
    title = "Children"
    entities = frozenset({"children", "placements", "care_homes", "missing_episodes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.dialog: QWidget | None = None
        layout = self.page_layout(
            "Every looked-after child, with their episodes in the last 90 days. "
            "Enter or double-click opens the child's page."
        )
        layout.addLayout(self._filters())
        self.model = WindowedTableModel(
            context.db,
            COLUMNS,
            children_listing(ChildFilter(), context.now(), context.who),
            Sort("name"),
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, ())
        for column, width in enumerate(WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.setSortingEnabled(True)
        open_on_enter(self.table, self.open_child)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.search, self.home)
        self._fill_choices()
        self.apply_filters()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name or reference")
        self.search.setClearButtonEnabled(True)
        self.home, self.council, self.flag = QComboBox(), QComboBox(), QComboBox()
        fit_combo(self.home, 18)
        fit_combo(self.council, 18)
        self.home.setToolTip("Children placed at this home today")
        self.council.setToolTip("The council that placed the child")
        for label, code in FLAG_CHOICES:
            self.flag.addItem(label, code)
        self.missing_now = QCheckBox("&Missing now")
        self.count = QLabel()
        self.count.setObjectName("pageSubtitle")
        self.new_child = QPushButton("&New child…")
        self.new_child.clicked.connect(self.create_child)
        self.typing = QTimer(self, singleShot=True, interval=250, timeout=self.apply_filters)
        self.search.textChanged.connect(lambda _text: self.typing.start())
        self.search.returnPressed.connect(self._search_done)
        for combo in (self.home, self.council, self.flag):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.missing_now.toggled.connect(self.apply_filters)
        row.addWidget(self.search, 2)
        for widget in (self.home, self.council, self.flag, self.missing_now):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.count)
        row.addWidget(self.new_child)
        return row

    def _fill_choices(self) -> None:
        """The homes and councils to filter by, keeping what is chosen."""
        with self.context.db.session() as session:
            homes = home_labels(session, actor=self.context.who)
            councils = placing_authorities(session)
        for combo, first, items in (
            (self.home, "All homes", homes),
            (self.council, "All placing authorities", [(name, name) for name in councils]),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for value, label in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)
            combo.blockSignals(False)

    # Filtering --------------------------------------------------------------------------

    def current_filter(self) -> ChildFilter:
        return ChildFilter(
            text=self.search.text(),
            home_id=self.home.currentData(),
            placing_authority=self.council.currentData(),
            flag=self.flag.currentData(),
            missing_now=self.missing_now.isChecked(),
        )

    def apply_filters(self) -> None:
        self.typing.stop()
        self.model.set_listing(
            children_listing(self.current_filter(), self.context.now(), self.context.who)
        )
        total = self.model.rowCount()
        self.count.setText(f"{total:,} {'child' if total == 1 else 'children'}")

    def _search_done(self) -> None:
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.setCurrentIndex(self.model.index(0, 0))

    def refresh(self) -> None:
        """Read again after a change, keeping the place in the table."""
        row, scrolled = self.table.currentIndex().row(), self.table.verticalScrollBar().value()
        self._fill_choices()
        self.apply_filters()
        self.table.verticalScrollBar().setValue(scrolled)
        if 0 <= row < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(row, 0))

    # Opening ----------------------------------------------------------------------------

    def open_child(self, child_id: int) -> None:
        if self.context.navigator is not None:
            self.context.navigator.open_child(child_id)

    def create_child(self) -> None:
        from missing_app.gui.dialogs.child import ChildDialog

        dialog = ChildDialog(self.context, parent=self)
        dialog.accepted.connect(lambda: self._created(dialog))
        self.dialog = dialog
        dialog.open()

    def _created(self, dialog: Any) -> None:
        saved = dialog.result_value
        if saved is not None and self.context.navigator is not None:
            self.context.navigator.open_child(saved.record.id)
