"""The episode forms, driven as a PCSO drives them: typing, Enter, Ctrl+S."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.models import MissingEpisode, ReturnInterview
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.episode import (
    RecordMissingDialog,
    RecordReturnDialog,
    SafeAndWellDialog,
)
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.dialogs.interview import ReturnInterviewDialog
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.today import TodayPage
from tests.conftest import NOW
from tests.gui.conftest import wait_for_writes
from tests.gui.keyboard import retype

HOUR = timedelta(hours=1)


def closed(form: QWidget) -> bool:
    """Closed, whether or not the window deleted it on close (forms it opens are)."""
    return not shiboken6.isValid(form) or not form.isVisible()


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    """Two homes; Amy (15) at Oakview, Tom (12) at Oakview, Cara (15, CSE flag) at Elm."""
    oak = records.create_home("SC100001", "Oakview House").record.id
    elm = records.create_home("SC100002", "Elm Lodge").record.id
    ids = {"oak": oak, "elm": elm}
    for key, ref, first, dob, home, flags in (
        ("amy", "C1", "Amy", date(2010, 3, 4), oak, {}),
        ("tom", "C2", "Tom", date(2013, 5, 1), oak, {}),
        ("cara", "C3", "Cara", date(2010, 6, 1), elm, {"cse_flagged_on": date(2025, 1, 1)}),
    ):
        child = records.create_child(ref, dob, first_name=first, last_name="Hill", **flags)
        records.add_placement(child.record.id, home, date(2024, 1, 1))
        ids[key] = child.record.id
    return ids


def pick_child(qtbot: QtBot, form: RecordMissingDialog, letters: str) -> None:
    qtbot.keyClicks(form.child, letters)
    qtbot.keyClick(form.child, Qt.Key.Key_Return)


def control(qtbot: QtBot, window: QWidget, key: Qt.Key) -> None:
    """Ctrl+`key`, typed into `window` once it is the active window (shortcuts need that)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def save(qtbot: QtBot, context: AppContext, form: FormDialog) -> None:
    control(qtbot, form, Qt.Key.Key_S)
    wait_for_writes(qtbot, context)


def episodes(db: Database) -> list[MissingEpisode]:
    with db.session() as session:
        return list(session.scalars(select(MissingEpisode).order_by(MissingEpisode.id)))


