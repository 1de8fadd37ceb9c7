"""A table model over a database listing: the row count from COUNT(*), rows a page at a time.

Only the pages a view shows are read (and a few dozen kept), so a million-row table opens
and jumps to its last row at once; sorting is done by the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication

from missing_app.core.db import Database
from missing_app.core.queries.paging import Listing, Sort
from missing_app.gui.format import cell

Index = QModelIndex | QPersistentModelIndex
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The wait cursor while the database sorts (when there is an application to show it)."""
    if QApplication.instance() is None:
        yield
        return
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


@dataclass(frozen=True)
class TableColumn:
    """A column of a listing: its key, its heading, how a value reads, how it lines up."""

    key: str
    title: str
    render: Callable[[Any], str] = field(default=cell)
    align: Qt.AlignmentFlag = LEFT
    colour: Callable[[Any], str | None] | None = None  # a foreground colour for the value


class WindowedTableModel(QAbstractTableModel):
    PAGE = 200
    PAGES_KEPT = 32

    def __init__(
        self, db: Database, columns: list[TableColumn], listing: Listing, sort: Sort
    ) -> None:
        super().__init__()
        self.db = db
        self.columns = columns
        self.listing = listing
        self.order = sort
        self.total = 0
        self.ids: list[int] | None = None  # every row's id, when the sort has no index
        self.pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._count()

    # The listing ------------------------------------------------------------------------

    def _count(self) -> None:
        """The row count; for a sort no index serves, every id in order (one sort in all)."""
        with self.db.session() as session:
            if self.listing.by_offset(self.order):
                self.ids = None
                self.total = self.listing.count(session)
                return
            with busy_cursor():
                self.ids = self.listing.ids(session, self.order)
            self.total = len(self.ids)

    def set_listing(self, listing: Listing) -> None:
        """Show another selection (new filters), from the top."""
        self.beginResetModel()
        self.listing = listing
        self.pages.clear()
        self._count()
        self.endResetModel()

    def reload(self) -> None:
        """Read again after the records changed."""
        self.set_listing(self.listing)

    def _row(self, row: int) -> tuple[Any, ...] | None:
        number, within = divmod(row, self.PAGE)
        page = self.pages.get(number)
        if page is None:
            start = number * self.PAGE
            with self.db.session() as session:
                if self.ids is None:
                    page = self.listing.page(session, self.order, start, self.PAGE, self.total)
                else:
                    page = self.listing.rows(session, self.ids[start : start + self.PAGE])
            self.pages[number] = page
            if len(self.pages) > self.PAGES_KEPT:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(number)
        return page[within] if within < len(page) else None

    def row_id(self, row: int) -> int | None:
        values = self._row(row)
        return None if values is None else int(values[0])

    def value(self, row: int, key: str) -> Any:
        values = self._row(row)
        keys = [column.key for column in self.columns]
        return None if values is None else values[1 + keys.index(key)]

    # Qt's model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.total:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = self._row(index.row())
            return None if values is None else column.render(values[1 + index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == ROW_ID_ROLE:
            return self.row_id(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            values = self._row(index.row())
            colour = None if values is None else column.colour(values[1 + index.column()])
            return None if colour is None else QBrush(QColor(colour))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.beginResetModel()
        self.order = Sort(self.columns[column].key, order == Qt.SortOrder.DescendingOrder)
        self.pages.clear()
        self._count()
        self.endResetModel()
