"""Signing in to the window: the first start (a new encrypted database and its first
administrator) and the sign-in dialog, both turning the core's refusals into plain words.

Each dialog is given what to try (`attempt`), so the same dialog signs in at start-up,
restores a backup with a password, or is driven by tests without a real modal loop.
"""

from __future__ import annotations

import getpass
import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from missing_app.config import APP_NAME
from missing_app.core.errors import HomewardError, Problem, ValidationError
from missing_app.core.security.errors import AccountLocked, SignInFailed
from missing_app.core.security.passwords import MIN_LENGTH, password_problems
from missing_app.core.security.signin import SignedIn
from missing_app.core.security.users import USERNAME
from missing_app.core.times import utc_now
from missing_app.gui.dialogs.focus import chain_tabs, tab_stops

log = logging.getLogger(__name__)

T = TypeVar("T")
Attempt = Callable[[str, str], SignedIn]
Create = Callable[[str, str, str], SignedIn]
STRENGTH_RULE = (
    f"At least {MIN_LENGTH} characters. A few ordinary words you will remember make a strong "
    "password (for example: kettle orchard number lamp)."
)


def login_name() -> str:
    """The computer's login name as a Homeward user name would be written (or '')."""
    try:
        name = getpass.getuser().strip().lower()
    except (KeyError, OSError):  # no login name at all (some containers, services)
        return ""
    name = re.sub(r"[^a-z0-9._-]", ".", name)
    return name if USERNAME.fullmatch(name) else ""


