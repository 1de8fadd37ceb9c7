"""Date and date-time fields: one text entry each, read by the core's `time_entry`.

Every date in every form is typed the same way. One Tab enters a field and one Tab leaves it;
entering it selects the whole text, so typing replaces the value. What was understood is said
beside the entry in words ("Sun 6 Dec 2026, 23:15"), or what is wrong. When the entry is left,
a value typed as `23:15` or `yesterday 21:30` is written out in full, so it no longer depends
on when the form is saved. Alt+Down opens a calendar; only a day chosen in it changes the
value. An optional field left blank means no value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLabel, QLineEdit, QWidget

from missing_app.core import time_entry
from missing_app.core.times import TimeError, local_date, utc_now

Value = TypeVar("Value", date, datetime)


class EntryError(TimeError):
    """What a field's text cannot be read as, naming the field so a form shows it there."""

    def __init__(self, message: str, entry: QWidget) -> None:
        super().__init__(message)
        self.entry = entry


class EntryLine(QLineEdit):
    """The text of a date field: entering it selects it all; Alt+Down asks for a calendar."""

    calendar_asked = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        QTimer.singleShot(0, self, self.selectAll)  # after a click has placed the cursor

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        if alt and event.key() == Qt.Key.Key_Down:
            self.calendar_asked.emit()
        else:
            super().keyPressEvent(event)


