"""Backups: a consistent copy taken while the application runs, checked, then kept.

The copy is made with SQLite's online backup API: one snapshot even while others write (in
one step; in steps when progress is shown, SQLite starting again if another connection
writes between two). An encrypted database's backup is encrypted with the same key, and
its keyring file (`<file>.keys`) is copied beside it: without the keyring and a password
the backup is as unreadable as the database. A backup is written beside its final name,
checked with SQLite's integrity check, synced, then moved into place: a half-written
backup never carries a backup's name.
"""

from __future__ import annotations

import glob
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from missing_app.core.db import cipher, integrity
from missing_app.core.db.engine import Database
from missing_app.core.db.errors import BackupFailed, DatabaseLocked
from missing_app.core.db.files import (
    SIDECAR_SUFFIXES,
    copy_durably,
    discard_unfinished,
    remove_securely,
    written_privately,
)
from missing_app.core.db.rotation import (
    DAILY,
    KEYRING_SUFFIX,
    backup_folder,
    backup_name,
    backups_of,
    keyring_of,
    migration_reason,
    prune,
)
from missing_app.core.errors import HomewardError, MigrationError
from missing_app.core.times import LONDON, utc_now

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # pages copied, pages in all
PROGRESS_PAGES = 4096  # 16 MB a step when someone is watching


