"""Signing in to the window: the first start, the sign-in dialog, errors at open, roles, views.

Dialogs are driven with qtbot; where the window's start-up would wait in a modal loop, the
dialog's `exec` is replaced by what the person would type (see `answers`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import DatabaseLocked, open_database
from missing_app.core.db.backup import backup_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.db.lock import DatabaseLock
from missing_app.core.models import AuditEvent, Child
from missing_app.core.security.encryption import create_encrypted_database
from missing_app.core.security.errors import SignInFailed
from missing_app.core.security.keyring import has_keyring
from missing_app.core.security.signin import SignedIn, sign_in
from missing_app.gui import opening
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from missing_app.gui.opening import create_first, open_for_window
from missing_app.gui.signin import FirstStartDialog, SignInDialog
from tests.conftest import NOW
from tests.core.test_backup_restore import damage
from tests.gui.accounts import window_as
from tests.security_helpers import PASSWORD, World, audited_views, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

Fill = Callable[[Any], None]


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[Fill]:
    """What the person types into each dialog the start-up shows, in order."""
    queue: list[Fill] = []

    def exec_(dialog: QDialog) -> int:
        dialog.show()
        queue.pop(0)(dialog)
        return dialog.result()

    for kind in (SignInDialog, FirstStartDialog):
        monkeypatch.setattr(kind, "exec", exec_)
    return queue


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """The message boxes shown at open, answered by their first button of the AcceptRole."""
    shown: list[QMessageBox] = []

    def answer(box: QMessageBox) -> Any:
        shown.append(box)
        accepting = [b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.AcceptRole]
        return accepting[0] if accepting else None

    monkeypatch.setattr(opening, "show_box", answer)
    return shown


@pytest.fixture
def signed_ins() -> Iterator[list[SignedIn]]:
    """Databases opened by a test, closed after it."""
    opened: list[SignedIn] = []
    yield opened
    for signed in opened:
        signed.db.close()


def type_into(qtbot: QtBot, field: Any, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def sign_in_as(qtbot: QtBot, username: str, password: str) -> Fill:
    def fill(dialog: SignInDialog) -> None:
        type_into(qtbot, dialog.username, username)
        type_into(qtbot, dialog.password, password)
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)

    return fill


def first_start(qtbot: QtBot, password: str = PASSWORD, again: str = PASSWORD) -> Fill:
    def fill(dialog: FirstStartDialog) -> None:
        type_into(qtbot, dialog.username, "ada.admin")
        type_into(qtbot, dialog.display_name, "Ada Lovelace")
        type_into(qtbot, dialog.password, password)
        type_into(qtbot, dialog.again, again)
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)

    return fill


def encrypted_database(path: Path) -> None:
    """An encrypted database whose administrator is admin.ada (password PASSWORD)."""
    create_encrypted_database(str(path), "admin.ada", "Ada Admin", PASSWORD, lambda: NOW).db.close()


# The first start -----------------------------------------------------------------------------


def test_the_first_start_creates_an_encrypted_database_and_its_administrator(
    qtbot: QtBot, tmp_path: Path, answers: list[Fill], signed_ins: list[SignedIn]
) -> None:
    target = tmp_path / "homeward.sqlite"
    answers.append(first_start(qtbot))
    signed = open_for_window(str(target))
    assert signed is not None
    signed_ins.append(signed)
    assert signed.actor.username == "ada.admin" and signed.actor.role == "administrator"
    assert signed.db.encrypted and signed.db.exclusive  # the window holds the file's lock
    assert is_encrypted(target) and has_keyring(target)
    signed.db.close()
    signed_ins.clear()
    with pytest.raises(DatabaseLocked, match="is encrypted; sign in to open it"):
        open_database(str(target))
    with pytest.raises(SignInFailed, match=r"Wrong password for ada\.admin"):
        sign_in(str(target), "ada.admin", lambda: "not the password at all")
    again = sign_in(str(target), "ada.admin", lambda: PASSWORD)
    with again.db.session() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    again.db.close()
    assert actions[-1] == "signin" and "create" in actions  # the account, audited


def test_the_first_start_says_what_is_wrong_and_creates_nothing_until_it_is_right(
    qtbot: QtBot, tmp_path: Path, signed_ins: list[SignedIn]
) -> None:
    target = tmp_path / "homeward.sqlite"
    dialog = FirstStartDialog(lambda u, n, p: create_first(str(target), u, n, p), target)
    qtbot.addWidget(dialog)
    dialog.show()
    first_start(qtbot, password="short", again="short")(dialog)
    assert "Password: use at least 10 characters" in dialog.message.text()
    assert not target.exists() and dialog.result() != QDialog.DialogCode.Accepted
    first_start(qtbot, password=PASSWORD, again=PASSWORD + "!")(dialog)
    assert "The same again: the two passwords differ" in dialog.message.text()
    assert dialog.strength.text() == "Long enough; the two passwords differ"
    assert not target.exists()
    first_start(qtbot)(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.signed_in is not None
    signed_ins.append(dialog.signed_in)
    assert is_encrypted(target)


def test_giving_up_at_the_first_start_leaves_no_file(tmp_path: Path, answers: list[Fill]) -> None:
    target = tmp_path / "homeward.sqlite"
    answers.append(lambda dialog: dialog.reject())
    assert open_for_window(str(target)) is None
    assert list(tmp_path.iterdir()) == []


# Signing in ----------------------------------------------------------------------------------


def sign_in_dialog(qtbot: QtBot, target: Path) -> SignInDialog:
    dialog = opening.sign_in_dialog(str(target), target, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


# The keyboard: Enter does what the accept button does, Escape cancels ----------------------


def activate(qtbot: QtBot, dialog: QDialog) -> None:
    """The dialog as the active window, as it is on screen (the focus lives there)."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def press(qtbot: QtBot, key: Qt.Key) -> None:
    """A key pressed where the focus is, as in the real window."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key)


def type_here(qtbot: QtBot, text: str) -> None:
    """Text typed where the focus is."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClicks(focused, text)


