"""Today: who is missing now, which returns still need their checks (with a live countdown
to the 72-hour offer of a return interview), who crossed the repeat threshold, and the
actions due this week.

Every row opens the record behind it (Enter or a double click). The lists are read again
when the records change (the main window calls `refresh()`); the countdowns move with one
shared clock, without reading the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.queries.homes import any_homes
from missing_app.core.queries.today import (
    DueAction,
    MissingNow,
    OutstandingReturn,
    TriggeredChild,
    actions_due,
    missing_now,
    outstanding_returns,
    triggered_children,
    week_end,
)
from missing_app.core.security.access import Permission
from missing_app.core.times import local, local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.episode import (
    RecordMissingDialog,
    RecordReturnDialog,
    SafeAndWellDialog,
)
from missing_app.gui.dialogs.home import HomeDialog
from missing_app.gui.dialogs.interview import ReturnInterviewDialog
from missing_app.gui.format import day, risk, span, when, words
from missing_app.gui.help import first_steps_html
from missing_app.gui.look_around import DemoLauncher
from missing_app.gui.pages.base import Page
from missing_app.gui.widgets.countdown import (
    COLOURS,
    OVERDUE,
    SOON,
    CountdownClock,
    colours,
    countdown_text,
)
from missing_app.gui.widgets.record_text import watch_shortened
from missing_app.gui.widgets.tables import tab_leaves

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
Colours = tuple[str, str] | None  # (text, background)
ROWS_SHOWN = 8  # a longer list scrolls inside its section


@dataclass(frozen=True)
class Column:
    """A column of a Today list: its heading, its text (and colours) at a moment."""

    title: str
    text: Callable[[Any, datetime], str]
    colours: Callable[[Any, datetime], Colours] | None = None
    live: bool = False  # changes as the clock moves


class TodayModel(QAbstractTableModel):
    """A short list of rows (dataclasses from core.queries.today) shown at the time `now`."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.now: datetime | None = None

    def set_rows(self, rows: Sequence[Any], now: datetime) -> None:
        self.beginResetModel()
        self.rows, self.now = list(rows), now
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        """The clock moved: repaint the columns that change with it."""
        self.now = now
        live = [number for number, column in enumerate(self.columns) if column.live]
        if self.rows and live:
            last = len(self.rows) - 1
            self.dataChanged.emit(self.index(0, min(live)), self.index(last, max(live)))

    def row(self, number: int) -> Any:
        return self.rows[number]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.now is None or index.row() >= len(self.rows):
            return None
        column, row = self.columns[index.column()], self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row, self.now)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            pair = None if column.colours is None else column.colours(row, self.now)
            if pair is None:
                return None
            return QBrush(QColor(pair[0 if role == Qt.ItemDataRole.ForegroundRole else 1]))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not 0 <= section < len(self.columns):
            return None
        return self.columns[section].title if orientation == Qt.Orientation.Horizontal else None


NARROWEST = 70  # the least width a column gives way to


