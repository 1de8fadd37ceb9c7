"""The keyring beside an encrypted database (`<db>.keys`): its random key, wrapped per user.

The database key is never stored in the clear. For each user it is XORed with a key derived
from their password (argon2id, a fresh salt every time it is wrapped, so each wrap is a
one-time pad), and stored with an HMAC check value, so that a wrong password is told apart
from a damaged file without touching the database. Adding or removing a user, or changing a
password, rewrites only that user's entry: the data is never re-encrypted.

The keyring also keeps what sign-in needs before the database can be opened: failed attempts
and lock-outs per user, the lock-out policy as last read from the database's settings, and
failed sign-ins not yet written to the audit log (they are, at the next sign-in).

It is JSON, written atomically (temporary file, fsync, rename). It holds nothing secret
without a password; losing it loses the database, so it is backed up with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from missing_app.core.db.files import fsync_folder
from missing_app.core.errors import HomewardError
from missing_app.core.security import passwords
from missing_app.core.security.passwords import KdfCost
from missing_app.core.times import from_storage, to_storage

log = logging.getLogger(__name__)

FORMAT = 1
SUFFIX = ".keys"
KEY_BYTES = 32
CHECK_LABEL = b"homeward-key-check"
PENDING_LIMIT = 1000  # failed sign-ins kept for the audit log while no one signs in


class KeyringError(HomewardError):
    """The keyring is missing or cannot be read."""


@dataclass(frozen=True)
class LockoutPolicy:
    """After `attempts` failed sign-ins in a row, the account is locked for `minutes`."""

    attempts: int = 5
    minutes: int = 15


@dataclass
class WrappedKey:
    """One user's copy of the database key, wrapped by their password, and their lock-out."""

    username: str
    salt: bytes
    cost: KdfCost
    wrapped: bytes
    check: bytes
    failures: int = 0
    locked_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "salt": _b64(self.salt),
            "kdf": {"name": "argon2id", **self.cost.to_json()},
            "wrapped": _b64(self.wrapped),
            "check": _b64(self.check),
            "failures": self.failures,
            "locked_until": None if self.locked_until is None else to_storage(self.locked_until),
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> WrappedKey:
        locked = values.get("locked_until")
        return cls(
            username=str(values["username"]),
            salt=_unb64(values["salt"]),
            cost=KdfCost.from_json(values["kdf"]),
            wrapped=_unb64(values["wrapped"]),
            check=_unb64(values["check"]),
            failures=int(values.get("failures", 0)),
            locked_until=None if locked is None else from_storage(str(locked)),
        )


@dataclass
class PendingSignIn:
    """A failed sign-in seen before the database could be opened, for the audit log."""

    username: str
    at: datetime
    reason: str


@dataclass
class Keyring:
    entries: dict[str, WrappedKey] = field(default_factory=dict)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    pending: list[PendingSignIn] = field(default_factory=list)

    def note_failure(self, username: str, at: datetime, reason: str) -> None:
        """Keep a failed sign-in until it can be written to the audit log."""
        self.pending.append(PendingSignIn(username, at, reason))
        del self.pending[:-PENDING_LIMIT]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "users": [entry.to_json() for entry in self.entries.values()],
            "lockout": {"attempts": self.lockout.attempts, "minutes": self.lockout.minutes},
            "pending_failures": [
                {"username": p.username, "at": to_storage(p.at), "reason": p.reason}
                for p in self.pending
            ],
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Keyring:
        if values.get("format") != FORMAT:
            raise ValueError(f"format {values.get('format')!r}, expected {FORMAT}")
        entries = [WrappedKey.from_json(item) for item in values["users"]]
        lockout = values.get("lockout") or {}
        return cls(
            entries={entry.username: entry for entry in entries},
            lockout=LockoutPolicy(int(lockout.get("attempts", 5)), int(lockout.get("minutes", 15))),
            pending=[
                PendingSignIn(str(p["username"]), from_storage(str(p["at"])), str(p["reason"]))
                for p in values.get("pending_failures", [])
            ],
        )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_data_key() -> bytes:
    """A fresh random key for a new encrypted database."""
    return secrets.token_bytes(KEY_BYTES)


def _check_value(kek: bytes) -> bytes:
    return hmac.new(kek, CHECK_LABEL, hashlib.sha256).digest()


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def wrap_key(username: str, data_key: bytes, password: str) -> WrappedKey:
    """The database key wrapped by `password`, under a new salt."""
    salt = secrets.token_bytes(16)
    cost = passwords.COST
    kek = passwords.derive_key(password, salt, cost)
    return WrappedKey(username, salt, cost, _xor(data_key, kek), _check_value(kek))


def unwrap_key(entry: WrappedKey, password: str) -> bytes | None:
    """The database key, or None when the password is not this user's."""
    kek = passwords.derive_key(password, entry.salt, entry.cost)
    if not hmac.compare_digest(_check_value(kek), entry.check):
        return None
    return _xor(entry.wrapped, kek)


def keyring_path(db_path: str | Path) -> Path:
    """Where the keyring of the database at `db_path` lives: beside it, `.keys` added."""
    return Path(f"{db_path}{SUFFIX}")


def has_keyring(db_path: str | Path) -> bool:
    return keyring_path(db_path).is_file()


def load_keyring(db_path: str | Path) -> Keyring:
    """The keyring of the database at `db_path`."""
    path = keyring_path(db_path)
    try:
        return Keyring.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise KeyringError(
            f"{db_path} is encrypted but its key file {path.name} is missing; without it the "
            f"database cannot be opened. Put back {path.name} from where the database was "
            "backed up."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyringError(
            f"The key file {path} cannot be read ({exc}); put back the copy saved with the "
            "latest backup."
        ) from exc


def save_keyring(db_path: str | Path, keyring: Keyring) -> Path:
    """Write the keyring atomically: a crash leaves the old file or the new, never half."""
    path = keyring_path(db_path)
    text = json.dumps(keyring.to_json(), indent=2, sort_keys=True)
    _atomic_write(path, text.encode("utf-8"))
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
    _atomic_write(target, source.read_bytes())
    return target
