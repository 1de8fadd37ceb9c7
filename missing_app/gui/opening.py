"""Opening the database for the window: the first start, signing in, and a clear dialog
(never a traceback) when the file is busy, damaged, or its key file is missing.

A database file that does not exist yet is created encrypted, with its first administrator
("a database created by the application is encrypted"). An encrypted file, or a plain one
with accounts, asks who is signing in. A plain file without accounts (the demo, tests, files
from before sign-in) opens as before. The window holds the file's lock while it is open.
A damaged file offers to restore the newest backup in its place.
"""

from __future__ import annotations

import getpass
import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget
from sqlalchemy import select

from missing_app.config import APP_NAME
from missing_app.core.db import DatabaseDamaged, DatabaseInUse, open_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.db.files import remove_sidecars
from missing_app.core.db.rotation import keyring_of, newest_backup
from missing_app.core.errors import HomewardError
from missing_app.core.models import User
from missing_app.core.security import keyring as keys
from missing_app.core.security.encryption import create_encrypted_database
from missing_app.core.security.signin import SignedIn, database_file, sign_in, unlock_key
from missing_app.gui.signin import FirstStartDialog, SignInDialog, busy, login_name

log = logging.getLogger(__name__)


class PasswordNeeded(Exception):
    """The plain database has accounts: the sign-in dialog must ask who is signing in."""


def _password_needed() -> str:
    raise PasswordNeeded


def show_box(box: QMessageBox) -> QAbstractButton | None:
    """Show a message until it is answered; the button clicked (tests replace this)."""
    box.exec()
    return box.clickedButton()


def open_for_window(target: str, parent: QWidget | None = None) -> SignedIn | None:
    """The database at `target`, signed in and locked for this window; None when the person
    gave up (or was told why it cannot be opened)."""
    try:
        return _open(target, parent)
    except DatabaseDamaged as exc:
        return offer_restore(target, exc, parent)
    except HomewardError as exc:
        show_open_error(exc, parent)
        return None


def is_new(path: Path) -> bool:
    """Whether there is no database at `path` yet (no file, or an empty one)."""
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def _open(target: str, parent: QWidget | None) -> SignedIn | None:
    path = database_file(target)
    if path is not None and is_new(path):
        create = lambda u, n, p: create_first(target, u, n, p)  # noqa: E731
        return FirstStartDialog(create, path, parent).run()
    if path is not None and is_encrypted(path):
        keys.load_keyring(path)  # a missing key file is said before any password is asked
        return sign_in_dialog(target, path, parent).run()
    try:
        return sign_in(target, _login(), _password_needed, exclusive=True)
    except PasswordNeeded:
        return sign_in_dialog(target, path, parent).run()


def _login() -> str:
    """Who opens a database without accounts: the computer's login name, as before."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name at all (some containers, services)
        return "homeward"


def sign_in_dialog(target: str, path: Path | None, parent: QWidget | None) -> SignInDialog:
    """The dialog that signs in to `target` (and holds its lock once signed in)."""
    return SignInDialog(
        lambda u, p: sign_in(target, u, lambda: p, exclusive=True),
        path.name if path is not None else target,
        username=login_name(),
        locked_until=(lambda u: locked_until(path, u)) if path is not None else None,
        parent=parent,
    )


def locked_until(path: Path, username: str) -> datetime | None:
    """When `username`'s lock-out ends (None if not locked or not known)."""
    try:
        if is_encrypted(path):
            return keys.load_keyring(path).locked_until(username)
        db = open_database(str(path), upgrade=False)
        try:
            with db.session() as session:
                return session.scalar(select(User.locked_until).where(User.username == username))
        finally:
            db.close()
    except (HomewardError, OSError):
        return None


def create_first(target: str, username: str, display_name: str, password: str) -> SignedIn:
    """A new encrypted database and its first administrator, signed in and locked."""
    path = database_file(target)
    assert path is not None
    try:
        created = create_encrypted_database(target, username, display_name, password)
    except BaseException:
        _discard_new(path)
        raise
    key, actor = created.key, created.actor
    created.db.close()
    return SignedIn(open_database(target, key=key, exclusive=True), actor)


def _discard_new(path: Path) -> None:
    """Remove what a failed first start left (the file did not exist before it)."""
    for leftover in (path, keyring_of(path)):
        leftover.unlink(missing_ok=True)
    remove_sidecars(path)


# When it cannot be opened ------------------------------------------------------------------

TITLES = {
    DatabaseInUse: "Homeward is already open",
    keys.KeyringError: "The key file is missing",
}


def show_open_error(error: HomewardError, parent: QWidget | None = None) -> None:
    """Why the database cannot be opened, in a dialog that says what to do."""
    title = next((t for kind, t in TITLES.items() if isinstance(error, kind)), None)
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, title or "The database cannot be opened",
                      QMessageBox.StandardButton.Close, parent)  # fmt: skip
    box.setInformativeText(str(error))
    log.warning("cannot open the database: %s", error)
    show_box(box)


def offer_restore(
    target: str, error: DatabaseDamaged, parent: QWidget | None = None
) -> SignedIn | None:
    """Say the file is damaged and offer its newest backup in its place."""
    path = database_file(target)
    newest = newest_backup(path) if path is not None else None
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "The database is damaged",
                      QMessageBox.StandardButton.Close, parent)  # fmt: skip
    details = str(error)
    restore = None
    if newest is not None and path is not None:
        details += (
            f"\n\nRestore puts the newest backup, {newest.name}, in its place once it checks "
            f"out; the damaged file is kept beside it as {path.name}.before-restore-…. "
            "Anything recorded after that backup was taken must be entered again."
        )
        restore = box.addButton("Restore the newest backup", QMessageBox.ButtonRole.AcceptRole)
    box.setInformativeText(details)
    log.error("damaged database: %s", error)
    if restore is None or show_box(box) is not restore:
        return None
    try:
        return _restore(target, newest, parent)  # type: ignore[arg-type]
    except HomewardError as exc:
        show_open_error(exc, parent)
        return None


def _restore(target: str, backup: Path, parent: QWidget | None) -> SignedIn | None:
    """Restore `backup` over the database, then sign in to it."""
    from missing_app.core.db.restore import restore_database

    path = database_file(target)
    assert path is not None
    if not is_encrypted(backup):
        busy(lambda: restore_database(backup, path))
        return open_for_window(target, parent)

    def restore_and_sign_in(username: str, password: str) -> SignedIn:
        restore_database(backup, path, unlock_key(backup, username, password))
        return sign_in(target, username, lambda: password, exclusive=True)

    intro = (
        f"The backup {backup.name} is encrypted: sign in as you would have when it was "
        "taken, to check it and put it in place."
    )
    return SignInDialog(
        restore_and_sign_in, backup.name, username=login_name(), intro=intro, parent=parent
    ).run()
