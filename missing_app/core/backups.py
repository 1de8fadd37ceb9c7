"""Backups and restores as use cases: each one audited, for the command line and the window.

A backup is a copy of every child's record, so taking one is a disclosure like an export:
who took it, when, the file written and why (if given) go in the audit log of the database
copied, once the copy is checked and in place (a backup that fails or is stopped leaves no
row). A restore replaces the database, so its row goes in the restored database, after the
restore: "restored from <file> by <user>". The copying itself is `db.backup` and `db.restore`,
below the audit layer. The day's automatic backup is audited as any other, under the
signed-in user, why "daily automatic backup".
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from missing_app.core.audit import log_event, refusals_audited
from missing_app.core.db import audit_chain, cipher
from missing_app.core.db.backup import Progress, auto_backup, backup_database
from missing_app.core.db.engine import Database, open_database
from missing_app.core.db.errors import BackupFailed, DatabaseLocked
from missing_app.core.db.restore import Restored, restore_database
from missing_app.core.errors import HomewardError
from missing_app.core.retention import erase_again
from missing_app.core.security.access import Permission, require, resolve_actor

log = logging.getLogger(__name__)

ENTITY = "database"
DAILY_WHY = "daily automatic backup"
ERASURE = ("erase", "children")  # an audit row's action and entity when a child is erased
KEPT_COLUMNS = ("at", "username", "action", "entity", "entity_id", "before", "after", "why",
                "recipient")  # fmt: skip


def take_backup(
    db: Database,
    out_path: str | Path,
    username: str,
    *,
    why: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Path:
    """Back the open database up to `out_path` (checked), then audit it (at `now`, if not
    the clock's); returns the file.

    PermissionDenied, before anything is copied, unless `username` may make backups (any
    user of a database without accounts may).
    """
    with refusals_audited(db, username, "backup"), db.session() as session:
        require(resolve_actor(session, username), Permission.BACKUP)
    written = backup_database(db, out_path, progress=progress)
    with db.transaction() as session:
        after = _file(written)
        log_event(session, username, "backup", ENTITY, after=after, why=_why(why), at=now)
    return written


def take_daily_backup(
    db: Database, username: str, folder: str | Path | None = None, *, now: datetime | None = None
) -> Path | None:
    """Today's automatic backup (`db.backup.auto_backup`: once a day, fully checked, older
    ones pruned), audited when one is taken; returns it, or None when today's was taken.

    Not limited by role: it is taken at start-up for whoever signed in, to keep the records
    safe, and goes where the database's own backups go.
    """
    taken = auto_backup(db, folder, now=now)
    if taken is not None:
        with db.transaction() as session:
            log_event(session, username, "backup", ENTITY, after=_file(taken), why=DAILY_WHY,
                      at=now)  # fmt: skip
    return taken


def backup_file(
    path: Path,
    out_path: str | Path,
    username: str,
    key: bytes | None = None,
    *,
    why: str | None = None,
) -> Path:
    """`take_backup` of the database file at `path`, opened (shared, and at the current
    schema, as every command opens it) for the copy only; `key` opens an encrypted one."""
    if not path.is_file():
        raise BackupFailed(f"There is no database at {path} to back up.")
    if key is None and cipher.is_encrypted(path):
        raise DatabaseLocked(f"{path} is encrypted; sign in to back it up.")
    db = open_database(str(path), key=key)
    try:
        return take_backup(db, out_path, username, why=why)
    finally:
        db.close()


def restore_backup(
    backup_path: str | Path,
    target_path: str | Path,
    username: str,
    key: bytes | None = None,
    *,
    why: str | None = None,
    now: datetime | None = None,
) -> Restored:
    """Restore the backup over the database at `target_path` (`db.restore.restore_database`),
    then audit it in the restored database: restored from which file, by whom.

    A restore does not rewind the audit log: the rows written in the replaced file since
    the backup was taken are added after the backup's own, marked as restored over, and
    every child erased since is erased again, by the same secure delete.
    """
    restored = restore_database(backup_path, target_path, key, now=now)
    encrypted = cipher.is_encrypted(restored.database)
    db = open_database(str(restored.database), key=key if encrypted else None)
    try:
        since = _audit_rows_since(db, restored.kept, key)
        with db.transaction() as session:
            audit_chain.append(session.connection(), since)
            after = _file(restored.backup) | {
                "kept": None if restored.kept is None else str(restored.kept),
                "schema": restored.revision,
                "audit_rows_kept": len(since),
            }
            log_event(session, username, "restore", ENTITY, after=after, why=_why(why), at=now)
        erase_again(db, _erased(since))
    finally:
        db.close()
    return restored


def _audit_rows_since(db: Database, kept: Path | None, key: bytes | None) -> list[dict[str, Any]]:
    """The audit rows of the replaced file that the restored one lacks (its chain differs
    from where the backup was taken), ready to add, marked as restored over."""
    if kept is None:
        return []
    with db.session() as session:
        chains = dict(session.execute(text("SELECT id, chain FROM audit_events")).tuples().all())
    rows = []
    for row in _audit_rows(kept, key):
        if row["id"] in chains and chains[row["id"]] == row.get("chain"):
            continue  # written before the backup: the restored file has it already
        rows.append({name: row.get(name) for name in KEPT_COLUMNS} | {"restored_over": True})
    return rows


def _audit_rows(path: Path, key: bytes | None) -> list[dict[str, Any]]:
    """Every audit row of a database file, oldest first ([] when it cannot be read: a
    damaged file, or one another key opens, is said in the log)."""
    unreadable: tuple[type[Exception], ...] = (HomewardError, *cipher.driver_errors(key))
    try:
        connection = cipher.connect(path, key if cipher.is_encrypted(path) else None)
        try:
            cursor = connection.execute("SELECT * FROM audit_events ORDER BY id")
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            connection.close()
    except unreadable:
        log.warning("could not read the audit rows of %s to keep them", path, exc_info=True)
        return []


def _erased(rows: list[dict[str, Any]]) -> list[int]:
    return [row["entity_id"] for row in rows if (row["action"], row["entity"]) == ERASURE]


def _file(path: Path) -> dict[str, Any]:
    return {"file": str(path)}


def _why(why: str | None) -> str | None:
    return (why or "").strip() or None