def today_cells(page: TodayPage, section: str) -> list[list[str]]:
    model = getattr(page, section).model
    return [
        [model.data(model.index(row, column)) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


# The flows ---------------------------------------------------------------------------


def test_record_missing_then_the_return_and_see_today_count_down(
    qtbot: QtBot, context: AppContext, window: MainWindow, db: Database, world: dict[str, int]
) -> None:
    today = window.current_page()
    assert isinstance(today, TodayPage)
    assert today.missing.empty.text() == "No child is missing now."
    control(qtbot, window, Qt.Key.Key_N)
    form = window.findChild(RecordMissingDialog)
    assert form is not None and form.isVisible()
    pick_child(qtbot, form, "Amy")
    assert form.child.text() == "Amy Hill · C1 · Oakview House"
    retype(qtbot, form.last_seen, "13/11/2025 09:00")
    assert form.home.currentText() == "Oakview House (SC100001)"
    assert form.home_note.text() == "Amy Hill's placement on 13/11/2025"
    qtbot.keyClicks(form.police_ref, "MP/25/1234")
    qtbot.keyClicks(form.clothing, "Grey hoodie")
    save(qtbot, context, form)
    assert closed(form)
    (saved,) = episodes(db)
    assert (saved.child_id, saved.home_id, saved.police_ref) == (world["amy"], world["oak"],
                                                                 "MP/25/1234")  # fmt: skip
    assert saved.last_seen_at == NOW - 2 * timedelta(days=1) - 3 * HOUR
    assert saved.clothing == "Grey hoodie" and saved.returned_at is None
    assert today.missing.heading.text() == "Missing now (1)"
    assert today_cells(today, "missing")[0][:3] == ["Amy Hill", "C1", "Oakview House"]
    assert today_cells(today, "missing")[0][-1] == "2 d 3 h"

    control(qtbot, window, Qt.Key.Key_R)
    back = window.findChild(RecordReturnDialog)
    assert back is not None and back.isVisible()
    assert back.episode.currentText().startswith("Amy Hill · C1 — last seen Thu 13/11/2025 09:00")
    retype(qtbot, back.returned, "13/11/2025 10:00")  # back 50 hours ago: 22 h left
    qtbot.keyClicks(back.found_location, "Liverpool One")
    save(qtbot, context, back)
    assert episodes(db)[0].returned_at == NOW - 50 * HOUR
    assert episodes(db)[0].found_location == "Liverpool One"
    assert today.missing.heading.text() == "Missing now (0)" and today.missing.empty.isVisible()
    row = today_cells(today, "outstanding")[0]
    assert row[0] == "Amy Hill" and row[-1] == "22 h 00 min left"
    assert colour_of(today, row=0) == ("#7a5200", "#fff1c7")  # amber: the last 24 hours
    context.now = lambda: NOW + 23 * HOUR  # the clock moves on; the page's one timer ticks
    today.clock.tick()
    assert today_cells(today, "outstanding")[0][-1] == "overdue by 1 h 00 min"
    assert colour_of(today, row=0) == ("#b42318", "#fdecea")  # red: overdue


def colour_of(page: TodayPage, row: int) -> tuple[str, str]:
    model = page.outstanding.model
    index = model.index(row, model.columnCount() - 1)
    fore = model.data(index, Qt.ItemDataRole.ForegroundRole).color().name()
    back = model.data(index, Qt.ItemDataRole.BackgroundRole).color().name()
    return fore, back


def test_a_return_before_last_seen_shows_the_error_next_to_the_field_and_saves_nothing(
    qtbot: QtBot, context: AppContext, db: Database, records: Records, world: dict[str, int]
) -> None:
    episode = records.record_missing(world["amy"], NOW - 5 * HOUR).record.id
    form = RecordReturnDialog(context)
    qtbot.addWidget(form)
    form.show()
    assert form.episode.currentData() == episode
    retype(qtbot, form.returned, "15/11/2025 06:00")
    save(qtbot, context, form)
    error = form.errors["returned_at"]
    assert error.isVisible()
    assert error.text() == "15/11/2025 06:00 is before last seen 15/11/2025 07:00"
    assert form.isVisible() and episodes(db)[0].returned_at is None


def test_a_time_in_the_skipped_spring_hour_is_refused_next_to_the_field(
    qtbot: QtBot, context: AppContext, db: Database, world: dict[str, int]
) -> None:
    form = RecordMissingDialog(context, child_id=world["amy"])
    qtbot.addWidget(form)
    form.show()
    retype(qtbot, form.last_seen, "30/03/2025 01:30")
    save(qtbot, context, form)
    assert form.errors["last_seen_at"].isVisible()
    assert form.errors["last_seen_at"].text() == (
        "2025-03-30 01:30 does not exist in UK time (the clocks go forward that hour)"
    )
    assert episodes(db) == []


def test_without_a_child_or_home_the_form_says_so_and_saves_nothing(
    qtbot: QtBot, context: AppContext, db: Database, records: Records, world: dict[str, int]
) -> None:
    records.update_placement(1, end=date(2025, 11, 1))  # Amy has left Oakview
    form = RecordMissingDialog(context)
    qtbot.addWidget(form)
    form.show()
    save(qtbot, context, form)
    assert form.errors["child_id"].text() == (
        "choose the child: type a few letters of the name or reference"
    )
    pick_child(qtbot, form, "Amy")
    assert form.child.text() == "Amy Hill · C1 · no placement that day"
    assert form.home.currentIndex() == -1
    assert form.home_note.text() == "No placement on 15/11/2025: choose the home"
    save(qtbot, context, form)
    assert not form.errors["child_id"].isVisible()
    assert form.errors["home_id"].text() == "choose the home the child went missing from"
    assert episodes(db) == []
    qtbot.keyClicks(form.home.lineEdit(), "elm lod")  # enough to name one home
    save(qtbot, context, form)
    assert [e.home_id for e in episodes(db)] == [world["elm"]]


# The Merseyside rules, explained as the fields change -------------------------------------------


def test_a_child_of_13_or_under_is_always_missing(
    qtbot: QtBot, context: AppContext, db: Database, world: dict[str, int], monkeypatch: Any
) -> None:
    form = RecordMissingDialog(context)
    qtbot.addWidget(form)
    form.show()
    pick_child(qtbot, form, "Tom")
    assert form.type_rule.text() == (
        "Aged 12: always missing (Merseyside records every child aged 13 or under as missing, "
        "never absent)"
    )
    assert form.type_rule.objectName() == "fieldHint"
    form.type.setCurrentIndex(form.type.findData("absent"))
    assert form.type_rule.text() == (
        "Absent, but the child was 12 on the day: Merseyside records every child aged 13 or "
        "under as missing"
    )
    assert form.type_rule.objectName() == "fieldError" and form.type_rule.property("warning")
    notes: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: notes.append(text))
    save(qtbot, context, form)  # a warning, not an error: saved, and the note is shown
    assert [e.type for e in episodes(db)] == ["absent"]
    assert "13 or under" in notes[0]


def test_a_cse_flag_means_high_risk(
    qtbot: QtBot, context: AppContext, world: dict[str, int]
) -> None:
    form = RecordMissingDialog(context, child_id=world["cara"])
    qtbot.addWidget(form)
    assert form.home.currentText() == "Elm Lodge (SC100002)"
    assert form.type_rule.text() == ""
    assert form.risk_rule.text() == (
        "CSE flag: record as high risk (Merseyside records a child flagged for CSE or CCE as "
        "missing at high risk)"
    )
    form.risk.setCurrentIndex(form.risk.findData("medium"))
    assert form.risk_rule.text().startswith("Graded medium, but the child has a CSE flag")
    form.risk.setCurrentIndex(form.risk.findData("high"))
    assert form.risk_rule.text().startswith("CSE flag: recorded as high risk")
    assert form.risk_rule.objectName() == "fieldHint"


# Closing a changed form asks first -------------------------------------------------------------


def test_closing_a_changed_form_asks_first(
    qtbot: QtBot, context: AppContext, world: dict[str, int], monkeypatch: Any
) -> None:
    asked: list[str] = []
    answer = QMessageBox.StandardButton.Cancel

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    form = RecordMissingDialog(context)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.police_ref, "MP/1")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert asked == ["Close without saving? What you typed will be lost."]
    assert form.isVisible()
    answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not form.isVisible()
    untouched = RecordMissingDialog(context, child_id=world["amy"])
    qtbot.addWidget(untouched)
    untouched.show()
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not untouched.isVisible()


