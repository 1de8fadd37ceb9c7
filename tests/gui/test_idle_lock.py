"""The idle lock: the window locks when idle (or on Ctrl+L), hides open forms without closing
them, and unlocks only with the right password (the same lock-out, audited)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.models import AuditEvent
from missing_app.core.security.encryption import create_encrypted_database
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.idle_lock import IdleLock
from missing_app.gui.main_window import MainWindow
from tests.conftest import NOW
from tests.gui.accounts import window_as
from tests.security_helpers import PASSWORD, World, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def open_window(qtbot: QtBot, db: Database, username: str) -> MainWindow:
    window = window_as(qtbot, db, username)
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, world: World) -> Iterator[MainWindow]:
    made = open_window(qtbot, world.db, "pcso.jones")
    yield made
    made.context.worker.stop()


def lock_of(window: MainWindow) -> IdleLock:
    assert isinstance(window.idle_lock, IdleLock)
    return window.idle_lock


def open_form(window: MainWindow) -> FormDialog:
    window.record_missing()
    forms = [f for f in window.findChildren(FormDialog) if f.isVisible()]
    assert len(forms) == 1
    return forms[0]


def unlock_with(qtbot: QtBot, lock: IdleLock, password: str) -> None:
    qtbot.keyClicks(lock.overlay.password, password)
    qtbot.keyClick(lock.overlay.password, Qt.Key.Key_Return)


def audit(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(AuditEvent.username, AuditEvent.action, AuditEvent.why)
            .where(AuditEvent.action.like("signin%"))
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_the_window_locks_after_the_idle_time(qtbot: QtBot, window: MainWindow) -> None:
    lock = lock_of(window)
    assert not lock.is_locked and lock.timer.interval() == 10 * 60_000  # the setting's default
    lock.set_minutes(0.002)  # 120 ms
    qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
    assert lock.overlay.isVisible() and not window.centralWidget().isVisible()
    assert lock.overlay.geometry() == window.rect()
    assert "Locked for Pcso.Jones (PCSO)" in " ".join(
        label.text() for label in lock.overlay.findChildren(type(window.status_text))
    )


def test_using_the_window_keeps_it_unlocked(qtbot: QtBot, window: MainWindow) -> None:
    lock = lock_of(window)
    lock.set_minutes(1.5 / 60)  # a second and a half
    for _ in range(8):  # two seconds of use: a key or the mouse every quarter second
        qtbot.wait(250)
        qtbot.mouseMove(window.search, QPoint(5 + _, 5))
        qtbot.keyClick(window.search, Qt.Key.Key_Shift)
        assert not lock.is_locked
    qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)


def test_an_open_form_is_hidden_and_comes_back_with_what_was_typed(
    qtbot: QtBot, window: MainWindow, world: World
) -> None:
    lock = lock_of(window)
    form = open_form(window)
    police_ref: Any = form.fields["police_ref"]
    qtbot.keyClicks(police_ref, "MPS/25/1234")
    lock.lock()
    assert not form.isVisible() and lock.overlay.isVisible()
    unlock_with(qtbot, lock, "not the password")
    assert lock.is_locked and not form.isVisible()
    assert lock.overlay.message.text().startswith("Wrong password for pcso.jones (4 more tries")
    assert lock.overlay.password.text() == ""
    unlock_with(qtbot, lock, PASSWORD)
    assert not lock.is_locked and not lock.overlay.isVisible()
    assert form.isVisible() and police_ref.text() == "MPS/25/1234" and form.dirty
    assert window.centralWidget().isVisible()
    assert audit(world.db)[-2:] == [
        ("pcso.jones", "signin_failed", "wrong password"),
        ("pcso.jones", "signin", "window unlocked"),
    ]


def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_waits(
    qtbot: QtBot, window: MainWindow
) -> None:
    lock = lock_of(window)
    lock.lock()
    for _ in range(5):
        unlock_with(qtbot, lock, "not the password")
    assert "the account is locked for 15 minutes" in lock.overlay.message.text()
    unlock_with(qtbot, lock, PASSWORD)
    assert lock.is_locked
    assert lock.overlay.message.text().endswith("It is locked for 15 more minutes.")


def test_ctrl_l_locks_and_no_shortcut_works_behind_the_lock(
    qtbot: QtBot, window: MainWindow
) -> None:
    lock = lock_of(window)
    qtbot.keyClick(window.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.is_locked
    qtbot.keyClick(lock.overlay.password, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not [f for f in window.findChildren(FormDialog) if f.isVisible()]
    assert [a.text() for a in window.menuBar().actions()] == ["&Account"]
    assert not window.menuBar().isEnabled()


def test_ctrl_l_locks_from_an_open_form_too(qtbot: QtBot, window: MainWindow) -> None:
    lock = lock_of(window)
    form = open_form(window)
    qtbot.keyClick(form.fields["police_ref"], Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.is_locked and not form.isVisible()


def test_a_message_that_opens_while_locked_waits_for_the_unlock(
    qtbot: QtBot, window: MainWindow
) -> None:
    lock = lock_of(window)
    lock.lock()
    message = QMessageBox(QMessageBox.Icon.Information, "Saved", "Saved, with notes", parent=window)
    message.setWindowModality(Qt.WindowModality.NonModal)
    message.show()
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=2000)
    unlock_with(qtbot, lock, PASSWORD)
    assert message.isVisible()
    message.close()


def test_a_form_saved_while_locked_does_not_come_back(qtbot: QtBot, window: MainWindow) -> None:
    lock = lock_of(window)
    form = open_form(window)
    lock.lock()
    form.accept()  # as when a save that was under way finishes behind the lock
    unlock_with(qtbot, lock, PASSWORD)
    assert not form.isVisible()


def test_an_encrypted_database_unlocks_with_its_keyring(qtbot: QtBot, tmp_path: Path) -> None:
    signed = create_encrypted_database(
        str(tmp_path / "homeward.sqlite"), "admin.ada", "Ada Admin", PASSWORD, lambda: NOW
    )
    window = open_window(qtbot, signed.db, "admin.ada")
    try:
        assert "(encrypted)" in window.status_text.text()
        lock = lock_of(window)
        lock.lock()
        unlock_with(qtbot, lock, "not the password")
        assert lock.overlay.message.text().startswith("Wrong password for admin.ada")
        unlock_with(qtbot, lock, PASSWORD)
        assert not lock.is_locked
        assert audit(signed.db)[-1] == ("admin.ada", "signin", "window unlocked")
    finally:
        window.context.worker.stop()
        signed.db.close()


def test_changing_the_setting_changes_the_idle_time(qtbot: QtBot, world: World) -> None:
    window = open_window(qtbot, world.db, "sgt.lee")  # a supervisor may change settings
    try:
        lock = lock_of(window)
        with qtbot.waitSignal(window.context.worker.changed, timeout=5000):
            window.context.worker.submit(
                lambda records: records.set_setting("idle_lock_minutes", 3), ["settings"]
            )
        assert lock.timer.interval() == 3 * 60_000 and lock.timer.isActive()
    finally:
        window.context.worker.stop()


def test_signed_in_the_account_menu_has_lock_and_sign_out_and_sign_out_leaves_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.show_help()  # a window of its own, to be closed by the sign-out too
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.search, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["&Lock now", "&Sign out", "&Help", "&Quit"]
    qtbot.keyClick(menu, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert window.signed_out and window.help_window is not None
    assert not window.help_window.isVisible()