class Section(QWidget):
    """A heading with a count, and the list under it (or a sentence when it is empty)."""

    def __init__(
        self,
        title: str,
        empty: str,
        columns: Sequence[Column],
        open_row: Callable[[Any], None],
        menu: Sequence[tuple[str, Callable[[Any], None]]] = (),
    ) -> None:
        super().__init__()
        self.title, self.open_row, self.menu = title, open_row, list(menu)
        self.heading = QLabel(title)
        self.heading.setObjectName("sectionTitle")
        self.note = QLabel()
        self.note.setObjectName("pageSubtitle")
        self.note.setWordWrap(True)  # a narrow window wraps the hint rather than scrolling
        self.empty = QLabel(empty)
        self.empty.setObjectName("pageSubtitle")
        self.model = TodayModel(columns)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tab_leaves(self.table)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setResizeContentsPrecision(ROWS_SHOWN * 4)
        self.table.setAlternatingRowColors(True)
        self.table.activated.connect(lambda index: self.open_row(self.model.row(index.row())))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.viewport().installEventFilter(self)
        watch_shortened(self.table)  # a name ending in "…" shows whole as its tooltip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        for widget in (self.heading, self.note, self.empty, self.table):
            layout.addWidget(widget)
        self.note.hide()

    def show_rows(self, rows: Sequence[Any], now: datetime, note: str = "") -> None:
        self.model.set_rows(rows, now)
        self.heading.setText(f"{self.title} ({len(rows):,})")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows:
            self.table.resizeColumnsToContents()
            self._fit_width()
            # The first row is current (Enter opens it) without looking chosen in every list.
            current = QItemSelectionModel.SelectionFlag.NoUpdate
            self.table.selectionModel().setCurrentIndex(self.model.index(0, 0), current)
            self._fit_height(len(rows))

    def _fit_width(self) -> None:
        """When the columns are wider than the list, the widest of them (never the last: the
        countdown) give way in turn, their text shortened with an ellipsis, so nothing scrolls."""
        header = self.table.horizontalHeader()
        count = header.count()
        if count < 2:
            return
        widths = [
            max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            for column in range(count)
        ]
        excess = sum(widths) - self.table.viewport().width()
        while excess > 0:
            widest = max(range(count - 1), key=lambda column: widths[column])
            room = widths[widest] - NARROWEST
            if room <= 0:
                break
            # Down to the next widest first, so the columns give way evenly.
            runner_up = sorted(widths[:-1])[-2] if count > 2 else NARROWEST
            cut = min(excess, room, max(1, widths[widest] - runner_up))
            widths[widest] -= cut
            excess -= cut
        # The last column too: stretched, it would otherwise keep its width from before.
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the columns again whenever the list's visible width changes."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_width()
        return False

    def _fit_height(self, count: int) -> None:
        shown = min(count, ROWS_SHOWN)
        rows = self.table.verticalHeader().defaultSectionSize() * shown
        header = self.table.horizontalHeader().sizeHint().height()
        scroll = self.table.horizontalScrollBar().sizeHint().height() if count > shown else 0
        self.table.setFixedHeight(rows + header + scroll + 2 * self.table.frameWidth())

    def _context_menu(self, where: QPoint) -> None:
        index = self.table.indexAt(where)
        if not index.isValid() or not self.menu:
            return
        row = self.model.row(index.row())
        menu = QMenu(self)
        for label, act in self.menu:
            menu.addAction(label, lambda act=act: act(row))
        menu.exec(self.table.viewport().mapToGlobal(where))


def _risk_colours(row: MissingNow, _now: datetime) -> Colours:
    return {"high": COLOURS[OVERDUE], "medium": COLOURS[SOON]}.get(row.risk or "")


def _still_to_record(row: OutstandingReturn, _now: datetime) -> str:
    text = ", ".join(row.missing)
    return text[:1].upper() + text[1:]


def _offer_by(row: OutstandingReturn, _now: datetime) -> str:
    return when(row.rhi.offer_by) if row.rhi_offer_missing else ""


def _due(row: DueAction, now: datetime) -> str:
    return day(row.due_on) + (" (overdue)" if row.overdue(local_date(now)) else "")


def _due_colours(row: DueAction, now: datetime) -> Colours:
    return COLOURS[OVERDUE] if row.overdue(local_date(now)) else None


CHILD = (
    Column("Child", lambda row, _: row.child),
    Column("Ref", lambda row, _: row.child_ref),
    Column("Home", lambda row, _: row.home),
)
MISSING_COLUMNS = (
    *CHILD,
    Column("Last seen", lambda row, _: when(row.last_seen_at)),
    Column("Type", lambda row, _: words(row.type)),
    Column("Risk", lambda row, _: risk(row.risk) or "Not graded", _risk_colours),
    Column("Gone for", lambda row, now: span(row.time_gone(now)), live=True),
)
OUTSTANDING_COLUMNS = (
    *CHILD,
    Column("Returned", lambda row, _: when(row.returned_at)),
    Column("Still to record", _still_to_record),
    Column("Offer RHI by", _offer_by),
    Column(
        "Time left to offer",
        lambda row, now: countdown_text(row.rhi, now),
        lambda row, now: colours(row.rhi, now),
        live=True,
    ),
)
ACTION_COLUMNS = (
    Column("Due", _due, _due_colours, live=True),  # overdue from midnight
    Column("Action", lambda row, _: row.description),
    Column("Owner", lambda row, _: row.owner or ""),
    Column("Home", lambda row, _: row.home),
    Column("Agreed at the meeting of", lambda row, _: day(row.held_on)),
)


