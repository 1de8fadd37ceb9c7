"""The Users page: the accounts listed, a user added who can then sign in, a role changed, a
password set, names granted, an account removed, the core's refusals shown; and the
safeguard pages in the navigation only for the roles they serve."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.errors import ValidationError
from missing_app.core.models import AuditEvent
from missing_app.core.security.access import resolve_actor
from missing_app.core.security.errors import PermissionDenied, SignInFailed
from missing_app.core.security.signin import sign_in
from missing_app.core.security.users import Users
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.account import (
    AddUserDialog,
    PasswordDialog,
    PasswordFields,
    RoleDialog,
)
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.users import UsersPage
from tests.conftest import NOW
from tests.gui.accounts import context_as, nav_names, page_as, window_for
from tests.gui.conftest import wait_for_writes
from tests.security_helpers import PASSWORD, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

NEW_PASSWORD = "a river of blue glass"
SAFEGUARDS = ["Retention", "Audit log", "Users", "Backup & restore"]


@pytest.fixture
def admin(db: Database) -> Iterator[AppContext]:
    build_world(db)
    with context_as(db, "admin.ada") as context:
        yield context


@pytest.fixture
def window(qtbot: QtBot, admin: AppContext) -> MainWindow:
    made = window_for(qtbot, admin)
    made.show_page("Users")
    return made


def users_page(window: MainWindow) -> UsersPage:
    page = window.current_page()
    assert isinstance(page, UsersPage)
    return page


def row_of(page: UsersPage, username: str) -> list[str]:
    for row in range(page.table.rowCount()):
        if page.table.item(row, 0).text() == username:
            return [page.table.item(row, c).text() for c in range(page.table.columnCount())]
    raise AssertionError(f"{username} is not listed")


def add_user_form(
    page: UsersPage, username: str, display_name: str, role: str | None = None
) -> AddUserDialog:
    """Open the Add user form and fill in the account (the passwords are left to the test)."""
    page.add_button.click()
    form = page.form
    assert isinstance(form, AddUserDialog)
    form.username.setText(username)
    form.display_name.setText(display_name)
    if role is not None:
        form.role.setCurrentIndex(form.role.findData(role))
    return form


def set_passwords(passwords: PasswordFields, password: str, again: str | None = None) -> None:
    """Type the password and its repeat (the same unless `again` is given)."""
    passwords.password.setText(password)
    passwords.again.setText(password if again is None else again)


def give_new_password(qtbot: QtBot, admin: AppContext, page: UsersPage, username: str) -> None:
    """Set NEW_PASSWORD for `username` through the page's Set password form."""
    page.select(username)
    page.password_button.click()
    form = page.form
    assert isinstance(form, PasswordDialog)
    set_passwords(form.passwords, NEW_PASSWORD)
    form.save()
    wait_for_writes(qtbot, admin)


def signs_in(db: Database, username: str, password: str) -> str | None:
    """The role `username` signs in with, on the database file."""
    assert db.path is not None
    signed = sign_in(str(db.path), username, lambda: password, now=lambda: NOW)
    signed.db.close()
    return signed.actor.role


def test_the_page_lists_every_account_with_role_and_state(window: MainWindow) -> None:
    page = users_page(window)
    assert row_of(page, "admin.ada") == ["admin.ada", "Ada Admin", "administrator", "Active",
                                         "Yes", ""]  # fmt: skip
    assert row_of(page, "pcso.jones")[2:] == ["PCSO", "Active", "Yes", "SC100001"]
    assert row_of(page, "analyst.kim")[2:5] == ["analyst", "Active", "No: codes only"]
    assert page.count.text() == "5 of 5 can sign in"


