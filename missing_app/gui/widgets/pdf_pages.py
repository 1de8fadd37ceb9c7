"""A document's pages one under another, fitted to the width of the view, as a PDF viewer
shows them; the page at the top of the view is reported as "page n of m".

The pages arrive as raw RGBA pictures (core/reports/preview.py draws them off the GUI
thread); while a document is being made the view shows what is happening instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

GAP = 14  # pixels between pages, and around them
SHADOW = 1  # the border drawn round each page (style.qss, QLabel#pdfPage)


def page_image(width: int, height: int, rgba: bytes) -> QImage:
    """A page's RGBA bytes as an image that owns its pixels."""
    return QImage(rgba, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


class PagesView(QStackedWidget):
    """The pages of one document, or a note (with a busy bar while work is under way)."""

    page_changed = Signal(int, int)  # the page at the top of the view, of how many
    widened = Signal(int)  # the view now wants pages this many device pixels wide

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage] = []
        self.pages: list[QLabel] = []
        self.tops: list[int] = []  # where each page starts in the column, in pixels
        self.addWidget(self._scroller())
        self.addWidget(self._notice())
        self._fit_later = QTimer(self, singleShot=True, interval=120)
        self._fit_later.timeout.connect(self.fit)
        self.show_note("")

    def _scroller(self) -> QScrollArea:
        self.column = QWidget()
        self.column.setObjectName("pagesColumn")
        layout = QVBoxLayout(self.column)
        layout.setContentsMargins(GAP, GAP, GAP, GAP)
        layout.setSpacing(GAP)
        layout.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("pagesView")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so that fitting the pages never changes the width they fit.
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroller.setWidget(self.column)
        self.scroller.verticalScrollBar().valueChanged.connect(self._scrolled)
        return self.scroller

    def _notice(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("pagesNotice")
        layout = QVBoxLayout(frame)
        layout.addStretch(1)
        self.note = QLabel("")
        self.note.setObjectName("pagesNote")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no steps to count: it shows the work is alive
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(220)
        layout.addWidget(self.note)
        layout.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return frame

    # What is shown --------------------------------------------------------------------------

    def show_note(self, text: str, working: bool = False) -> None:
        """Show `text` instead of pages, with the busy bar when work is under way."""
        self.note.setText(text)
        self.busy.setVisible(working)
        self.setCurrentIndex(1)

    def set_note(self, text: str) -> None:
        """Change the note's words (the work's stage) without changing what is shown."""
        self.note.setText(text)

    @property
    def working(self) -> bool:
        return self.currentIndex() == 1 and self.busy.isVisible()

    def show_pages(self, images: Sequence[QImage], keep_place: bool = False) -> None:
        """Show these pages, fitted to the view's width (from the first page, unless kept)."""
        place = self.scroller.verticalScrollBar().value() if keep_place else 0
        layout = self.column.layout()
        assert isinstance(layout, QVBoxLayout)
        for label in self.pages:
            layout.removeWidget(label)
            label.deleteLater()
        self.images = list(images)
        self.pages = []
        for number, _image in enumerate(self.images, start=1):
            label = QLabel()
            label.setObjectName("pdfPage")
            label.setAccessibleName(f"Page {number} of {len(self.images)}")
            layout.insertWidget(layout.count() - 1, label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pages.append(label)
        self.setCurrentIndex(0)
        self.fit()
        self.scroller.verticalScrollBar().setValue(place)
        self._scrolled()

    def page_width(self) -> int:
        """How wide a page is shown, in the view's pixels."""
        return max(self.scroller.viewport().width() - 2 * GAP - 2 * SHADOW, 200)

    def wanted_width(self) -> int:
        """How many pixels wide pages should be drawn to look sharp at the shown width."""
        return round(self.page_width() * (self.devicePixelRatioF() or 1.0))

    def fit(self) -> None:
        """Scale every page to the view's width (from the pictures as drawn)."""
        width, ratio = self.page_width(), self.devicePixelRatioF() or 1.0
        top, self.tops = GAP, []
        for label, image in zip(self.pages, self.images, strict=True):
            scaled = image.scaledToWidth(
                round(width * ratio), Qt.TransformationMode.SmoothTransformation
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            self.tops.append(top)
            top += round(scaled.height() / ratio) + 2 * SHADOW + GAP
        if self.images and self.wanted_width() > self.images[0].width() * 1.1:
            self.widened.emit(self.wanted_width())
        self._scrolled()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.images:
            self._fit_later.start()

    # Where the reader is ------------------------------------------------------------------

    def _scrolled(self, _value: Any = None) -> None:
        self.page_changed.emit(self.page_at_top(), len(self.pages))

    def page_at_top(self) -> int:
        """The page (from 1) at the top third of the view; 0 without pages."""
        if not self.tops:
            return 0
        line = self.scroller.verticalScrollBar().value() + self.scroller.viewport().height() // 3
        return max(1, sum(1 for top in self.tops if top <= line))

    def scroll_to_page(self, number: int) -> None:
        """Bring page `number` (from 1) to the top of the view."""
        if 1 <= number <= len(self.pages):
            self.scroller.verticalScrollBar().setValue(self.tops[number - 1] - GAP)