class FirstSteps(QFrame):
    """On an empty database: what to do first (the words of Help), a new home, or the demo."""

    def __init__(self, context: AppContext, page: TodayPage) -> None:
        super().__init__()
        self.setObjectName("firstSteps")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.page = page
        heading = QLabel("Nothing recorded yet: first steps")
        heading.setObjectName("sectionTitle")
        self.steps = QLabel(first_steps_html())
        self.steps.setWordWrap(True)
        self.steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_home = QPushButton("New &home…")
        self.new_home.clicked.connect(self.add_home)
        self.new_home.setVisible(context.may(Permission.WRITE))
        self.demo = QPushButton("Look around on &demo data")
        self.demo.setToolTip("Opens a separate demo database in its own window")
        self.launcher = DemoLauncher(parent=self)
        self.demo.clicked.connect(self.launcher.start)
        self.said = QLabel()
        self.said.setObjectName("pageSubtitle")
        self.launcher.status.connect(self.said.setText)
        buttons = QHBoxLayout()
        for button in (self.new_home, self.demo):
            buttons.addWidget(button)
        buttons.addWidget(self.said, 1)
        layout = QVBoxLayout(self)
        for widget in (heading, self.steps):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    def add_home(self) -> None:
        self.page._open(HomeDialog(self.page.context, parent=self.page))


def rhi_hint(window_hours: float) -> str:
    """The rule the countdown follows (RhiDuty), in words."""
    return (
        f"Offer a return interview within {window_hours:g} hours of the return (amber: the "
        "last 24 hours); once offered, it waits here for the interview, without a deadline."
    )


