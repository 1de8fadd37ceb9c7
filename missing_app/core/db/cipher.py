"""Encryption at rest: SQLCipher files opened with a raw 32-byte key, and encrypting in place.

The key is raw (`PRAGMA key = "x'…'"`), so no key derivation runs per connection: deriving
a key from a password is the sign-in's work, done once. Plain files are opened with the
standard library's sqlite3 exactly as before; sqlcipher3 is imported only for a key.
"""

from __future__ import annotations

import logging
import sqlite3
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from missing_app.core.db import integrity
from missing_app.core.db.errors import WrongKey
from missing_app.core.db.files import (
    create_private,
    remove_sidecars,
    replace_durably,
    sidecar,
)
from missing_app.core.db.lock import DatabaseLock
from missing_app.core.errors import HomewardError

if TYPE_CHECKING:
    from missing_app.core.db.backup import PlainCopies

log = logging.getLogger(__name__)

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
NOT_A_DATABASE = 26  # SQLITE_NOTADB: what a wrong key (or no key) looks like to SQLite


def is_encrypted(path: str | Path) -> bool:
    """Whether `path` holds an encrypted database: whole pages without SQLite's plain header."""
    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return size > 0 and size % 512 == 0 and header != SQLITE_HEADER


def is_plain(path: str | Path) -> bool:
    """Whether `path` starts with a plain (unencrypted) SQLite header."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def key_pragma(key: bytes) -> str:
    """The PRAGMA that gives SQLCipher a raw key (checked to be 32 bytes)."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"an encryption key is {KEY_BYTES} bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def driver() -> Any:
    """The SQLCipher DB-API module (sqlite3's twin)."""
    from sqlcipher3 import dbapi2

    # pandas reads any connection that is not the standard library's sqlite3 exactly as it
    # reads sqlite3's (its SQLite path), but warns on every query that it "is not tested".
    warnings.filterwarnings(
        "ignore", message="pandas only supports SQLAlchemy connectable", category=UserWarning
    )
    return dbapi2


def driver_errors(key: bytes | None) -> tuple[type[Exception], ...]:
    """The DB-API error classes of the driver `connect` uses for this key."""
    if key is None:
        return (sqlite3.Error,)
    return (sqlite3.Error, driver().Error)


def connect(path: str | Path, key: bytes | None = None, **options: Any) -> Any:
    """A raw DB-API connection: sqlite3 for a plain file, sqlcipher3 keyed for an encrypted
    one (raising WrongKey at once when the key does not open it)."""
    if key is None:
        connection = sqlite3.connect(str(path), isolation_level=None, **options)
    else:
        connection = driver().connect(str(path), isolation_level=None, **options)
        # SQLCipher writes every failed decryption to stderr; a wrong key is reported by us.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key_pragma(key))
        try:
            check_key(connection, path)
        except BaseException:
            connection.close()
            raise
    # 64 MiB, as the engine's: a check of an encrypted file with SQLite's default 2 MiB
    # decrypts each page over and over (41 s against 12 s at force scale).
    connection.execute("PRAGMA cache_size=-65536")
    return connection


def is_not_a_database(error: BaseException) -> bool:
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) == NOT_A_DATABASE


def check_key(connection: Any, path: str | Path) -> None:
    """Read the schema once: raises WrongKey when the key does not open the file."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as error:
        if is_not_a_database(error):
            raise WrongKey(
                f"The key does not open {path}: sign in as a user of this database."
            ) from error
        raise


def table_counts(connection: Any) -> dict[str, int]:
    """Rows per table, every table of the schema included."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
    }


def schema(connection: Any) -> list[tuple[str, str, str | None]]:
    """Every table, index, trigger and view with its SQL, in a stable order."""
    rows = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' "
        "ORDER BY type, name"
    )
    return [tuple(row) for row in rows]


def encrypt_database(path: str | Path, key: bytes, *, backups: bool = True) -> PlainCopies:
    """Encrypt the plain database at `path` in place with `key`, or finish the job.

    An encrypted copy is written beside it, checked (integrity, schema, rows per table),
    synced, then moved over the original in one step: a crash at any moment leaves either
    the old plain file or the new encrypted one. Keep the key safe BEFORE calling this (its
    wrapped copy written out, `<path>.keys`): afterwards nothing else opens the file.

    With `backups`, the plain backups in its backups folder and the files kept by restores
    are then encrypted the same way (or, failing that, overwritten and deleted), so that no
    plain copy stays beside it; returns what was done to which. A file already encrypted
    (the run was stopped half way, say) is checked to open with `key`, and only that part
    is done.
    """
    from missing_app.core.db.backup import PlainCopies, encrypt_backups

    target = Path(path).expanduser().resolve()
    key_pragma(key)
    if not target.is_file() or target.stat().st_size == 0:
        raise HomewardError(f"There is no database at {target} to encrypt.")
    if is_encrypted(target):
        connect(target, key).close()  # WrongKey: this key may not finish another's work
    else:
        lock = DatabaseLock(target).acquire()
        try:
            _encrypt_locked(target, key)
        finally:
            lock.release()
    return encrypt_backups(target, key) if backups else PlainCopies()


def _encrypt_locked(target: Path, key: bytes) -> None:
    partial = target.with_name(target.name + ".encrypting")
    partial.unlink(missing_ok=True)
    remove_sidecars(partial)
    try:
        counts, tables = _export(target, partial, key)
        _verify_copy(partial, key, counts, tables)
        _drop_settled_wal(target)
        replace_durably(partial, target)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        remove_sidecars(partial)
        if isinstance(error, OSError | sqlite3.Error | driver().Error):
            raise HomewardError(
                f"{target} could not be encrypted ({error}); it was left as it was."
            ) from error
        raise
    log.info("encrypted %s (%d tables)", target, len(counts))


def _export(
    target: Path, partial: Path, key: bytes
) -> tuple[dict[str, int], list[tuple[str, str, str | None]]]:
    """Copy the plain file into a new encrypted one with SQLCipher's own export."""
    source = driver().connect(str(target), isolation_level=None)
    try:
        # Fold committed work from the WAL into the file first, so nothing is left in it.
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        counts, tables = table_counts(source), schema(source)
        create_private(partial)
        source.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(partial),))
        # The copy is scratch until checked and synced by hand: no journal, no syncs per
        # statement (a third of the time).
        source.execute("PRAGMA encrypted.journal_mode=OFF")
        source.execute("PRAGMA encrypted.synchronous=OFF")
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute("DETACH DATABASE encrypted")
    finally:
        source.close()
    return counts, tables


def _verify_copy(
    partial: Path, key: bytes, counts: dict[str, int], tables: list[tuple[str, str, str | None]]
) -> None:
    copy = connect(partial, key)
    try:
        check_key(copy, partial)
        problems = integrity.problems(copy, full=True)
        if problems or table_counts(copy) != counts or schema(copy) != tables:
            detail = "; ".join(problems[:3]) or "rows or schema differ"
            raise HomewardError(
                f"The encrypted copy of {partial.with_suffix('')} did not check out ({detail}); "
                "the database was left as it was."
            )
    finally:
        copy.close()


def _drop_settled_wal(target: Path) -> None:
    """Remove the plain file's empty -wal and -shm, so none meets the encrypted file."""
    wal = sidecar(target, "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise HomewardError(
            f"{target} is still open in another program; close it, then try again "
            "(nothing was changed)."
        )
    remove_sidecars(target)
