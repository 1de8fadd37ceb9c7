"""Record text (names, home names, references, notes) that never widens the window.

A label, a combo box or a column sized to its text lets one long surname set the window's
minimum width for good. The rule, used everywhere such text is shown:

- one line (titles, headers): `ElidedLabel`, shortened with "…" to the room it has;
- running text (facts, notes, banners): `WrappedLabel`, wrapped, a word too long for the
  room cut at the edge rather than pushing the window wider;
- pickers: `fit_combo`, as wide as a number of characters, the list as wide as its items;
- table columns: `fit_columns`, as wide as their contents up to `COLUMN_MOST` pixels;
and the whole text in a tooltip wherever it was shortened (`ShortenedTips` for cells).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QTableView,
    QToolTip,
    QTreeView,
    QWidget,
)

LABEL_LEAST = 120  # pixels: the least a label asks for, however long its text
COLUMN_MOST = 320  # pixels: a column sized to its contents is never wider
POPUP_MOST = 640  # pixels: a picker's open list is never wider
ELIDE = Qt.TextElideMode.ElideRight


class ElidedLabel(QLabel):
    """One line of record text, shortened with "…" to fit; the whole text in its tooltip
    when shortened. `text()` is always the whole text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), LABEL_LEAST), hint.height())

    def shortened(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        self.setToolTip(self.text() if self.shortened() else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.drawFrame(painter)  # the style sheet's background, border and padding
        room = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), ELIDE, room.width())
        self.style().drawItemText(
            painter, room, int(self.alignment()), self.palette(), self.isEnabled(), shown,
            self.foregroundRole(),
        )  # fmt: skip
        painter.end()


class WrappedLabel(QLabel):
    """Running record text, wrapped at spaces; a word longer than the room is cut at the
    label's edge (the whole text in the tooltip) instead of setting the window's width."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)

    def minimumSizeHint(self) -> QSize:
        # The layout asks heightForWidth for the height at the width it gives.
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), LABEL_LEAST), hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), 4 * LABEL_LEAST), hint.height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def _update_tip(self) -> None:
        metrics = self.fontMetrics()
        longest = max((metrics.horizontalAdvance(w) for w in self.text().split()), default=0)
        self.setToolTip(self.text() if longest > self.contentsRect().width() else "")


def fit_combo(combo: QComboBox, characters: int = 18) -> QComboBox:
    """A picker as wide as `characters` whatever its items; its open list as wide as the
    items need (up to POPUP_MOST), each item's whole text in its tooltip."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    view = combo.view()
    view.setTextElideMode(ELIDE)
    watch_shortened(view)
    model = combo.model()

    def widen_list() -> None:
        wanted = view.sizeHintForColumn(0) + 2 * view.frameWidth() + 24
        view.setMinimumWidth(min(max(wanted, combo.width()), POPUP_MOST))

    for signal in (model.rowsInserted, model.modelReset, model.dataChanged):
        signal.connect(widen_list)
    return combo


ItemView = QTableView | QTreeView


def fit_columns(view: ItemView, columns: Iterable[int], spare: int = 8) -> None:
    """Each of `columns` as wide as its contents and heading (plus `spare`), never wider than
    COLUMN_MOST: longer cells end in "…" and show their whole text as a tooltip."""
    for column in columns:
        view.resizeColumnToContents(column)
        view.setColumnWidth(column, min(view.columnWidth(column) + spare, COLUMN_MOST))
    watch_shortened(view)


def watch_shortened(view: QAbstractItemView) -> None:
    """Show a shortened cell's whole text as its tooltip (once per view)."""
    if view.viewport().findChild(ShortenedTips) is None:
        view.viewport().installEventFilter(ShortenedTips(view))


class ShortenedTips(QObject):
    """On a view's viewport: the tooltip of a cell with none of its own is its whole text,
    when that text does not fit the cell."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view.viewport())
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        index = self.view.indexAt(event.pos())
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return False
        text = index.data(Qt.ItemDataRole.DisplayRole)
        room = self.view.visualRect(index).width() - 10
        if not isinstance(text, str) or self.view.fontMetrics().horizontalAdvance(text) <= room:
            return False
        QToolTip.showText(event.globalPos(), text, self.view)
        return True