# After the return: safe and well, and the return interview -------------------------------------


@pytest.fixture
def returned(records: Records, world: dict[str, int]) -> int:
    episode = records.record_missing(world["amy"], NOW - 30 * HOUR).record.id
    records.record_return(episode, NOW - 20 * HOUR)
    return episode


def test_safe_and_well_check(
    qtbot: QtBot, context: AppContext, db: Database, returned: int
) -> None:
    form = SafeAndWellDialog(context, returned)
    qtbot.addWidget(form)
    form.show()
    assert "Amy Hill" in form.heading.text() and "returned Fri 14/11/2025 16:00" in (
        form.heading.text()
    )
    retype(qtbot, form.checked, "14/11/2025 15:00")
    save(qtbot, context, form)
    assert form.errors["safe_and_well_at"].text() == "the check is before the child returned"
    retype(qtbot, form.checked, "14/11/2025 18:30")
    save(qtbot, context, form)
    assert episodes(db)[0].safe_and_well_at == NOW - 17.5 * HOUR


def interview(db: Database) -> ReturnInterview | None:
    with db.session() as session:
        return session.scalar(select(ReturnInterview))


def test_return_interview_completed_with_ticked_codes(
    qtbot: QtBot, context: AppContext, db: Database, returned: int
) -> None:
    form = ReturnInterviewDialog(context, returned)
    qtbot.addWidget(form)
    form.show()
    assert form.countdown.text() == "2 d 4 h left" and form.countdown.urgency == "normal"
    form.outcome.setCurrentIndex(form.outcome.findData("completed"))
    retype(qtbot, form.offered_at, "14/11/2025 18:00")
    retype(qtbot, form.completed_at, "15/11/2025 10:00")
    qtbot.keyClicks(form.provider, "Catch22")
    form.push.boxes["boredom"].click()
    form.push.boxes["conflict_with_staff"].click()
    form.signs.boxes["county_lines_slang"].click()
    save(qtbot, context, form)
    saved = interview(db)
    assert saved is not None and saved.completed_at == NOW - 2 * HOUR
    assert saved.offered_at == NOW - 18 * HOUR and saved.provider == "Catch22"
    assert saved.push_factors == "conflict_with_staff,boredom"
    assert saved.pull_factors is None and saved.exploitation_indicators == "county_lines_slang"
    again = ReturnInterviewDialog(context, returned)
    qtbot.addWidget(again)
    assert again.outcome.currentData() == "completed"
    assert again.push.boxes["boredom"].isChecked() and not again.dirty


