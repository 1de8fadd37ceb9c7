"""The Audit log page (supervisors and administrators): who did what, when, to which record
and why, filtered by user, action, child and dates, with the values before and after, and
exported to CSV (the export itself audited, with its reason).

The log cannot be changed here: the table and the details are read-only and there is no
edit or delete anywhere (the database refuses such changes anyway). The table reads a
window of rows at a time, so a log of millions opens at once.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.audit import tampering
from missing_app.core.errors import HomewardError
from missing_app.core.models import AuditEvent
from missing_app.core.queries.audit_log import (
    AuditFilter,
    audit_actions,
    audit_listing,
    export_audit_log,
)
from missing_app.core.queries.paging import Sort
from missing_app.core.queries.search import ChildMatch, search_children
from missing_app.core.security.access import Permission
from missing_app.gui.context import AppContext
from missing_app.gui.format import cell, when, words
from missing_app.gui.models.windowed import RIGHT, TableColumn, WindowedTableModel
from missing_app.gui.pages.episodes import box_day, date_box
from missing_app.gui.pages.guarded import GuardedPage, banner, show_message
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.record_text import fit_columns, fit_combo
from missing_app.gui.widgets.tables import (
    count_label,
    prepare_table,
    selected_id,
    tab_leaves,
    table_item,
)

log = logging.getLogger(__name__)

RECORD_WORDS = {
    "users": "User",
    "care_homes": "Home",
    "children": "Child",
    "child_profiles": "Child profile",
    "placements": "Placement",
    "missing_episodes": "Episode",
    "return_interviews": "Return interview",
    "reporting_assessments": "Reporting assessment",
    "liaison_meetings": "Meeting",
    "actions": "Action",
    "audit_events": "Audit log",
    "settings": "Setting",
    "database": "Database",
}
ACTION_WORDS = {"signin": "Sign-in", "signin_failed": "Failed sign-in"}
CHANGED = "#fff4d6"


def record_words(entity: str | None) -> str:
    return RECORD_WORDS.get(entity or "", words(entity))


def action_words(action: str | None) -> str:
    return ACTION_WORDS.get(action or "", words(action))


COLUMNS = [
    TableColumn("at", "When"),
    TableColumn("username", "Who"),
    TableColumn("action", "Action", action_words),
    TableColumn("entity", "Record", record_words),
    TableColumn("entity_id", "No.", align=RIGHT),
    TableColumn("why", "Why"),
    TableColumn("recipient", "To whom"),
]
SAMPLES = ("Wed 30/11/2025 23:59", "admin.ada.long", "Sign in failed", "Reporting assessment",
           "1,000,000", "quarterly review of record changes")  # fmt: skip


def values_of(stored: str | None) -> dict[str, Any]:
    """A before/after JSON value as a dict (a value that is not a dict under `value`)."""
    if not stored:
        return {}
    loaded = json.loads(stored)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class ChildPicker(QLineEdit):
    """Type two letters of a child's name or reference and pick them; clear for any child."""

    picked = Signal(object)  # the child's id, or None

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.child_id: int | None = None
        self.matches: dict[str, ChildMatch] = {}
        self.setPlaceholderText("Any child (type a name)")
        self.setToolTip("Rows about one child and their records: type a name or reference")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("Any child (type a name)") + 40)
        self.model = QStringListModel()
        completer = QCompleter(self.model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self.choose)
        self.setCompleter(completer)
        self.pause = QTimer(self, singleShot=True, interval=200)
        self.pause.timeout.connect(lambda: self.search(self.text()))
        self.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        if self.child_id is not None:  # typing over a chosen child lets go of them
            self.child_id = None
            self.picked.emit(None)
        if text.strip():
            self.pause.start()

    def search(self, text: str) -> list[ChildMatch]:
        with self.context.db.session() as session:
            found = search_children(session, text)
        self.matches = {f"{match.name} · {match.local_ref}": match for match in found}
        self.model.setStringList(list(self.matches))
        if found and self.isVisible():
            self.completer().complete()
        return found

    def choose(self, label: str) -> None:
        match = self.matches.get(label)
        if match is None:
            return
        self.child_id = match.child_id
        self.setText(label)
        self.picked.emit(match.child_id)