class TodayPage(Page):
    """The first page of the morning: what needs doing now, each row one key from its form."""

    title = "Today"
    entities = frozenset(
        {"missing_episodes", "return_interviews", "children", "care_homes", "placements",
         "liaison_meetings", "actions", "settings"}
    )  # fmt: skip

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.form: QDialog | None = None  # the form opened last from this page
        self.window_days = 30
        layout = self.page_layout()
        self.subtitle = QLabel()
        self.subtitle.setObjectName("pageSubtitle")
        layout.addLayout(self._buttons())
        layout.addWidget(self.subtitle)
        self.first_steps = FirstSteps(context, self)
        layout.addWidget(self.first_steps)
        # Those who may not change records (analysts) get no forms: a row opens the child.
        writable = context.may(Permission.WRITE)
        child_page = ("Open the child's page", self.open_child)
        returning = [("Record the return…", lambda row: self.record_return(row.episode_id))]
        after_return = [
            ("Safe-and-well check…", lambda row: self.safe_and_well(row.episode_id)),
            ("Return interview…", lambda row: self.return_interview(row.episode_id)),
        ]
        self.missing = Section(
            "Missing now", "No child is missing now.", MISSING_COLUMNS,
            (lambda row: self.record_return(row.episode_id)) if writable else self.open_child,
            [*returning, child_page] if writable else [child_page],
        )  # fmt: skip
        self.outstanding = Section(
            "Returned: safe-and-well check or return interview outstanding",
            "No return is waiting for a safe-and-well check or a return interview.",
            OUTSTANDING_COLUMNS, self.open_outstanding if writable else self.open_child,
            [*after_return, child_page] if writable else [child_page],
        )  # fmt: skip
        self.triggered = Section(
            "Crossed the repeat threshold in the last 30 days",
            "No child has crossed the repeat threshold in the last 30 days.",
            self._triggered_columns(), self.open_child,
        )  # fmt: skip
        self.actions = Section(
            "Actions due this week", "No action is due this week.", ACTION_COLUMNS,
            lambda row: self._navigate("open_home", row.home_id),
        )  # fmt: skip
        layout.addWidget(self._scrolling(self.missing, self.outstanding, self.triggered,
                                         self.actions), 1)  # fmt: skip
        self.clock = CountdownClock(lambda: self.context.now(), parent=self)
        for section in self.sections:
            self.clock.ticked.connect(section.model.tick)
        self.refresh()

    @property
    def sections(self) -> tuple[Section, ...]:
        return (self.missing, self.outstanding, self.triggered, self.actions)

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.missing_button = QPushButton("Record missing (Ctrl+N)")
        self.missing_button.clicked.connect(self.record_missing)
        self.return_button = QPushButton("Record return (Ctrl+R)")
        self.return_button.clicked.connect(lambda: self.record_return(None))
        row.addWidget(self.missing_button)
        row.addWidget(self.return_button)
        row.addStretch(1)
        return row

    def _scrolling(self, *sections: Section) -> QScrollArea:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        for section in sections:
            column.addWidget(section)
        column.addStretch(1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(body)
        return area

    def _triggered_columns(self) -> tuple[Column, ...]:
        return (
            *CHILD,
            Column("Crossed with the episode last seen", lambda row, _: when(row.last_seen_at)),
            Column("Episodes", lambda row, _: f"{row.count} in {self.window_days} days"),
        )

    # Reading ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        now = self.context.now()
        settings = self.context.settings()
        threshold = int(settings["repeat_threshold"])
        self.window_days = int(settings["repeat_window_days"])
        today = local_date(now)
        with self.context.db.session() as session:
            self.first_steps.setVisible(not any_homes(session))
            who = self.context.who
            away = missing_now(session, now, who)
            back = outstanding_returns(session, now, settings["rhi_window_hours"], who)
            crossed = triggered_children(session, now, threshold, self.window_days, who)
            due = actions_due(session, today, who)
        self.subtitle.setText(f"{local(now):%A %d %B %Y}, as at {local(now):%H:%M}")
        self.missing.show_rows(away, now)
        self.outstanding.show_rows(back, now, rhi_hint(settings["rhi_window_hours"]))
        rule = f"{threshold} or more episodes within {self.window_days} days, at any home."
        self.triggered.show_rows(crossed, now, rule)
        self.actions.show_rows(due, now, f"Open actions due by Sunday {day(week_end(today))}.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.clock.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.clock.stop()
        super().hideEvent(event)

    # Opening the records behind the rows --------------------------------------------------------

    def _open(self, form: QDialog) -> QDialog:
        """Show `form` over the window; it goes (with any clock of its own) once closed."""
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.destroyed.connect(lambda *_: self._form_gone(form))
        self.form = form
        form.open()
        return form

    def _form_gone(self, form: QDialog) -> None:
        if self.form is form:
            self.form = None

    def record_missing(self) -> None:
        if self.context.navigator is not None:
            self.context.navigator.record_missing()
        else:
            self._open(RecordMissingDialog(self.context, parent=self))

    def record_return(self, episode_id: int | None) -> None:
        if episode_id is None and self.context.navigator is not None:
            self.context.navigator.record_return()
        else:
            self._open(RecordReturnDialog(self.context, episode_id=episode_id, parent=self))

    def open_outstanding(self, row: OutstandingReturn) -> None:
        """The next thing to record: the safe-and-well check first, then the interview."""
        if row.safe_and_well_missing:
            self.safe_and_well(row.episode_id)
        else:
            self.return_interview(row.episode_id)

    def safe_and_well(self, episode_id: int) -> None:
        self._open(SafeAndWellDialog(self.context, episode_id, parent=self))

    def return_interview(self, episode_id: int) -> None:
        self._open(ReturnInterviewDialog(self.context, episode_id, parent=self))

    def open_child(self, row: MissingNow | OutstandingReturn | TriggeredChild) -> None:
        self._navigate("open_child", row.child_id)

    def _navigate(self, how: str, record_id: int) -> None:
        navigator = self.context.navigator
        if navigator is None:
            log.warning("no navigator to %s %s", how, record_id)
            return
        getattr(navigator, how)(record_id)
