"""The child, profile and placement forms: what is typed reaches the database, or the
problem shows next to its field and nothing is saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.models import Child, ChildProfile, Placement
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.child import ChildDialog, PlacementDialog, ProfileDialog
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.pages.child import ChildPage
from tests.gui.conftest import wait_for_writes
from tests.gui.keyboard import retype


@pytest.fixture(autouse=True)
def discard_when_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forms left with unsaved changes are closed after each test without asking (a modal
    question would wait for ever)."""
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard
    )


def save(qtbot: QtBot, context: AppContext, dialog: FormDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_for_writes(qtbot, context)


def shown(qtbot: QtBot, dialog: FormDialog) -> FormDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def error(dialog: FormDialog, key: str) -> str:
    label = dialog.errors[key]
    return label.text() if label.isVisible() else ""


def children(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Child)) or 0)


# The child ------------------------------------------------------------------------------


def test_a_new_child_is_saved(qtbot: QtBot, context: AppContext, db: Database) -> None:
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["local_ref"], "LIV1234")
    qtbot.keyClicks(dialog.texts["first_name"], "Jade")
    qtbot.keyClicks(dialog.texts["last_name"], "Roberts")
    qtbot.keyClicks(dialog.dob.entry, "07/03/2011")
    dialog.sex.setCurrentIndex(dialog.sex.findData("F"))
    dialog.council.setCurrentText("Sefton")
    qtbot.keyClicks(dialog.texts["legal_status"], "C2")
    retype(qtbot, dialog.cse, "01/10/2025")
    assert dialog.dirty
    save(qtbot, context, dialog)
    assert not dialog.isVisible() and dialog.result_value is not None
    with db.session() as session:
        child = session.scalars(select(Child)).one()
    assert (child.local_ref, child.first_name, child.last_name) == ("LIV1234", "Jade", "Roberts")
    assert child.dob == date(2011, 3, 7) and child.sex == "F"
    assert child.placing_authority == "Sefton" and child.legal_status == "C2"
    assert child.cse_flagged_on == date(2025, 10, 1) and child.cce_flagged_on is None
    assert child.ethnicity is None and child.social_worker is None


def test_a_date_of_birth_in_the_future_is_refused_beside_the_field(
    qtbot: QtBot, context: AppContext, db: Database
) -> None:
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["local_ref"], "C1")
    qtbot.keyClicks(dialog.dob.entry, "01/01/2026")
    save(qtbot, context, dialog)
    assert error(dialog, "dob") == "01/01/2026 is in the future (today is 15/11/2025)"
    assert error(dialog, "local_ref") == ""
    assert dialog.isVisible() and children(db) == 0


def test_a_duplicate_reference_is_refused_beside_the_field(
    qtbot: QtBot, context: AppContext, db: Database, records: Records
) -> None:
    records.create_child("C1", date(2010, 1, 1), first_name="Ann")
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["local_ref"], "C1")
    qtbot.keyClicks(dialog.dob.entry, "02/02/2012")
    save(qtbot, context, dialog)
    assert error(dialog, "local_ref") == "another child already has the reference C1"
    assert dialog.isVisible() and children(db) == 1


def test_an_error_goes_as_soon_as_its_field_is_changed_and_the_others_stay(
    qtbot: QtBot, context: AppContext, db: Database, records: Records
) -> None:
    records.create_child("C1", date(2010, 1, 1), first_name="Ann")
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["local_ref"], "C1")
    retype(qtbot, dialog.dob, "01/01/2026")
    save(qtbot, context, dialog)
    assert error(dialog, "dob").startswith("01/01/2026 is in the future")
    qtbot.keyClick(dialog.dob.entry, Qt.Key.Key_Backspace)
    assert error(dialog, "dob") == ""  # corrected: the old error no longer applies
    qtbot.keyClicks(dialog.dob.entry, "5")
    save(qtbot, context, dialog)
    assert error(dialog, "local_ref") == "another child already has the reference C1"
    qtbot.keyClicks(dialog.texts["first_name"], "Bea")
    assert error(dialog, "local_ref") != ""  # another field's change leaves it
    qtbot.keyClicks(dialog.texts["local_ref"], "2")
    assert error(dialog, "local_ref") == ""
    save(qtbot, context, dialog)
    assert children(db) == 2


def test_unreadable_or_missing_dates_are_refused_before_saving(
    qtbot: QtBot, context: AppContext, db: Database
) -> None:
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["local_ref"], "C1")
    save(qtbot, context, dialog)
    assert error(dialog, "dob") == "give a date: try 06/12/2026, 6/12 or today"
    qtbot.keyClicks(dialog.dob.entry, "31/02/2010")
    save(qtbot, context, dialog)
    assert error(dialog, "dob") == "there is no 31 February 2010"
    assert children(db) == 0


def test_editing_a_child_changes_only_what_was_changed(
    qtbot: QtBot, context: AppContext, db: Database, records: Records
) -> None:
    child_id = records.create_child(
        "C1", date(2010, 1, 1), first_name="Ann", social_worker="Ms Lee", sex="F"
    ).record.id
    dialog = shown(qtbot, ChildDialog(context, child_id))
    assert dialog.texts["first_name"].text() == "Ann" and dialog.dob.entry.text() == "01/01/2010"
    assert dialog.sex.currentData() == "F" and not dialog.dirty
    dialog.texts["social_worker"].setText("Mr Khan")
    retype(qtbot, dialog.cce, "today")
    save(qtbot, context, dialog)
    with db.session() as session:
        child = session.get(Child, child_id)
    assert child is not None and child.social_worker == "Mr Khan" and child.first_name == "Ann"
    assert child.cce_flagged_on == date(2025, 11, 15)  # the date offered: today


