"""The forms of the Users page: add a user, set a password, change a role.

Each hands one call of the core's `Users` to the write worker, acting as the window's user;
the core checks the role, the user name and the password's strength, and (in an encrypted
database) rewraps the key for the new password, so nothing here decides who may do what.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import ROLES
from missing_app.core.records import Records
from missing_app.core.security.access import ROLE_LABELS
from missing_app.core.security.passwords import MIN_LENGTH
from missing_app.core.security.users import Users
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog, Work

PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters: a few words will do. Give it to the person in "
    "private, never by email."
)


def users_of(records: Records) -> Users:
    """User administration as the write worker's user."""
    return Users(records.db, records.username, records.now)


def role_choice(current: str | None = None) -> QComboBox:
    combo = QComboBox()
    for role in ROLES:
        combo.addItem(ROLE_LABELS[role], role)
    if current is not None:
        combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def secret() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class PasswordFields:
    """A new password typed twice, checked to match before the core checks its strength."""

    def __init__(self, form: FormDialog) -> None:
        self.password = secret()
        self.again = secret()
        form.add_field("password", "&Password", self.password, PASSWORD_HINT)
        form.add_field("again", "The same &again", self.again)

    def value(self) -> str:
        if self.password.text() != self.again.text():
            raise ValidationError([Problem("again", "the two passwords differ")])
        return self.password.text()


class AddUserDialog(FormDialog):
    """A new account: user name, the person's name, role and first password."""

    entities = ("users",)

    def __init__(
        self,
        context: AppContext,
        *,
        first: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "Add a user", parent)
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = role_choice("administrator" if first else "pcso")
        self.see_names = QCheckBox("May see children's names")
        self.see_names.setToolTip("Analysts see pseudonymous codes unless allowed names")
        self.add_field("username", "&User name", self.username,
                       "Lower-case letters, digits, dots, dashes: e.g. pcso.jones")  # fmt: skip
        self.add_field("display_name", "&Name", self.display_name)
        self.add_field("role", "&Role", self.role)
        self.add_field("can_see_names", "", self.see_names)
        self.passwords = PasswordFields(self)
        if first:
            self._first_account(context.username)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.fit(460)

    def _first_account(self, username: str) -> None:
        """The first account must be an administrator's: most likely the person adding it."""
        self.username.setText(username)
        note = QLabel(
            "This is the first account: it must be an administrator's. From now on Homeward "
            "asks everyone who opens this database to sign in."
        )
        note.setObjectName("fieldHint")
        note.setWordWrap(True)
        self.grid.addWidget(note, self.grid.rowCount(), 0, 1, 2)

    def _role_changed(self) -> None:
        analyst = self.role.currentData() == "analyst"
        self.see_names.setEnabled(analyst)
        if not analyst:
            self.see_names.setChecked(False)

    def work(self) -> Work:
        password = self.passwords.value()
        username, name = self.username.text().strip(), self.display_name.text()
        role, names = self.role.currentData(), self.see_names.isChecked()
        return lambda records: users_of(records).add_user(
            username, name, role, password, can_see_names=names
        )


class PasswordDialog(FormDialog):
    """A new password for a user (it also unlocks a locked account)."""

    entities = ("users",)

    def __init__(self, context: AppContext, username: str, parent: QWidget | None = None) -> None:
        super().__init__(context, f"New password for {username}", parent)
        self.username = username
        self.passwords = PasswordFields(self)
        self.fit(440)

    def work(self) -> Work:
        password, username = self.passwords.value(), self.username
        return lambda records: users_of(records).set_password(username, password)


class RoleDialog(FormDialog):
    """Another role for a user."""

    entities = ("users",)

    def __init__(
        self, context: AppContext, username: str, role: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, f"Role of {username}", parent)
        self.username = username
        self.role = role_choice(role)
        self.add_field(
            "role", "&Role", self.role,
            "PCSO: their homes' records. Supervisor: every home, imports, settings, the audit "
            "log, erasure. Analyst: reads and reports only. Administrator: users and backups "
            "too.",
        )  # fmt: skip
        self.fit(440)

    def work(self) -> Work:
        username, role = self.username, self.role.currentData()
        return lambda records: users_of(records).set_role(username, role)
