"""Signing in: the password checked, the lock-out applied, every attempt audited.

An encrypted database is opened with the key its keyring gives up for the password; its
failed attempts and lock-outs are kept in the keyring (the database cannot be opened to
hold them) and written to the audit log at the next successful sign-in. A plain database
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
from datetime import datetime, timedelta
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
from missing_app.core.security.errors import AccountLocked, PermissionDenied, SignInFailed
from missing_app.core.security.keyring import Keyring, LockoutPolicy, WrappedKey
from missing_app.core.security.passwords import verify_password
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
    keyring = keys.load_keyring(db.path)
    entry = keyring.entries.get(username)
    if entry is None:
        raise SignInFailed(f"{username} has no key to {db.path.name} any more.", "not a user")
    try:
        _unwrap(db.path, keyring, entry, password, now())
    finally:
        _write_pending(db, keyring, db.path)
    _admit(db, keyring, entry, why="window unlocked")


def unlock_key(path: Path, username: str, password: str, now: Clock = utc_now) -> bytes:
    """The data key from the keyring beside `path` (a database or a backup), same lock-out.

    For a file that cannot be signed in to (a backup being restored): nothing is opened.
    """
    keyring = keys.load_keyring(path)
    entry = keyring.entries.get(username)
    if entry is None:
        raise SignInFailed(f"{username} has no key to {path.name}.", "not a user")
    key = _unwrap(path, keyring, entry, password, now())
    entry.failures, entry.locked_until = 0, None
    keys.save_keyring(path, keyring)
    return key


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
    username: str, failures: int, policy: LockoutPolicy, when: datetime
) -> tuple[int, datetime | None, SignInFailed]:
    """The failure count and lock after one more wrong password, and what to tell the user."""
    failures += 1
    if failures < policy.attempts:
        left = policy.attempts - failures
        return failures, None, SignInFailed(
            f"Wrong password for {username} ({left} more {'try' if left == 1 else 'tries'} "
            f"before the account locks for {policy.minutes} minutes)."
        )  # fmt: skip
    until = when + timedelta(minutes=policy.minutes)
    return 0, until, AccountLocked(
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
                user.failed_signins, user.locked_until, refusal = _after_failure(
                    username, user.failed_signins, policy, when
                )
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


def _sign_in_encrypted(
    target: str, path: Path, username: str, ask: AskPassword, now: Clock, exclusive: bool
) -> SignedIn:
    keyring = keys.load_keyring(path)
    entry = keyring.entries.get(username)
    if entry is None:
        keyring.note_failure(username, now(), "not a user")
        keys.save_keyring(path, keyring)
        raise SignInFailed(
            f"{username} has no key to {path.name}; check the user name, or ask an "
            "administrator to set your password.",
            "not a user",
        )
    key = _unwrap(path, keyring, entry, ask(), now())
    db = open_database(target, key=key, exclusive=exclusive)
    try:
        _write_pending(db, keyring, path)
        return SignedIn(db, _admit(db, keyring, entry))
    except BaseException:
        db.close()
        raise


def _unwrap(
    path: Path, keyring: Keyring, entry: WrappedKey, password: str, when: datetime
) -> bytes:
    """The data key for this password, or the failure noted in the keyring and raised."""
    refusal: SignInFailed | None = _locked(
        entry.username, entry.locked_until, keyring.lockout, when
    )
    key = None if refusal else keys.unwrap_key(entry, password)
    if key is not None:
        return key
    if refusal is None:
        entry.failures, entry.locked_until, refusal = _after_failure(
            entry.username, entry.failures, keyring.lockout, when
        )
    keyring.note_failure(entry.username, when, refusal.reason)
    keys.save_keyring(path, keyring)
    raise refusal


def _write_pending(db: Database, keyring: Keyring, path: Path) -> None:
    """Failed sign-ins noted in the keyring go to the audit log, now that it can be opened."""
    if not keyring.pending:
        return
    with db.transaction() as session:
        for pending in keyring.pending:
            user_id = user_id_of(session, pending.username)
            log_sign_in(
                session, pending.username, user_id, failed=True, why=pending.reason, at=pending.at
            )
    keyring.pending.clear()
    keys.save_keyring(path, keyring)


def _admit(db: Database, keyring: Keyring, entry: WrappedKey, why: str | None = None) -> Actor:
    """Audit the sign-in, clear the user's failures, and take the lock-out policy along."""
    refusal: SignInFailed | None = None
    with db.transaction() as session:
        try:
            actor = resolve_actor(session, entry.username)
        except PermissionDenied as exc:
            refusal = SignInFailed(str(exc), "account switched off")
        user_id = user_id_of(session, entry.username)
        reason = refusal.reason if refusal else why
        log_sign_in(session, entry.username, user_id, failed=refusal is not None, why=reason)
        keyring.lockout = lockout_policy(session)
    if refusal is not None:
        raise refusal
    entry.failures, entry.locked_until = 0, None
    assert db.path is not None
    keys.save_keyring(db.path, keyring)
    return actor


def user_id_of(session: Session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username))
