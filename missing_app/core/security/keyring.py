"""The keyring beside an encrypted database (`<db>.keys`): its random key, sealed per user.

Each user's entry (sealing.py) gives up the database key to their password only, and is
bound to their user name. Adding or removing a user, or changing a password, rewrites only
that user's entry; removing a user also changes the database key (rekey.py). During a change
of key the old key's entries are kept as `previous`, so a crash at any moment leaves a
database that some entry opens.

The keyring also keeps what sign-in needs before the database can be opened: the record of
failed sign-ins and the lock-out policy (signin_record.py). Every read-modify-write of the
file is made under its lock (`<db>.keys.lock`, the operating system's, via filelock).

It is JSON, written atomically (temporary file, fsync, rename), and checked field by field
when read: a damaged or forged file is refused with one sentence naming it, never obeyed.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from missing_app.core.db.files import fsync_folder
from missing_app.core.errors import HomewardError
from missing_app.core.security import keyring_json
from missing_app.core.security.sealing import (
    FORMAT,
    LegacyKey,
    SealedKey,
    WrappedKey,
    new_data_key,
    open_entry,
    seal,
)
from missing_app.core.security.signin_record import LockoutPolicy, SignInRecord

__all__ = ["Keyring", "KeyringError", "LegacyKey", "LockoutPolicy", "SealedKey", "WrappedKey",
           "new_data_key", "open_entry", "seal"]  # fmt: skip

log = logging.getLogger(__name__)

SUFFIX = ".keys"
LOCK_WAIT_SECONDS = 60  # a sign-in holds the lock for one key derivation or a few


class KeyringError(HomewardError):
    """The keyring is missing, damaged or cannot be read."""


@dataclass
class Keyring:
    entries: dict[str, WrappedKey] = field(default_factory=dict)
    record: SignInRecord = field(default_factory=SignInRecord)
    previous: dict[str, WrappedKey] = field(default_factory=dict)  # the old key's, mid-rekey
    legacy: bool = False  # read from the first format: converted when next written

    def locked_until(self, username: str) -> datetime | None:
        """When the user's lock-out ends, as the record has it (None: not locked)."""
        return self.record.standing(username).locked_until

    def to_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "format": FORMAT,
            "users": [keyring_json.entry_json(entry) for entry in self.entries.values()],
            "signins": self.record.to_json(),
        }
        if self.previous:
            values["previous"] = [keyring_json.entry_json(e) for e in self.previous.values()]
        return values


def keyring_path(db_path: str | Path) -> Path:
    """Where the keyring of the database at `db_path` lives: beside it, `.keys` added."""
    return Path(f"{db_path}{SUFFIX}")


def has_keyring(db_path: str | Path) -> bool:
    return keyring_path(db_path).is_file()


def load_keyring(db_path: str | Path) -> Keyring:
    """The keyring of the database at `db_path`, checked; KeyringError says what is wrong."""
    path = keyring_path(db_path)
    try:
        if path.stat().st_size > keyring_json.MAX_BYTES:
            raise KeyringError(f"The key file {path} is damaged: it is far too large.")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KeyringError(
            f"{db_path} is encrypted but its key file {path.name} is missing; without it the "
            f"database cannot be opened. Put back {path.name} from where the database was "
            "backed up."
        ) from None
    except OSError as exc:
        raise KeyringError(f"The key file {path} cannot be read ({exc.strerror}).") from exc
    try:
        parts = keyring_json.parse(raw)
    except keyring_json.Damaged as exc:
        raise KeyringError(
            f"The key file {path} cannot be read: {exc}. Put back the copy saved with the "
            "latest backup."
        ) from None
    entries, record, previous, legacy = parts
    return Keyring(entries, record, previous, legacy)


@contextmanager
def held(db_path: str | Path) -> Iterator[None]:
    """Hold the keyring's lock: one read-modify-write at a time, across processes too.

    Re-entrant within a thread (one lock object per file), so a use case may call another.
    """
    from filelock import FileLock, Timeout

    lock_file = Path(f"{keyring_path(db_path)}.lock")
    lock = FileLock(lock_file, timeout=LOCK_WAIT_SECONDS, is_singleton=True, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise KeyringError(
            f"The key file {keyring_path(db_path).name} is held by another sign-in for too "
            "long; try again."
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def editing(db_path: str | Path) -> Iterator[Keyring]:
    """The keyring, loaded under its lock; save it inside the block to keep changes."""
    with held(db_path):
        yield load_keyring(db_path)


def save_keyring(db_path: str | Path, keyring: Keyring) -> Path:
    """Write the keyring atomically: a crash leaves the old file or the new, never half."""
    path = keyring_path(db_path)
    text = json.dumps(keyring.to_json(), indent=2, sort_keys=True)
    _atomic_write(path, text.encode("utf-8"))
    keyring.legacy = False
    return path


def _atomic_write(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)  # the rename itself, made durable


def copy_keyring(src_db: str | Path, dst_db: str | Path) -> Path | None:
    """Copy a database's keyring beside its copy (`<dst_db>.keys`); None if it has none.

    A backup of an encrypted database is encrypted with the same key, so it is unreadable
    without this file and a user's password.
    """
    source = keyring_path(src_db)
    if not source.is_file():
        return None
    target = keyring_path(dst_db)
    with held(src_db):
        content = source.read_bytes()
    _atomic_write(target, content)
    return target
