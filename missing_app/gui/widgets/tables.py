"""Table views over the database, set up alike: fixed row heights, widths from sample text,
Enter or a double-click to open a row's record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
)

from missing_app.gui.models.windowed import ROW_ID_ROLE, WindowedTableModel
from missing_app.gui.widgets.record_text import fit_columns, watch_shortened

# A table on a scrolling page shows this many rows before it scrolls on its own: enough that
# the page scrolls once (a home page lists its latest 50 episodes), few enough to stay quick.
ROWS_MOST = 50


def tab_leaves(view: QAbstractItemView) -> None:
    """Tab and Shift+Tab go on to the next field and the arrows move inside the list (Qt's
    tables keep Tab for moving between cells, which traps a keyboard user in the list)."""
    view.setTabKeyNavigation(False)


def prepare_table(view: QTableView, samples: Sequence[str]) -> None:
    """Rows of one fixed height (so Qt never measures a million); each column as wide as its
    sample text or its heading, so no value has to be measured either. Set the model first."""
    tab_leaves(view)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
    rows.hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    metrics = view.fontMetrics()
    bold = QFont(view.font())
    bold.setBold(True)
    heading = QFontMetrics(bold)
    model = view.model()
    if isinstance(model, WindowedTableModel):
        # The arrow shows the order the rows are really in.
        keys = [column.key for column in model.columns]
        if model.order.key in keys:
            descending = model.order.descending
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(keys.index(model.order.key), order)
    for column, sample in enumerate(samples):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(metrics.horizontalAdvance(sample) + 14, heading.horizontalAdvance(title) + 18)
        view.setColumnWidth(column, width)
    watch_shortened(view)


def _plain_enter(event: QEvent) -> bool:
    """Return or Enter pressed, with no modifier but the keypad's."""
    if not isinstance(event, QKeyEvent) or event.type() != QEvent.Type.KeyPress:
        return False
    others = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return (
        event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        and others == Qt.KeyboardModifier.NoModifier
    )


class RowOpener(QObject):
    """Opens the current row of a view on Enter (the view's own Enter does nothing useful)."""

    def __init__(self, view: QAbstractItemView, open_row: Callable[[int], object]) -> None:
        super().__init__(view)
        self.view = view
        self.open_row = open_row
        view.installEventFilter(self)
        view.doubleClicked.connect(self.open_index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if _plain_enter(event):
            self.open_index(self.view.currentIndex())
            return True
        return False

    def open_index(self, index: QModelIndex) -> None:
        record_id = index.siblingAtColumn(0).data(ROW_ID_ROLE) if index.isValid() else None
        if record_id is not None:
            self.open_row(int(record_id))


def open_on_enter(view: QAbstractItemView, open_row: Callable[[int], object]) -> RowOpener:
    """Enter or a double-click on a row calls `open_row` with the row's record id."""
    return RowOpener(view, open_row)


def selected_id(view: QAbstractItemView) -> int | None:
    """The record id of the current row, if any."""
    index = view.currentIndex()
    record_id = index.siblingAtColumn(0).data(ROW_ID_ROLE) if index.isValid() else None
    return None if record_id is None else int(record_id)


def count_label() -> QLabel:
    label = QLabel()
    label.setObjectName("pageSubtitle")
    return label


def table_item(text: str, key: object = None, colour: str | None = None) -> QTableWidgetItem:
    """A read-only cell, carrying `key` (the record it stands for) and a colour if given."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    if colour is not None:
        item.setForeground(QColor(colour))
    return item


class RowsTable(QTableWidget):
    """A small read-only table whose rows open with Enter or a double-click, as tall as its
    rows (up to `most`) so that the page around it does the scrolling."""

    opened = Signal(int)

    def __init__(
        self, headings: Sequence[str], stretch: int | None = None, most: int = ROWS_MOST
    ) -> None:
        super().__init__(0, len(headings))
        tab_leaves(self)
        self.setHorizontalHeaderLabels(list(headings))
        self.stretch = stretch
        self.most = most
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setStretchLastSection(stretch is None)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.setWordWrap(False)
        self.cellDoubleClicked.connect(lambda row, _column: self.opened.emit(row))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.opened.emit(self.currentRow())
            return
        super().keyPressEvent(event)

    def fill(self, rows: Sequence[Sequence[QTableWidgetItem]], most: int | None = None) -> None:
        """Replace the rows; the table is as tall as its rows, up to `most` (then it scrolls)."""
        blocked = self.blockSignals(True)  # no "changed" for cells being put in
        self.clearContents()
        self.setRowCount(len(rows))
        for number, items in enumerate(rows):
            for column, item in enumerate(items):
                self.setItem(number, column, item)
        self.blockSignals(blocked)
        self.most = self.most if most is None else most
        self.fit_columns()
        self.fit_height()

    def fit_height(self) -> None:
        """As tall as its rows (up to `most`), with room for the scroll bar only when the
        columns are wider than the view."""
        shown = max(1, min(self.rowCount(), self.most))
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += shown * self.verticalHeader().defaultSectionSize()
        if self.horizontalHeader().length() > self.viewport().width() + 1:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_height()

    def fit_columns(self) -> None:
        """Columns as wide as their contents (with room to breathe, within the one limit of
        record_text); `stretch` takes the rest."""
        header = self.horizontalHeader()
        if self.stretch is not None and self.stretch < self.columnCount():
            header.setSectionResizeMode(self.stretch, QHeaderView.ResizeMode.Stretch)
        fit_columns(self, [c for c in range(self.columnCount()) if c != self.stretch])

    def key(self, row: int) -> object:
        item = self.item(row, 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)


def fit_tree_height(tree: QTreeWidget, most: int = ROWS_MOST) -> None:
    """A tree as tall as the rows it shows (those under collapsed rows are hidden), up to
    `most`, so that the page around it does the scrolling."""
    shown, row = 0, tree.topLevelItem(0)
    height = 0
    while row is not None and shown < most:
        height += tree.visualItemRect(row).height() or tree.sizeHintForRow(0)
        shown += 1
        row = tree.itemBelow(row)
    height = max(height, tree.sizeHintForRow(0))
    height += tree.header().sizeHint().height() + 2 * tree.frameWidth()
    if tree.header().length() > tree.viewport().width() + 1:
        height += tree.horizontalScrollBar().sizeHint().height()
    tree.setFixedHeight(height)


def go_to_row(view: QAbstractItemView, last: bool) -> None:
    """Make the first (or last) row current and show it, the focus in the list."""
    model = view.model()
    rows = 0 if model is None else model.rowCount()
    if rows == 0:
        return
    index = model.index(rows - 1 if last else 0, max(view.currentIndex().column(), 0))
    view.setCurrentIndex(index)
    hint = QAbstractItemView.ScrollHint
    view.scrollTo(index, hint.PositionAtBottom if last else hint.PositionAtTop)
    view.setFocus(Qt.FocusReason.ShortcutFocusReason)
