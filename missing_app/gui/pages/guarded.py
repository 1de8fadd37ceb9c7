"""Pages for some roles only (audit log, users, backups, retention): who is acting, and the
core's refusal shown in the page when their role does not allow it.

The navigation hides these pages from roles that may not use them; the core refuses anyway,
and a page that meets `PermissionDenied` says so in the core's words instead of its content.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from missing_app.core.security.access import Actor, Permission, require, resolve_actor
from missing_app.core.security.errors import PermissionDenied
from missing_app.gui.context import AppContext
from missing_app.gui.pages.base import Page


def current_actor(context: AppContext) -> Actor:
    """Who the window acts as, their role read afresh (PermissionDenied if not a user)."""
    with context.db.session() as session:
        return resolve_actor(session, context.username)


def may(context: AppContext, permission: Permission) -> bool:
    """Whether the window's user may do this (with no accounts, anyone may)."""
    try:
        return current_actor(context).may(permission)
    except PermissionDenied:
        return False


def banner(text: str = "") -> QLabel:
    """A message across the page (a refusal, or what went wrong), hidden while empty."""
    label = QLabel(text)
    label.setObjectName("formBanner")
    label.setWordWrap(True)
    label.setVisible(bool(text))
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class GuardedPage(Page):
    """A page whose content (`self.content`) shows only when `permission` is allowed."""

    permission = Permission.READ

    def __init__(self, context: AppContext, subtitle: str) -> None:
        super().__init__(context)
        self.layout_ = self.page_layout(subtitle)
        self.denied = banner()
        self.denied.setObjectName("deniedBanner")
        self.layout_.addWidget(self.denied)
        self.content = QWidget()
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.content, 1)
        self.filler = QWidget()  # takes the content's room while it is refused
        self.filler.hide()
        self.layout_.addWidget(self.filler, 1)

    def allowed(self) -> bool:
        """Check the role now; show the core's refusal in place of the content if it says no."""
        try:
            require(current_actor(self.context), self.permission)
        except PermissionDenied as exc:
            self.refuse(str(exc))
            return False
        self.denied.hide()
        self.filler.hide()
        self.content.show()
        return True

    def refuse(self, message: str) -> None:
        """Show the core's refusal instead of the page's content."""
        show_message(self.denied, message)
        self.content.hide()
        self.filler.show()

    def failed(self, error: Exception) -> bool:
        """Show a refusal met while working; False for any other error (the caller's)."""
        if isinstance(error, PermissionDenied):
            self.refuse(str(error))
            return True
        return False