def minutes_left(until: datetime | None, now: datetime) -> int | None:
    """Whole minutes (rounded up) until a lock-out ends, or None when it has ended."""
    if until is None or until <= now:
        return None
    return max(1, -(-int((until - now).total_seconds()) // 60))


def refusal_text(
    error: SignInFailed, until: datetime | None = None, now: datetime | None = None
) -> str:
    """The core's message, with how long a lock-out still runs when that is known."""
    text = str(error)
    if not isinstance(error, AccountLocked) or error.reason != "account locked":
        return text  # (a lock that this very attempt began says its length itself)
    left = minutes_left(until, now or utc_now())
    if left is not None:
        text += f" It is locked for {left} more minute{'s' if left != 1 else ''}."
    return text


def busy(work: Callable[[], T]) -> T:
    """Run `work` with the wait cursor (a password check takes a moment on purpose)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return work()
    finally:
        QGuiApplication.restoreOverrideCursor()


class _Dialog(QDialog):
    """What both dialogs share: an intro, labelled fields, a message line, two buttons."""

    def __init__(self, title: str, intro: str, accept_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.signed_in: SignedIn | None = None
        self.error: HomewardError | None = None  # a failure that ends the dialog
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("signinTitle")
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setObjectName("pageSubtitle")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.message = QLabel()
        self.message.setObjectName("formBanner")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.addButton(
            accept_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for part in (heading, self.intro):
            layout.addWidget(part)
        layout.addLayout(self.grid)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def showEvent(self, event: QShowEvent) -> None:
        """Enter signs in (or creates), Escape cancels, Tab goes through the fields and then
        to the buttons. The accept button is made the
        default here, once it is inside the shown dialog: made default before, Qt forgets it
        and makes the first button (Cancel) the default, so Enter closed the window."""
        super().showEvent(event)
        self.accept_button.setDefault(True)
        chain_tabs(tab_stops(self.grid) + tab_stops(self.buttons.layout()))

    def add_field(self, label: str, widget: QLineEdit, hint: str = "") -> QLineEdit:
        row = self.grid.rowCount()
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.grid.addWidget(caption, row, 0)
        self.grid.addWidget(widget, row, 1)
        if hint:
            note = QLabel(hint)
            note.setObjectName("fieldHint")
            note.setWordWrap(True)
            self.grid.addWidget(note, row + 1, 1)
        return widget

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if self.isVisible():
            self.adjustSize()  # tall enough for every line of the message

    def submit(self) -> None:
        """What the accept button does (each dialog its own)."""
        raise NotImplementedError

    def finish(self, work: Callable[[], SignedIn]) -> None:
        """Run `work` and accept with who signed in. A refusal the user can put right here
        (SignInFailed, ValidationError) is raised to the caller; any other failure (a busy
        or damaged file) ends the dialog, for `run` to raise."""
        try:
            self.signed_in = busy(work)
        except (SignInFailed, ValidationError):
            raise
        except HomewardError as exc:
            self.error = exc
            self.reject()
            return
        self.accept()

    def run(self) -> SignedIn | None:
        """Show the dialog until it is done: who signed in, or None when cancelled.

        A failure the dialog cannot deal with (a busy or damaged file) is raised."""
        self.exec()
        if self.error is not None:
            raise self.error
        return self.signed_in


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class SignInDialog(_Dialog):
    """User name and password; wrong ones are said so, the lock-out with its time left."""

    def __init__(
        self,
        attempt: Attempt,
        where: str,
        *,
        username: str = "",
        intro: str = "",
        locked_until: Callable[[str], datetime | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        intro = intro or f"Sign in to open {where}."
        super().__init__(f"Sign in to {APP_NAME}", intro, "Sign in", parent)
        self.attempt = attempt
        self.locked_until = locked_until
        self.username = self.add_field("&User name", QLineEdit(username))
        self.password = self.add_field("&Password", password_field())
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.show_message("Type your user name and your password.")
            (self.password if username else self.username).setFocus()
            return
        try:
            self.finish(lambda: self.attempt(username, password))
        except SignInFailed as exc:
            until = self.locked_until(username) if self.locked_until else None
            self.show_message(refusal_text(exc, until))
            self.password.clear()
            self.password.setFocus()


class FirstStartDialog(_Dialog):
    """The first start: a new encrypted database, and its first user, the administrator."""

    def __init__(self, create: Create, where: Path, parent: QWidget | None = None) -> None:
        intro = (
            f"Welcome to {APP_NAME}. Your records will be kept encrypted in {where}. "
            "First, create your own account: you are its administrator, who adds the other "
            "users and makes backups. Without your password the records cannot be read, so "
            "choose one you will remember."
        )
        super().__init__(f"Set up {APP_NAME}", intro, "Create", parent)
        self.create_database = create
        self.username = self.add_field(
            "&User name", QLineEdit(login_name()), "Lower-case letters, digits, . _ or -"
        )
        self.display_name = self.add_field("Your &name", QLineEdit(), "As colleagues know you")
        self.password = self.add_field("&Password", password_field(), STRENGTH_RULE)
        self.again = self.add_field("The same &again", password_field())
        self.strength = QLabel()
        self.strength.setObjectName("fieldHint")
        self.grid.addWidget(self.strength, self.grid.rowCount(), 1)
        for field in (self.password, self.again, self.username):
            field.textChanged.connect(self._judge)
        self._judge()
        (self.display_name if self.username.text() else self.username).setFocus()

    def problems(self) -> list[Problem]:
        """What is wrong with what was typed, in the core's words where it has them."""
        username = self.username.text().strip()
        found = []
        if not USERNAME.fullmatch(username):
            found.append(Problem("username", "use 2 to 64 lower-case letters, digits, . _ -"))
        if not self.display_name.text().strip():
            found.append(Problem("display_name", "give your name"))
        found += password_problems(username, self.password.text())
        if self.again.text() != self.password.text():
            found.append(Problem("again", "the two passwords differ"))
        return found

    def _judge(self) -> None:
        """Say as one types whether the password will do and whether the two agree."""
        password, again = self.password.text(), self.again.text()
        short = MIN_LENGTH - len(password)
        if not password:
            text = ""
        elif short > 0:
            text = f"{short} more character{'s' if short > 1 else ''} needed"
        elif again and again != password:
            text = "Long enough; the two passwords differ"
        else:
            text = "Long enough" + ("; the two passwords match" if again else "")
        self.strength.setText(text)

    def submit(self) -> None:
        found = self.problems()
        if found:
            self.show_message("\n".join(f"{_FIELD_NAMES[p.field]}: {p.message}" for p in found))
            return
        username, name = self.username.text().strip(), self.display_name.text().strip()
        password = self.password.text()
        try:
            self.finish(lambda: self.create_database(username, name, password))
        except (SignInFailed, ValidationError) as exc:
            problems = getattr(exc, "problems", ()) or (Problem("", str(exc)),)
            self.show_message("\n".join(p.message for p in problems))


_FIELD_NAMES = {
    "username": "User name",
    "display_name": "Your name",
    "password": "Password",
    "again": "The same again",
    "": "",
}
