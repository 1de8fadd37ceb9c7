"""A child's episodes on one line across their placements: a mark per episode, coloured by
risk grade, as wide as the time away; click a mark to pick the episode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from missing_app.core.times import local

# Risk grades as colours, darkest for the most serious; "not graded" is pale.
RISK_COLOURS = {
    "high": "#b42318",
    "medium": "#d97706",
    "low": "#2f6fb0",
    "no_apparent_risk": "#6b7d8f",
    None: "#a3acb9",
}
RISK_LEGEND = (("high", "High"), ("medium", "Medium"), ("low", "Low"),
               ("no_apparent_risk", "No apparent risk"), (None, "Not graded"))  # fmt: skip
BAND_COLOURS = ("#dfe9f5", "#e6efdc")
MARKS_TOP, MARKS_HEIGHT = 26, 30
BANDS_TOP, BANDS_HEIGHT = 62, 20
AXIS_TOP = 88
SIDE = 10


@dataclass(frozen=True)
class Band:
    """A placement: from `start` to the day before `end` (open when `end` is None)."""

    start: date
    end: date | None
    label: str


@dataclass(frozen=True)
class Mark:
    """An episode: from last seen to returned (open while `end` is None)."""

    episode_id: int
    start: datetime
    end: datetime | None
    risk: str | None
    tip: str


def _days(moment: datetime) -> float:
    """A moment as a London day number with the time as a fraction."""
    shown = local(moment)
    return shown.toordinal() + (shown.hour * 60 + shown.minute) / 1440


def risk_colour(code: str | None) -> str:
    return RISK_COLOURS.get(code, RISK_COLOURS[None])


class EpisodeTimeline(QWidget):
    episode_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bands: list[Band] = []
        self.marks: list[Mark] = []
        self.now = datetime.now().astimezone()
        self.selected: int | None = None
        self.first, self.last = 0.0, 1.0
        self.setMinimumHeight(AXIS_TOP + 20)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(700, AXIS_TOP + 20)

    def set_data(self, bands: list[Band], marks: list[Mark], now: datetime) -> None:
        self.bands, self.marks, self.now = bands, marks, now
        today = local(now).toordinal() + 1.0
        starts = [b.start.toordinal() for b in bands] + [_days(m.start) for m in marks]
        ends = [today if b.end is None else b.end.toordinal() for b in bands]
        ends += [today if m.end is None else _days(m.end) for m in marks]
        first, last = (min(starts), max(ends)) if starts else (today - 365, today)
        pad = max(2.0, (last - first) * 0.01)
        self.first, self.last = first - pad, last + pad
        self.update()

    def select(self, episode_id: int | None) -> None:
        self.selected = episode_id
        self.update()

    # Geometry ---------------------------------------------------------------------------

    def _x(self, day_number: float) -> float:
        width = max(1, self.width() - 2 * SIDE)
        return SIDE + (day_number - self.first) / (self.last - self.first) * width

    def mark_rect(self, mark: Mark) -> QRectF:
        left = self._x(_days(mark.start))
        right = self._x(_days(mark.end or self.now))
        return QRectF(left, MARKS_TOP, max(3.0, right - left), MARKS_HEIGHT)

    def mark_at(self, point: QPointF) -> Mark | None:
        """The mark under `point`, or the nearest within a few pixels."""
        if not MARKS_TOP - 4 <= point.y() <= MARKS_TOP + MARKS_HEIGHT + 4:
            return None
        best, distance = None, 5.0
        for mark in self.marks:
            rect = self.mark_rect(mark)
            gap = max(rect.left() - point.x(), point.x() - rect.right(), 0.0)
            if gap < distance or (gap == distance == 0.0):
                best, distance = mark, gap
        return best

    # Painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        self._paint_legend(painter)
        self._paint_bands(painter)
        self._paint_axis(painter)
        self._paint_marks(painter)
        painter.end()

    def _paint_legend(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        x = float(self.width() - SIDE)
        for code, label in reversed(RISK_LEGEND):
            x -= metrics.horizontalAdvance(label) + 4
            painter.setPen(QColor("#4a5568"))
            painter.drawText(QPointF(x, 15), label)
            x -= 14
            painter.fillRect(QRectF(x, 6, 10, 10), QColor(risk_colour(code)))
            x -= 12
        if not self.marks:
            painter.drawText(QPointF(SIDE, 15), "No episodes recorded")

    def _paint_bands(self, painter: QPainter) -> None:
        today = local(self.now).toordinal() + 1
        for number, band in enumerate(self.bands):
            left = self._x(band.start.toordinal())
            right = self._x(today if band.end is None else band.end.toordinal())
            rect = QRectF(left, BANDS_TOP, max(2.0, right - left), BANDS_HEIGHT)
            painter.fillRect(rect, QColor(BAND_COLOURS[number % 2]))
            painter.setPen(QColor("#1d3557"))
            text = painter.fontMetrics().elidedText(
                band.label, Qt.TextElideMode.ElideRight, int(rect.width()) - 6
            )
            painter.drawText(rect.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_axis(self, painter: QPainter) -> None:
        painter.setPen(QPen(QColor("#8a94a6"), 1))
        painter.drawLine(QPointF(SIDE, AXIS_TOP), QPointF(self.width() - SIDE, AXIS_TOP))
        room = self.width() - SIDE
        for number, label in self._ticks():
            x = self._x(number)
            painter.drawLine(QPointF(x, AXIS_TOP), QPointF(x, AXIS_TOP + 4))
            if x + 2 + painter.fontMetrics().horizontalAdvance(label) <= room:
                painter.drawText(QPointF(x + 2, AXIS_TOP + 15), label)
        now_x = self._x(_days(self.now))
        painter.setPen(QPen(QColor("#1d3557"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(now_x, MARKS_TOP - 4), QPointF(now_x, AXIS_TOP))

    def _ticks(self) -> list[tuple[float, str]]:
        """Years, or months when the line covers under two years (thinned to fit)."""
        first, last = date.fromordinal(int(self.first)), date.fromordinal(int(self.last))
        months = (last.year - first.year) * 12 + last.month - first.month
        step = 12 if months > 24 else max(1, months // max(1, self.width() // 60) + 1)
        ticks, day = [], date(first.year, first.month, 1)
        while day <= last:
            index = day.year * 12 + day.month - 1
            if index % step == 0 and day.toordinal() >= self.first:
                label = f"{day:%Y}" if step == 12 or day.month == 1 else f"{day:%b}"
                if not ticks and step < 12:  # the first month says its year
                    label = f"{day:%b %Y}"
                ticks.append((float(day.toordinal()), label))
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return ticks

    def _paint_marks(self, painter: QPainter) -> None:
        for mark in self.marks:
            rect = self.mark_rect(mark)
            painter.fillRect(rect, QColor(risk_colour(mark.risk)))
            if mark.end is None:  # still missing: hatching shows it is open
                painter.fillRect(rect, QBrush(QColor("white"), Qt.BrushStyle.BDiagPattern))
        chosen = next((m for m in self.marks if m.episode_id == self.selected), None)
        if chosen is not None:
            painter.setPen(QPen(QColor("black"), 2))
            painter.drawRect(self.mark_rect(chosen).adjusted(-2, -3, 2, 3))

    # Pointer ----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        mark = self.mark_at(event.position())
        if mark is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(mark.episode_id)
            self.episode_clicked.emit(mark.episode_id)
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            mark = self.mark_at(QPointF(event.pos()))
            if mark is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), mark.tip, self)
            return True
        return super().event(event)