class TypedEntry(QWidget, Generic[Value]):
    """A date or a date-time typed as text, with what was understood said beside it."""

    changed = Signal()
    placeholder = ""
    examples = ""  # said in the tooltip
    width_of = ""  # the longest usual text, to size the entry

    def __init__(self, optional: bool, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self.calendar_day: date | None = None  # where the calendar opens while blank
        self.calendar: QCalendarWidget | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if caption:
            layout.addWidget(QLabel(caption))
        self.entry = EntryLine()
        self.entry.setPlaceholderText("blank if none" if optional else self.placeholder)
        self.entry.setMinimumWidth(self.entry.fontMetrics().horizontalAdvance(self.width_of) + 24)
        self.entry.setToolTip(f"Type {self.examples}; Alt+Down opens a calendar")
        self.note = QLabel()
        self.note.setObjectName("fieldHint")
        layout.addWidget(self.entry)
        layout.addWidget(self.note, 1)
        self.setFocusProxy(self.entry)
        self.entry.calendar_asked.connect(self.open_calendar)
        self.entry.textChanged.connect(self._typed)
        self.entry.editingFinished.connect(self._write_out)

    def now(self) -> datetime:
        """The clock of the window holding the field (a form's, which tests fix), else UTC."""
        clock = getattr(self.window(), "clock", None)
        return clock() if callable(clock) else utc_now()

    # Reading and showing, for each kind --------------------------------------------------

    def read(self, text: str) -> Value:
        raise NotImplementedError

    def say(self, value: Value) -> str:
        raise NotImplementedError

    def written(self, value: Value) -> str:
        raise NotImplementedError

    def blank_problem(self) -> str:
        raise NotImplementedError

    # The value ----------------------------------------------------------------------------

    def typed_value(self) -> Value | None:
        """What the text names (None when blank and optional); EntryError saying why not."""
        text = self.entry.text()
        if not text.strip():
            if self.optional:
                return None
            raise EntryError(self.blank_problem(), self)
        try:
            return self.read(text)
        except TimeError as exc:
            raise EntryError(str(exc), self) from None

    def set_typed_value(self, value: Value | None) -> None:
        self.entry.setText("" if value is None else self.written(value))
        self.entry.setCursorPosition(0)

    def _typed(self) -> None:
        self._explain(wrong_is_error=not self.entry.hasFocus())
        self.changed.emit()

    def _explain(self, wrong_is_error: bool) -> None:
        """Say what was understood; what is wrong shows as an error once the entry is left."""
        try:
            value = self.typed_value()
        except EntryError as exc:
            self._say(str(exc), wrong_is_error)
            return
        self._say("" if value is None else self.say(value), False)

    def _say(self, text: str, error: bool) -> None:
        self.note.setText(text)
        name = "fieldError" if error else "fieldHint"
        if self.note.objectName() != name:
            self.note.setObjectName(name)
            self.note.style().unpolish(self.note)
            self.note.style().polish(self.note)

    def _write_out(self) -> None:
        """On leaving: `23:15` becomes the full date and time it was read as."""
        try:
            value = self.typed_value()
        except EntryError:
            self._explain(wrong_is_error=True)
            return
        if value is not None and self.entry.text() != self.written(value):
            self.set_typed_value(value)

    # Keys and the calendar ----------------------------------------------------------------

    def open_calendar(self) -> None:
        """A calendar under the entry; Escape or a click away leaves the value alone."""
        calendar = QCalendarWidget(self)
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        shown = self._shown_day()
        calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        calendar.activated.connect(lambda day: self._chosen(calendar, day))
        calendar.clicked.connect(lambda day: self._chosen(calendar, day))
        calendar.move(self.entry.mapToGlobal(self.entry.rect().bottomLeft()))
        calendar.show()
        calendar.setFocus()
        self.calendar = calendar

    def _shown_day(self) -> date:
        try:
            value = self.typed_value()
        except EntryError:
            value = None
        if isinstance(value, datetime):
            return local_date(value)
        return value or self.calendar_day or local_date(self.now())

    def _chosen(self, calendar: QCalendarWidget, day: QDate) -> None:
        calendar.close()
        self.choose_day(date(day.year(), day.month(), day.day()))
        self.entry.setFocus()
        self._explain(wrong_is_error=False)

    def choose_day(self, day: date) -> None:
        raise NotImplementedError


class DateTimeField(TypedEntry[datetime]):
    """A London date and time; optional ones may be left blank.

    `value()` is an aware UTC date-time (None when blank); what cannot be read, or a time in
    the hour skipped in spring, raises EntryError (a TimeError), which forms show next to
    the field.
    """

    placeholder = "e.g. yesterday 21:30"
    examples = "23:15, yesterday 21:30 or 06/12 23:15"
    width_of = "yesterday 21:30  00"

    def __init__(self, optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(optional, parent=parent)

    def read(self, text: str) -> datetime:
        return time_entry.read_moment(text, self.now())

    def say(self, value: datetime) -> str:
        return time_entry.say_moment(value)

    def written(self, value: datetime) -> str:
        return time_entry.entry_text(value)

    def blank_problem(self) -> str:
        return f"give a date and time: {time_entry.DATE_TIME_EXAMPLES}"

    def set_value(self, moment: datetime | None) -> None:
        self.set_typed_value(moment)

    def value(self) -> datetime | None:
        return self.typed_value()

    def choose_day(self, day: date) -> None:
        """The calendar's day, keeping the time typed; without one, the time is still to type."""
        words = self.entry.text().split()
        clock = words[-1] if len(words) > 1 and ":" in words[-1] else ""
        self.entry.setText(f"{time_entry.day_text(day)} {clock}".rstrip() + " ")
        self.entry.end(False)


class DayEntry(TypedEntry[date]):
    """A calendar date typed as text: what dates have in common, given or optional."""

    placeholder = "dd/mm/yyyy"
    examples = "06/12/2026, 6/12 or today"
    width_of = "00/00/0000  00"

    def read(self, text: str) -> date:
        return time_entry.read_day(text, local_date(self.now()))

    def say(self, value: date) -> str:
        return time_entry.say_day(value)

    def written(self, value: date) -> str:
        return time_entry.day_text(value)

    def blank_problem(self) -> str:
        return f"give a date: {time_entry.DATE_EXAMPLES}"

    def choose_day(self, day: date) -> None:
        self.set_typed_value(day)


class DateField(DayEntry):
    """A calendar date that must be given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(False, parent=parent)

    def set_value(self, value: date) -> None:
        self.set_typed_value(value)

    def value(self) -> date:
        day = self.typed_value()
        assert day is not None  # blank raises EntryError, as the field is not optional
        return day


class OptionalDateField(DayEntry):
    """A captioned date that may be left blank (no date)."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(True, caption, parent)

    def set_value(self, value: date | None, default: date | None = None) -> None:
        """`value`, or blank; while it is blank the calendar opens at `default`."""
        self.set_typed_value(value)
        self.calendar_day = default

    def value(self) -> date | None:
        return self.typed_value()
