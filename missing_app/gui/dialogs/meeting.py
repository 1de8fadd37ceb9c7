"""Liaison meetings and their actions: record a meeting with the actions agreed at it, and
change one action later (its wording, owner, due date, or the day it was done)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.errors import Problem, ValidationError
from missing_app.core.queries.meetings import action_row
from missing_app.core.records import NewAction
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.dialogs.home import HomeChoice, line
from missing_app.gui.format import day
from missing_app.gui.widgets.fields import DateField, OptionalDateField


def text_box(lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class ActionLine(QWidget):
    """One action being agreed: what, who, by when; and a button to take it out."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.description = line(500, f"Action {number}: what is to be done")
        self.owner = line(200, "Who")
        self.owner.setMinimumWidth(150)
        self.due = OptionalDateField("Due")
        self.remove = QPushButton("Remove")
        self.remove.setAutoDefault(False)

    def is_blank(self) -> bool:
        return not self.description.text().strip() and not self.owner.text().strip()

    def value(self) -> NewAction:
        owner = self.owner.text().strip() or None
        return NewAction(self.description.text().strip(), owner, self.due.value())


class ActionList(QWidget):
    """The actions agreed at a meeting, one row each; "Add action" adds a row."""

    changed = Signal()  # an action typed, changed or taken out

    def __init__(self, form: FormDialog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.rows: list[ActionLine] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 5)
        self.grid.setColumnStretch(1, 2)
        layout.addLayout(self.grid)
        self.add_button = QPushButton("&Add action")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)
        layout.addWidget(self.add_button)

    def add(self) -> ActionLine:
        row = ActionLine(len(self.rows) + 1)
        at = self.grid.rowCount()
        for column, widget in enumerate((row.description, row.owner, row.due, row.remove)):
            self.grid.addWidget(widget, at, column)
        row.remove.clicked.connect(lambda: self.remove(row))
        for edit in (row.description, row.owner):
            edit.textChanged.connect(self.changed)
        row.due.changed.connect(self.changed)
        self.rows.append(row)
        row.due.set_value(None, local_date(self.form.context.now()))
        row.description.setFocus()
        self.form.order_tabs()  # a new row is made last: Tab must still reach it in its place
        if self.form.isVisible():
            self.form.fit(self.form.width())
        return row

    def remove(self, row: ActionLine) -> None:
        for widget in (row.description, row.owner, row.due, row.remove):
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.rows.remove(row)
        self.changed.emit()
        self.add_button.setFocus()

    def values(self) -> list[NewAction]:
        """The actions typed, blank rows left out; an owner without a task is a problem."""
        actions = []
        for number, row in enumerate(self.rows, start=1):
            if row.is_blank():
                continue
            action = row.value()
            if not action.description:
                message = f"action {number}: say what the action is"
                raise ValidationError([Problem("description", message)])
            actions.append(action)
        return actions


class MeetingDialog(FormDialog):
    """A liaison meeting with a home, and the actions agreed at it."""

    entities = ("liaison_meetings", "actions")

    def __init__(
        self, context: AppContext, home_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, "New liaison meeting", parent)
        self.home = HomeChoice(context)
        self.home.set_home_id(home_id)
        self.held_on = DateField()
        self.held_on.set_value(local_date(context.now()))
        self.attendees = line(1000, "e.g. PCSO, registered manager, RHI worker")
        self.notes = text_box(4)
        self.action_list = ActionList(self)
        self.add_field("home_id", "&Home", self.home)
        self.add_field("held_on", "&Date", self.held_on)
        self.add_field("attendees", "A&ttendees", self.attendees)
        self.add_field("notes", "&Notes", self.notes)
        self.add_field("description", "Actions agreed", self.action_list)
        self.action_list.add()
        (self.held_on if home_id else self.home).setFocus()
        self.dirty = False
        self.fit(760)

    def work(self) -> Work:
        problems = []
        home_id = self.home.home_id()
        if home_id is None:
            problems.append(Problem("home_id", "choose the home the meeting was with"))
        try:
            actions = self.action_list.values()
        except ValidationError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        assert home_id is not None
        held_on, attendees = self.held_on.value(), self.attendees.text()
        notes = self.notes.toPlainText()
        return lambda records: records.record_meeting(
            home_id, held_on, actions=actions, attendees=attendees, notes=notes
        )


class ActionDialog(FormDialog):
    """Change one action: its wording, owner, due date, or the day it was done."""

    entities = ("actions",)

    def __init__(self, context: AppContext, action_id: int, parent: QWidget | None = None):
        super().__init__(context, "Action", parent)
        self.action_id = action_id
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.grid.addWidget(self.heading, 0, 0, 1, 2)
        self.description = text_box(3)
        self.owner = line(200)
        self.due = OptionalDateField("Due")
        self.done_on = OptionalDateField("Done on")
        today = local_date(context.now())
        self.due.set_value(None, today)
        self.done_on.set_value(None, today)
        self.add_field("description", "&Action", self.description)
        self.add_field("owner", "&Owner", self.owner)
        self.add_field("due_on", "D&ue", self.due)
        self.add_field("done_on", "Do&ne", self.done_on, "Tick when the action has been done.")
        self._load()
        self.dirty = False
        self.fit(520)

    def _load(self) -> None:
        with self.context.db.session() as session:
            action = action_row(session, self.action_id)
        if action is None:
            self.heading.setText(f"There is no action {self.action_id}.")
            self.buttons.setEnabled(False)
            return
        self.heading.setText(f"Agreed with <b>{action.home}</b> on {day(action.held_on)}")
        self.description.setPlainText(action.description)
        self.owner.setText(action.owner or "")
        today = local_date(self.context.now())
        self.due.set_value(action.due_on, today)
        self.done_on.set_value(action.done_on, today)

    def work(self) -> Work:
        action_id = self.action_id
        changes = {
            "description": self.description.toPlainText(),
            "owner": self.owner.text(),
            "due_on": self.due.value(),
            "done_on": self.done_on.value(),
        }
        return lambda records: records.update_action(action_id, **changes)
