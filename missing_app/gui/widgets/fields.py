"""Form fields for London date-times and optional values, reading back what the core needs."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDateTimeEdit, QHBoxLayout, QWidget

from missing_app.core.times import from_local, local


class DateTimeField(QWidget):
    """A London date and time (dd/MM/yyyy HH:mm); optional ones can be left blank.

    `value()` is an aware UTC date-time (None when blank); a time in the hour skipped in spring
    raises the core's TimeError, which forms show next to the field.
    """

    changed = Signal()

    def __init__(self, optional: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox()
        self.enabled.setVisible(optional)
        self.enabled.setToolTip("Tick to record this time")
        self.enabled.setChecked(not optional)
        self.edit = QDateTimeEdit()
        self.edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.edit.setCalendarPopup(True)
        self.edit.setEnabled(not optional)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)
        self.enabled.toggled.connect(self.edit.setEnabled)
        self.enabled.toggled.connect(lambda _on: self.changed.emit())
        self.edit.dateTimeChanged.connect(lambda _when: self.changed.emit())

    def set_value(self, moment: datetime | None) -> None:
        self.enabled.setChecked(moment is not None or not self.optional)
        if moment is not None:
            shown = local(moment)
            self.edit.setDateTime(
                QDateTime(
                    QDate(shown.year, shown.month, shown.day), QTime(shown.hour, shown.minute)
                )
            )

    def value(self) -> datetime | None:
        if not self.enabled.isChecked():
            return None
        chosen = self.edit.dateTime()
        day, clock = chosen.date(), chosen.time()
        naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
        return from_local(naive)


class DateField(QDateEdit):
    """A calendar date (dd/MM/yyyy)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)

    def set_value(self, value: date) -> None:
        self.setDate(QDate(value.year, value.month, value.day))

    def value(self) -> date:
        chosen = self.date()
        return date(chosen.year(), chosen.month(), chosen.day())


class OptionalDateField(QWidget):
    """A tick and a date: the date counts only while ticked."""

    changed = Signal()

    def __init__(self, tick: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.ticked = QCheckBox(tick)
        self.day = DateField()
        self.day.setEnabled(False)
        layout.addWidget(self.ticked)
        layout.addWidget(self.day)
        layout.addStretch(1)
        self.ticked.toggled.connect(self.day.setEnabled)
        self.ticked.toggled.connect(lambda _on: self.changed.emit())
        self.day.dateChanged.connect(lambda _day: self.changed.emit())
        self.setFocusProxy(self.ticked)

    def set_value(self, value: date | None, default: date | None = None) -> None:
        self.ticked.setChecked(value is not None)
        shown = value or default
        if shown is not None:
            self.day.set_value(shown)

    def value(self) -> date | None:
        return self.day.value() if self.ticked.isChecked() else None
