"""The Retention page (supervisors and administrators): how long records are kept after a
child turns 18 or leaves care, the children past it for review, and their erasure.

Erasing is the core's `delete_child`: the child and every record of theirs go, with SQLite's
secure delete, and the audit log keeps who, when, why and how many records, never the
personal data. It asks for the reason and a confirmation first, and cannot be undone (a
backup taken before still holds the records, until it rotates away).
"""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from missing_app.config import SETTINGS_BY_KEY
from missing_app.core.errors import HomewardError, ValidationError
from missing_app.core.retention import Erased, RetentionDue, children_past_retention
from missing_app.core.security.access import Permission
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.format import day
from missing_app.gui.pages.guarded import GuardedPage, banner, show_message
from missing_app.gui.pages.settings import SettingRow
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.tables import RowsTable, count_label, table_item

log = logging.getLogger(__name__)

HEADINGS = ("Child", "Reference", "Date of birth", "Left care", "Clock started", "Due since",
            "Episodes", "Last episode")  # fmt: skip
CHILD_TABLES = ("children", "child_profiles", "placements", "missing_episodes",
                "return_interviews", "reporting_assessments", "audit_events")  # fmt: skip
RETENTION = SETTINGS_BY_KEY["retention_years"]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class EraseDialog(QDialog):
    """The reason for erasing one child's records, and the confirmation that it is meant."""

    def __init__(self, child: RetentionDue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Erase {child.name}'s records")
        self.setModal(True)
        layout = QVBoxLayout(self)
        what = QLabel(
            f"<b>{child.name}</b> ({child.local_ref}), born {day(child.dob)}: past retention "
            f"since {day(child.due_on)}.<br><br>Their record, profile, placements, "
            f"{plural(child.episodes, 'missing episode')}, return interviews and reporting "
            "assessments are erased from the database for good, and the values in the audit "
            "log's rows about them are blanked. The log keeps who erased them, when and why."
        )
        what.setWordWrap(True)
        self.why = QLineEdit()
        self.why.setPlaceholderText("e.g. retention review 2025: no open concerns")
        caption = QLabel("&Why are these records erased?")
        caption.setBuddy(self.why)
        self.sure = QCheckBox(
            "I have checked: these records are due for erasure; it cannot be undone"
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(
            "Erase records", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.erase_button.setObjectName("dangerButton")
        self.erase_button.setAutoDefault(False)  # Enter never erases: a click does
        self.erase_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for widget in (what, caption, self.why, self.sure, self.buttons):
            layout.addWidget(widget)
        self.why.textChanged.connect(self._enable)
        self.sure.toggled.connect(self._enable)
        self._enable()
        self.setMinimumWidth(520)

    def _enable(self) -> None:
        self.erase_button.setEnabled(bool(self.why.text().strip()) and self.sure.isChecked())

    def reason(self) -> str:
        return self.why.text().strip()


class RetentionPage(GuardedPage):
    title = "Retention"
    permission = Permission.ERASE
    entities = frozenset({"settings", "children", "placements", "missing_episodes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Records are kept for a set time after a child turns 18 or leaves care, whichever "
            "comes first, then reviewed and erased. The children below are past that time.",
        )
        self.due: list[RetentionDue] = []
        self.reader = Reader(context.db, self)
        self.setting = SettingRow(RETENTION, self._edited)
        self.body.addWidget(self._setting())
        self.message = banner()
        self.body.addWidget(self.message)
        self.body.addLayout(self._list_row())
        self.table = RowsTable(HEADINGS, stretch=None)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.opened.connect(self._open_child)
        self.body.addWidget(self.table)
        self.body.addStretch(1)
        self.refresh()

    def _setting(self) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 8)
        row = QHBoxLayout()
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Keep the new retention period (audited)")
        self.save_button.clicked.connect(self.save_setting)
        for widget in (self.setting.editor, self.setting.default, self.setting.restore,
                       self.save_button):  # fmt: skip
            row.addWidget(widget)
        row.addStretch(1)
        column.addWidget(self.setting.label)
        column.addLayout(row)
        column.addWidget(self.setting.source)
        column.addWidget(self.setting.error)
        return holder

    def _list_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count = count_label()
        self.count.setObjectName("sectionTitle")
        self.erase_button = QPushButton("&Delete…")
        self.erase_button.setObjectName("dangerButton")
        self.erase_button.setToolTip("Erase the selected child's records, after a reason")
        self.erase_button.clicked.connect(self.erase_selected)
        self.note = count_label()
        row.addWidget(self.count)
        row.addWidget(self.note, 1)
        row.addWidget(self.erase_button)
        return row

    # Reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.allowed():
            return
        self.setting.show_saved(self.context.settings()[RETENTION.key], keep_edit=True)
        self._edited()
        today, years = local_date(self.context.now()), int(self.setting.saved)
        self.reader.read(  # every child is looked at: 0.3 to 0.6 s at force scale
            lambda session: children_past_retention(session, today, years),
            lambda due: self._fill(due, today, years),
            self._not_read,
        )

    def _not_read(self, error: Exception) -> None:
        if self.failed(error):
            return
        log.error("the children past retention could not be read", exc_info=error)
        show_message(self.message, f"The children past retention could not be read: {error}")

    def _fill(self, due: list[RetentionDue], today: date, years: int) -> None:
        self.due = due
        rows = [
            [
                table_item(child.name, child.child_id),
                table_item(child.local_ref),
                table_item(day(child.dob)),
                table_item(day(child.left_care) if child.left_care else "Still in care"),
                table_item(day(child.clock_started)),
                table_item(day(child.due_on)),
                table_item(f"{child.episodes:,}"),
                table_item(day(child.last_episode_on)),
            ]
            for child in self.due
        ]
        self.table.fill(rows, most=14)
        self.table.setVisible(bool(rows))
        self.count.setText(_count_text(len(rows), years, today))
        self._enable()

    def selected(self) -> RetentionDue | None:
        row = self.table.currentRow()
        if not self.table.selectedItems() or not 0 <= row < len(self.due):
            return None
        return self.due[row]

    def _enable(self) -> None:
        self.erase_button.setEnabled(self.selected() is not None)

    def _open_child(self, row: int) -> None:
        if self.context.navigator is not None and 0 <= row < len(self.due):
            self.context.navigator.open_child(self.due[row].child_id)

    # The setting ------------------------------------------------------------------------

    def _edited(self) -> None:
        self.setting.update_state()
        self.save_button.setEnabled(self.setting.changed())

    def save_setting(self) -> None:
        value = self.setting.value()
        self.setting.show_error("")
        self.context.worker.submit(
            lambda records: records.set_setting(RETENTION.key, value),
            {"settings"},
            lambda _saved: self._setting_saved(value),
            self._setting_failed,
        )

    def _setting_saved(self, value: float) -> None:
        self.setting.show_saved(value)
        self._edited()
        self.refresh()

    def _setting_failed(self, error: Exception) -> None:
        if self.failed(error):
            return
        if not isinstance(error, ValidationError):
            raise error
        self.setting.show_error("; ".join(problem.message for problem in error.problems))

    # Erasing ----------------------------------------------------------------------------

    def erase_selected(self) -> None:
        child = self.selected()
        if child is None:
            return
        dialog = EraseDialog(child, self)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        self.erase(child, dialog.reason())

    def ask(self, dialog: EraseDialog) -> int:
        """Show the erase dialog and wait for the answer (tests answer it themselves)."""
        return dialog.exec()

    def erase(self, child: RetentionDue, why: str) -> None:
        """Erase the child's records on the write worker, as the window's user."""
        from missing_app.core.retention import delete_child

        show_message(self.message, "")
        self.erase_button.setEnabled(False)
        self.context.worker.submit(
            lambda records: delete_child(
                records.db, records.username, child.child_id, why, records.now
            ),
            CHILD_TABLES,
            lambda erased: self._erased(child, erased),
            self._not_erased,
        )

    def _erased(self, child: RetentionDue, erased: Erased) -> None:
        records = sum(erased.counts.values())
        self.refresh()
        self.note.setText(f"Erased {child.name} ({child.local_ref}): {plural(records, 'record')}.")
        QMessageBox.information(
            self, "Records erased",
            f"{child.name}'s records are erased ({plural(records, 'record')}). The audit log "
            "keeps who erased them, when and why.",
        )  # fmt: skip

    def _not_erased(self, error: Exception) -> None:
        self._enable()
        self.note.setText("")
        if self.failed(error):
            return
        if not isinstance(error, HomewardError):
            raise error
        show_message(self.message, f"Nothing was erased: {error}")


def _count_text(rows: int, years: int, today: date) -> str:
    if not rows:
        return f"No child's records are past the {years} years on {day(today)}"
    children = "1 child" if rows == 1 else f"{rows:,} children"
    return f"{children} past the {years} years on {day(today)}, longest overdue first"
