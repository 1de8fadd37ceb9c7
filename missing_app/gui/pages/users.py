"""The Users page (administrators): every account, its role and state; add a user, change a
role, set a password (which also unlocks), let an analyst see names, remove an account.

All of it goes through the core's `Users` on the write worker: the core checks the role,
audits each change, and in an encrypted database rewraps the key for a new password (the
data is never re-encrypted). A removed account keeps its history in the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QWidget

from missing_app.core.errors import HomewardError
from missing_app.core.records import Records
from missing_app.core.security.access import Permission
from missing_app.core.security.users import Account, Users
from missing_app.core.times import local
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.account import (
    AddUserDialog,
    PasswordDialog,
    RoleDialog,
    users_of,
)
from missing_app.gui.pages.guarded import GuardedPage, banner, show_message
from missing_app.gui.widgets.tables import RowsTable, count_label, table_item

log = logging.getLogger(__name__)

HEADINGS = ("User name", "Name", "Role", "State", "Sees names", "Homes")
MUTED = "#6b7280"
ALERT = "#b42318"


def state_text(account: Account, now: Any) -> str:
    """Active, locked until a time, without a password yet, or removed."""
    if account.locked_until is not None and account.locked_until > now:
        return f"Locked until {local(account.locked_until):%d/%m %H:%M}"
    if account.can_sign_in:
        return "Active"
    return "No password yet" if account.active else "Removed"


def names_text(account: Account) -> str:
    if not account.active:
        return ""
    if account.role != "analyst":
        return "Yes"
    return "Yes (granted)" if account.can_see_names else "No: codes only"


class UsersPage(GuardedPage):
    title = "Users"
    permission = Permission.USERS
    entities = frozenset({"users", "care_homes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Who may sign in, and what their role lets them do. A new password also unlocks "
            "an account locked after failed sign-ins; a removed account keeps its history in "
            "the audit log.",
        )
        self.accounts: list[Account] = []
        self.body.addLayout(self._buttons())
        self.message = banner()
        self.body.addWidget(self.message)
        self.count = count_label()
        self.body.addWidget(self.count)
        self.table = RowsTable(HEADINGS, stretch=5)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.opened.connect(lambda _row: self.change_role())
        self.body.addWidget(self.table)
        self.body.addStretch(1)
        self.refresh()

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = QPushButton("Add &user…")
        self.role_button = QPushButton("Change &role…")
        self.password_button = QPushButton("Set &password…")
        self.names_button = QPushButton("Let see &names")
        self.remove_button = QPushButton("Re&move…")
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.change_role)
        self.password_button.clicked.connect(self.set_password)
        self.names_button.clicked.connect(self.toggle_names)
        self.remove_button.clicked.connect(self.remove)
        self.password_button.setToolTip("A new password for the selected user; it also unlocks")
        self.remove_button.setToolTip(
            "Switch the account off and forget its password and key; its history stays"
        )
        for button in (self.add_button, self.role_button, self.password_button,
                       self.names_button, self.remove_button):  # fmt: skip
            row.addWidget(button)
        row.addStretch(1)
        return row

    # Reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.allowed():
            return
        try:
            self.accounts = Users(self.context.db, self.context.username).list_users()
        except HomewardError as exc:
            if not self.failed(exc):
                show_message(self.message, f"The users could not be read: {exc}")
            return
        self._fill()

    def _fill(self) -> None:
        chosen = self.selected()
        now = self.context.now()
        rows = []
        for account in self.accounts:
            state = state_text(account, now)
            colour = ALERT if state.startswith("Locked") else (
                None if account.can_sign_in else MUTED
            )  # fmt: skip
            rows.append([
                table_item(account.username, account.username),
                table_item(account.display_name),
                table_item(account.role_label),
                table_item(state, colour=colour),
                table_item(names_text(account)),
                table_item(", ".join(account.home_urns)),
            ])  # fmt: skip
        self.table.fill(rows, most=14)
        signing = sum(account.can_sign_in for account in self.accounts)
        self.count.setText(
            f"{signing} of {len(self.accounts)} can sign in" if signing else
            "No one can sign in yet: anyone who opens this database acts without limits. Add "
            "the first account, an administrator's, to require signing in."
        )  # fmt: skip
        if chosen is not None:
            self.select(chosen.username)
        self._enable()

    def selected(self) -> Account | None:
        row = self.table.currentRow()
        if not self.table.selectedItems() or not 0 <= row < len(self.accounts):
            return None
        username = self.table.key(row)
        return next((a for a in self.accounts if a.username == username), None)

    def select(self, username: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.key(row) == username:
                self.table.selectRow(row)

    def _enable(self) -> None:
        account = self.selected()
        me = account is not None and account.username == self.context.username
        self.password_button.setEnabled(account is not None)
        self.role_button.setEnabled(account is not None and not me)
        self.remove_button.setEnabled(account is not None and not me and account.active)
        analyst = account is not None and account.role == "analyst"
        self.names_button.setEnabled(analyst)
        granted = analyst and account is not None and account.can_see_names
        self.names_button.setText("Withdraw &names" if granted else "Let see &names")

    # Changes ----------------------------------------------------------------------------

    def add_user(self) -> None:
        first = not any(account.can_sign_in for account in self.accounts)
        self._open(AddUserDialog(self.context, first=first, parent=self))

    def change_role(self) -> None:
        account = self.selected()
        if account is not None and account.username != self.context.username:
            self._open(RoleDialog(self.context, account.username, account.role, parent=self))

    def set_password(self) -> None:
        account = self.selected()
        if account is not None:
            self._open(PasswordDialog(self.context, account.username, parent=self))

    def _open(self, form: QWidget) -> None:
        self.form = form
        form.open()  # type: ignore[attr-defined]

    def toggle_names(self) -> None:
        account = self.selected()
        if account is None or account.role != "analyst":
            return
        grant = not account.can_see_names
        self._submit(lambda records: users_of(records).grant_names(account.username, grant))

    def remove(self) -> None:
        account = self.selected()
        if account is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove a user",
            f"Remove {account.display_name} ({account.username})?\n\nThe account is switched "
            "off and its password and key are forgotten: they can no longer sign in. Their "
            "history stays in the audit log; an administrator can add them again later.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._submit(lambda records: users_of(records).remove_user(account.username))

    def _submit(self, work: Callable[[Records], Any]) -> None:
        show_message(self.message, "")
        self.context.worker.submit(work, {"users"}, on_error=self._not_done)

    def _not_done(self, error: Exception) -> None:
        if self.failed(error):
            return
        if not isinstance(error, HomewardError):
            raise error
        show_message(self.message, str(error))
