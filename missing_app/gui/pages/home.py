"""A home's page: its details, the children placed there, its episodes, how it reports, its
liaison meetings and the actions still open (tick one to mark it done)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.queries.homes import (
    ASSESSMENT_QUESTIONS,
    AssessmentRow,
    HomeDetails,
    HomeEpisode,
    PlacedChild,
    home_details,
)
from missing_app.core.queries.meetings import ActionRow
from missing_app.core.security.access import Permission
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.times import age_on, local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.assessment import AssessmentDialog
from missing_app.gui.dialogs.home import HomeDialog
from missing_app.gui.dialogs.meeting import ActionDialog, MeetingDialog
from missing_app.gui.format import day, risk, when, words
from missing_app.gui.models.windowed import ROW_ID_ROLE
from missing_app.gui.pages.base import Page
from missing_app.gui.pages.episodes import RISK_COLOURS
from missing_app.gui.widgets.record_text import ElidedLabel, WrappedLabel, fit_columns
from missing_app.gui.widgets.tables import (
    RowsTable,
    fit_tree_height,
    open_on_enter,
    selected_id,
    tab_leaves,
)

log = logging.getLogger(__name__)
Form = TypeVar("Form", bound=QDialog)

ALERT = "#b42318"
QUIET = "#4a5568"
ANSWER_WORDS = {True: "Yes", False: "No", None: "n/a"}
ANSWER_COLOURS = {True: "#1a7f37", False: ALERT, None: QUIET}


def item(text: str, record_id: int | None = None, colour: str | None = None) -> QTableWidgetItem:
    """A read-only cell; the first cell of a row carries the record's id."""
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if record_id is not None:
        cell.setData(ROW_ID_ROLE, record_id)
    if colour is not None:
        cell.setForeground(QColor(colour))
    return cell


class SmallTable(RowsTable):
    """A short read-only list whose first cell carries the record's id (open_on_enter), as
    tall as its rows; the last column, or `stretch`, takes the spare width."""

    def __init__(self, headings: Sequence[str], stretch: int = -1) -> None:
        super().__init__(headings, stretch if stretch >= 0 else len(headings) - 1)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)


class Section(QWidget):
    """A titled part of the page: its table, or a quiet line when it has nothing to show."""

    def __init__(self, table: QWidget, empty: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.empty = QLabel(empty)
        self.empty.setObjectName("pageSubtitle")
        self.table = table
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addWidget(table)
        layout.addStretch(1)

    def show_rows(self, title: str, count: int) -> None:
        self.title.setText(title)
        self.empty.setVisible(count == 0)
        self.table.setVisible(count > 0)


def tile(value: str, label: str, alert: bool = False) -> QFrame:
    frame = QFrame()
    frame.setObjectName("tile")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 8, 14, 8)
    number = QLabel(value)
    number.setObjectName("tileValue")
    number.setProperty("alert", alert)
    caption = QLabel(label)
    caption.setObjectName("tileLabel")
    layout.addWidget(number)
    layout.addWidget(caption)
    return frame


def of_total(shown: int, total: int, noun: str) -> str:
    return f"{total:,} {noun}" if shown == total else f"latest {shown:,} of {total:,} {noun}"


