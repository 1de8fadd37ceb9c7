"""Signing in: the password checked, the lock-out applied, every attempt audited.

An encrypted database is opened with the key its keyring gives up for the password; its
failed attempts are kept in the keyring's sign-in record (the database cannot be opened to
hold them), counted under the keyring's lock, and written to the audit log at the next
successful sign-in, when the record is checked against its anchor in the database. A plain database
with accounts checks the password hash in its users table and keeps lock-outs there. A plain
database without accounts opens as before, with no password and no limits.

The lock-out (five failures, fifteen minutes by default: settings `signin_attempts` and
`signin_lock_minutes`) slows guessing through the application; against a stolen file the
protection is the encryption and the memory-hard key derivation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.audit import log_sign_in
from missing_app.core.db import Database, open_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.db.engine import database_url, sqlite_file
from missing_app.core.models import User
from missing_app.core.records import read_settings
from missing_app.core.security import keyring as keys
from missing_app.core.security.access import Actor, accounts_exist, resolve_actor
from missing_app.core.security.anchor import settle
from missing_app.core.security.errors import AccountLocked, PermissionDenied, SignInFailed
from missing_app.core.security.keyring import Keyring
from missing_app.core.security.passwords import verify_password
from missing_app.core.security.rekey import open_after_crash
from missing_app.core.security.sealing import open_entry
from missing_app.core.security.signin_record import Failure, LockoutPolicy, Standing
from missing_app.core.times import local, utc_now

log = logging.getLogger(__name__)

AskPassword = Callable[[], str]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SignedIn:
    """An open database and who signed in to it."""

    db: Database
    actor: Actor

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def key(self) -> bytes | None:
        """The data key of an encrypted database (None for a plain one)."""
        return self.db.key


def database_file(target: str) -> Path | None:
    """The SQLite file a path or URL names (None for memory or another database)."""
    return sqlite_file(database_url(target))


def sign_in(
    target: str,
    username: str,
    ask_password: AskPassword,
    *,
    now: Clock = utc_now,
    exclusive: bool = False,
) -> SignedIn:
    """Open the database at `target` as `username`, asking for the password only if needed.

    Raises SignInFailed (AccountLocked when locked) with a message to show as it is.
    """
    path = database_file(target)
    if path is not None and is_encrypted(path):
        return _sign_in_encrypted(target, path, username, ask_password, now, exclusive)
    db = open_database(target, exclusive=exclusive)
    try:
        return SignedIn(db, _sign_in_plain(db, username, ask_password, now))
    except BaseException:
        db.close()
        raise


def confirm_password(signed_in: SignedIn, password: str, now: Clock = utc_now) -> None:
    """Check a signed-in user's password again (the window's idle lock): same lock-out, audit.

    Raises SignInFailed (AccountLocked) when it is wrong; returns when it is right.
    """
    db, username = signed_in.db, signed_in.username
    if signed_in.key is None or db.path is None:
        with db.session() as session:
            if not accounts_exist(session):
                return
        check_plain_password(db, username, password, now(), why="window unlocked")
        return
    path = db.path
    with keys.editing(path) as keyring:
        if username not in keyring.entries:
            raise SignInFailed(f"{username} has no key to {path.name} any more.", "not a user")
        try:
            key = _unseal(path, keyring, username, password, now())
        except SignInFailed:  # the database is open: the failure is audited at once
            with db.transaction() as session:
                settle(session, keyring.record, username, now(), signed_in=None)
            keys.save_keyring(path, keyring)
            raise
        _admit(db, keyring, Attempt(username, password, key, now()), why="window unlocked")


def unlock_key(path: Path, username: str, password: str, now: Clock = utc_now) -> bytes:
    """The data key from the keyring beside `path` (a database or a backup), same lock-out.

    For a file that cannot be signed in to (a backup being restored): nothing is opened.
    """
    with keys.editing(path) as keyring:
        if username not in keyring.entries:
            raise SignInFailed(f"{username} has no key to {path.name}.", "not a user")
        return _unseal(path, keyring, username, password, now())


def lockout_policy(session: Session) -> LockoutPolicy:
    """The lock-out settings saved in the database."""
    values = read_settings(session)
    return LockoutPolicy(int(values["signin_attempts"]), int(values["signin_lock_minutes"]))


def _locked(
    username: str, locked_until: datetime | None, policy: LockoutPolicy, when: datetime
) -> AccountLocked | None:
    if locked_until is None or locked_until <= when:
        return None
    return AccountLocked(
        f"{username} is locked after {policy.attempts} failed sign-ins; try again after "
        f"{local(locked_until):%H:%M}, or ask an administrator to set a new password.",
        "account locked",
    )


def _after_failure(
    username: str, standing: Standing, policy: LockoutPolicy, when: datetime
) -> tuple[Standing, SignInFailed]:
    """The standing after one more wrong password, and what to tell the user."""
    after = standing.after_wrong_password(when, policy)
    if after.failures:  # not yet at the limit (reaching it starts the count again)
        left = policy.attempts - after.failures
        return after, SignInFailed(
            f"Wrong password for {username} ({left} more {'try' if left == 1 else 'tries'} "
            f"before the account locks for {policy.minutes} minutes)."
        )  # fmt: skip
    until = after.locked_until
    assert until is not None
    return after, AccountLocked(
        f"Wrong password for {username}: after {policy.attempts} failed sign-ins the account "
        f"is locked for {policy.minutes} minutes, until {local(until):%H:%M}."
    )  # fmt: skip


# Plain databases ---------------------------------------------------------------------------


def _sign_in_plain(db: Database, username: str, ask: AskPassword, now: Clock) -> Actor:
    with db.session() as session:
        if not accounts_exist(session):
            return Actor(username)
    check_plain_password(db, username, ask(), now())
    with db.session() as session:
        return resolve_actor(session, username)


def check_plain_password(
    db: Database, username: str, password: str, when: datetime, why: str | None = None
) -> None:
    """Check one attempt against the users table and audit it; raise if it fails."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        policy = lockout_policy(session)
        refusal = _refusal(user, username, policy, when)
        if refusal is None and user is not None:
            if verify_password(user.password_hash, password):
                user.failed_signins, user.locked_until = 0, None
            else:
                standing = Standing(user.failed_signins, user.locked_until)
                after, refusal = _after_failure(username, standing, policy, when)
                user.failed_signins, user.locked_until = after.failures, after.locked_until
        user_id = user.id if user else None
        if refusal is None:
            log_sign_in(session, username, user_id, why=why, at=when)
        else:
            log_sign_in(session, username, user_id, failed=True, why=refusal.reason, at=when)
    if refusal is not None:
        raise refusal


