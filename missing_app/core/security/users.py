"""Users: adding, changing passwords, removing, granting names. Administrators only, audited.

In an encrypted database each change of a password also seals the key anew for that user
in the keyring (written last inside the transaction: if it fails, nothing changes), and
removing a user changes the database's key (rekey.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.errors import NotFound, Problem, ValidationError
from missing_app.core.models import ROLES, CareHome, User
from missing_app.core.security import keyring as keys
from missing_app.core.security.access import (
    ROLE_LABELS,
    Actor,
    Permission,
    require,
    resolve_actor,
)
from missing_app.core.security.anchor import settle
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.security.passwords import hash_password, password_problems
from missing_app.core.security.rekey import Rekeyed, rekey_database
from missing_app.core.times import utc_now

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
FIRST_ADMINISTRATOR = "the first user must be an administrator, to manage the others"


@dataclass(frozen=True)
class Account:
    """A user as the users list shows them (never their password)."""

    username: str
    display_name: str
    role: str
    active: bool
    can_sign_in: bool
    can_see_names: bool
    locked_until: datetime | None
    home_urns: tuple[str, ...]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _public(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "can_see_names": user.can_see_names,
        "can_sign_in": user.password_hash is not None,
    }


class Users:
    """User administration on one database, acting as `username`."""

    def __init__(self, db: Database, username: str, now: Callable[[], datetime] = utc_now):
        self.db = db
        self.username = username
        self.now = now

    def _admin(self, session: Session) -> Actor:
        actor = resolve_actor(session, self.username)
        require(actor, Permission.USERS)
        return actor

    def list_users(self) -> list[Account]:
        """Every user, accounts first, by user name."""
        with self.db.session() as session:
            self._admin(session)
            homes: dict[int, list[str]] = {}
            for pcso_id, urn in session.execute(
                select(CareHome.pcso_id, CareHome.urn).where(CareHome.pcso_id.is_not(None))
            ):
                homes.setdefault(pcso_id, []).append(urn)
            users = session.scalars(
                select(User).order_by(User.password_hash.is_(None), User.username)
            )
            accounts = [_account(user, sorted(homes.get(user.id, []))) for user in users]
        return self._with_keyring(accounts)

    def _with_keyring(self, accounts: list[Account]) -> list[Account]:
        """In an encrypted database, sign-in and lock-outs are the keyring's."""
        path = self.db.path
        if self.db.key is None or path is None:
            return accounts
        keyring = keys.load_keyring(path)
        return [
            replace(
                account,
                can_sign_in=account.active and account.username in keyring.entries,
                locked_until=keyring.locked_until(account.username),
            )
            for account in accounts
        ]

    def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password: str,
        *,
        can_see_names: bool = False,
    ) -> Account:
        """Add an account (or give a listed person without a password one).

        The first account of a database must be an administrator's.
        """
        with self.db.transaction() as session:
            actor = self._admin(session)
            user = session.scalar(select(User).where(User.username == username))
            self._check_new(session, actor, user, username, display_name, role, password)
            before = None if user is None else _public(user)
            if user is None:
                user = User(username=username, created_at=self.now())
                session.add(user)
            user.display_name, user.role, user.active = display_name.strip(), role, True
            user.can_see_names = can_see_names and role == "analyst"
            user.password_hash = hash_password(password)
            user.failed_signins, user.locked_until = 0, None
            session.flush()
            log_event(
                session, self.username, "create" if before is None else "update", "users",
                user.id, before=before, after=_public(user), why="account added",
            )  # fmt: skip
            self._store_key(session, username, password)
            return _account(user, ())

    def _check_new(
        self,
        session: Session,
        actor: Actor,
        user: User | None,
        username: str,
        display_name: str,
        role: str,
        password: str,
    ) -> None:
        problems: list[Problem] = []
        if not USERNAME.fullmatch(username):
            problems.append(Problem("username", "use 2 to 64 lower-case letters, digits, . _ -"))
        if user is not None and user.password_hash is not None:
            problems.append(Problem("username", f"{username} is already a user"))
        if not display_name.strip():
            problems.append(Problem("display_name", "give the person's name"))
        if role not in ROLES:
            problems.append(Problem("role", f"'{role}' is not a role ({', '.join(ROLES)})"))
        elif actor.role is None and role != "administrator":
            problems.append(Problem("role", FIRST_ADMINISTRATOR))
        problems.extend(password_problems(username, password))
        if problems:
            raise ValidationError(problems)

    def set_password(self, username: str, password: str) -> None:
        """Set a user's password: their own, or anyone's for an administrator (unlocks too)."""
        with self.db.transaction() as session:
            actor = resolve_actor(session, self.username)
            if username != actor.username:
                require(actor, Permission.USERS)
            user = _user(session, username)
            problems = password_problems(username, password)
            if actor.role is None and user.role != "administrator":
                problems.append(Problem("username", FIRST_ADMINISTRATOR))
            if problems:
                raise ValidationError(problems)
            before = _public(user)
            user.password_hash = hash_password(password)
            user.failed_signins, user.locked_until = 0, None
            log_event(
                session, self.username, "update", "users", user.id,
                before=before, after=_public(user), why="password set",
            )  # fmt: skip
            self._store_key(session, username, password)

    def remove_user(self, username: str) -> tuple[str, ...]:
        """Switch an account off and forget its password and key; its history stays.

        In an encrypted database the key is changed too, so that the removed user's key
        opens nothing current; returns the users left without a key (see rekey.py).
        """
        with self.db.transaction() as session:
            self._admin(session)
            user = _user(session, username)
            if username == self.username:  # so an administrator always remains
                raise PermissionDenied("You cannot remove yourself; ask another administrator.")
            before = _public(user)
            user.active, user.password_hash, user.can_see_names = False, None, False
            log_event(
                session, self.username, "update", "users", user.id,
                before=before, after=_public(user), why="account removed",
            )  # fmt: skip
        if self.db.key is None or self.db.path is None:
            return ()
        why = f"{username} removed"
        return rekey_database(self.db, self.username, dropped=username, why=why).without_key

    def rekey(self) -> Rekeyed:
        """Give the encrypted database a new key, sealed to every user (administrators)."""
        with self.db.session() as session:
            self._admin(session)
        return rekey_database(self.db, self.username, why="key changed on demand")

    def set_role(self, username: str, role: str) -> None:
        """Give an account another role (not one's own: an administrator always remains)."""
        with self.db.transaction() as session:
            self._admin(session)
            user = _user(session, username)
            if username == self.username:
                raise PermissionDenied(
                    "You cannot change your own role; ask another administrator."
                )
            if role not in ROLES:
                message = f"'{role}' is not a role ({', '.join(ROLES)})"
                raise ValidationError([Problem("role", message)])
            before = _public(user)
            user.role = role
            user.can_see_names = user.can_see_names and role == "analyst"
            log_event(
                session, self.username, "update", "users", user.id,
                before=before, after=_public(user), why="role changed",
            )  # fmt: skip

    def grant_names(self, username: str, granted: bool = True) -> None:
        """Let an analyst see children's names (or take it back)."""
        with self.db.transaction() as session:
            self._admin(session)
            user = _user(session, username)
            if user.role != "analyst":
                message = f"{username} is not an analyst; only analysts have names hidden"
                raise ValidationError([Problem("username", message)])
            before = _public(user)
            user.can_see_names = granted
            why = "names granted" if granted else "names withdrawn"
            log_event(
                session, self.username, "update", "users", user.id,
                before=before, after=_public(user), why=why,
            )  # fmt: skip

    # The keyring of an encrypted database -------------------------------------------------

    def _store_key(self, session: Session, username: str, password: str) -> None:
        """Seal the key for the new password; the user's failures are settled (unlocked)."""
        path, key = self.db.path, self.db.key
        if key is None or path is None:
            return
        with keys.held(path):
            keyring = keys.load_keyring(path) if keys.has_keyring(path) else keys.Keyring()
            keyring.entries[username] = keys.seal(username, key, password)
            settle(session, keyring.record, self.username, self.now(), signed_in=username)
            keys.save_keyring(path, keyring)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"There is no user {username}.")
    return user


def _account(user: User, home_urns: list[str] | tuple[str, ...]) -> Account:
    return Account(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        can_sign_in=user.password_hash is not None,
        can_see_names=user.can_see_names,
        locked_until=user.locked_until,
        home_urns=tuple(home_urns),
    )
