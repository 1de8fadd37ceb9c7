"""The Meetings & actions page: the actions agreed with every home (open first, soonest due
first, overdue in red), and the liaison meetings themselves.

Ctrl+D marks the chosen action done at once; the page then says so with an Undo (Ctrl+Z),
which opens the action again (both changes audited, like any other)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.queries.meetings import (
    ActionFilter,
    action_listing,
    meeting_home,
    meeting_listing,
)
from missing_app.core.queries.paging import Listing, Sort
from missing_app.core.security.access import Permission
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.home import HomeChoice
from missing_app.gui.dialogs.meeting import ActionDialog, MeetingDialog
from missing_app.gui.format import day
from missing_app.gui.models.windowed import RIGHT, TableColumn, WindowedTableModel
from missing_app.gui.pages.base import Page
from missing_app.gui.widgets.tables import count_label, open_on_enter, prepare_table, selected_id

ALERT = "#b42318"
OPEN = "#1d3557"
DONE = "#4a5568"
OVERDUE_BACKGROUND = "#fdecea"
STATUS_COLOURS = {"Overdue": ALERT, "Open": OPEN, "Done": DONE}
STATUS_CHOICES = (("Open actions", "open"), ("Done actions", "done"), ("All actions", "all"))


def _number(value: Any) -> str:
    return "" if value is None else f"{value:,}"


ACTION_COLUMNS = [
    TableColumn("status", "Status", colour=STATUS_COLOURS.get),
    TableColumn("due_on", "Due", day),
    TableColumn("description", "Action"),
    TableColumn("owner", "Owner"),
    TableColumn("home", "Home"),
    TableColumn("held_on", "Agreed", day),
    TableColumn("done_on", "Done", day),
]
ACTION_SAMPLES = ("Overdue", "30/11/2025", "Search home and usual places before calling police",
                  "PCSO Simon Cunningham", "Willowbank Cottage", "30/11/2025")  # fmt: skip
MEETING_COLUMNS = [
    TableColumn("held_on", "Date", day),
    TableColumn("home", "Home"),
    TableColumn("actions", "Actions", _number, RIGHT),
    TableColumn("open_actions", "Open", _number, RIGHT, lambda v: ALERT if v else None),
    TableColumn("attendees", "Attendees"),
]
MEETING_SAMPLES = ("30/11/2025", "Willowbank Cottage", "Actions", "Open")


class ActionsModel(WindowedTableModel):
    """The actions table, with overdue rows shaded."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            if 0 <= index.row() < self.total and self.value(index.row(), "status") == "Overdue":
                return QBrush(QColor(OVERDUE_BACKGROUND))
            return None
        return super().data(index, role)


