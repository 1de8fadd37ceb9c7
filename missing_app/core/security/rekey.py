"""Changing the database key: when a user is removed, and on demand (`users rekey`).

A removed user, or anyone holding an old password and an old copy of the keyring, could
still unseal the old key; after a change of key it opens nothing current. The new key is
sealed to every remaining user's public key (sealing.py), so no password is needed; users
still in the first keyring format (never signed in since) cannot be sealed to and are
named, to be given a new password.

Three steps, each atomic, so a crash at any moment leaves a database some entry opens:
the keyring gets the new key's entries with the old key's kept as `previous`; the file is
copied under the new key and moved into place (core/db/rekey.py); `previous` is dropped.
A sign-in that finds `previous` finishes the change (`open_after_crash`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from missing_app.core.audit import log_event
from missing_app.core.db import Database, open_database
from missing_app.core.db.errors import WrongKey
from missing_app.core.db.lock import DatabaseLock
from missing_app.core.db.rekey import rekey_file
from missing_app.core.errors import HomewardError
from missing_app.core.security import keyring as keys
from missing_app.core.security.sealing import (
    SealedKey,
    WrappedKey,
    bound,
    new_data_key,
    open_entry,
    reseal,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rekeyed:
    """What a change of key did."""

    kept: tuple[str, ...]  # users sealed to the new key
    without_key: tuple[str, ...]  # users who need a new password to sign in again


def rekey_database(db: Database, who: str, *, dropped: str | None = None, why: str) -> Rekeyed:
    """Give the open encrypted database `db` a new key (leaving `dropped` out), audited."""
    path, old_key = db.path, db.key
    if path is None or old_key is None:
        raise HomewardError("Only an encrypted database file has a key to change.")
    new_key = new_data_key()
    with keys.editing(path) as keyring, _file_lock(db, path):
        keyring.entries.pop(dropped or "", None)
        kept: dict[str, WrappedKey] = {
            name: reseal(entry, new_key)
            for name, entry in keyring.entries.items()
            if isinstance(entry, SealedKey) and bound(entry, old_key)
        }
        without = tuple(sorted(set(keyring.entries) - set(kept)))
        if not kept:
            raise HomewardError("No user would be left to open the database; nothing changed.")
        keyring.previous, keyring.entries = keyring.entries, kept
        keys.save_keyring(path, keyring)
        db.engine.dispose()
        try:
            rekey_file(path, old_key, new_key)
        except BaseException:
            keyring.entries, keyring.previous = keyring.previous, {}  # as it was
            keys.save_keyring(path, keyring)
            raise
        keyring.previous = {}
        keys.save_keyring(path, keyring)
        db.use_new_key(new_key)
    with db.transaction() as session:
        detail = f"; without a key now: {', '.join(without)}" if without else ""
        log_event(session, who, "rekey", "database", why=f"{why}{detail}")
    log.info("new key for %s (%d users kept, %d without)", path, len(kept), len(without))
    return Rekeyed(tuple(sorted(kept)), without)


@contextmanager
def _file_lock(db: Database, path: Path) -> Iterator[None]:
    """The database file's lock for the copy: the one `db` holds, else taken for it (no
    other program may have the file open while it is replaced)."""
    if db.exclusive:
        yield
        return
    lock = DatabaseLock(path).acquire()
    try:
        yield
    finally:
        lock.release()


def open_after_crash(
    target: str, path: Path, keyring: keys.Keyring, username: str, password: str, key: bytes,
    exclusive: bool,
) -> Database:  # fmt: skip
    """Open the database with `key`, first finishing a change of key that a crash cut short.

    Called with the keyring's lock held, when the keyring still has `previous` entries.
    """
    try:
        db = open_database(target, key=key, exclusive=exclusive)
    except WrongKey:
        old_entry = keyring.previous.get(username)
        old_key = None if old_entry is None else open_entry(old_entry, password)
        if old_key is None:
            raise
        lock = DatabaseLock(path).acquire()
        try:
            rekey_file(path, old_key, key)  # the file was not replaced yet: replace it now
        finally:
            lock.release()
        db = open_database(target, key=key, exclusive=exclusive)
    keyring.previous = {}
    keys.save_keyring(path, keyring)
    log.warning("finished the change of key of %s that was interrupted", path)
    return db