def test_an_added_user_can_then_sign_in_with_the_core(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    page = users_page(window)
    form = add_user_form(page, "pcso.patel", "Priya Patel", "pcso")
    set_passwords(form.passwords, NEW_PASSWORD)
    form.save()
    wait_for_writes(qtbot, admin)
    assert row_of(page, "pcso.patel")[:4] == ["pcso.patel", "Priya Patel", "PCSO", "Active"]
    assert signs_in(db, "pcso.patel", NEW_PASSWORD) == "pcso"


def test_typing_slips_are_shown_under_their_fields_and_nothing_is_added(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    page = users_page(window)
    form = add_user_form(page, "Bad Name", "Someone")
    set_passwords(form.passwords, NEW_PASSWORD, NEW_PASSWORD + "!")
    form.save()
    assert form.errors["again"].text() == "the two passwords differ"
    set_passwords(form.passwords, "short")
    form.save()
    wait_for_writes(qtbot, admin)
    assert "use at least 10 characters" in form.errors["password"].text()
    assert "lower-case letters" in form.errors["username"].text()
    assert form.isVisible()
    assert "bad name" not in {a.username for a in Users(db, "admin.ada").list_users()}


def test_a_role_changed_through_the_page_is_the_role_the_core_applies(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    page = users_page(window)
    page.select("pcso.smith")
    page.role_button.click()
    form = page.form
    assert isinstance(form, RoleDialog)
    form.role.setCurrentIndex(form.role.findData("supervisor"))
    form.save()
    wait_for_writes(qtbot, admin)
    assert row_of(page, "pcso.smith")[2] == "supervisor"
    with db.session() as session:
        assert resolve_actor(session, "pcso.smith").role == "supervisor"
        change = session.scalars(select(AuditEvent).where(AuditEvent.why == "role changed")).one()
    assert change.username == "admin.ada"


def test_an_administrator_cannot_change_their_own_role_or_remove_themselves(
    window: MainWindow,
) -> None:
    page = users_page(window)
    page.select("admin.ada")
    assert page.password_button.isEnabled()
    assert not page.role_button.isEnabled() and not page.remove_button.isEnabled()


def test_a_new_password_lets_the_user_sign_in_with_it(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    give_new_password(qtbot, admin, users_page(window), "analyst.kim")
    assert signs_in(db, "analyst.kim", NEW_PASSWORD) == "analyst"
    with pytest.raises(SignInFailed):
        signs_in(db, "analyst.kim", PASSWORD)


def test_names_are_granted_to_an_analyst_and_withdrawn(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    page = users_page(window)
    page.select("pcso.jones")
    assert not page.names_button.isEnabled()  # only analysts have names hidden
    page.select("analyst.kim")
    assert page.names_button.text() == "Let see &names"
    page.names_button.click()
    wait_for_writes(qtbot, admin)
    assert row_of(page, "analyst.kim")[4] == "Yes (granted)"
    with db.session() as session:
        assert resolve_actor(session, "analyst.kim").names_granted
    assert page.names_button.text() == "Withdraw &names"
    page.names_button.click()
    wait_for_writes(qtbot, admin)
    assert row_of(page, "analyst.kim")[4] == "No: codes only"


def test_a_removed_user_can_no_longer_sign_in(
    qtbot: QtBot,
    window: MainWindow,
    admin: AppContext,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page = users_page(window)
    page.select("pcso.smith")
    page.remove_button.click()
    wait_for_writes(qtbot, admin)
    assert row_of(page, "pcso.smith")[3] == "Removed"
    with pytest.raises(SignInFailed):
        signs_in(db, "pcso.smith", PASSWORD)


def test_the_first_account_is_offered_as_the_users_own_administrator_account(
    qtbot: QtBot, context: AppContext
) -> None:
    page = UsersPage(context)  # a database without accounts: anyone may add the first
    qtbot.addWidget(page)
    assert page.count.text().startswith("No one can sign in yet: anyone who opens")
    page.add_button.click()
    form = page.form
    assert isinstance(form, AddUserDialog)
    assert form.username.text() == "pcso.jones" and form.role.currentData() == "administrator"


def test_the_core_refusal_is_shown_in_the_page(qtbot: QtBot, db: Database) -> None:
    build_world(db)
    with page_as(qtbot, db, "sgt.lee", UsersPage) as page:
        assert page.denied.text() == (
            "sgt.lee (supervisor) cannot manage users; ask an administrator."
        )
        assert not page.table.isVisible()


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("admin.ada", SAFEGUARDS),
        ("sgt.lee", ["Retention", "Audit log"]),
        ("pcso.jones", []),
        ("analyst.kim", []),
    ],
)
def test_the_navigation_shows_the_safeguard_pages_to_the_roles_they_serve(
    qtbot: QtBot, db: Database, username: str, shown: list[str]
) -> None:
    build_world(db)
    with context_as(db, username) as context:
        window = window_for(qtbot, context)
        names = nav_names(window)
        assert [name for name in names if name in SAFEGUARDS] == shown
        assert names[-1] == (shown[-1] if shown else "Settings")


def test_in_an_encrypted_database_the_added_user_gets_a_key_to_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from missing_app.core.security.encryption import create_encrypted_database

    path = tmp_path / "secret.sqlite"
    signed = create_encrypted_database(str(path), "admin.ada", "Ada Admin", PASSWORD)
    try:
        with context_as(signed.db, "admin.ada") as admin:
            page = UsersPage(admin)
            qtbot.addWidget(page)
            form = add_user_form(page, "sgt.lee", "Sam Lee", "supervisor")
            set_passwords(form.passwords, NEW_PASSWORD)
            form.save()
            wait_for_writes(qtbot, admin)
    finally:
        signed.db.close()
    lee = sign_in(str(path), "sgt.lee", lambda: NEW_PASSWORD)  # the keyring unwraps the key
    try:
        assert lee.actor.role == "supervisor" and lee.key == signed.key
    finally:
        lee.db.close()


def test_a_locked_account_shows_until_when_and_a_new_password_unlocks_it(
    qtbot: QtBot, window: MainWindow, admin: AppContext, db: Database
) -> None:
    for _ in range(5):  # the lock-out: five wrong passwords
        with pytest.raises(SignInFailed):
            signs_in(db, "pcso.jones", "not the password")
    page = users_page(window)
    page.refresh()
    assert row_of(page, "pcso.jones")[3] == "Locked until 15/11 12:15"  # NOW + 15 min
    give_new_password(qtbot, admin, page, "pcso.jones")
    assert row_of(page, "pcso.jones")[3] == "Active"
    assert signs_in(db, "pcso.jones", NEW_PASSWORD) == "pcso"


def test_the_core_refuses_a_role_change_of_oneself_by_others_or_to_no_role(
    admin: AppContext, db: Database
) -> None:
    with pytest.raises(PermissionDenied, match="cannot change your own role"):
        Users(db, "admin.ada").set_role("admin.ada", "pcso")
    with pytest.raises(PermissionDenied, match="cannot manage users"):
        Users(db, "sgt.lee").set_role("pcso.jones", "supervisor")
    with pytest.raises(ValidationError, match="'chief' is not a role"):
        Users(db, "admin.ada").set_role("pcso.jones", "chief")
    with db.session() as session:
        assert resolve_actor(session, "pcso.jones").role == "pcso"
        assert resolve_actor(session, "admin.ada").role == "administrator"
