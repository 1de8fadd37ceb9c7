"""The idle lock: after `idle_lock_minutes` without a key or the mouse (or at once with
Ctrl+L) the window hides the records and asks for the password again.

Every open form and dialog is hidden, not closed, and comes back as it was once the right
password is typed: what was typed in it is kept. The password is checked by the core
(`confirm_password`): the same lock-out as signing in, and every attempt audited. While
locked no shortcut reaches the hidden window, and a window that opens meanwhile (a message
from a save that finished) is hidden too, until the unlock. Only a database with accounts
has an idle lock: without a password there is nothing to unlock with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from missing_app.core.errors import HomewardError
from missing_app.core.models import User
from missing_app.core.security import keyring as keys
from missing_app.core.security.access import ROLE_LABELS
from missing_app.core.security.errors import SignInFailed
from missing_app.core.security.signin import SignedIn, confirm_password
from missing_app.gui.context import AppContext
from missing_app.gui.signin import busy, password_field, refusal_text

log = logging.getLogger(__name__)

E = QEvent.Type
# What counts as someone using the computer: keys, clicks, the mouse moving, the wheel.
INPUT = frozenset({E.KeyPress, E.MouseButtonPress, E.MouseButtonDblClick, E.MouseMove,
                   E.Wheel, E.TouchBegin, E.TabletPress})  # fmt: skip
KEEP_SHOWN = (Qt.WindowType.ToolTip,)  # windows that may show while locked
LOCK_KEY = QKeySequence("Ctrl+L")
CARD_WIDTH, CARD_MARGIN = 460, 28


def signed_in_label(context: AppContext) -> str:
    """'Ada Admin (administrator)': who the window is signed in as."""
    who = context.who
    role = ROLE_LABELS.get(who.role or "", "no account")
    return f"{context.display_name or who.username} ({role})"


class LockOverlay(QFrame):
    """Covers the whole locked window: whose it is, the password, and Unlock."""

    def __init__(self, window: QMainWindow, who: str, unlock: Callable[[str], object]) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        card = QFrame()
        card.setObjectName("lockCard")
        card.setFixedWidth(CARD_WIDTH)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(CARD_MARGIN, 24, CARD_MARGIN, 24)
        inner.setSpacing(12)
        title = QLabel("Homeward is locked")
        title.setObjectName("signinTitle")
        note = QLabel(
            f"Locked for {who}. Type your password to go on: open forms come back as you left them."
        )
        note.setWordWrap(True)
        _fit(note)
        self.password = password_field()
        self.password.setPlaceholderText("Password")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.message = QLabel()
        self.message.setObjectName("formBanner")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        for part in (title, note):
            inner.addWidget(part)
        inner.addLayout(row)
        inner.addWidget(self.message)
        middle = QHBoxLayout()  # (not an alignment: the wrapped note needs its full height)
        middle.addStretch(1)
        middle.addWidget(card)
        middle.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)
        self.unlock_button.clicked.connect(lambda: unlock(self.password.text()))
        self.password.returnPressed.connect(lambda: unlock(self.password.text()))
        self.hide()

    def cover(self) -> None:
        """Cover the window, ready for the password."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show_message("")
        self.password.clear()
        self.raise_()
        self.show()
        self.password.setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        _fit(self.message)


def _fit(label: QLabel) -> None:
    """Tall enough for every wrapped line across the card (a layout alone gets it wrong)."""
    margins = label.contentsMargins()
    width = CARD_WIDTH - 2 * CARD_MARGIN - margins.left() - margins.right()
    label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)


