"""The base of every form: fields with their errors beside them, Ctrl+S to save, and a
question before unsaved changes are thrown away.

The keyboard follows one rule in every form: it opens with the focus in its first field (or
the one the form chose), Tab goes through the fields in the order they are seen and then to
Save and Cancel, Enter never saves (Ctrl+S or a click does), and Escape cancels.

A form turns what was typed into one small function of `Records` (one use case) and hands it
to the write worker. When the core refuses it (`ValidationError`), each problem appears under
the field it names, in the core's own words, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.errors import HomewardError, Problem, ValidationError
from missing_app.core.records import Records
from missing_app.core.times import TimeError
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.focus import chain_tabs, is_push_button, tab_stops
from missing_app.gui.widgets.fields import DateTimeField, EntryError

Work = Callable[[Records], Any]


class FormDialog(QDialog):
    """Subclasses add fields in their constructor and implement `work()`."""

    entities: tuple[str, ...] = ()  # the tables a save changes

    def __init__(self, context: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(title)
        self.setModal(True)
        self.dirty = False
        self.saving = False
        self.opened = False
        self.result_value: Any = None
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        layout.addLayout(self.grid)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setToolTip("Save (Ctrl+S)")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def showEvent(self, event: QShowEvent) -> None:
        """Enter moves on through a form, never saves it: Qt makes Save the default button
        each time a dialog is shown, so undo that here (Ctrl+S or a click saves). The first
        time, put the tab order in the order a person sees and the focus in a field."""
        super().showEvent(event)
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        if not self.opened:
            self.opened = True
            self.order_tabs()
            self._focus_first_field()

    def order_tabs(self) -> None:
        """Tab through every field top to bottom, left to right, then Save and Cancel.

        Qt's own order is the order widgets were made in, and the buttons are made before
        any field; a row added later (an action) would come after them."""
        chain_tabs(tab_stops(self.layout()))

    def _focus_first_field(self) -> None:
        """The first field, unless the form chose one: never a button, where Space would
        save or open something (Save, Import photo)."""
        chosen = self.focusWidget()
        if chosen is not None and chosen not in self.buttons.buttons():
            return
        fields = [
            widget
            for widget in tab_stops(self.grid)
            if widget.isEnabled() and not widget.isHidden() and not is_push_button(widget)
        ]
        if fields:
            fields[0].setFocus(Qt.FocusReason.TabFocusReason)

    # Building the form ------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        """A labelled field with a place for its error (and an optional hint) beneath it."""
        row = self.grid.rowCount()
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(widget, row, 1)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        self.grid.addWidget(error, row + 1, 1)
        if hint:
            note = QLabel(hint)
            note.setObjectName("fieldHint")
            note.setWordWrap(True)
            self.grid.addWidget(note, row + 2, 1)
        self.errors[key] = error
        self.fields[key] = widget
        self._watch(key, widget)
        return widget

    def clock(self) -> datetime:
        """The time now, for the date fields in this form ("23:15" is today by this clock)."""
        return self.context.now()

    def _watch(self, key: str, widget: QWidget) -> None:
        """A change to the field makes the form dirty and takes its error away."""
        for signal in changes_of(widget):
            signal.connect(lambda *_: self.field_changed(key))

    def mark_dirty(self, *_: Any) -> None:
        self.dirty = True

    def field_changed(self, key: str) -> None:
        """What was typed changed: the form is dirty, and the field's error is out of date."""
        self.mark_dirty()
        error = self.errors.get(key)
        if error is not None and not error.isHidden():
            error.clear()
            error.hide()

    # Problems ---------------------------------------------------------------------------

    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.banner.hide()

    def show_problems(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        """Each problem under its field, in the core's words; the rest in the banner."""
        self.clear_problems()
        elsewhere = []
        for problem in problems:
            label = self.errors.get(problem.field)
            text = problem.message if problem.is_error else f"Note: {problem.message}"
            if label is None:
                elsewhere.append(text)
            else:
                label.setText((label.text() + "\n" if label.text() else "") + text)
                label.setProperty("warning", not problem.is_error)
                label.show()
        if elsewhere:
            self.banner.setText("\n".join(elsewhere))
            self.banner.show()
        if self.isVisible():
            self.fit(self.width())

    def fit(self, width: int) -> None:
        """At least `width` wide, and tall enough for every wrapped line at that width."""
        width = max(width, self.width() if self.isVisible() else 0)
        self.setMinimumWidth(width)
        self.adjustSize()
        self.setMinimumWidth(0)

    def time_value(self, key: str) -> Any:
        """The value of a DateTimeField, what cannot be read (or a skipped spring hour)
        reported against the field."""
        widget = self.fields[key]
        assert isinstance(widget, DateTimeField)
        try:
            return widget.value()
        except TimeError as exc:
            raise ValidationError([Problem(key, str(exc))]) from None

    def _field_of(self, widget: QWidget) -> str:
        """The key of the field that is or holds `widget` ("" for the banner)."""
        for key, field in self.fields.items():
            if field is widget or field.isAncestorOf(widget):
                return key
        return ""

    # Saving -----------------------------------------------------------------------------

    def work(self) -> Work:
        """What to save, as a function of Records; raise ValidationError for bad input."""
        raise NotImplementedError

    def save(self) -> None:
        if self.saving:
            return
        self.clear_problems()
        try:
            work = self.work()
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return
        except EntryError as exc:
            self.show_problems([Problem(self._field_of(exc.entry), str(exc))])
            return
        self.saving = True
        self.buttons.setEnabled(False)
        self.context.worker.submit(work, self.entities, self._saved, self._failed)

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        self.result_value = result
        self.dirty = False
        warnings = getattr(result, "warnings", ())
        if warnings:
            QMessageBox.information(
                self, "Saved, with notes", "\n\n".join(p.message for p in warnings)
            )
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.saving = False
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_problems(error.problems)
        elif isinstance(error, HomewardError):
            self.show_problems([Problem("", str(error))])
        else:
            self.show_problems([Problem("", f"Not saved: {error}")])
            raise error

    # Closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, Cancel and the window's close button all come here (QDialog's own
        closeEvent calls reject, and ignores the close when the dialog stays open)."""
        if self.dirty and not self._confirm_discard():
            return
        super().reject()

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "Close without saving? What you typed will be lost.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard


def changes_of(widget: QWidget) -> list[Any]:
    """The signals a field sends when what it holds is changed."""
    if isinstance(widget, (QLineEdit, QPlainTextEdit)):
        return [widget.textChanged]
    if isinstance(widget, QComboBox):
        typed = [widget.editTextChanged] if widget.isEditable() else []
        return [widget.currentIndexChanged, *typed]
    if isinstance(widget, QCheckBox):
        return [widget.toggled]
    if isinstance(widget, QSpinBox):
        return [widget.valueChanged]
    changed = getattr(widget, "changed", None)  # our own fields: dates, answers, actions
    return [] if changed is None else [changed]
