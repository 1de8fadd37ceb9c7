"""The meeting and action forms, and the Meetings & actions page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from missing_app.core.models import Action, AuditEvent, LiaisonMeeting
from missing_app.core.queries.meetings import ACTION_COLUMNS as ACTION_KEYS
from missing_app.core.queries.meetings import MEETING_COLUMNS as MEETING_KEYS
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.meeting import ActionDialog, MeetingDialog
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.meetings import ACTION_COLUMNS, MEETING_COLUMNS, MeetingsPage
from tests.core.test_queries_homes import build
from tests.gui.conftest import wait_for_writes
from tests.gui.keyboard import retype
from tests.gui.test_episodes_page import Navigator
from tests.gui.test_homes import click_save


@pytest.fixture(autouse=True)
def discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard
    )


def texts(page: MeetingsPage, title: str) -> list[str]:
    model = page.actions_model
    column = [c.title for c in ACTION_COLUMNS].index(title)
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def meetings_page(qtbot: QtBot, context: AppContext) -> MeetingsPage:
    page = MeetingsPage(context)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def counts(context: AppContext) -> tuple[int, int]:
    with context.db.session() as session:
        meetings = session.scalar(select(func.count(LiaisonMeeting.id))) or 0
        actions = session.scalar(select(func.count(Action.id))) or 0
    return meetings, actions


def test_the_tables_follow_their_listings_and_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, context: AppContext, records: Records
) -> None:
    build(records)
    page = meetings_page(qtbot, context)
    assert tuple(c.key for c in ACTION_COLUMNS) == ACTION_KEYS
    assert tuple(c.key for c in MEETING_COLUMNS) == MEETING_KEYS
    qtmodeltester.check(page.actions_model)
    qtmodeltester.check(page.meetings_model)


def test_open_actions_first_with_the_overdue_highlighted(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    page = meetings_page(qtbot, context)
    assert texts(page, "Status") == ["Overdue", "Open", "Open", "Open"]
    assert texts(page, "Due") == ["15/10/2025", "20/11/2025", "01/12/2025", ""]
    assert texts(page, "Home")[:2] == ["Oakview House", "Birch Lodge"]
    model = page.actions_model
    background = model.data(model.index(0, 2), Qt.ItemDataRole.BackgroundRole)
    foreground = model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert background.color().name() == "#fdecea" and foreground.color().name() == "#b42318"
    assert model.data(model.index(1, 2), Qt.ItemDataRole.BackgroundRole) is None
    assert page.actions_count.text() == "4 actions"
    page.status.setCurrentText("All actions")
    assert texts(page, "Status")[-1] == "Done" and texts(page, "Done")[-1] == "09/10/2025"
    page.home.set_home_id(built.birch)
    assert texts(page, "Action") == ["Record refs"]
    assert page.meetings_count.text().startswith("1 meeting")


def test_a_meeting_with_two_actions_saves_and_shows_on_the_meetings_page(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    built = build(records)
    window.show_page("Meetings & actions")
    page = window.pages["Meetings & actions"]
    assert isinstance(page, MeetingsPage)
    form = page.new_meeting()
    form.home.set_home_id(built.birch)
    retype(qtbot, form.held_on, "yesterday")
    qtbot.keyClicks(form.attendees, "PCSO Jones; Birch manager")
    first = form.action_list.rows[0]
    qtbot.keyClicks(first.description, "Search the garden before calling")
    qtbot.keyClicks(first.owner, "Birch manager")
    retype(qtbot, first.due, "18/11")
    qtbot.mouseClick(form.action_list.add_button, Qt.MouseButton.LeftButton)
    second = form.action_list.rows[1]
    qtbot.keyClicks(second.description, "Keep the police reference in the log")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        meeting = session.scalars(select(LiaisonMeeting).order_by(LiaisonMeeting.id.desc())).first()
        assert meeting is not None
        assert (meeting.home_id, meeting.held_on) == (built.birch, date(2025, 11, 14))
        assert meeting.attendees == "PCSO Jones; Birch manager"
        saved = [(a.description, a.owner, a.due_on) for a in meeting.actions]
    assert saved == [
        ("Search the garden before calling", "Birch manager", date(2025, 11, 18)),
        ("Keep the police reference in the log", None, None),
    ]
    qtbot.waitUntil(lambda: len(texts(page, "Action")) == 6, timeout=3000)
    assert texts(page, "Action")[:3] == [
        "Update profiles", "Search the garden before calling", "Record refs",
    ]  # fmt: skip
    assert texts(page, "Action")[-1] == "Keep the police reference in the log"  # no due date
    assert page.meetings_model.data(page.meetings_model.index(0, 1)) == "Birch Lodge"


def test_an_action_without_its_wording_is_refused(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = MeetingDialog(context, built.oak)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.action_list.rows[0].owner, "Manager")  # an owner but no action
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert form.errors["description"].text() == "action 1: say what the action is"
    assert form.errors["description"].isVisible() and counts(context) == (3, 5)


def test_a_meeting_needs_its_home(qtbot: QtBot, context: AppContext, records: Records) -> None:
    build(records)
    form = MeetingDialog(context)
    qtbot.addWidget(form)
    form.show()
    form.action_list.remove(form.action_list.rows[0])
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert form.errors["home_id"].text() == "choose the home the meeting was with"
    qtbot.keyClicks(form.home.lineEdit(), "Moorside (SC300003)")
    assert form.home.home_id() is not None
    qtbot.keyClicks(form.attendees, "PCSO Jones")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert counts(context) == (4, 5)  # a meeting with no actions agreed


def test_mark_done_goes_through_the_worker(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    build(records)
    window.show_page("Meetings & actions")
    page = window.pages["Meetings & actions"]
    assert isinstance(page, MeetingsPage)
    assert not page.done_button.isEnabled()
    page.actions_view.setCurrentIndex(page.actions_model.index(0, 0))  # "Update profiles"
    assert page.done_button.isEnabled()
    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        action = session.scalars(select(Action).where(Action.description == "Update profiles"))
        assert action.one().done_on == date(2025, 11, 15)
    qtbot.waitUntil(lambda: texts(page, "Status") == ["Open", "Open", "Open"], timeout=3000)


def test_ctrl_d_marks_an_action_done_and_ctrl_z_opens_it_again_both_audited(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    build(records)
    window.show_page("Meetings & actions")
    page = window.pages["Meetings & actions"]
    assert isinstance(page, MeetingsPage)
    page.actions_view.setFocus()
    page.actions_view.setCurrentIndex(page.actions_model.index(0, 0))  # "Update profiles"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    def update_profiles() -> Action:
        with context.db.session() as session:
            found = select(Action).where(Action.description == "Update profiles")
            return session.scalars(found).one()

    assert not page.undo_bar.isVisible()
    qtbot.keyClick(page.actions_view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert update_profiles().done_on == date(2025, 11, 15)
    assert page.undo_bar.isVisible()
    assert page.undo_note.text() == "Action marked done: Update profiles"
    qtbot.keyClick(page.actions_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    action = update_profiles()
    assert action.done_on is None and not page.undo_bar.isVisible()
    with context.db.session() as session:
        changes = session.scalars(
            select(AuditEvent.after)
            .where(AuditEvent.entity == "actions", AuditEvent.entity_id == action.id)
            .where(AuditEvent.action == "update")
            .order_by(AuditEvent.id)
        ).all()
    assert len(changes) == 2 and '"done_on": null' in (changes[-1] or "")
    qtbot.waitUntil(lambda: "Update profiles" in texts(page, "Action"), timeout=3000)
    qtbot.keyClick(page.actions_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert update_profiles().done_on is None  # nothing more to undo


def test_editing_an_action_from_the_page(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = meetings_page(qtbot, context)
    page.actions_view.setFocus()
    page.actions_view.setCurrentIndex(page.actions_model.index(1, 0))  # "Record refs"
    qtbot.keyClick(page.actions_view, Qt.Key.Key_Return)
    form = page.dialog
    assert isinstance(form, ActionDialog)
    assert "Birch Lodge" in form.heading.text() and form.due.value() == date(2025, 11, 20)
    form.owner.setText("Birch manager")
    retype(qtbot, form.done_on, "14/11/2025")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        action = session.scalars(select(Action).where(Action.description == "Record refs")).one()
    assert (action.owner, action.done_on) == ("Birch manager", date(2025, 11, 14))
    form = ActionDialog(context, action.id)
    qtbot.addWidget(form)
    form.description.setPlainText("  ")
    form.save()
    wait_for_writes(qtbot, context)
    assert form.errors["description"].text() == "say what the action is"


def test_enter_on_a_meeting_opens_its_home(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    context.navigator = navigator = Navigator()
    page = meetings_page(qtbot, context)
    page.meetings.setFocus()
    page.meetings.setCurrentIndex(page.meetings_model.index(1, 0))  # Birch, 01/11/2025
    qtbot.keyClick(page.meetings, Qt.Key.Key_Return)
    assert navigator.opened == [("home", built.birch)]


def test_tab_from_the_notes_goes_to_the_first_action_and_no_word_is_lost(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = MeetingDialog(context, built.oak)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    form.notes.setFocus()
    qtbot.keyClicks(form.notes, "Went through the last three episodes")
    for key, text in ((Qt.Key.Key_Tab, "Check the garden first"), (Qt.Key.Key_Tab, "Manager")):
        here = QApplication.focusWidget()
        assert here is not None
        qtbot.keyClick(here, key)
        here = QApplication.focusWidget()
        assert here is not None
        qtbot.keyClicks(here, text)
    first = form.action_list.rows[0]
    assert (first.description.text(), first.owner.text()) == ("Check the garden first", "Manager")
    assert len(form.action_list.rows) == 1  # no second row made by a stray Space
    meetings, actions = counts(context)
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert counts(context) == (meetings + 1, actions + 1)
    with context.db.session() as session:
        saved = session.scalars(select(Action).order_by(Action.id.desc())).first()
        assert saved is not None and (saved.description, saved.owner) == (
            "Check the garden first", "Manager",
        )  # fmt: skip


def test_a_meeting_with_nothing_in_it_is_refused_beside_the_attendees(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = MeetingDialog(context, built.oak)
    qtbot.addWidget(form)
    form.show()
    before = counts(context)
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert form.isVisible() and counts(context) == before
    assert form.errors["attendees"].isVisible()
    assert form.errors["attendees"].text() == (
        "say who attended, what was discussed (notes) or an action agreed"
    )
    qtbot.keyClicks(form.attendees, "PCSO Jones")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert counts(context) == (before[0] + 1, before[1])


def test_the_actions_error_goes_once_the_action_is_worded(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = MeetingDialog(context, built.oak)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.action_list.rows[0].owner, "Manager")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert form.errors["description"].isVisible()
    qtbot.keyClicks(form.action_list.rows[0].description, "Update the profiles")
    assert not form.errors["description"].isVisible()