class HomePage(Page):
    title = "Home"
    entities = frozenset(
        {
            "care_homes", "placements", "children", "missing_episodes", "reporting_assessments",
            "liaison_meetings", "actions", "users",
        }
    )  # fmt: skip

    def __init__(self, context: AppContext, home_id: int) -> None:
        super().__init__(context)
        self.home_id = home_id
        self.details: HomeDetails | None = None
        self.dialog: QWidget | None = None
        self.writable = context.may(Permission.WRITE)  # else no form opens, no action ticks
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(24, 20, 24, 16)
        self._header()
        self._sections()
        self.refresh()

    # Building ---------------------------------------------------------------------------

    def _header(self) -> None:
        top = QHBoxLayout()
        self.name = ElidedLabel()
        self.name.setObjectName("pageTitle")
        top.addWidget(self.name, 1)
        self.edit_button = QPushButton("&Edit home…")
        self.meeting_button = QPushButton("New &meeting…")
        self.assess_button = QPushButton("A&ssess reporting…")
        self.assess_button.setToolTip("Assess how the home reported the episode chosen below")
        self.edit_button.clicked.connect(self.edit_home)
        self.meeting_button.clicked.connect(self.new_meeting)
        self.assess_button.clicked.connect(self.assess_reporting)
        for button in (self.edit_button, self.meeting_button, self.assess_button):
            top.addWidget(button)
        self.layout_.addLayout(top)
        self.facts = WrappedLabel()
        self.facts.setObjectName("pageSubtitle")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.facts)
        self.tiles = QHBoxLayout()
        self.layout_.addLayout(self.tiles)

    def _sections(self) -> None:
        self.children_table = SmallTable(
            ["Child", "Reference", "Age", "Since", "Left", "Flag"], stretch=0
        )
        self.actions_table = SmallTable(["Done", "Action", "Owner", "Due"], stretch=1)
        self.episodes = SmallTable(
            ["Last seen", "Child", "Type", "Risk", "Returned", "Police ref", "Assessed"]
        )
        headings = ["Last seen", "Child", "Assessed"]
        headings += [short for _key, short, _question in ASSESSMENT_QUESTIONS] + ["Score"]
        self.assessments = SmallTable(headings)
        for column, (_key, _short, question) in enumerate(ASSESSMENT_QUESTIONS, start=3):
            heading = self.assessments.horizontalHeaderItem(column)
            if heading is not None:
                heading.setToolTip(question)
        self.meetings = QTreeWidget()
        tab_leaves(self.meetings)
        self.meetings.setHeaderLabels(["Date", "Attendees / action", "Owner", "Due", "Done"])
        self.meetings.setAlternatingRowColors(True)
        self.meetings.itemExpanded.connect(lambda _item: fit_tree_height(self.meetings))
        self.meetings.itemCollapsed.connect(lambda _item: fit_tree_height(self.meetings))
        self.children_part = Section(self.children_table, "No child is placed here now.")
        self.actions_part = Section(self.actions_table, "No action is open.")
        self.episodes_part = Section(self.episodes, "No episode has been recorded at this home.")
        self.assessments_part = Section(
            self.assessments, "No reporting assessment yet: choose an episode, then Assess."
        )
        self.meetings_part = Section(self.meetings, "No liaison meeting recorded yet.")
        pair = QHBoxLayout()
        pair.addWidget(self.children_part, 1)
        pair.addWidget(self.actions_part, 1)
        self.layout_.addLayout(pair)
        for part in (self.episodes_part, self.assessments_part, self.meetings_part):
            self.layout_.addWidget(part)
        self.layout_.addStretch(1)
        self._connect()

    def _connect(self) -> None:
        open_on_enter(self.children_table, self.open_child)
        open_on_enter(self.episodes, self.open_episode)
        if self.writable:
            open_on_enter(self.assessments, self._assess)
            open_on_enter(self.actions_table, self.edit_action)
            self.meetings.itemActivated.connect(self._meeting_item)
            self.actions_table.itemChanged.connect(self._ticked)
        self.episodes.currentCellChanged.connect(lambda *_: self._enable())

    # Filling ----------------------------------------------------------------------------

    def refresh(self) -> None:
        refused = ""
        try:
            with self.context.db.session() as session:
                now, who = self.context.now(), self.context.who
                self.details = home_details(session, self.home_id, now, actor=who)
        except PermissionDenied as error:
            self.details, refused = None, str(error)
        if self.details is None:
            self.name.setText("Not one of your homes" if refused else "Home not found")
            self.facts.setText(refused or f"There is no home {self.home_id}.")
            for button in (self.edit_button, self.meeting_button, self.assess_button):
                button.setEnabled(False)
            return
        details = self.details
        self.title = details.home.name
        self.name.setText(details.home.name)
        self.facts.setText(self._facts(details))
        self._fill_tiles(details)
        self._fill_children(details.children)
        self._fill_episodes(details)
        self._fill_actions(details.open_actions)
        self._fill_assessments(details)
        self._fill_meetings(details)
        self._enable()

    def _facts(self, details: HomeDetails) -> str:
        home = details.home
        beds = None if home.beds is None else f"{home.beds} bed" + ("" if home.beds == 1 else "s")
        engaged = (
            f"PCSO engagement since {day(home.engagement_start)}"
            if home.engagement_start
            else "No PCSO engagement start recorded"
        )
        parts = [
            f"URN {home.urn}", home.local_authority, home.provider, home.postcode, beds,
            home.pcso or "No PCSO assigned", engaged,
        ]  # fmt: skip
        return "  ·  ".join(part for part in parts if part)

    def _fill_tiles(self, details: HomeDetails) -> None:
        while self.tiles.count():
            old = self.tiles.takeAt(0)
            widget = None if old is None else old.widget()
            if widget is not None:
                widget.deleteLater()
        placed = sum(child.placed_now for child in details.children)
        score = (
            f"{round(100 * details.reporting_yes / details.reporting_answered)}%"
            if details.reporting_answered
            else "–"
        )
        today = local_date(self.context.now())
        overdue = sum(action.overdue(today) for action in details.open_actions)
        for value, label, alert in (
            (f"{placed}", "Children placed now", False),
            (f"{details.episodes_recent:,}", "Episodes, last 90 days", False),
            (f"{details.episode_count:,}", "Episodes in all", False),
            (score, "Reporting: answers yes", False),
            (f"{len(details.open_actions)}", "Open actions", overdue > 0),
        ):
            self.tiles.addWidget(tile(value, label, alert))
        self.tiles.addStretch(1)

    def _fill_children(self, children: Sequence[PlacedChild]) -> None:
        today = local_date(self.context.now())
        placed = sum(child.placed_now for child in children)
        self.children_part.show_rows(
            f"Children ({placed} placed now, {len(children) - placed} left in the last 90 days)",
            len(children),
        )
        rows = []
        for child in children:
            left = "" if child.placed_now or child.end is None else day(child.end)
            colour = None if child.placed_now else QUIET
            rows.append([
                item(child.name, child.child_id, colour), item(child.local_ref, colour=colour),
                item(str(age_on(child.dob, today)), colour=colour),
                item(day(child.start), colour=colour), item(left, colour=colour),
                item(child.flag or "", colour=ALERT),
            ])  # fmt: skip
        self.children_table.fill(rows)

    def _fill_episodes(self, details: HomeDetails) -> None:
        shown = details.episodes
        self.episodes_part.show_rows(
            f"Episodes ({of_total(len(shown), details.episode_count, 'in all')}): "
            "choose one and Assess reporting",
            len(shown),
        )
        self.episodes.fill([self._episode_row(episode) for episode in shown])

    @staticmethod
    def _episode_row(episode: HomeEpisode) -> list[QTableWidgetItem]:
        returned = when(episode.returned_at) if episode.returned_at else "Still missing"
        return [
            item(when(episode.last_seen_at), episode.episode_id), item(episode.child),
            item(words(episode.type)),
            item(risk(episode.risk), colour=RISK_COLOURS.get(episode.risk or "")),
            item(returned, colour=None if episode.returned_at else ALERT),
            item(episode.police_ref or ""), item("Yes" if episode.assessed else ""),
        ]  # fmt: skip

    def _fill_actions(self, actions: Sequence[ActionRow]) -> None:
        today = local_date(self.context.now())
        overdue = sum(action.overdue(today) for action in actions)
        late = f", {overdue} overdue" if overdue else ""
        tick = ": tick when done" if self.writable else ""
        self.actions_part.show_rows(f"Open actions ({len(actions)}{late}){tick}", len(actions))
        rows = []
        for action in actions:
            done = item("", action.action_id)
            if self.writable:
                done.setFlags(done.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                done.setCheckState(Qt.CheckState.Unchecked)
                done.setToolTip("Tick to mark the action done today")
            colour = ALERT if action.overdue(today) else None
            wording = item(action.description)
            wording.setToolTip(f"{action.description}\n(agreed {day(action.held_on)})")
            due = item(day(action.due_on), colour=colour)
            due.setToolTip("Overdue" if colour else "")
            rows.append([done, wording, item(action.owner or ""), due])
        self.actions_table.fill(rows)

    def _fill_assessments(self, details: HomeDetails) -> None:
        shown = details.assessments
        totals = (
            f"; {details.reporting_yes:,} of {details.reporting_answered:,} answers yes"
            if details.reporting_answered
            else ""
        )
        self.assessments_part.show_rows(
            f"Reporting assessments ({of_total(len(shown), details.assessment_count, 'in all')}"
            f"{totals})",
            len(shown),
        )
        self.assessments.fill([self._assessment_row(row) for row in shown])

    @staticmethod
    def _assessment_row(row: AssessmentRow) -> list[QTableWidgetItem]:
        cells = [
            item(when(row.last_seen_at), row.episode_id), item(row.child),
            item(day(row.assessed_on)),
        ]  # fmt: skip
        for answer in row.answers:
            cells.append(item(ANSWER_WORDS[answer], colour=ANSWER_COLOURS[answer]))
        cells.append(item(f"{row.yes} of {row.answered}" if row.answered else "no answers"))
        return cells

    def _fill_meetings(self, details: HomeDetails) -> None:
        shown = len(details.meetings)
        self.meetings_part.show_rows(
            f"Liaison meetings ({of_total(shown, details.meeting_count, 'in all')})", shown
        )
        self.meetings.clear()
        today = local_date(self.context.now())
        for number, meeting in enumerate(details.meetings):
            top = QTreeWidgetItem([day(meeting.held_on), meeting.attendees or ""])
            top.setToolTip(1, meeting.notes or "")
            for action in meeting.actions:
                done = day(action.done_on) if action.done_on else "Open"
                child = QTreeWidgetItem(
                    ["", action.description, action.owner or "", day(action.due_on), done]
                )
                child.setData(0, ROW_ID_ROLE, action.action_id)
                if action.overdue(today):
                    child.setForeground(3, QColor(ALERT))
                top.addChild(child)
            self.meetings.addTopLevelItem(top)
            top.setExpanded(number < 3)
        fit_columns(self.meetings, range(5))
        self.meetings.setColumnWidth(4, max(self.meetings.columnWidth(4), 90))
        fit_tree_height(self.meetings)

    def _enable(self) -> None:
        self.assess_button.setEnabled(selected_id(self.episodes) is not None)

    # Doing ------------------------------------------------------------------------------

    def _show(self, dialog: Form) -> Form:
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_child(self, child_id: int) -> None:
        if self.context.navigator is not None:
            self.context.navigator.open_child(child_id)

    def open_episode(self, episode_id: int) -> None:
        if self.context.navigator is not None:
            self.context.navigator.open_episode(episode_id)

    def edit_home(self) -> HomeDialog:
        return self._show(HomeDialog(self.context, self.home_id, parent=self))

    def new_meeting(self) -> MeetingDialog:
        return self._show(MeetingDialog(self.context, self.home_id, parent=self))

    def assess_reporting(self) -> AssessmentDialog | None:
        episode_id = selected_id(self.episodes)
        return None if episode_id is None else self._assess(episode_id)

    def _assess(self, episode_id: int) -> AssessmentDialog:
        return self._show(AssessmentDialog(self.context, episode_id, parent=self))

    def edit_action(self, action_id: int) -> ActionDialog:
        return self._show(ActionDialog(self.context, action_id, parent=self))

    def _meeting_item(self, tree_item: QTreeWidgetItem, _column: int) -> None:
        action_id = tree_item.data(0, ROW_ID_ROLE)
        if action_id is not None:
            self.edit_action(int(action_id))

    def _ticked(self, cell: QTableWidgetItem) -> None:
        if cell.column() != 0 or cell.checkState() != Qt.CheckState.Checked:
            return
        action_id = int(cell.data(ROW_ID_ROLE))
        today = local_date(self.context.now())
        self.actions_table.blockSignals(True)
        cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEnabled)  # until the save is done
        self.actions_table.blockSignals(False)
        self.context.worker.submit(
            lambda records: records.complete_action(action_id, today),
            ["actions"],
            on_error=self._not_completed,
        )

    def _not_completed(self, error: Exception) -> None:
        log.warning("could not complete an action: %s", error)
        QMessageBox.warning(self, "Not saved", f"The action was not marked done:\n\n{error}")
        self.refresh()
