"""Sign-in pictures for `make screenshots`: the first start, the sign-in dialog after a wrong
password, and the window locked when idle (a form hidden behind it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from missing_app.core.security.access import Actor
from missing_app.core.security.errors import SignInFailed
from missing_app.core.security.signin import SignedIn
from missing_app.gui.idle_lock import IdleLock
from missing_app.gui.main_window import MainWindow
from missing_app.gui.signin import FirstStartDialog, SignInDialog

Shoot = Callable[[QWidget, Path], Path]
WRONG = SignInFailed(
    "Wrong password for pcso.patel (4 more tries before the account locks for 15 minutes)."
)


def _refuse(_username: str, _password: str) -> SignedIn:
    raise WRONG


def take_signin(app: QApplication, window: MainWindow, out: Path, shoot: Shoot) -> list[Path]:
    """The three pictures; the window is left unlocked as it was."""
    return [_first_start(out, shoot), _sign_in(out, shoot), _locked(app, window, out, shoot)]


def _first_start(out: Path, shoot: Shoot) -> Path:
    where = Path("C:/Users/spatel/AppData/Local/Homeward/homeward.sqlite")
    dialog = FirstStartDialog(lambda *_: _refuse("", ""), where)
    dialog.username.setText("pcso.patel")
    dialog.display_name.setText("Sam Patel")
    dialog.password.setText("kettle orchard")
    dialog.again.setText("kettle orch")
    dialog.show()
    try:
        return shoot(dialog, out / "first_start.png")
    finally:
        dialog.done(0)


def _sign_in(out: Path, shoot: Shoot) -> Path:
    dialog = SignInDialog(_refuse, "homeward.sqlite", username="pcso.patel")
    dialog.password.setText("not it")
    dialog.submit()  # refused: the message shows
    dialog.password.setText("correct horse")
    dialog.show()
    try:
        return shoot(dialog, out / "sign_in.png")
    finally:
        dialog.done(0)


def _locked(app: QApplication, window: MainWindow, out: Path, shoot: Shoot) -> Path:
    """The window locked with the Record missing form open behind it (hidden, kept)."""
    context = window.context
    actor, name = context.actor, context.display_name
    if context.who.role is None:  # a database without accounts: picture an officer's
        context.actor, context.display_name = Actor(context.username, "pcso"), "Sam Patel"
    lock = IdleLock(window, context, minutes=60)
    window.show_page("Today")
    window.record_missing()
    app.processEvents()
    lock.lock()
    try:
        return shoot(window, out / "locked.png")
    finally:
        lock.is_locked = False  # put back without a password: this is only a picture
        lock.overlay.hide()
        lock._window_parts(True)
        for hidden in lock.hidden:
            if isinstance(hidden, QDialog):
                hidden.done(0)  # closed unasked: nothing was typed in it
        app.removeEventFilter(lock)
        lock.deleteLater()
        context.actor, context.display_name = actor, name