class IdleLock(QObject):
    """Watches the application's input; locks the window when it has been idle too long."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self, window: QMainWindow, context: AppContext, minutes: float | None = None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self.is_locked = False
        self.hidden: list[QWidget] = []
        self.closed: set[int] = set()  # dialogs finished while hidden: not shown again
        self.focus: QWidget | None = None
        self.active: QWidget | None = None
        self.overlay = LockOverlay(window, signed_in_label(context), self.unlock)
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(minutes if minutes is not None else self._setting())
        context.worker.changed.connect(self._changed)
        application = QApplication.instance()
        assert application is not None
        application.installEventFilter(self)

    def _setting(self) -> float:
        return float(self.context.settings()["idle_lock_minutes"])

    def set_minutes(self, minutes: float) -> None:
        """Lock after this many minutes without use (from now)."""
        self.timer.setInterval(max(1, round(minutes * 60_000)))
        if not self.is_locked:
            self.timer.start()

    def _changed(self, entities: frozenset[str]) -> None:
        if "settings" in entities:
            self.set_minutes(self._setting())

    # Watching ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any input restarts the idle time; while locked, only the overlay is reachable."""
        kind = event.type()
        if not self.is_locked:
            if kind in INPUT:
                self.timer.start()
                if kind == E.KeyPress and self._lock_key(event):
                    self.lock()  # from a form too, whose modality keeps the menu's shortcut off
                    return True
            return False
        if not self._window_shown():  # a window closed while locked locks nothing
            return False
        if kind == E.Shortcut:  # nothing behind the overlay may be worked by its shortcut
            return not self._on_overlay(watched)
        if kind == E.Show and isinstance(watched, QWidget) and self._to_hide(watched):
            QTimer.singleShot(0, lambda: self._hide_late(watched))
        elif kind == E.Resize and watched is self.window:
            self.overlay.setGeometry(self.window.rect())
        return False

    def _window_shown(self) -> bool:
        """Whether the window is there to lock (not closed, nor being destroyed)."""
        return shiboken6.isValid(self.window) and self.window.isVisible()

    @staticmethod
    def _lock_key(event: QEvent) -> bool:
        return isinstance(event, QKeyEvent) and QKeySequence(event.keyCombination()) == LOCK_KEY

    def _on_overlay(self, watched: QObject) -> bool:
        return isinstance(watched, QWidget) and (
            watched is self.overlay or self.overlay.isAncestorOf(watched)
        )

    def _to_hide(self, widget: QWidget) -> bool:
        """A window other than the locked one, that shows records (not a tooltip)."""
        return (
            widget.isWindow()
            and widget is not self.window
            and widget.windowType() not in KEEP_SHOWN
        )

    def _hide_late(self, widget: QWidget) -> None:
        """A window that opened while locked: hidden until the unlock (after its own show)."""
        if self.is_locked and shiboken6.isValid(widget) and widget.isVisible():
            self._hide(widget)

    # Locking -------------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide the records and every open window; ask for the password."""
        if self.is_locked or not self._window_shown():
            return
        self.is_locked = True
        self.timer.stop()
        application = QApplication.instance()
        assert isinstance(application, QApplication)
        self.focus, self.active = application.focusWidget(), application.activeWindow()
        self.hidden, self.closed = [], set()
        for widget in application.topLevelWidgets():
            if widget.isVisible() and self._to_hide(widget):
                self._hide(widget)
        self._window_parts(False)
        self.overlay.cover()
        log.info("window locked")
        self.locked.emit()

    def _hide(self, widget: QWidget) -> None:
        widget.hide()
        if widget.windowType() != Qt.WindowType.Popup:  # menus and completions stay shut
            self.hidden.append(widget)
        if isinstance(widget, QDialog):  # finished while hidden (a save that completed)
            widget.finished.connect(lambda _code, w=widget: self.closed.add(id(w)))

    def _window_parts(self, shown: bool) -> None:
        central = self.window.centralWidget()
        if central is not None:
            central.setVisible(shown)
        menu = self.window.menuWidget()
        if menu is not None:
            menu.setEnabled(shown)

    # Unlocking -----------------------------------------------------------------------------

    def unlock(self, password: str) -> bool:
        """Check the password with the core; on success bring everything back as it was."""
        if not self.is_locked:
            return True
        if not password:
            self.overlay.show_message("Type your password.")
            return False
        signed = SignedIn(self.context.db, self.context.who)
        try:
            busy(lambda: confirm_password(signed, password, self.context.now))
        except SignInFailed as exc:
            self._refused(refusal_text(exc, self._locked_until(), self.context.now()))
            return False
        except HomewardError as exc:
            self._refused(str(exc))
            return False
        self._restore()
        return True

    def _refused(self, text: str) -> None:
        self.overlay.show_message(text)
        self.overlay.password.clear()
        self.overlay.password.setFocus()

    def _locked_until(self) -> datetime | None:
        """When the signed-in user's lock-out ends, if they are locked out."""
        db, username = self.context.db, self.context.username
        try:
            if db.key is not None and db.path is not None:
                return keys.load_keyring(db.path).locked_until(username)
            with db.session() as session:
                query = select(User.locked_until).where(User.username == username)
                return session.scalar(query)
        except HomewardError:
            return None

    def _restore(self) -> None:
        self.is_locked = False
        self.overlay.hide()
        self._window_parts(True)
        for widget in self.hidden:
            if shiboken6.isValid(widget) and id(widget) not in self.closed:
                widget.show()
        for back in (self.active, self.focus):
            if back is not None and shiboken6.isValid(back) and back.isVisible():
                back.activateWindow()
                back.setFocus()
        self.hidden, self.closed = [], set()
        self.timer.start()
        log.info("window unlocked")
        self.unlocked.emit()
