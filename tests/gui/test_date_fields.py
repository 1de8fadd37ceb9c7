"""Date and date-time fields, driven from the keyboard as issue 11's new user drove them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.models import MissingEpisode, Placement
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.child import PlacementDialog
from missing_app.gui.dialogs.episode import RecordMissingDialog, SafeAndWellDialog
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.widgets.fields import DateField, DateTimeField, OptionalDateField
from tests.conftest import NOW  # Saturday 15 November 2025, 12:00 (GMT)
from tests.gui.conftest import wait_for_writes

CTRL = Qt.KeyboardModifier.ControlModifier


class TimesForm(FormDialog):
    """Every kind of date field between two plain text fields."""

    def __init__(self, context: AppContext) -> None:
        super().__init__(context, "Times")
        self.before = QLineEdit()
        self.when = DateTimeField()
        self.day = DateField()
        self.until = OptionalDateField("Left on")
        self.after = QLineEdit()
        for key, widget in (("before", self.before), ("when", self.when), ("day", self.day),
                            ("until", self.until), ("after", self.after)):  # fmt: skip
            self.add_field(key, key.title(), widget)
        self.read: tuple[Any, ...] = ()

    def work(self) -> Work:
        self.read = (self.time_value("when"), self.day.value(), self.until.value())
        return lambda _records: None


@pytest.fixture
def form(qtbot: QtBot, context: AppContext) -> TimesForm:
    made = TimesForm(context)
    qtbot.addWidget(made)
    with qtbot.waitActive(made):
        made.show()
    made.before.setFocus()
    return made


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot: QtBot, backwards: bool = False) -> QWidget:
    key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
    qtbot.keyClick(focused(), key)
    qtbot.wait(1)  # the selection on entering is made once the focus has settled
    return focused()


def typing(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def in_field(widget: QWidget, field: QWidget) -> bool:
    return widget is field or field.isAncestorOf(widget)


def test_one_tab_enters_each_date_field_and_one_tab_leaves_it(
    qtbot: QtBot, form: TimesForm
) -> None:
    assert in_field(tab(qtbot), form.when)
    assert in_field(tab(qtbot), form.day)
    assert in_field(tab(qtbot), form.until)
    assert tab(qtbot) is form.after
    assert in_field(tab(qtbot, backwards=True), form.until)
    assert in_field(tab(qtbot, backwards=True), form.day)


def test_entering_a_field_selects_it_all_so_typing_replaces_the_value(
    qtbot: QtBot, form: TimesForm
) -> None:
    form.when.set_value(datetime(2025, 11, 14, 23, 15, tzinfo=UTC))
    form.day.set_value(date(2025, 11, 1))
    entry = tab(qtbot)
    assert isinstance(entry, QLineEdit) and entry.selectedText() == "14/11/2025 23:15"
    typing(qtbot, "13/11/2025 21:30")
    assert form.when.value() == datetime(2025, 11, 13, 21, 30, tzinfo=UTC)
    tab(qtbot)
    typing(qtbot, "2/11/2025")
    assert form.day.value() == date(2025, 11, 2)
    tab(qtbot, backwards=True)  # coming back selects it all again: no part left behind
    typing(qtbot, "06/11/2025 23:15")
    assert form.when.value() == datetime(2025, 11, 6, 23, 15, tzinfo=UTC)
    qtbot.keyClick(focused(), Qt.Key.Key_A, CTRL)  # and Ctrl+A, then typing
    typing(qtbot, "yesterday 21:30")
    assert form.when.value() == datetime(2025, 11, 14, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "understood", "written_out"),
    [
        ("23:15", "Sat 15 Nov 2025, 23:15", "15/11/2025 23:15"),
        ("yesterday 21:30", "Fri 14 Nov 2025, 21:30", "14/11/2025 21:30"),
        ("today 09:00", "Sat 15 Nov 2025, 09:00", "15/11/2025 09:00"),
        ("06/11 23:15", "Thu 6 Nov 2025, 23:15", "06/11/2025 23:15"),
        ("6/11/25 9:05", "Thu 6 Nov 2025, 09:05", "06/11/2025 09:05"),
        ("06/11/2025 23:15", "Thu 6 Nov 2025, 23:15", "06/11/2025 23:15"),
        ("2315", "Sat 15 Nov 2025, 23:15", "15/11/2025 23:15"),
        ("now", "Sat 15 Nov 2025, 12:00", "15/11/2025 12:00"),
    ],
)
def test_each_way_of_typing_a_time_is_said_back_and_written_out_on_leaving(
    qtbot: QtBot, form: TimesForm, typed: str, understood: str, written_out: str
) -> None:
    tab(qtbot)
    typing(qtbot, typed)
    assert form.when.note.text() == understood
    tab(qtbot)
    assert form.when.entry.text() == written_out and form.when.note.text() == understood


@pytest.mark.parametrize(
    ("typed", "understood"),
    [
        ("06/11/2025", "Thu 6 Nov 2025"),
        ("6/11", "Thu 6 Nov 2025"),
        ("today", "Sat 15 Nov 2025"),
        ("yesterday", "Fri 14 Nov 2025"),
    ],
)
def test_each_way_of_typing_a_date_is_said_back(
    qtbot: QtBot, form: TimesForm, typed: str, understood: str
) -> None:
    tab(qtbot)
    tab(qtbot)
    typing(qtbot, typed)
    assert form.day.note.text() == understood
    tab(qtbot)
    assert form.day.entry.text() == f"{form.day.value():%d/%m/%Y}"


def test_what_cannot_be_read_is_said_beside_the_field_and_under_it_on_saving(
    qtbot: QtBot, form: TimesForm
) -> None:
    tab(qtbot)
    typing(qtbot, "soon")
    tab(qtbot)
    assert form.when.note.text() == "not a date and time: try 23:15 or 06/12 23:15"
    assert form.when.note.objectName() == "fieldError"
    typing(qtbot, "31/02/2025")
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    assert form.errors["when"].isVisible() and form.isVisible()
    assert form.errors["when"].text() == "not a date and time: try 23:15 or 06/12 23:15"
    form.when.set_value(NOW)
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)  # a date field outside time_value: the same
    assert form.errors["day"].text() == "there is no 31 February 2025" and form.isVisible()


def test_the_hour_skipped_in_spring_is_refused_as_it_is_typed(
    qtbot: QtBot, form: TimesForm
) -> None:
    tab(qtbot)
    typing(qtbot, "30/3/25 1:30")
    tab(qtbot)
    refused = "2025-03-30 01:30 does not exist in UK time (the clocks go forward that hour)"
    assert form.when.note.text() == refused
    typing(qtbot, "today")
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    assert form.errors["when"].text() == refused


def test_a_blank_optional_date_is_none_and_blank_required_ones_say_what_to_type(
    qtbot: QtBot, context: AppContext, form: TimesForm
) -> None:
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    assert form.errors["when"].text() == "give a date and time: try 23:15 or 06/12 23:15"
    form.when.set_value(NOW)
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    assert form.errors["day"].text() == "give a date: try 06/12/2026, 6/12 or today"
    form.day.set_value(date(2025, 11, 1))
    qtbot.keyClick(form, Qt.Key.Key_S, CTRL)
    wait_for_writes(qtbot, context)
    assert form.read == (NOW, date(2025, 11, 1), None) and not form.isVisible()


def test_alt_down_opens_a_calendar_and_never_changes_the_value_by_itself(
    qtbot: QtBot, form: TimesForm
) -> None:
    form.when.set_value(datetime(2025, 11, 14, 23, 15, tzinfo=UTC))
    tab(qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = form.when.calendar
    assert calendar is not None and calendar.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or calendar, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=2000)
    assert form.when.value() == datetime(2025, 11, 14, 23, 15, tzinfo=UTC)
    qtbot.keyClick(form.when.entry, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    chooser = form.when.calendar
    assert chooser is not None and chooser.isVisible()
    qtbot.keyClick(QApplication.focusWidget() or chooser, Qt.Key.Key_Left)
    qtbot.keyClick(QApplication.focusWidget() or chooser, Qt.Key.Key_Return)
    assert form.when.value() == datetime(2025, 11, 13, 23, 15, tzinfo=UTC)  # the day chosen


# In the real forms ---------------------------------------------------------------------------


@pytest.fixture
def amy(records: Records) -> int:
    home = records.create_home("SC100001", "Oakview House").record.id
    child = records.create_child("C1", date(2010, 3, 4), first_name="Amy").record.id
    records.add_placement(child, home, date(2024, 1, 1))
    return child


def test_reported_to_police_left_blank_is_saved_as_not_reported(
    qtbot: QtBot, context: AppContext, db: Database, amy: int
) -> None:
    form = RecordMissingDialog(context, child_id=amy)
    qtbot.addWidget(form)
    form.show()
    form.reported.entry.setFocus()
    qtbot.keyClick(form.reported.entry, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(form.reported.entry, Qt.Key.Key_Delete)
    form.last_seen.entry.setFocus()
    qtbot.keyClick(form.last_seen.entry, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(form.last_seen.entry, "yesterday 21:30")
    form.save()
    wait_for_writes(qtbot, context)
    with db.session() as session:
        episode = session.scalars(select(MissingEpisode)).one()
    assert episode.reported_at is None
    assert episode.last_seen_at == datetime(2025, 11, 14, 21, 30, tzinfo=UTC)


def test_a_time_that_cannot_be_read_is_refused_under_the_field(
    qtbot: QtBot, context: AppContext, db: Database, records: Records, amy: int
) -> None:
    episode = records.record_missing(amy, datetime(2025, 11, 14, 20, 0, tzinfo=UTC)).record.id
    records.record_return(episode, datetime(2025, 11, 15, 1, 0, tzinfo=UTC))
    form = SafeAndWellDialog(context, episode)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClick(form.checked.entry, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(form.checked.entry, "half ten")
    form.save()
    assert form.errors["safe_and_well_at"].text() == (
        "not a date and time: try 23:15 or 06/12 23:15"
    )
    with db.session() as session:
        assert session.get(MissingEpisode, episode).safe_and_well_at is None  # type: ignore[union-attr]


def test_a_placement_date_that_cannot_be_read_is_refused_under_it(
    qtbot: QtBot, context: AppContext, db: Database, amy: int
) -> None:
    form = PlacementDialog(context, amy)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.home.lineEdit(), "Oakview House (SC100001)")
    form.start.entry.setFocus()
    qtbot.keyClick(form.start.entry, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(form.start.entry, "31/11/2025")
    form.save()
    assert form.errors["start"].text() == "there is no 31 November 2025"
    with db.session() as session:
        assert len(session.scalars(select(Placement)).all()) == 1
