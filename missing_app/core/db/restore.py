"""Restore: check a backup in full, then put it in the database's place in one step.

The backup is copied beside the database first and every check runs on that copy (it
opens with the key, SQLite's integrity check passes, its schema is one this Homeward
knows): the database is not touched unless all pass, and the backup file itself is only
read. The file replaced is kept as `<database>.before-restore-<stamp>`. A backup older
than the current schema is upgraded after it is restored.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from missing_app.core.db import cipher, integrity
from missing_app.core.db.errors import BackupFailed, DatabaseLocked, WrongKey
from missing_app.core.db.files import (
    copy_durably,
    create_private,
    keep_as,
    remove_sidecars,
    replace_durably,
    sidecar,
)
from missing_app.core.db.lock import DatabaseLock
from missing_app.core.db.migrate import HEAD
from missing_app.core.db.rotation import keyring_of
from missing_app.core.times import LONDON, utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Restored:
    """What a restore did: the database now holds the backup; `kept` is the file replaced."""

    database: Path
    backup: Path
    kept: Path | None
    revision: str
    upgraded: bool


def restore_database(
    backup_path: str | Path,
    target_path: str | Path,
    key: bytes | None = None,
    *,
    now: datetime | None = None,
) -> Restored:
    """Replace the database at `target_path` with the backup, checked first (see above).

    `key` opens an encrypted backup (it is not needed for a plain one). Raises
    DatabaseInUse while Homeward has the database open, DatabaseLocked / WrongKey for an
    encrypted backup without the right key, BackupFailed for a backup (or a folder)
    that does not check out; in each case the database is left as it was.
    """
    backup = Path(backup_path).expanduser().resolve()
    target = Path(target_path).expanduser().resolve()
    if not backup.is_file():
        raise BackupFailed(f"There is no backup at {backup}.")
    if backup == target:
        raise BackupFailed(f"{backup} is the database itself, not a backup of it.")
    use_key = _key_for(backup, key)
    try:
        lock = DatabaseLock(target).acquire()
    except OSError as error:
        raise BackupFailed(f"{backup} could not be restored to {target}: {error}") from error
    try:
        _refuse_downgrade(backup, target)  # checked under the lock: nobody encrypts it now
        revision, kept = _restore_locked(backup, target, use_key, now or utc_now())
        upgraded = revision != HEAD
        if upgraded:  # under the same lock: nobody opens it half way
            from missing_app.core.db.engine import open_database

            open_database(str(target), key=use_key).close()
    finally:
        lock.release()
    log.info("restored %s from %s (schema %s)", target, backup, revision)
    return Restored(target, backup, kept, revision, upgraded)


def _restore_locked(
    backup: Path, target: Path, key: bytes | None, now: datetime
) -> tuple[str, Path | None]:
    try:
        staged, revision = _stage(backup, target, key)
        kept = _swap_in(staged, target, key, now)
        _carry_keyrings(backup, target, kept)
    except OSError as error:
        raise BackupFailed(f"{backup} could not be restored to {target}: {error}") from error
    return revision, kept


def _refuse_downgrade(backup: Path, target: Path) -> None:
    """A plain backup never replaces an encrypted database: it would leave every record
    readable by anyone with the file, and no accounts to sign in with."""
    if cipher.is_encrypted(target) and not cipher.is_encrypted(backup):
        raise BackupFailed(
            f"{backup} is not encrypted and {target} is: a plain backup cannot replace an "
            "encrypted database. Restore an encrypted backup of it instead."
        )


def _key_for(backup: Path, key: bytes | None) -> bytes | None:
    if cipher.is_encrypted(backup):
        if key is None:
            raise DatabaseLocked(f"{backup} is encrypted; sign in to restore it.")
        return key
    if not cipher.is_plain(backup):
        raise BackupFailed(f"{backup} is not a Homeward backup (not a database file).")
    return None


def _stage(backup: Path, target: Path, key: bytes | None) -> tuple[Path, str]:
    """Copy the backup beside the target and check the copy; returns it and its schema."""
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    remove_sidecars(staged)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup, create_private(staged))
        if sidecar(backup, "-wal").is_file():  # a copy of a live file, with its log
            shutil.copyfile(sidecar(backup, "-wal"), sidecar(staged, "-wal"))
        revision = _verify(staged, backup, key)
    except BaseException:
        staged.unlink(missing_ok=True)
        remove_sidecars(staged)
        raise
    return staged, revision


def _verify(staged: Path, backup: Path, key: bytes | None) -> str:
    try:
        connection = cipher.connect(staged, key)
    except WrongKey as error:
        raise WrongKey(f"The key does not open the backup {backup}.") from error
    except cipher.driver_errors(key) as error:  # a truncated file fails its first read
        raise _damaged(backup, [str(error)]) from error
    try:
        found = _problems(connection, key)
        if found:
            raise _damaged(backup, found)
        revision = _revision(connection, backup, key)
        connection.execute("PRAGMA journal_mode=DELETE")  # folds any log into the file
    except cipher.driver_errors(key) as error:
        raise _damaged(backup, [str(error)]) from error
    finally:
        connection.close()
    return revision


def _damaged(backup: Path, found: list[str]) -> BackupFailed:
    return BackupFailed(
        f"The backup {backup} is damaged ({'; '.join(found[:3])}); choose an older "
        "backup. The database was left as it was."
    )


def _problems(connection: Any, key: bytes | None) -> list[str]:
    try:
        return integrity.problems(connection, full=True)
    except cipher.driver_errors(key) as error:
        return [str(error)]


def _revision(connection: Any, backup: Path, key: bytes | None) -> str:
    """The backup's schema revision, which this Homeward must know."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except cipher.driver_errors(key):
        row = None
    if row is None:
        raise BackupFailed(f"{backup} is not a Homeward database (it has no schema revision).")
    revision = str(row[0])
    if revision not in _known_revisions():
        raise BackupFailed(
            f"{backup} was made by a newer Homeward (schema {revision}, this one knows up to "
            f"{HEAD}); update Homeward, then restore it."
        )
    return revision


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from missing_app.core.db.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def _swap_in(staged: Path, target: Path, key: bytes | None, now: datetime) -> Path | None:
    """Keep the current file under a second name, then move the staged copy over it."""
    kept = None
    if target.exists():
        kept = _free_name(target, f"before-restore-{now.astimezone(LONDON):%Y%m%d-%H%M%S}")
        _settle(target, key)
        keep_as(target, kept)
        wal = sidecar(target, "-wal")
        if wal.exists() and wal.stat().st_size > 0:  # could not be folded in: keep it too
            wal.replace(sidecar(kept, "-wal"))
    remove_sidecars(target)
    replace_durably(staged, target)
    return kept


def _free_name(target: Path, label: str) -> Path:
    """`<target>.<label>`, numbered if a file of that name is already there."""
    kept = target.with_name(f"{target.name}.{label}")
    number = 1
    while kept.exists():
        number += 1
        kept = target.with_name(f"{target.name}.{label}-{number}")
    return kept


def _settle(target: Path, key: bytes | None) -> None:
    """Fold a log left by a crash into the file being replaced, if it still opens."""
    if not sidecar(target, "-wal").exists():
        return
    try:
        connection = cipher.connect(target, key if cipher.is_encrypted(target) else None)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except Exception:
        log.warning("could not fold the log into %s before replacing it", target, exc_info=True)


def _carry_keyrings(backup: Path, target: Path, kept: Path | None) -> None:
    """Keys travel with their data: the replaced file keeps the current keyring, and the
    restored one gets the backup's (its users table is the backup's too). A backup without
    a keyring leaves the current one in place."""
    if kept is not None and keyring_of(target).is_file():
        copy_durably(keyring_of(target), keyring_of(kept))
    if keyring_of(backup).is_file():
        copy_durably(keyring_of(backup), keyring_of(target))
