"""The Settings page: the thresholds, the RHI window, the unit cost and the demand window,
then sign-in, idle lock and retention, each with its default and where that default comes
from. Every saved change is audited."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from missing_app.config import SAFETY_SETTINGS, SETTINGS, SettingSpec
from missing_app.core.errors import ValidationError
from missing_app.gui.context import AppContext
from missing_app.gui.pages.base import Page

Editor = QSpinBox | QDoubleSpinBox


def amount(spec: SettingSpec, value: float) -> str:
    """A setting's value as a person reads it: `3 episodes`, `72 hours`, `£2,415.80`."""
    if spec.unit == "£":
        return f"£{value:,.2f}"
    number = f"{int(value):,}" if spec.integer else f"{value:,g}"
    return f"{number} {spec.unit}"


def editor_for(spec: SettingSpec) -> Editor:
    """A spin box held within the setting's minimum and maximum."""
    editor: Editor
    if spec.integer:
        editor = QSpinBox()
        editor.setRange(int(spec.minimum), int(spec.maximum))
        editor.setSuffix(f" {spec.unit}")
    else:
        editor = QDoubleSpinBox()
        editor.setDecimals(2)
        editor.setRange(spec.minimum, spec.maximum)
        editor.setPrefix(spec.unit if spec.unit == "£" else "")
        editor.setSuffix("" if spec.unit == "£" else f" {spec.unit}")
    editor.setGroupSeparatorShown(True)
    editor.setAlignment(Qt.AlignmentFlag.AlignRight)
    editor.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
    editor.setMinimumWidth(editor.fontMetrics().horizontalAdvance("£1,000,000.00") + 48)
    return editor


class SettingRow:
    """One setting on the page: its editor, its default, its source and its error line."""

    def __init__(self, spec: SettingSpec, on_change: Any) -> None:
        self.spec = spec
        self.saved: float = spec.default
        self.label = QLabel(spec.label)
        self.label.setObjectName("sectionTitle")
        self.editor = editor_for(spec)
        self.label.setBuddy(self.editor)
        self.default = QLabel(f"Default: {amount(spec, spec.default)}")
        self.restore = QPushButton("Restore default")
        self.restore.setToolTip(f"Put back {amount(spec, spec.default)}; Save to keep it")
        self.restore.clicked.connect(self.restore_default)
        self.source = QLabel(spec.source)
        self.source.setObjectName("fieldHint")
        self.source.setWordWrap(True)
        self.error = QLabel("")
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.editor.setValue(spec.default)
        self.editor.valueChanged.connect(lambda _value: on_change())

    def value(self) -> float:
        value = float(self.editor.value())
        return float(int(value)) if self.spec.integer else round(value, 2)

    def changed(self) -> bool:
        return self.value() != self.saved

    def show_saved(self, saved: float, keep_edit: bool = False) -> None:
        """Take `saved` as the stored value; the editor shows it unless an edit is kept."""
        editing = keep_edit and self.changed()
        self.saved = float(saved)
        if not editing:
            self.editor.setValue(self.saved)
        self.update_state()

    def restore_default(self) -> None:
        self.editor.setValue(self.spec.default)
        self.editor.setFocus()

    def update_state(self) -> None:
        self.restore.setEnabled(self.value() != self.spec.default)
        self.label.setText(f"{self.spec.label}{'  (changed, not saved)' if self.changed() else ''}")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


class SettingsPage(Page):
    title = "Settings"
    entities = frozenset({"settings"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        self.heading(
            self.title,
            layout,
            "The thresholds and constants behind every figure. A change applies to every "
            "figure, chart and report from the moment it is saved; the audit trail keeps who "
            "changed what, and when.",
        )
        self.rows = [SettingRow(spec, self._edited) for spec in (*SETTINGS, *SAFETY_SETTINGS)]
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(self._grid())
        layout.addWidget(area, 1)
        layout.addLayout(self._buttons())
        save = QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh()

    def _grid(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        top = 0
        for row in self.rows:
            if row.spec is SAFETY_SETTINGS[0]:
                grid.addWidget(self._group_heading(), top, 0, 1, 4)
                top += 1
            grid.addWidget(row.label, top, 0, 1, 4)
            grid.addWidget(row.editor, top + 1, 0)
            grid.addWidget(row.default, top + 1, 1)
            grid.addWidget(row.restore, top + 1, 2)
            grid.addWidget(row.source, top + 2, 0, 1, 4)
            grid.addWidget(row.error, top + 3, 0, 1, 4)
            top += 4
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(top, 1)
        return holder

    @staticmethod
    def _group_heading() -> QLabel:
        heading = QLabel("Sign-in, idle lock and retention")
        heading.setObjectName("sectionTitle")
        heading.setContentsMargins(0, 16, 0, 4)
        return heading

    def _buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Save changes")
        self.save_button.setToolTip("Save the changed settings (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("")
        self.status.setObjectName("pageSubtitle")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        return buttons

    def row(self, key: str) -> SettingRow:
        return next(row for row in self.rows if row.spec.key == key)

    def changed(self) -> list[SettingRow]:
        return [row for row in self.rows if row.changed()]

    def _edited(self) -> None:
        for row in self.rows:
            row.update_state()
        waiting = len(self.changed())
        self.save_button.setEnabled(waiting > 0)
        if waiting:
            self.status.setText(f"{waiting} change{'s' if waiting > 1 else ''} not saved yet.")

    def refresh(self) -> None:
        """Show the stored values (an edit not yet saved stays in its box)."""
        values = self.context.settings()
        for row in self.rows:
            row.show_saved(values[row.spec.key], keep_edit=True)
        self._edited()

    def save(self) -> None:
        """Write each changed setting through the write worker, one audited change each."""
        for row in self.changed():
            row.show_error("")
            key, value = row.spec.key, row.value()
            self.context.worker.submit(
                lambda records, key=key, value=value: records.set_setting(key, value),
                ["settings"],
                on_done=lambda _saved, row=row, value=value: self._saved(row, value),
                on_error=lambda error, row=row: self._failed(row, error),
            )

    def _saved(self, row: SettingRow, value: float) -> None:
        row.show_saved(value)
        self._edited()
        if not self.changed():
            self.status.setText("Saved. Every figure now uses these values.")

    def _failed(self, row: SettingRow, error: Exception) -> None:
        if not isinstance(error, ValidationError):
            raise error
        row.show_error("; ".join(problem.message for problem in error.problems))
        self.status.setText("Not saved: see the message under the setting.")