class AuditPage(GuardedPage):
    title = "Audit log"
    permission = Permission.AUDIT
    entities = frozenset({"audit_events", "users", "children"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Every change, view, export, sign-in and erasure: who, when, which record and why. "
            "The log is kept by the database and cannot be changed here; select a row to see "
            "the values before and after.",
        )
        self.export_file = str(Path.home() / "homeward-audit.csv")
        self.reader = Reader(context.db, self)
        self.body.addLayout(self._filters())
        self.message = banner()
        self.body.addWidget(self.message)
        self.tampered = banner()  # the log's hash chain broken: said before anything else
        self.body.insertWidget(0, self.tampered)
        self.model = WindowedTableModel(
            context.db, COLUMNS, audit_listing(AuditFilter()), Sort("at", True)
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._table())
        splitter.addWidget(self._details())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.body.addLayout(self._count_row())
        self.body.addWidget(splitter, 1)
        self.refresh()

    # Widgets ----------------------------------------------------------------------------

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.user = QComboBox()
        self.action = QComboBox()
        for combo in (self.user, self.action):  # filled after the page shows
            fit_combo(combo, 10)
        self.child = ChildPicker(self.context)
        self.first_day = date_box("The first day (London time)")
        self.last_day = date_box("The last day (London time)")
        labelled: list[tuple[str, QWidget]] = [
            ("&User", self.user), ("Ac&tion", self.action), ("C&hild", self.child),
            ("&From", self.first_day), ("to", self.last_day),
        ]  # fmt: skip
        for text, widget in labelled:
            caption = QLabel(text)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addStretch(1)
        self.export_button = QPushButton("&Export…")
        self.export_button.setToolTip(
            "Write the rows these filters choose to a CSV file (the export is itself audited)"
        )
        row.addWidget(self.export_button)
        for combo in (self.user, self.action):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.first_day, self.last_day):
            box.dateChanged.connect(self.apply_filters)
        self.child.picked.connect(lambda _child: self.apply_filters())
        self.export_button.clicked.connect(self.export)
        return row

    def _table(self) -> QTableView:
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, SAMPLES)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        return self.table

    def _details(self) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 6, 0, 0)
        self.detail_title = QLabel("Select a row to see what it changed.")
        self.detail_title.setObjectName("sectionTitle")
        self.detail_title.setWordWrap(True)
        self.values = QTableWidget(0, 3)
        tab_leaves(self.values)
        self.values.setHorizontalHeaderLabels(["Field", "Before", "After"])
        self.values.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.values.verticalHeader().hide()
        self.values.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.values.horizontalHeader().setStretchLastSection(True)
        self.values.setWordWrap(False)
        column.addWidget(self.detail_title)
        column.addWidget(self.values, 1)
        return holder

    def _count_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count = count_label()
        row.addWidget(self.count, 1)
        return row

    # Reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.allowed():
            return
        self._fill_choices()
        self.model.reload()
        self._show_count()
        self._selected()

    def _fill_choices(self) -> None:
        """The users and actions the log holds, read off the GUI thread (the actions take a
        scan of the whole log: 0.6 s at a million rows)."""
        self.reader.read(_choices, self._show_choices, self._not_read)

    def _show_choices(self, choices: tuple[list[str], list[str], str | None]) -> None:
        users, actions, tampered = choices
        show_message(self.tampered, tampered or "")
        _refill(self.user, "Every user", [(name, name) for name in users])
        _refill(self.action, "Every action", [(action_words(name), name) for name in actions])

    def _not_read(self, error: Exception) -> None:
        if not self.failed(error):
            log.error("the audit log's users and actions could not be read", exc_info=error)

    def audit_filter(self) -> AuditFilter:
        return AuditFilter(
            username=self.user.currentData(),
            action=self.action.currentData(),
            child_id=self.child.child_id,
            first=box_day(self.first_day),
            last=box_day(self.last_day),
        )

    def apply_filters(self) -> None:
        self.model.set_listing(audit_listing(self.audit_filter()))
        self._show_count()
        self._selected()

    def _show_count(self) -> None:
        total = self.model.rowCount()
        noun = "row" if total == 1 else "rows"
        self.count.setText(f"{total:,} {noun}, newest first" if total else "No rows match")

    def _selected(self, *_: QItemSelection) -> None:
        event_id = selected_id(self.table)
        with self.context.db.session() as session:
            event = None if event_id is None else session.get(AuditEvent, event_id)
            if event is None:
                self.detail_title.setText("Select a row to see what it changed.")
                self.values.setRowCount(0)
                return
            self.detail_title.setText(_headline(event))
            self._show_values(values_of(event.before), values_of(event.after))

    def _show_values(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        fields = list(dict.fromkeys([*before, *after]))
        if before and after:  # what changed first
            fields.sort(key=lambda name: before.get(name) == after.get(name))
        self.values.setRowCount(len(fields))
        bold = QFont(self.values.font())
        bold.setBold(True)
        for number, name in enumerate(fields):
            old, new = shown(before.get(name)), shown(after.get(name))
            items = [table_item(name), table_item(old), table_item(new)]
            if before and after and old != new:
                for item in items:
                    item.setBackground(QColor(CHANGED))
                items[0].setFont(bold)
            for column, item in enumerate(items):
                self.values.setItem(number, column, item)
        fit_columns(self.values, range(self.values.model().columnCount()))

    # Export -----------------------------------------------------------------------------

    def export(self) -> None:
        """Ask where and why, then write the filtered rows to CSV on the write worker."""
        chosen = self.audit_filter()
        out, _kind = QFileDialog.getSaveFileName(
            self, "Export the audit log to…", self.export_file, "CSV files (*.csv)"
        )
        if not out:
            return
        why, given = QInputDialog.getText(
            self, "Why is the log exported?", "The reason, kept in the log with the export:"
        )
        if not given or not why.strip():
            show_message(self.message, "Nothing was exported: give the reason for the export.")
            return
        self.export_file = out
        self.export_button.setEnabled(False)
        show_message(self.message, "")
        self.count.setText("Writing the audit log…")
        self.context.worker.submit(
            lambda records: export_audit_log(
                records.db, records.username, chosen, out, why.strip(), records.now
            ),
            {"audit_events"},
            lambda written: self._exported(written, out),
            self._not_exported,
        )

    def _exported(self, written: int, out: str) -> None:
        self.export_button.setEnabled(True)
        self._show_count()
        self.count.setText(f"{self.count.text()}. Exported {written:,} rows to {out}.")

    def _not_exported(self, error: Exception) -> None:
        self.export_button.setEnabled(True)
        self._show_count()
        if self.failed(error):
            return
        if not isinstance(error, (HomewardError, OSError)):
            raise error
        show_message(self.message, f"Nothing was exported: {error}")


def _choices(session: Session) -> tuple[list[str], list[str], str | None]:
    """Who appears in the log, what they did, and whether its chain was broken."""
    by_name = select(AuditEvent.username).distinct().order_by(AuditEvent.username)
    return list(session.scalars(by_name)), audit_actions(session), tampering(session)


def _refill(combo: QComboBox, everything: str, choices: list[tuple[str, str]]) -> None:
    """Offer `choices` after `everything`, keeping the one chosen (quietly)."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, None)
    for text, value in choices:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(chosen), 0))
    combo.blockSignals(False)


def _headline(event: AuditEvent) -> str:
    """`Update of Episode 12 by pcso.jones, Sat 15/11/2025 12:00: why`."""
    record = record_words(event.entity)
    number = "" if event.entity_id is None else f" {cell(event.entity_id)}"
    text = f"{action_words(event.action)} of {record}{number} by {event.username}, {when(event.at)}"
    if event.recipient:
        text += f", to {event.recipient}"
    if event.why:
        text += f": {event.why}"
    if not event.before and not event.after:
        text += " (no values kept)"
    return text