def _refusal(
    user: User | None, username: str, policy: LockoutPolicy, when: datetime
) -> SignInFailed | None:
    """Why this user cannot sign in at all just now, before any password is checked."""
    if user is None or user.password_hash is None:
        verify_password(None, "")  # as slow as a real check: user names are not probed
        return SignInFailed(
            f"{username} is not a user of this database; check the user name.", "not a user"
        )
    if not user.active:
        return SignInFailed(
            f"{username}'s account is switched off; ask an administrator.", "account switched off"
        )
    return _locked(username, user.locked_until, policy, when)


# Encrypted databases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """A sign-in whose password unsealed the key."""

    username: str
    password: str
    key: bytes
    at: datetime


def _sign_in_encrypted(
    target: str, path: Path, username: str, ask: AskPassword, now: Clock, exclusive: bool
) -> SignedIn:
    # One sign-in at a time: the failure count is read and written under the keyring's lock.
    with keys.editing(path) as keyring:
        if username not in keyring.entries:
            keyring.record.note(Failure(username, now(), "not a user"))
            keys.save_keyring(path, keyring)
            raise SignInFailed(
                f"{username} has no key to {path.name}; check the user name, or ask an "
                "administrator to set your password.",
                "not a user",
            )
        password = ask()
        key = _unseal(path, keyring, username, password, now())
        if keyring.previous:
            db = open_after_crash(target, path, keyring, username, password, key, exclusive)
        else:
            db = open_database(target, key=key, exclusive=exclusive)
        try:
            return SignedIn(db, _admit(db, keyring, Attempt(username, password, key, now())))
        except BaseException:
            db.close()
            raise


def _unseal(path: Path, keyring: Keyring, username: str, password: str, when: datetime) -> bytes:
    """The data key for this password, or the failure noted in the keyring and raised."""
    policy = keyring.record.lockout
    standing = keyring.record.standing(username)
    refusal: SignInFailed | None = _locked(username, standing.locked_until, policy, when)
    if refusal is None:
        key = open_entry(keyring.entries[username], password)
        if key is not None:
            return key
        refusal = _after_failure(username, standing, policy, when)[1]
    keyring.record.note(Failure(username, when, refusal.reason))
    keys.save_keyring(path, keyring)
    raise refusal


def _admit(db: Database, keyring: Keyring, attempt: Attempt, why: str | None = None) -> Actor:
    """Audit the sign-in and the failures before it, settle the record, convert the entry.

    An entry of the first format is not bound to its user, so its password is checked
    against the user's own hash too: an entry copied under another name is refused.
    """
    username, path = attempt.username, db.path
    assert path is not None
    refusal: SignInFailed | None = None
    with db.transaction() as session:
        try:
            actor = resolve_actor(session, username)
        except PermissionDenied as exc:
            refusal = SignInFailed(str(exc), "account switched off")
        legacy = isinstance(keyring.entries[username], keys.LegacyKey)
        user = session.scalar(select(User).where(User.username == username))
        if refusal is None and legacy and not verify_password(user.password_hash if user else None,
                                                                attempt.password):  # fmt: skip
            refusal = SignInFailed(
                f"The key file's entry for {username} is not theirs; ask an administrator "
                "to set their password.",
                "key entry of another user",
            )
        signed_in = username if refusal is None else None
        settle(session, keyring.record, username, attempt.at, signed_in, lockout_policy(session))
        reason = refusal.reason if refusal else why
        user_id = user.id if user else None
        log_sign_in(
            session, username, user_id, failed=refusal is not None, why=reason, at=attempt.at
        )
    if refusal is None and legacy:
        keyring.entries[username] = keys.seal(username, attempt.key, attempt.password)
    keys.save_keyring(path, keyring)
    if refusal is not None:
        raise refusal
    return actor


def user_id_of(session: Session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username))
