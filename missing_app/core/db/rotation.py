"""Where backups live, what they are called, and which of them are kept.

A database `…/homeward.sqlite` keeps its backups in `…/backups/`, named
`homeward-YYYYMMDD-HHMMSS[-reason].sqlite` in London time (the stem is the database's, so
the demo database's backups never rotate the real one's away). Reasons: `daily` (one a day,
taken at start-up), `before-0002-to-0004` (before a migration), none for one made by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from missing_app.core.db.files import discard_unfinished, remove_sidecars
from missing_app.core.times import LONDON

FOLDER = "backups"
DAILY = "daily"
BEFORE_MIGRATION = "before-"
KEYRING_SUFFIX = ".keys"  # the wrapped keys of an encrypted file live beside it


@dataclass(frozen=True, order=True)
class Backup:
    """One backup file in a database's backups folder."""

    taken: datetime  # naive London time, from the name
    path: Path
    reason: str

    @property
    def daily(self) -> bool:
        return self.reason == DAILY

    @property
    def before_migration(self) -> bool:
        return self.reason.startswith(BEFORE_MIGRATION)


def backup_folder(database: Path) -> Path:
    """The default backups folder of a database file: `backups/` beside it."""
    return database.parent / FOLDER


def discard_unfinished_backups(database: Path) -> list[Path]:
    """Remove the half-made copies that killed backups left in the database's folder and
    its backups folder (called when the database is opened)."""
    return discard_unfinished(database.parent) + discard_unfinished(backup_folder(database))


def keyring_of(path: Path) -> Path:
    """The keyring file that travels with a database or backup file."""
    return path.with_name(path.name + KEYRING_SUFFIX)


def backup_name(database: Path, when: datetime, reason: str = "") -> str:
    """`<stem>-YYYYMMDD-HHMMSS[-reason].sqlite`, the time shown in London."""
    local = when.astimezone(LONDON) if when.tzinfo else when
    suffix = f"-{reason}" if reason else ""
    return f"{database.stem}-{local:%Y%m%d-%H%M%S}{suffix}.sqlite"


def migration_reason(old: str, new: str) -> str:
    return f"{BEFORE_MIGRATION}{old}-to-{new}"


def backups_of(database: Path, folder: Path | None = None) -> list[Backup]:
    """The backups of `database` in `folder` (default: its own), oldest first."""
    where = folder or backup_folder(database)
    pattern = re.compile(re.escape(database.stem) + r"-(\d{8}-\d{6})(?:-(.+))?\.sqlite")
    found = []
    for path in where.glob(f"{database.stem}-*.sqlite") if where.is_dir() else ():
        match = pattern.fullmatch(path.name)
        if match:
            taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
            found.append(Backup(taken, path, match.group(2) or ""))
    return sorted(found)


def newest_backup(database: Path, folder: Path | None = None) -> Path | None:
    backups = backups_of(database, folder)
    return backups[-1].path if backups else None


def prune(
    database: Path, folder: Path, keep_daily: int | None, keep_before_migration: int | None
) -> list[Path]:
    """Delete all but the newest `keep_daily` daily and `keep_before_migration` pre-migration
    backups (None: that kind is left alone), with their keyrings; backups made by hand are
    never deleted. Returns the paths deleted."""
    backups = backups_of(database, folder)
    doomed = _all_but_newest([b for b in backups if b.daily], keep_daily)
    doomed += _all_but_newest([b for b in backups if b.before_migration], keep_before_migration)
    for backup in doomed:
        backup.path.unlink(missing_ok=True)
        keyring_of(backup.path).unlink(missing_ok=True)
        remove_sidecars(backup.path)
    return [backup.path for backup in doomed]


def _all_but_newest(backups: list[Backup], keep: int | None) -> list[Backup]:
    if keep is None:
        return []
    return backups[: max(len(backups) - max(keep, 1), 0)]