def test_return_interview_offered_needs_a_time_and_declined_is_recorded(
    qtbot: QtBot, context: AppContext, db: Database, returned: int
) -> None:
    form = ReturnInterviewDialog(context, returned)
    qtbot.addWidget(form)
    form.show()
    assert form.outcome.currentData() == "offered"
    retype(qtbot, form.offered_at, "")  # blank: no time of the offer
    save(qtbot, context, form)
    assert form.errors["offered_at"].text() == "say when the interview was offered"
    assert interview(db) is None
    form.outcome.setCurrentIndex(form.outcome.findData("declined"))
    save(qtbot, context, form)
    saved = interview(db)
    assert saved is not None and saved.declined and saved.completed_at is None


def test_record_return_for_a_given_episode(
    qtbot: QtBot, context: AppContext, db: Database, records: Records, world: dict[str, int]
) -> None:
    records.record_missing(world["amy"], NOW - 5 * HOUR)
    tom = records.record_missing(world["tom"], NOW - 3 * HOUR).record.id
    form = RecordReturnDialog(context, episode_id=tom)
    qtbot.addWidget(form)
    form.show()
    assert form.episode.currentData() == tom and not form.episode.isEnabled()
    assert form.away_note.text() == "Away for 3 h 00 min"
    form.arrested.click()
    form.method.setCurrentIndex(form.method.findData("found_by_police"))
    save(qtbot, context, form)
    saved = episodes(db)[1]
    assert saved.returned_at == NOW and saved.arrested and saved.return_method == "found_by_police"
    assert episodes(db)[0].returned_at is None


def test_no_open_episode_to_return(qtbot: QtBot, context: AppContext, db: Database) -> None:
    form = RecordReturnDialog(context)
    qtbot.addWidget(form)
    form.show()
    assert form.episode.placeholderText() == "No child is missing now"
    save(qtbot, context, form)
    assert form.errors["episode_id"].text() == "choose the child who has returned"


def test_time_fields_start_at_now_to_the_minute(
    qtbot: QtBot, context: AppContext, world: dict[str, int]
) -> None:
    context.now = lambda: datetime(2025, 11, 15, 12, 34, 56, tzinfo=NOW.tzinfo)
    form = RecordMissingDialog(context)
    qtbot.addWidget(form)
    assert form.last_seen.value() == datetime(2025, 11, 15, 12, 34, tzinfo=NOW.tzinfo)


# Which child Ctrl+R offers -------------------------------------------------------------------


def ctrl_r(qtbot: QtBot, window: MainWindow) -> RecordReturnDialog:
    control(qtbot, window, Qt.Key.Key_R)
    forms = [f for f in window.findChildren(RecordReturnDialog) if f.isVisible()]
    assert len(forms) == 1
    return forms[0]


def offered(form: RecordReturnDialog) -> str:
    return form.episode.currentText().split(" · ")[0] if form.episode.currentIndex() >= 0 else ""


def test_ctrl_r_offers_the_child_of_the_page_in_view_and_no_one_when_unsure(
    qtbot: QtBot,
    context: AppContext,
    window: MainWindow,
    db: Database,
    records: Records,
    world: dict[str, int],
) -> None:
    for key, hours in (("amy", 30), ("tom", 20), ("cara", 1)):  # Cara at Elm: just now
        records.record_missing(world[key], NOW - hours * HOUR)
    window.open_home(world["elm"])
    form = ctrl_r(qtbot, window)
    assert offered(form) == "Cara Hill"  # not Amy, missing longest, from Oakview
    form.reject()
    window.open_home(world["oak"])
    form = ctrl_r(qtbot, window)
    assert offered(form) == "Tom Hill"  # the home's most recent
    form.reject()
    window.open_child(world["amy"])
    form = ctrl_r(qtbot, window)
    assert offered(form) == "Amy Hill"
    form.reject()
    window.show_page("Today")
    form = ctrl_r(qtbot, window)
    assert offered(form) == ""  # three missing: the PCSO chooses
    save(qtbot, context, form)
    assert form.errors["episode_id"].text() == "choose the child who has returned"
    assert all(episode.returned_at is None for episode in episodes(db))


def test_ctrl_r_offers_no_one_from_a_home_with_no_child_missing(
    qtbot: QtBot, window: MainWindow, records: Records, world: dict[str, int]
) -> None:
    records.record_missing(world["amy"], NOW - HOUR)  # Oakview
    window.open_home(world["elm"])
    assert offered(ctrl_r(qtbot, window)) == ""