def backup_database(
    source: Database | str | Path,
    out_path: str | Path,
    key: bytes | None = None,
    *,
    full_check: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Copy a database (open or by path) to `out_path`, checked; returns the path written.

    `key` opens an encrypted file (a Database's own key is used when not given). With
    `full_check` the copy gets SQLite's full integrity check, else the quicker structural
    one. A damaged database raises DatabaseDamaged and leaves no backup behind.
    """
    path, key = _source_of(source, key)
    out = Path(out_path).expanduser().resolve()
    if out == path:
        raise BackupFailed(f"A backup of {path} cannot be written over the database itself.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        discard_unfinished(out.parent)
        # Made private and, for an encrypted database, keyed before its first page: the
        # copy is never a plain or readable file, even half made.
        with written_privately(out) as partial:
            _copy(path, partial, key, progress)
            _check_copy(path, partial, key, full_check)
            _copy_keyring(path, out)
    except OSError as error:
        raise BackupFailed(f"The backup of {path} could not be written to {out}: {error}") from (
            error
        )
    log.info("backed up %s to %s", path, out)
    return out


def _source_of(source: Database | str | Path, key: bytes | None) -> tuple[Path, bytes | None]:
    if isinstance(source, Database):
        if source.path is None:
            raise BackupFailed("Only a database file can be backed up.")
        return source.path.resolve(), key or source.key
    path = Path(source).expanduser().resolve()
    if not path.is_file():
        raise BackupFailed(f"There is no database at {path} to back up.")
    if key is None and cipher.is_encrypted(path):
        raise DatabaseLocked(f"{path} is encrypted; sign in to back it up.")
    return path, key


def _copy(path: Path, partial: Path, key: bytes | None, progress: Progress | None) -> None:
    """SQLite's online backup of `path` into `partial`, left as one self-contained file."""
    source = cipher.connect(path, key, timeout=10)
    try:
        copy = cipher.connect(partial, key)
        try:
            source.backup(copy, pages=PROGRESS_PAGES if progress else -1, progress=_pages(progress))
            # The copy needs no -wal beside it: a backup is one file.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except cipher.driver_errors(key) as error:
        if integrity.is_damage(error):
            raise integrity.damaged(path, str(error)) from error
        raise BackupFailed(f"The backup of {path} failed: {error}") from error
    finally:
        source.close()


def _pages(progress: Progress | None) -> Callable[[int, int, int], None] | None:
    if progress is None:
        return None
    return lambda _status, remaining, total: progress(total - remaining, total)


def _check_copy(path: Path, partial: Path, key: bytes | None, full: bool) -> None:
    """The copy is the database page for page: a fault found in it is the database's."""
    copy = cipher.connect(partial, key)
    try:
        found = integrity.problems(copy, full=full)
    finally:
        copy.close()
    if found:
        raise integrity.damaged(path, "; ".join(found[:3]))


def _removed(copy: Path) -> bool:
    try:
        remove_securely(copy)
        keyring_of(copy).unlink(missing_ok=True)
    except OSError:
        log.warning("could not delete the plain backup %s either", copy, exc_info=True)
        return False
    return True


def _copy_keyring(path: Path, out: Path) -> None:
    """The wrapped keys travel with an encrypted backup (written first: a backup never
    stands without them)."""
    keyring = keyring_of(path)
    if keyring.is_file():
        copy_durably(keyring, keyring_of(out))


def auto_backup(
    db: Database,
    folder: str | Path | None = None,
    keep_daily: int = 7,
    keep_before_migration: int = 5,
    *,
    now: datetime | None = None,
) -> Path | None:
    """Today's backup, if none is taken yet (call at start-up, off the window's thread).

    Runs the full integrity check on the copy, so a damaged database is found within a day
    (DatabaseDamaged; the older, good backups are left alone). Then only the newest
    `keep_daily` daily and `keep_before_migration` pre-migration backups are kept. Returns
    the new backup, or None when today's was already taken.
    """
    if db.path is None:
        return None
    path = db.path.resolve()
    where = Path(folder) if folder is not None else backup_folder(path)
    moment = now or utc_now()
    today = moment.astimezone(LONDON).date()
    taken = None
    if not any(b.daily and b.taken.date() == today for b in backups_of(path, where)):
        taken = backup_database(db, where / backup_name(path, moment, DAILY), full_check=True)
    prune(path, where, keep_daily, keep_before_migration)
    return taken


def backup_before_migration(
    path: Path,
    old: str,
    new: str,
    *,
    key: bytes | None = None,
    keep: int = 5,
    now: datetime | None = None,
) -> Path:
    """A backup named with the revisions, taken just before the file is upgraded."""
    database = path.resolve()
    folder = backup_folder(database)
    out = folder / backup_name(database, now or utc_now(), migration_reason(old, new))
    try:
        # The structural check: a full one would add seconds to a large file's start-up.
        taken = backup_database(database, out, key, full_check=False)
    except HomewardError as error:
        raise MigrationError(
            f"The database {database} could not be backed up before its upgrade "
            f"from schema {old} to {new} ({error}); it has been left as it was."
        ) from error
    prune(database, folder, None, keep)
    return taken


@dataclass(frozen=True)
class PlainCopies:
    """The plain copies of a database found once it was encrypted, and what became of them."""

    encrypted: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()  # could not be encrypted: overwritten, then deleted

    def __bool__(self) -> bool:
        return bool(self.encrypted or self.removed)


def encrypt_backups(database: Path, key: bytes) -> PlainCopies:
    """Encrypt in place every plain backup of `database` in its backups folder, and every
    file kept by a restore, its keyring copied beside each (once a database is encrypted,
    no plain copy of it should stay on the disk). One that cannot be encrypted (damaged,
    say) is overwritten and deleted: a plain copy is what encrypting is meant to end."""
    discard_unfinished(backup_folder(database))
    kept = database.parent.glob(glob.escape(database.name) + ".before-restore-*")
    copies = [b.path for b in backups_of(database)] + sorted(kept)
    encrypted, removed = [], []
    for copy in copies:
        if copy.name.endswith((KEYRING_SUFFIX, ".lock", *SIDECAR_SUFFIXES)):
            continue
        if not cipher.is_plain(copy):
            continue
        try:
            _copy_keyring(database, copy)
            cipher.encrypt_database(copy, key, backups=False)
        except (HomewardError, OSError, sqlite3.Error):
            log.warning("could not encrypt the plain backup %s; deleting it", copy, exc_info=True)
            if _removed(copy):
                removed.append(copy)
            continue
        encrypted.append(copy)
    return PlainCopies(tuple(encrypted), tuple(removed))