def first_start_by_keys(qtbot: QtBot) -> Fill:
    def fill(dialog: FirstStartDialog) -> None:
        activate(qtbot, dialog)
        for field, text in (
            (dialog.username, "ada.admin"),
            (dialog.display_name, "Ada Lovelace"),
            (dialog.password, PASSWORD),
            (dialog.again, PASSWORD),
        ):
            type_into(qtbot, field, text)
        press(qtbot, Qt.Key.Key_Return)

    return fill


def test_enter_after_the_password_again_creates_the_database(
    qtbot: QtBot, tmp_path: Path, answers: list[Fill], signed_ins: list[SignedIn]
) -> None:
    target = tmp_path / "homeward.sqlite"
    answers.append(first_start_by_keys(qtbot))
    signed = open_for_window(str(target))
    assert signed is not None, "Enter closed the first start without creating anything"
    signed_ins.append(signed)
    assert signed.actor.username == "ada.admin" and is_encrypted(target)


def test_enter_after_the_password_signs_in_and_escape_cancels(
    qtbot: QtBot,
    tmp_path: Path,
    answers: list[Fill],
    signed_ins: list[SignedIn],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    monkeypatch.setattr(opening, "login_name", lambda: "")  # no name to offer: start there

    def by_keys(dialog: SignInDialog) -> None:
        activate(qtbot, dialog)
        type_here(qtbot, "admin.ada")
        press(qtbot, Qt.Key.Key_Tab)
        type_here(qtbot, PASSWORD)
        assert (dialog.username.text(), dialog.password.text()) == ("admin.ada", PASSWORD)
        press(qtbot, Qt.Key.Key_Return)

    answers.append(by_keys)
    signed = open_for_window(str(target))
    assert signed is not None, "Enter closed the sign-in without signing in"
    signed_ins.append(signed)
    assert signed.actor.username == "admin.ada"
    signed.db.close()
    signed_ins.clear()
    answers.append(lambda dialog: (activate(qtbot, dialog), press(qtbot, Qt.Key.Key_Escape)))
    assert open_for_window(str(target)) is None


def test_enter_with_a_wrong_password_says_so_and_keeps_the_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    dialog = sign_in_dialog(qtbot, target)
    activate(qtbot, dialog)
    type_into(qtbot, dialog.username, "admin.ada")
    type_into(qtbot, dialog.password, "not the password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.message.text().startswith("Wrong password")
    assert QApplication.focusWidget() is dialog.password


def test_a_wrong_password_is_said_so_and_the_dialog_stays(
    qtbot: QtBot, tmp_path: Path, signed_ins: list[SignedIn]
) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    dialog = sign_in_dialog(qtbot, target)
    sign_in_as(qtbot, "admin.ada", "not the password")(dialog)
    assert dialog.message.isVisible()
    assert dialog.message.text() == (
        "Wrong password for admin.ada (4 more tries before the account locks for 15 minutes)."
    )
    assert dialog.password.text() == "" and dialog.result() != QDialog.DialogCode.Accepted
    sign_in_as(qtbot, "admin.ada", PASSWORD)(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.signed_in is not None
    signed_ins.append(dialog.signed_in)
    assert dialog.signed_in.actor.role == "administrator"


def test_an_unknown_user_is_told_to_check_the_name(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    dialog = sign_in_dialog(qtbot, target)
    sign_in_as(qtbot, "admin.adaa", PASSWORD)(dialog)
    assert dialog.message.text().startswith("admin.adaa has no key to homeward.sqlite; check")
    sign_in_as(qtbot, "", "")(dialog)
    assert dialog.message.text() == "Type your user name and your password."


def test_after_five_wrong_passwords_the_account_is_locked_with_the_time_left(
    qtbot: QtBot, tmp_path: Path
) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    dialog = sign_in_dialog(qtbot, target)
    for _ in range(5):
        sign_in_as(qtbot, "admin.ada", "not the password")(dialog)
    assert "after 5 failed sign-ins the account is locked for 15 minutes" in dialog.message.text()
    sign_in_as(qtbot, "admin.ada", PASSWORD)(dialog)  # even the right one, while locked
    assert dialog.message.text().startswith("admin.ada is locked after 5 failed sign-ins")
    assert dialog.message.text().endswith("It is locked for 15 more minutes.")
    assert dialog.signed_in is None


def test_a_plain_database_with_accounts_asks_and_one_without_does_not(
    qtbot: QtBot, tmp_path: Path, answers: list[Fill], signed_ins: list[SignedIn]
) -> None:
    plain = tmp_path / "plain.sqlite"
    open_database(str(plain)).close()
    signed = open_for_window(str(plain))  # no dialog: `answers` is empty
    assert signed is not None and signed.actor.role is None and signed.db.exclusive
    signed.db.close()
    db = open_database(str(plain))
    build_world(db)
    db.close()
    answers.append(sign_in_as(qtbot, "pcso.jones", PASSWORD))
    signed = open_for_window(str(plain))
    assert signed is not None
    signed_ins.append(signed)
    assert signed.actor.role == "pcso" and signed.actor.home_ids == {1}


def test_a_second_window_on_the_same_file_is_refused_in_a_dialog(
    tmp_path: Path, boxes: list[QMessageBox], answers: list[Fill]
) -> None:
    target = tmp_path / "homeward.sqlite"
    open_database(str(target)).close()
    holder = open_database(str(target), exclusive=True)
    try:
        assert open_for_window(str(target)) is None
    finally:
        holder.close()
    assert boxes[-1].text() == "Homeward is already open"
    assert boxes[-1].informativeText().startswith(f"Homeward is already open on {target}")


def test_an_encrypted_database_without_its_key_file_says_so_before_asking(
    tmp_path: Path, boxes: list[QMessageBox], answers: list[Fill]
) -> None:
    target = tmp_path / "homeward.sqlite"
    encrypted_database(target)
    Path(f"{target}.keys").unlink()
    assert open_for_window(str(target)) is None  # no dialog: `answers` holds no answer
    assert boxes[-1].text() == "The key file is missing"
    assert "its key file homeward.sqlite.keys is missing" in boxes[-1].informativeText()


def test_a_damaged_database_offers_its_newest_backup_and_restores_it(
    qtbot: QtBot, tmp_path: Path, boxes: list[QMessageBox], signed_ins: list[SignedIn]
) -> None:
    target = tmp_path / "homeward.sqlite"
    db = open_database(str(target))
    world = build_world(db)
    db.close()
    backup = backup_database(target, tmp_path / "backups" / "homeward-20251114-080000-daily.sqlite")
    damage(target)
    signed = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SignInDialog, "exec", _signs_in(qtbot, "admin.ada"))
        signed = open_for_window(str(target))
    assert signed is not None
    signed_ins.append(signed)
    box = boxes[0]
    assert box.text() == "The database is damaged"
    assert box.informativeText().startswith(f"The database {target} is damaged (")
    assert f"the newest backup, {backup.name}, in its place" in box.informativeText()
    with signed.db.session() as session:
        children = session.scalars(select(Child.local_ref).order_by(Child.local_ref)).all()
    assert children == ["C1", "C2"]  # the backup's records, in the database's place
    assert signed.actor.username == "admin.ada" and world.amy
    assert len(list(tmp_path.glob("homeward.sqlite.before-restore-*"))) == 1  # the damaged one


def _signs_in(qtbot: QtBot, username: str) -> Callable[[SignInDialog], int]:
    def exec_(dialog: SignInDialog) -> int:
        dialog.show()
        sign_in_as(qtbot, username, PASSWORD)(dialog)
        return dialog.result()

    return exec_


# The signed-in window ------------------------------------------------------------------------


@pytest.fixture
def world(db: Any) -> World:
    return build_world(db)


def stop(window: MainWindow) -> None:
    window.context.worker.stop()


def test_the_status_bar_shows_the_name_and_role_of_who_signed_in(
    qtbot: QtBot, world: World
) -> None:
    window = window_as(qtbot, world.db, "sgt.lee")
    try:
        assert "Signed in as Sgt.Lee (supervisor), user sgt.lee" in window.status_text.text()
    finally:
        stop(window)


def test_opening_a_child_or_an_episode_is_audited_as_a_view(qtbot: QtBot, world: World) -> None:
    window = window_as(qtbot, world.db, "pcso.jones")
    try:
        window.open_child(world.amy)
        window.open_episode(world.amy_episode)
        qtbot.waitUntil(lambda: window.context.worker.pending == 0, timeout=5000)
    finally:
        stop(window)
    assert audited_views(world.db) == [
        ("pcso.jones", "children", world.amy),
        ("pcso.jones", "missing_episodes", world.amy_episode),
        ("pcso.jones", "children", world.amy),
    ]


def test_a_pcso_is_not_shown_a_child_of_another_home_and_no_view_is_audited(
    qtbot: QtBot, world: World
) -> None:
    window = window_as(qtbot, world.db, "pcso.jones")
    try:
        window.open_child(world.ben)
        page: Any = window.current_page()
        assert page.name_label.text() == "Not one of your children"
        assert "not been placed at one of their homes" in page.facts.text()
        assert not page.scroll.isVisible()
        qtbot.waitUntil(lambda: window.context.worker.pending == 0, timeout=5000)
    finally:
        stop(window)
    with world.db.session() as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "view")) is None


def visible_buttons(page: Any) -> set[str]:
    return {b.text() for b in page.findChildren(QPushButton) if b.isVisibleTo(page)}


def test_an_analyst_sees_no_record_buttons_and_no_names(qtbot: QtBot, world: World) -> None:
    window = window_as(qtbot, world.db, "analyst.kim")
    try:
        window.open_child(world.amy)
        page: Any = window.current_page()
        assert page.name_label.text() == "Child C1" and "Amy" not in window.windowTitle()
        assert not {"Record &missing…", "Edit &child…"} & visible_buttons(page)
        window.record_missing(world.amy)  # Ctrl+N: nothing opens
        assert not [w for w in window.findChildren(QDialog) if w.isVisible()]
        window.show_page("Children")
        table = window.current_page().findChild(QTableView)
        assert table is not None and table.isColumnHidden(0)  # Name
        window.current_page().apply_filters()  # type: ignore[attr-defined]
        assert table.isColumnHidden(0)  # still, after the table reloads
        assert not table.isColumnHidden(1)  # Reference
        assert [m.local_ref for m in window.search.search("Amy")] == []  # not by name
        assert list(window.search.matches) == []
        assert list(map(window.search._label, window.search.search("C1"))) == ["C1"]
        for name in ("Today", "Children", "Episodes", "Homes"):
            window.show_page(name)
            assert not names_shown(window.current_page()), name
        window.open_home(world.oak)
        assert "C1" in table_texts(window.current_page())
        assert not names_shown(window.current_page())
        behind = chart_dialog(window, world)
        assert "C1" in table_texts(behind) and not names_shown(behind)
    finally:
        stop(window)


def table_texts(widget: Any) -> str:
    """The text of every column a person can see in the widget's tables."""
    texts = []
    for view in widget.findChildren(QTableView):
        model = view.model()
        for row in range(min(model.rowCount(), 40)):
            for column in range(model.columnCount()):
                if not view.isColumnHidden(column):
                    texts.append(str(model.index(row, column).data() or ""))
    return " ".join(texts)


def names_shown(widget: Any) -> bool:
    shown = table_texts(widget)
    return any(name in shown for name in ("Amy", "Ash", "Ben", "Birch"))


def chart_dialog(window: MainWindow, world: World) -> Any:
    """The episodes behind a chart's bar: a window of its own, with a Child column."""
    from missing_app.gui.widgets.chart import EpisodesBehind, EpisodesFound

    dialog = EpisodesBehind(window.context, parent=window)
    row = (world.amy_episode, NOW, "Amy Ash", "C1", "Oakview House", "missing", "high", None,
           5.0, None)  # fmt: skip
    dialog.show_episodes(EpisodesFound("Episodes in October", 1, [row]))
    dialog.show()
    return dialog


def test_a_pcso_sees_settings_but_cannot_change_them(qtbot: QtBot, world: World) -> None:
    window = window_as(qtbot, world.db, "pcso.jones")
    try:
        window.show_page("Settings")
        page: Any = window.current_page()
        assert not page.save_button.isVisibleTo(page)
        assert all(row.editor.isReadOnly() for row in page.rows)
        assert page.status.text() == "Only a supervisor or an administrator can change settings."
        window.show_page("Homes")
        assert "&New home…" not in visible_buttons(window.current_page())
    finally:
        stop(window)


def test_a_supervisor_keeps_every_button(qtbot: QtBot, world: World) -> None:
    window = window_as(qtbot, world.db, "sgt.lee")
    try:
        window.open_child(world.amy)
        assert {"Record &missing…", "Edit &child…"} <= visible_buttons(window.current_page())
        assert window.current_page().name_label.text() == "Amy Ash"  # type: ignore[attr-defined]
        for name in ("Today", "Children", "Episodes"):
            window.show_page(name)
            assert names_shown(window.current_page()), name  # what the analyst does not see
        window.show_page("Settings")
        assert window.current_page().save_button.isVisibleTo(window.current_page())  # type: ignore[attr-defined]
    finally:
        stop(window)


def test_a_database_without_accounts_has_no_lock_and_no_sign_out(
    window: MainWindow, context: AppContext
) -> None:
    assert window.idle_lock is None and not context.has_accounts
    (account,) = window.menuBar().actions()
    assert [a.text() for a in account.menu().actions()] == ["&Help", "&Quit"]


def test_the_application_starts_signed_in_takes_the_days_backup_and_lets_go_at_the_end(
    qtbot: QtBot, tmp_path: Path, answers: list[Fill], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from PySide6.QtWidgets import QApplication

    from missing_app.gui.app import run_application

    shown: list[MainWindow] = []

    def exec_(app: QApplication) -> int:
        ours = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        shown.extend(w for w in ours if w.context.db.path == target)  # not earlier tests'
        return 0

    target = tmp_path / "homeward.sqlite"
    monkeypatch.setattr(QApplication, "exec", exec_)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    answers.append(first_start(qtbot))
    assert run_application(str(target)) == 0
    assert len(shown) == 1
    window = shown[0]
    assert window.context.who.role == "administrator" and window.idle_lock is not None
    assert "Signed in as Ada Lovelace (administrator), user ada.admin" in (
        window.status_text.text()
    )
    window.close()
    daily = list((tmp_path / "backups").glob("homeward-*-daily.sqlite"))
    assert len(daily) == 1 and is_encrypted(daily[0]) and has_keyring(daily[0])
    DatabaseLock(target).acquire().release()  # the window let go of the file
    answers.append(lambda dialog: dialog.reject())  # next time: the sign-in, not a first start
    assert run_application(str(target)) == 1


def test_sign_out_brings_back_the_sign_in_window_with_nothing_left_on_screen(
    qtbot: QtBot, tmp_path: Path, answers: list[Fill], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from PySide6.QtWidgets import QApplication

    from missing_app.gui.app import run_application

    target = tmp_path / "homeward.sqlite"
    seen: list[list[str]] = []

    def exec_(app: QApplication) -> int:
        ours = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        (window,) = [w for w in ours if w.context.db.path == target]
        window.record_missing()  # a form open
        window.sign_out()
        seen.append([type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()])
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    answers.append(first_start(qtbot))
    answers.append(sign_in_as(qtbot, "ada.admin", PASSWORD))  # after Sign out: signs in again
    answers.append(lambda dialog: dialog.reject())  # after the second Sign out: goes home
    assert run_application(str(target)) == 0
    assert seen == [[], []]  # nothing left on screen, twice
    assert answers == []  # the sign-in window came back each time
    DatabaseLock(target).acquire().release()  # and the file was let go
