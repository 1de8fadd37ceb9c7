"""Is the file sound? SQLite's checks, and a damaged file reported with the way back.

When, and why (measured, warm cache): quick_check costs about 8 ms a MB (the demo file,
0.65 MB: 2 ms; 38 MB: 0.3 s; the force-scale file, 580 MB: 2 to 4 s plain, 4 to 6 s
encrypted) and integrity_check three times that (8 to 15 s at force scale), against a first
paint of 0.6 s. So on open, quick_check runs only for files up to QUICK_CHECK_LIMIT (8 MB:
at most about 70 ms; a PCSO's own database, some thousands of episodes, stays below it for
years). Every daily backup runs the full integrity_check on the copy it has just taken,
whatever the size, off the window's thread. And any query that meets a damaged page is
turned into DatabaseDamaged by the engine (see engine.py), never shown as a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from missing_app.core.db.errors import DatabaseDamaged
from missing_app.core.db.rotation import newest_backup

QUICK_CHECK_LIMIT = 8 * 1024 * 1024  # bytes
CORRUPT = 11  # SQLITE_CORRUPT
NOT_A_DATABASE = 26  # SQLITE_NOTADB


def is_damage(error: BaseException) -> bool:
    """Whether a driver error says the file is damaged (malformed pages or header)."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (CORRUPT, NOT_A_DATABASE)


def damaged(path: Path, detail: str) -> DatabaseDamaged:
    """The error for a damaged file, naming it and the newest backup to restore."""
    newest = newest_backup(path)
    if newest is not None:
        way_back = f"restore the latest backup: missing-app --db {path} restore {newest}"
    else:
        way_back = f"restore your latest backup: missing-app --db {path} restore BACKUP_FILE"
    return DatabaseDamaged(f"The database {path} is damaged ({detail}); {way_back}")


def problems(connection: Any, *, full: bool) -> list[str]:
    """SQLite's check of every page and index (`full`) or of the structure; [] when sound."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
    except Exception as error:  # the driver's own error: sqlite3's or sqlcipher3's
        if is_damage(error):  # so broken that the check itself cannot go on
            return [str(error)]
        raise
    return [] if rows == ["ok"] else rows


def check(connection: Any, path: Path, *, full: bool) -> None:
    """Raise DatabaseDamaged unless SQLite's check finds the file sound."""
    found = problems(connection, full=full)
    if found:
        raise damaged(path, "; ".join(found[:3]))


def check_on_open(connection: Any, path: Path) -> None:
    """The quick check, for files small enough that it costs no visible time."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size <= QUICK_CHECK_LIMIT:
        check(connection, path, full=False)