class MeetingsPage(Page):
    title = "Meetings & actions"
    entities = frozenset({"liaison_meetings", "actions", "care_homes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.dialog: QWidget | None = None
        self.writable = context.may(Permission.WRITE)  # else no form opens, nothing is marked
        layout = self.page_layout(
            "The actions agreed at liaison meetings: open ones first, soonest due first, "
            "overdue in red. Enter edits an action; Ctrl+D marks it done."
        )
        layout.addLayout(self._filters())
        layout.addWidget(self._undo_row())
        self.actions_model = ActionsModel(
            context.db, ACTION_COLUMNS, self._action_listing(), Sort("status")
        )
        self.actions_view = self._table(self.actions_model, ACTION_SAMPLES)
        if self.writable:
            open_on_enter(self.actions_view, self.edit_action)
        self.actions_view.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.meetings_model = WindowedTableModel(
            context.db, MEETING_COLUMNS, meeting_listing(actor=context.who), Sort("held_on", True)
        )
        self.meetings = self._table(self.meetings_model, MEETING_SAMPLES)
        open_on_enter(self.meetings, self.open_meeting_home)
        layout.addWidget(self._panes(), 1)
        done = QShortcut(QKeySequence("Ctrl+D"), self)
        done.activated.connect(self.mark_done)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.activated.connect(self.undo_done)
        self._show_counts()
        self._enable()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.home = HomeChoice(self.context, "All homes")
        self.status = QComboBox()
        for label, code in STATUS_CHOICES:
            self.status.addItem(label, code)
        self.done_button = QPushButton("Mark &done")
        self.done_button.setToolTip("Mark the chosen action done today (Ctrl+D)")
        self.edit_button = QPushButton("&Edit action…")
        self.new_button = QPushButton("&New meeting…")
        self.done_button.clicked.connect(self.mark_done)
        self.edit_button.clicked.connect(lambda: self.edit_action(selected_id(self.actions_view)))
        self.new_button.clicked.connect(self.new_meeting)
        self.home.currentIndexChanged.connect(self.apply_filters)
        self.status.currentIndexChanged.connect(self.apply_filters)
        for widget in (self.home, self.status):
            row.addWidget(widget)
        row.addStretch(1)
        for button in (self.done_button, self.edit_button, self.new_button):
            row.addWidget(button)
        return row

    def _undo_row(self) -> QWidget:
        """Where the page says an action was marked done, with the way back."""
        self.undo_action: int | None = None
        self.undo_bar = QWidget()
        row = QHBoxLayout(self.undo_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.undo_note = QLabel()
        self.undo_note.setObjectName("fieldHint")
        self.undo_button = QPushButton("&Undo (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_done)
        row.addWidget(self.undo_note, 1)
        row.addWidget(self.undo_button)
        self.undo_bar.hide()
        return self.undo_bar

    def _table(self, model: WindowedTableModel, samples: tuple[str, ...]) -> QTableView:
        view = QTableView()
        view.setModel(model)
        prepare_table(view, samples)
        view.setSortingEnabled(True)
        return view

    def _panes(self) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.actions_count, self.meetings_count = count_label(), count_label()
        for title, count, view in (
            ("Actions", self.actions_count, self.actions_view),
            ("Liaison meetings", self.meetings_count, self.meetings),
        ):
            pane = QWidget()
            layout = QVBoxLayout(pane)
            layout.setContentsMargins(0, 6, 0, 0)
            top = QHBoxLayout()
            label = QLabel(title)
            label.setObjectName("sectionTitle")
            top.addWidget(label)
            top.addWidget(count, 1)
            layout.addLayout(top)
            layout.addWidget(view, 1)
            splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    # Filters ----------------------------------------------------------------------------

    def today(self) -> date:
        return local_date(self.context.now())

    def _action_listing(self) -> Listing:
        where = ActionFilter(self.home.home_id(), self.status.currentData())
        return action_listing(where, self.today(), self.context.who)

    def apply_filters(self) -> None:
        self.actions_model.set_listing(self._action_listing())
        self.meetings_model.set_listing(meeting_listing(self.home.home_id(), self.context.who))
        self._show_counts()
        self._enable()

    def _show_counts(self) -> None:
        actions, meetings = self.actions_model.rowCount(), self.meetings_model.rowCount()
        self.actions_count.setText(f"{actions:,} " + ("action" if actions == 1 else "actions"))
        self.meetings_count.setText(
            f"{meetings:,} " + ("meeting" if meetings == 1 else "meetings")
            + " · Enter opens the home"
        )  # fmt: skip

    def _enable(self) -> None:
        chosen = self.writable and selected_id(self.actions_view) is not None
        self.edit_button.setEnabled(chosen)
        row = self.actions_view.currentIndex().row()
        self.done_button.setEnabled(chosen and self.actions_model.value(row, "done_on") is None)

    def refresh(self) -> None:
        self.home.fill()
        self.apply_filters()

    # Doing ------------------------------------------------------------------------------

    def mark_done(self) -> None:
        """Mark the chosen action done today, through the write worker."""
        action_id = selected_id(self.actions_view)
        if action_id is None or not self.done_button.isEnabled():
            return
        today = self.today()
        wording = self.actions_model.value(self.actions_view.currentIndex().row(), "description")
        self.done_button.setEnabled(False)
        self.context.worker.submit(
            lambda records: records.complete_action(action_id, today),
            ["actions"],
            on_done=lambda _saved: self._marked_done(action_id, wording),
            on_error=self._not_done,
        )

    def _marked_done(self, action_id: int, wording: str) -> None:
        self.undo_action = action_id
        self.undo_note.setText(f"Action marked done: {wording}")
        self.undo_bar.show()

    def undo_done(self) -> None:
        """Open again the action just marked done (Ctrl+Z, or the Undo button)."""
        action_id, self.undo_action = self.undo_action, None
        if action_id is None:
            return
        self.undo_bar.hide()
        self.context.worker.submit(
            lambda records: records.update_action(action_id, done_on=None),
            ["actions"],
            on_error=self._not_done,
        )

    def _not_done(self, error: Exception) -> None:
        QMessageBox.warning(self, "Not saved", f"The action was not changed:\n\n{error}")
        self._enable()

    def edit_action(self, action_id: int | None) -> ActionDialog | None:
        if action_id is None or not self.writable:
            return None
        dialog = ActionDialog(self.context, action_id, parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_meeting(self) -> MeetingDialog:
        dialog = MeetingDialog(self.context, self.home.home_id(), parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_meeting_home(self, meeting_id: int) -> None:
        with self.context.db.session() as session:
            home_id = meeting_home(session, meeting_id)
        if home_id is not None and self.context.navigator is not None:
            self.context.navigator.open_home(home_id)