def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog = shown(qtbot, ChildDialog(context))
    qtbot.keyClicks(dialog.texts["first_name"], "Jade")
    dialog.reject()
    assert asked and dialog.isVisible()


# The profile ----------------------------------------------------------------------------


def picture(path: Path, width: int, height: int) -> str:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#3d6f9f"))
    assert image.save(str(path))
    return str(path)


def test_the_profile_imports_a_photo_as_a_small_jpeg(
    qtbot: QtBot,
    context: AppContext,
    db: Database,
    records: Records,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    child_id = records.create_child("C1", date(2010, 1, 1), first_name="Ann").record.id
    big = picture(tmp_path / "ann.png", 1200, 1600)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (big, ""))
    dialog = shown(qtbot, ProfileDialog(context, child_id))
    assert dialog.windowTitle() == "Profile of Ann" and not dialog.preview.has_photo
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.preview.has_photo and dialog.dirty
    dialog.texts["description"].setPlainText("Slim, 5ft 2in, dark curly hair")
    retype(qtbot, dialog.reviewed, "today")
    save(qtbot, context, dialog)
    with db.session() as session:
        profile = session.get(ChildProfile, child_id)
    assert profile is not None and profile.photo is not None
    assert profile.photo[:3] == b"\xff\xd8\xff"  # a JPEG
    stored = QImage.fromData(profile.photo)
    assert (stored.width(), stored.height()) == (360, 480)
    assert profile.description == "Slim, 5ft 2in, dark curly hair"
    assert profile.reviewed_on == date(2025, 11, 15)


def test_a_small_photo_keeps_its_size_and_a_bad_file_is_explained(
    qtbot: QtBot,
    context: AppContext,
    db: Database,
    records: Records,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    child_id = records.create_child("C1", date(2010, 1, 1)).record.id
    broken = tmp_path / "notes.png"
    broken.write_text("not a picture")
    chosen = [str(broken)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (chosen[0], ""))
    dialog = shown(qtbot, ProfileDialog(context, child_id))
    dialog.import_photo()
    assert "could not be read as a picture" in error(dialog, "photo")
    chosen[0] = picture(tmp_path / "small.png", 200, 120)
    dialog.import_photo()
    assert error(dialog, "photo") == "" and dialog.preview.has_photo
    save(qtbot, context, dialog)
    with db.session() as session:
        profile = session.get(ChildProfile, child_id)
    assert profile is not None and profile.photo is not None
    assert QImage.fromData(profile.photo).size().toTuple() == (200, 120)


def test_a_review_date_in_the_future_is_refused(
    qtbot: QtBot, context: AppContext, db: Database, records: Records
) -> None:
    child_id = records.create_child("C1", date(2010, 1, 1)).record.id
    dialog = shown(qtbot, ProfileDialog(context, child_id))
    retype(qtbot, dialog.reviewed, "01/12/2025")
    save(qtbot, context, dialog)
    assert error(dialog, "reviewed_on") == (
        "the review date 01/12/2025 is in the future (today is 15/11/2025)"
    )
    with db.session() as session:
        assert session.get(ChildProfile, child_id) is None


# Placements -----------------------------------------------------------------------------


def test_a_placement_is_added_and_an_overlap_is_refused(
    qtbot: QtBot, context: AppContext, db: Database, records: Records
) -> None:
    oakview = records.create_home("SC1", "Oakview House").record.id
    beech = records.create_home("SC2", "Beech Villa").record.id
    child_id = records.create_child("C1", date(2010, 1, 1)).record.id
    records.add_placement(child_id, oakview, date(2025, 1, 1))
    dialog = shown(qtbot, PlacementDialog(context, child_id))
    save(qtbot, context, dialog)
    assert error(dialog, "home_id") == "choose a home from the list"
    qtbot.keyClicks(dialog.home.lineEdit(), "Beech Villa (SC2)")
    retype(qtbot, dialog.start, "1/10/2025")
    save(qtbot, context, dialog)
    assert error(dialog, "start") == "the child is already placed at Oakview House from 01/01/2025"
    retype(qtbot, dialog.end, "1/9/2025")
    save(qtbot, context, dialog)
    assert error(dialog, "end") == "the placement ends (2025-09-01) before it starts"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Placement)) == 1
        first = session.scalars(select(Placement)).one()
    edit = shown(qtbot, PlacementDialog(context, child_id, first.id))
    assert not edit.home.isEnabled() and edit.home.currentText() == "Oakview House (SC1)"
    retype(qtbot, edit.end, "01/10/2025")
    save(qtbot, context, edit)
    retype(qtbot, dialog.end, "")
    save(qtbot, context, dialog)
    assert not dialog.isVisible()
    with db.session() as session:
        placed = session.scalars(select(Placement).order_by(Placement.start)).all()
        assert [(p.home_id, p.start, p.end) for p in placed] == [
            (oakview, date(2025, 1, 1), date(2025, 10, 1)),
            (beech, date(2025, 10, 1), None),
        ]


def test_the_child_page_refreshes_after_an_edit(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    child_id = records.create_child("C1", date(2010, 1, 1), first_name="Ann").record.id
    page = ChildPage(context, child_id)
    qtbot.addWidget(page)
    context.worker.changed.connect(lambda entities: page.refresh())
    qtbot.mouseClick(page.edit_profile_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, ProfileDialog) and dialog.isVisible()
    dialog.texts["medical_needs"].setPlainText("Asthma: blue inhaler")
    save(qtbot, context, dialog)
    assert page.profile_values["medical_needs"].text() == "Asthma: blue inhaler"
    assert page.review.property("level") == "red"  # never reviewed
