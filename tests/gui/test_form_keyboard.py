"""Every form, driven from the keyboard as a person drives it: it opens with the focus in its
first field (never on Save, where Space would save), Tab goes down the fields in the order they
are seen, and no keystroke is lost."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import missing_app.gui.dialogs as dialogs
from missing_app.core.records import NewAction, Records
from missing_app.core.security.access import Actor
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.account import AddUserDialog, PasswordDialog, RoleDialog
from missing_app.gui.dialogs.assessment import AssessmentDialog
from missing_app.gui.dialogs.child import ChildDialog, PlacementDialog, ProfileDialog
from missing_app.gui.dialogs.episode import (
    RecordMissingDialog,
    RecordReturnDialog,
    SafeAndWellDialog,
)
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.dialogs.home import HomeDialog
from missing_app.gui.dialogs.interview import ReturnInterviewDialog
from missing_app.gui.dialogs.meeting import ActionDialog, MeetingDialog
from missing_app.gui.main_window import MainWindow
from tests.gui.conftest import wait_for_writes
from tests.gui.keyboard import retype

World = dict[str, int]
Make = Callable[[AppContext, World], FormDialog]


@pytest.fixture
def world(records: Records) -> World:
    """Oakview House; Amy Hill lives there and went missing last night (back this morning)."""
    oak = records.create_home("SC100001", "Oakview House").record.id
    amy = records.create_child("C1", date(2010, 3, 4), first_name="Amy", last_name="Hill")
    records.add_placement(amy.record.id, oak, date(2024, 1, 1))
    episode = records.record_missing(amy.record.id, datetime(2025, 11, 14, 21, tzinfo=UTC))
    records.record_return(episode.record.id, datetime(2025, 11, 15, 8, tzinfo=UTC))
    meeting = records.record_meeting(oak, date(2025, 11, 1), [NewAction("Update profiles")])
    action_id = meeting.record.actions[0].id
    return {"oak": oak, "amy": amy.record.id, "episode": episode.record.id, "action": action_id}


# Each form, and the field a person expects to type into first.
FORMS: dict[type[FormDialog], tuple[Make, str]] = {
    RecordMissingDialog: (lambda c, w: RecordMissingDialog(c), "child_id"),
    RecordReturnDialog: (lambda c, w: RecordReturnDialog(c), "episode_id"),
    SafeAndWellDialog: (lambda c, w: SafeAndWellDialog(c, w["episode"]), "safe_and_well_at"),
    ReturnInterviewDialog: (lambda c, w: ReturnInterviewDialog(c, w["episode"]), "outcome"),
    ChildDialog: (lambda c, w: ChildDialog(c), "local_ref"),
    ProfileDialog: (lambda c, w: ProfileDialog(c, w["amy"]), "description"),
    PlacementDialog: (lambda c, w: PlacementDialog(c, w["amy"]), "home_id"),
    HomeDialog: (lambda c, w: HomeDialog(c), "urn"),
    MeetingDialog: (lambda c, w: MeetingDialog(c), "home_id"),
    ActionDialog: (lambda c, w: ActionDialog(c, w["action"]), "description"),
    AssessmentDialog: (lambda c, w: AssessmentDialog(c, w["episode"]), "assessed_on"),
    AddUserDialog: (lambda c, w: AddUserDialog(c), "username"),
    PasswordDialog: (lambda c, w: PasswordDialog(c, "pcso.jones"), "password"),
    RoleDialog: (lambda c, w: RoleDialog(c, "pcso.jones", "pcso"), "role"),
}


def every_form() -> set[type[FormDialog]]:
    for module in pkgutil.iter_modules(dialogs.__path__):
        importlib.import_module(f"{dialogs.__name__}.{module.name}")
    found: set[type[FormDialog]] = set()
    todo = [FormDialog]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("missing_app."):  # not forms made by other tests
                found.add(sub)
            todo.append(sub)
    return found


def opened(qtbot: QtBot, form: FormDialog) -> FormDialog:
    """The form on screen as the active window, where the keyboard goes."""
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    return form


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def inside(widget: QWidget, field: QWidget) -> bool:
    return widget is field or field.isAncestorOf(widget)


def takes_keys(field: QWidget) -> bool:
    """Whether a person can type into the field or something in it."""
    parts = [field, *field.findChildren(QWidget)]
    return any(
        part.isEnabled() and not part.isHidden() and part.focusPolicy() & Qt.FocusPolicy.TabFocus
        for part in parts
    )


def test_every_form_is_checked_here() -> None:
    assert every_form() == set(FORMS), "a new form: add it to FORMS with its first field"


@pytest.mark.parametrize("kind", list(FORMS), ids=lambda kind: kind.__name__)
def test_a_form_opens_in_its_first_field_and_space_there_saves_nothing(
    qtbot: QtBot, context: AppContext, world: World, kind: type[FormDialog]
) -> None:
    make, first = FORMS[kind]
    form = opened(qtbot, make(context, world))
    assert inside(focused(), form.fields[first]), f"the focus is on {focused()!r}"
    assert focused() not in form.buttons.buttons()
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    wait_for_writes(qtbot, context)
    assert form.isVisible() and form.result_value is None  # nothing was saved


@pytest.mark.parametrize("kind", list(FORMS), ids=lambda kind: kind.__name__)
def test_tab_goes_down_the_fields_and_reaches_save_last(
    qtbot: QtBot, context: AppContext, world: World, kind: type[FormDialog]
) -> None:
    make, first = FORMS[kind]
    form = opened(qtbot, make(context, world))
    form.fields[first].setFocus()  # (where the form opens: tested above)
    fields = list(form.fields.values())
    save, cancel = form.buttons.buttons()[:2]
    seen: list[int] = []
    for _ in range(80):
        widget = focused()
        if widget in (save, cancel):
            break
        seen += [n for n, field in enumerate(fields) if inside(widget, field)][:1]
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert focused() in (save, cancel), "Tab never reached the buttons"
    assert seen == sorted(seen), "Tab went back up the form"
    start = list(form.fields).index(first)
    missed = [key for n, (key, field) in enumerate(form.fields.items())
              if n >= start and takes_keys(field) and n not in seen]  # fmt: skip
    assert not missed, f"Tab skipped {missed}"


def test_ctrl_n_then_typing_picks_the_child(
    qtbot: QtBot, context: AppContext, window: MainWindow, world: World
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.findChild(RecordMissingDialog)
    assert form is not None
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    qtbot.keyClicks(focused(), "Am")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert form.child.text() == "Amy Hill · C1 · Oakview House"
    assert form.isVisible()


def test_ctrl_n_with_no_child_yet_says_so_and_adds_one_there(
    qtbot: QtBot, context: AppContext, window: MainWindow, records: Records
) -> None:
    records.create_home("SC100001", "Oakview House")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.findChild(RecordMissingDialog)
    assert form is not None and form.no_child is not None
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    assert form.no_child.isVisible() and not form.child.isEnabled()
    assert form.no_child.reason.text().startswith("No child has been recorded yet")
    assert focused() is form.no_child.add_button  # the way forward, one key away
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    adding = form.findChild(ChildDialog)
    assert adding is not None
    qtbot.waitUntil(adding.isActiveWindow, timeout=2000)
    qtbot.keyClicks(focused(), "C7")  # the reference, where the child form opens
    qtbot.keyClicks(adding.texts["first_name"], "Amy")
    retype(qtbot, adding.dob, "04/03/2010")
    qtbot.keyClick(adding, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert form.child.isEnabled() and not form.no_child.isVisible()
    assert form.child.choice is not None and form.child.text().startswith("Amy · C7")


def test_a_pcso_with_no_child_at_their_homes_is_told_why(
    qtbot: QtBot, context: AppContext, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    elm = records.create_home("SC100002", "Elm Lodge").record.id  # not one of theirs
    amy = records.create_child("C1", date(2010, 3, 4), first_name="Amy").record.id
    records.add_placement(amy, elm, date(2024, 1, 1))
    monkeypatch.setattr(context, "actor", Actor("pcso.jones", "pcso", frozenset()))
    form = opened(qtbot, RecordMissingDialog(context))
    assert form.no_child is not None
    assert form.no_child.reason.text().startswith("None of the children recorded is placed")
