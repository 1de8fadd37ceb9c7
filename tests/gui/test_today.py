"""The Today page: what it lists, how the countdown reads, and where each row leads."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from missing_app.core.db import Database
from missing_app.core.models import CareHome
from missing_app.core.queries.today import RhiDuty
from missing_app.core.records import NewAction, Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.episode import (
    RecordReturnDialog,
    SafeAndWellDialog,
)
from missing_app.gui.dialogs.interview import ReturnInterviewDialog
from missing_app.gui.help import first_steps_html
from missing_app.gui.pages.today import Section, TodayModel, TodayPage
from missing_app.gui.widgets.countdown import Countdown, CountdownClock
from tests.conftest import NOW
from tests.gui.conftest import wait_for_writes

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
AMBER, RED = ("#7a5200", "#fff1c7"), ("#b42318", "#fdecea")


class FakeNavigator:
    def __init__(self) -> None:
        self.opened: list[tuple[str, int | None]] = []

    def open_child(self, child_id: int) -> None:
        self.opened.append(("child", child_id))

    def open_home(self, home_id: int) -> None:
        self.opened.append(("home", home_id))

    def open_episode(self, episode_id: int) -> None:
        self.opened.append(("episode", episode_id))

    def show_page(self, name: str) -> None:
        self.opened.append((name, None))

    def record_missing(self, child_id: int | None = None) -> None:
        self.opened.append(("record_missing", child_id))

    def record_return(self, episode_id: int | None = None) -> None:
        self.opened.append(("record_return", episode_id))


@pytest.fixture
def navigator(context: AppContext) -> FakeNavigator:
    fake = FakeNavigator()
    context.navigator = fake
    return fake


@pytest.fixture
def day_of_work(records: Records) -> dict[str, int]:
    """Amy missing (high risk); Ben back 60 h ago, unchecked; Cal back 80 h ago, checked and
    offered an RHI; Dan back 10 h ago; Eve three times in 30 days; an action due Friday."""
    home = records.create_home("SC100001", "Oakview House").record.id
    ids = {"home": home}
    for name in ("Amy", "Ben", "Cal", "Dan", "Eve"):
        child = records.create_child(f"R-{name}", date(2009, 1, 1), first_name=name,
                                     last_name="Hill").record.id  # fmt: skip
        records.add_placement(child, home, date(2024, 1, 1))
        ids[name] = child
    ids["amy"] = records.record_missing(ids["Amy"], NOW - 26 * HOUR, risk="high").record.id
    for name, back in (("Ben", 60), ("Cal", 80), ("Dan", 10)):
        episode = records.record_missing(ids[name], NOW - (back + 4) * HOUR).record.id
        records.record_return(episode, NOW - back * HOUR)
        ids[name.lower()] = episode
    records.record_safe_and_well(ids["cal"], NOW - 79 * HOUR)
    records.record_rhi_offer(ids["cal"], NOW - 70 * HOUR)
    for days in (20, 12, 2):
        episode = records.record_missing(ids["Eve"], NOW - days * DAY).record.id
        records.record_return(episode, NOW - days * DAY + HOUR)
        records.record_safe_and_well(episode, NOW - days * DAY + 2 * HOUR)
        records.record_rhi_declined(episode)
    ids["eve"] = episode
    records.record_meeting(home, date(2025, 10, 20), actions=[
        NewAction("Update profiles", "Manager", date(2025, 11, 14)),
        NewAction("Photos on file", "Manager", date(2025, 11, 30))])  # fmt: skip
    return ids


@pytest.fixture
def page(qtbot: QtBot, context: AppContext, navigator: FakeNavigator) -> Iterator[TodayPage]:
    made = TodayPage(context)
    qtbot.addWidget(made)
    made.resize(1100, 800)
    made.show()
    yield made
    if made.form is not None:
        made.form.dirty = False  # type: ignore[attr-defined]
        made.form.close()


def cells(section: Section) -> list[list[str]]:
    model = section.model
    return [
        [model.data(model.index(row, column)) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def colours(section: Section, row: int, column: int) -> tuple[str, str] | None:
    index = section.model.index(row, column)
    fore = section.model.data(index, Qt.ItemDataRole.ForegroundRole)
    back = section.model.data(index, Qt.ItemDataRole.BackgroundRole)
    return None if fore is None else (fore.color().name(), back.color().name())


def test_an_empty_day_says_so_in_words(page: TodayPage) -> None:
    texts = [(s.heading.text(), s.empty.text(), s.empty.isVisible(), s.table.isVisible())
             for s in page.sections]  # fmt: skip
    assert texts == [
        ("Missing now (0)", "No child is missing now.", True, False),
        ("Returned: safe-and-well check or return interview outstanding (0)",
         "No return is waiting for a safe-and-well check or a return interview.", True, False),
        ("Crossed the repeat threshold in the last 30 days (0)",
         "No child has crossed the repeat threshold in the last 30 days.", True, False),
        ("Actions due this week (0)", "No action is due this week.", True, False),
    ]  # fmt: skip
    assert page.subtitle.text() == "Saturday 15 November 2025, as at 12:00"
    buttons = [page.missing_button.text(), page.return_button.text()]
    assert buttons == ["Record missing (Ctrl+N)", "Record return (Ctrl+R)"]


def test_an_empty_database_shows_the_first_steps_and_a_way_to_the_demo(
    qtbot: QtBot,
    page: TodayPage,
    context: AppContext,
    records: Records,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = page.first_steps
    assert steps.isVisible() and "Add your homes" in steps.steps.text()
    assert "Look around on demo data" in steps.steps.text()  # the words of Help, once
    assert steps.steps.text() == first_steps_html()
    opened: list[list[str]] = []
    monkeypatch.setattr(  # the demo's own window is not opened by a test
        "missing_app.gui.look_around.QProcess.startDetached",
        lambda program, arguments: opened.append([program, *arguments]) or (True, 1),
    )
    demo = tmp_path / "homeward-demo.sqlite"
    steps.launcher.demo_path = lambda: str(demo)
    steps.demo.setFocus()
    qtbot.keyClick(steps.demo, Qt.Key.Key_Space)
    assert steps.said.text().startswith("Preparing the demo database")
    qtbot.waitUntil(lambda: bool(opened), timeout=60_000)
    assert opened == [[sys.executable, "-m", "missing_app", "--db", str(demo)]]
    assert demo.stat().st_size > 0 and steps.said.text().startswith("The demo opens")
    with context.db.session() as session:  # the real database is as it was
        assert session.scalar(select(func.count(CareHome.id))) == 0
    records.create_home("SC100001", "Oakview House")
    page.refresh()
    assert not steps.isVisible()


def test_the_four_lists_with_counts_and_the_countdown_colours(
    qtbot: QtBot, context: AppContext, day_of_work: dict[str, int]
) -> None:
    page = TodayPage(context)
    qtbot.addWidget(page)
    assert page.missing.heading.text() == "Missing now (1)"
    assert cells(page.missing) == [
        ["Amy Hill", "R-Amy", "Oakview House", "Fri 14/11/2025 10:00", "Missing", "High",
         "1 d 2 h"],
    ]  # fmt: skip
    assert colours(page.missing, 0, 5) == RED
    outstanding = cells(page.outstanding)
    # Cal was offered an interview 10 hours after his return (80 hours ago): he waits for it,
    # past 72 hours but not overdue, after those still to be offered one.
    assert [row[0] for row in outstanding] == ["Ben Hill", "Dan Hill", "Cal Hill"]
    assert [row[3:] for row in outstanding] == [
        ["Thu 13/11/2025 00:00", "Safe-and-well check, RHI offer, RHI completion",
         "Sun 16/11/2025 00:00", "12 h 00 min left"],
        ["Sat 15/11/2025 02:00", "Safe-and-well check, RHI offer, RHI completion",
         "Tue 18/11/2025 02:00", "2 d 14 h left"],
        ["Wed 12/11/2025 04:00", "RHI completion", "", "offered, interview to complete"],
    ]  # fmt: skip
    last = page.outstanding.model.columnCount() - 1
    assert [colours(page.outstanding, row, last) for row in range(3)] == [AMBER, None, None]
    assert page.outstanding.model.headerData(last, Qt.Orientation.Horizontal) == (
        "Time left to offer"
    )
    assert page.outstanding.note.text().startswith(
        "Offer a return interview within 72 hours of the return"
    )
    assert page.outstanding.heading.text().endswith("(3)")
    assert cells(page.triggered) == [
        ["Eve Hill", "R-Eve", "Oakview House", "Thu 13/11/2025 12:00", "3 in 30 days"],
    ]
    assert page.triggered.note.text() == "3 or more episodes within 30 days, at any home."
    assert cells(page.actions) == [
        ["14/11/2025 (overdue)", "Update profiles", "Manager", "Oakview House", "20/10/2025"],
    ]
    assert colours(page.actions, 0, 0) == RED


def test_the_model_passes_the_model_tester(
    qtmodeltester: Any, context: AppContext, day_of_work: dict[str, int], qtbot: QtBot
) -> None:
    page = TodayPage(context)
    qtbot.addWidget(page)
    for section in page.sections:
        qtmodeltester.check(section.model)
    qtmodeltester.check(TodayModel([]))


def test_one_timer_moves_every_countdown_without_reading_the_database(
    page: TodayPage, context: AppContext, db: Database, day_of_work: dict[str, int]
) -> None:
    page.refresh()
    reads: list[str] = []
    listener = lambda *args: reads.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        context.now = lambda: NOW + 13 * HOUR
        page.clock.tick()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert reads == []
    assert [row[-1] for row in cells(page.outstanding)] == [
        "overdue by 1 h 00 min",
        "2 d 1 h left",
        "offered, interview to complete",
    ]
    assert colours(page.outstanding, 0, 6) == RED
    assert cells(page.missing)[0][-1] == "1 d 15 h"
    assert len(page.findChildren(QTimer)) == 1 and page.clock.timer.isActive()
    page.hide()
    assert not page.clock.timer.isActive()


def test_each_row_opens_the_record_behind_it(
    qtbot: QtBot, page: TodayPage, navigator: FakeNavigator, day_of_work: dict[str, int]
) -> None:
    page.refresh()
    expected: list[tuple[Section, int, type | tuple[str, int]]] = [
        (page.missing, 0, RecordReturnDialog),
        (page.outstanding, 2, ReturnInterviewDialog),  # Cal: checked, interview to complete
        (page.outstanding, 0, SafeAndWellDialog),  # Ben: nothing recorded yet
        (page.triggered, 0, ("child", day_of_work["Eve"])),
        (page.actions, 0, ("home", day_of_work["home"])),
    ]
    for section, row, opens in expected:
        page.form = None
        section.table.setFocus()
        section.table.setCurrentIndex(section.model.index(row, 0))
        qtbot.keyClick(section.table, Qt.Key.Key_Return)
        if isinstance(opens, tuple):
            assert navigator.opened[-1] == opens
        else:
            assert isinstance(page.form, opens) and page.form.isVisible()
            page.form.close()
            qtbot.waitUntil(lambda: page.form is None)  # closed forms are deleted
    missing = page.missing.model.row(0)
    assert missing.episode_id == day_of_work["amy"]


def test_tab_moves_from_list_to_list(
    qtbot: QtBot, page: TodayPage, day_of_work: dict[str, int]
) -> None:
    page.refresh()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    page.missing.table.setFocus()
    order = []
    for _ in range(3):
        focused = QApplication.focusWidget()
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [page.outstanding.table, page.triggered.table, page.actions.table]


def test_the_return_form_from_missing_now_is_for_that_episode(
    qtbot: QtBot, page: TodayPage, day_of_work: dict[str, int]
) -> None:
    page.refresh()
    page.missing.table.setFocus()
    qtbot.keyClick(page.missing.table, Qt.Key.Key_Return)
    form = page.form
    assert isinstance(form, RecordReturnDialog)
    assert form.episode.currentData() == day_of_work["amy"] and not form.episode.isEnabled()


def test_the_buttons_go_through_the_window(
    qtbot: QtBot, page: TodayPage, navigator: FakeNavigator
) -> None:
    qtbot.mouseClick(page.missing_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert navigator.opened == [("record_missing", None), ("record_return", None)]


def test_a_safe_and_well_check_saved_from_today_moves_the_row_on(
    qtbot: QtBot, context: AppContext, day_of_work: dict[str, int], navigator: FakeNavigator
) -> None:
    page = TodayPage(context)
    qtbot.addWidget(page)
    context.worker.changed.connect(lambda tables: page.refresh())  # what the window does
    page.open_outstanding(page.outstanding.model.row(0))  # Ben
    form = page.form
    assert isinstance(form, SafeAndWellDialog)
    form.save()
    wait_for_writes(qtbot, context)
    ben = next(row for row in cells(page.outstanding) if row[0] == "Ben Hill")
    assert ben[4] == "RHI offer, RHI completion"


def test_settings_change_the_threshold_and_the_window(
    qtbot: QtBot, context: AppContext, records: Records, day_of_work: dict[str, int]
) -> None:
    records.set_setting("repeat_threshold", 4)
    records.set_setting("rhi_window_hours", 96)
    page = TodayPage(context)
    qtbot.addWidget(page)
    assert page.triggered.heading.text().endswith("(0)")
    assert page.outstanding.note.text().startswith(
        "Offer a return interview within 96 hours of the return"
    )
    assert [row[-1] for row in cells(page.outstanding)] == [
        "1 d 12 h left",
        "3 d 14 h left",
        "offered, interview to complete",
    ]


# The countdown label -------------------------------------------------------------------------


def test_the_countdown_label_reads_and_colours_the_time_left(qtbot: QtBot) -> None:
    moments = iter(NOW + hours * HOUR for hours in (0, 48, 72, 73))
    clock = CountdownClock(lambda: next(moments))
    label = Countdown(RhiDuty(NOW, 72 * HOUR), clock)
    qtbot.addWidget(label)
    label.show()
    seen = [shown(label)]
    for _ in range(3):
        clock.tick()
        seen.append(shown(label))
    assert seen == [
        ("3 d 0 h left", "normal", None),
        ("1 d 0 h left", "soon", AMBER),  # the last 24 hours
        ("0 min left", "soon", AMBER),  # exactly on the deadline is still in time
        ("overdue by 1 h 00 min", "overdue", RED),
    ]
    assert isinstance(label, QLabel)


def test_the_countdown_says_offered_once_the_interview_is_offered(qtbot: QtBot) -> None:
    clock = CountdownClock(lambda: NOW + 80 * HOUR)  # past the 72 hours
    label = Countdown(RhiDuty(NOW, 72 * HOUR, offered=True), clock)
    qtbot.addWidget(label)
    label.show()
    assert shown(label) == ("offered, interview to complete", "normal", None)


def shown(label: Countdown) -> tuple[str, str, tuple[str, str] | None]:
    """The text, the urgency and the (text, background) colours a person sees."""
    label.ensurePolished()
    palette = label.palette()
    fore = palette.color(label.foregroundRole()).name()
    back = palette.color(label.backgroundRole()).name()
    return label.text(), label.urgency, None if label.urgency == "normal" else (fore, back)


def test_a_narrow_window_keeps_the_countdown_in_view(
    qtbot: QtBot, context: AppContext, day_of_work: dict[str, int]
) -> None:
    page = TodayPage(context)
    qtbot.addWidget(page)
    page.resize(760, 700)
    page.show()
    qtbot.waitExposed(page)
    table = page.outstanding.table
    header = table.horizontalHeader()
    last = header.count() - 1
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width() + 1, timeout=2000)
    assert header.sectionSize(last) >= table.sizeHintForColumn(last)  # the countdown whole
    assert not table.horizontalScrollBar().isVisible()
