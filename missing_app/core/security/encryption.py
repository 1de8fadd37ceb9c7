"""Encrypted databases: a new one at first start, or an existing plain one converted.

The data key is random, made here, and kept only wrapped in the keyring beside the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from missing_app.core.audit import log_event, log_sign_in
from missing_app.core.db import Database, open_database
from missing_app.core.db.cipher import encrypt_database, is_encrypted
from missing_app.core.errors import HomewardError
from missing_app.core.models import User
from missing_app.core.security import keyring as keys
from missing_app.core.security.access import Permission, accounts_exist, require, resolve_actor
from missing_app.core.security.signin import (
    SignedIn,
    check_plain_password,
    database_file,
    lockout_policy,
    user_id_of,
)
from missing_app.core.security.signin_record import LockoutPolicy, SignInRecord
from missing_app.core.security.users import Users
from missing_app.core.times import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Encrypted:
    """What converting a plain database did."""

    administrator: str
    created_administrator: bool
    without_key: tuple[str, ...]  # accounts whose passwords were not known: set them anew


def create_encrypted_database(
    target: str,
    username: str,
    display_name: str,
    password: str,
    now: Callable[[], datetime] = utc_now,
) -> SignedIn:
    """Create a new encrypted database whose first user, the administrator, is signed in."""
    path = database_file(target)
    if path is None:
        raise HomewardError(f"{target} is not a file; only a file can be encrypted.")
    if path.exists() and path.stat().st_size > 0:
        raise HomewardError(f"{path} already exists; open it instead of creating it.")
    db = open_database(target, key=keys.new_data_key())
    try:
        Users(db, username, now).add_user(username, display_name, "administrator", password)
        with db.transaction() as session:
            actor = resolve_actor(session, username)
            log_sign_in(session, username, user_id_of(session, username), why="database created")
    except BaseException:
        db.close()
        raise
    return SignedIn(db, actor)


def plain_database_file(target: str) -> Path:
    """Return the plain database file at `target`, or raise HomewardError saying why not."""
    path = database_file(target)
    if path is None or not path.is_file():
        raise HomewardError(f"There is no database file at {target} to encrypt.")
    if is_encrypted(path):
        raise HomewardError(f"{path} is already encrypted.")
    return path


def encrypt_existing_database(
    target: str,
    username: str,
    password: str,
    display_name: str | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Encrypted:
    """Encrypt a plain database in place, as its administrator `username`.

    A database without accounts gets `username` as its first administrator. Other accounts
    keep their history but need a new password from an administrator to sign in (their
    passwords are not known, so their key cannot be wrapped).
    """
    path = plain_database_file(target)
    db = open_database(target)
    try:
        created, others, policy = _administrator(db, username, password, display_name, now)
    finally:
        db.close()
    key = keys.new_data_key()
    keyring = keys.Keyring(record=SignInRecord(lockout=policy))
    keyring.entries[username] = keys.seal(username, key, password)
    keys.save_keyring(path, keyring)  # first: once the file is encrypted, only this opens it
    try:
        encrypt_database(path, key)
    except BaseException:
        keys.keyring_path(path).unlink(missing_ok=True)
        raise
    encrypted = open_database(target, key=key)
    try:
        with encrypted.transaction() as session:
            log_event(session, username, "encrypt", "database", why="encrypted at rest")
    finally:
        encrypted.close()
    log.info("encrypted %s for %s (%d accounts without a key)", path, username, len(others))
    return Encrypted(username, created, others)


def _administrator(
    db: Database,
    username: str,
    password: str,
    display_name: str | None,
    now: Callable[[], datetime],
) -> tuple[bool, tuple[str, ...], LockoutPolicy]:
    """Check (or create) the administrator who encrypts; the other accounts; the lock-out."""
    with db.session() as session:
        existing = accounts_exist(session)
    if existing:
        check_plain_password(db, username, password, now())
        with db.session() as session:
            require(resolve_actor(session, username), Permission.USERS)
    else:
        Users(db, username, now).add_user(
            username, display_name or username, "administrator", password
        )
    with db.session() as session:
        others = session.scalars(
            select(User.username).where(
                User.password_hash.is_not(None), User.active, User.username != username
            )
        )
        return not existing, tuple(sorted(others)), lockout_policy(session)
