"""One writer per database file: an OS lock on `<database>.lock`, held while it is open.

Policy: the window and every command that writes (demo, import, encrypt, restore) open the
database with `exclusive=True`, which takes this lock or fails at once with `DatabaseInUse`.
Commands that only read (stats, report, validate, backup) take no lock: SQLite's WAL lets
them read beside a running window. The lock is the operating system's (flock on POSIX,
msvcrt on Windows), so it goes when the process ends, however it ends: a crash never leaves
the file locked. The lock file itself stays; its contents (the holder's pid) are only a hint
for the message.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from missing_app.core.db.errors import DatabaseInUse

log = logging.getLogger(__name__)

PID_OFFSET = 16  # Windows locks a byte range; the pid is written beyond the locked byte


def lock_path(database: Path) -> Path:
    """The lock file of a database file."""
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """An exclusive lock on one database file, held until `release`."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> DatabaseLock:
        """Take the lock, or raise DatabaseInUse naming the process that has it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            holder = _read_pid(fd)
            os.close(fd)
            pid = f" (pid {holder})" if holder else ""
            raise DatabaseInUse(
                f"Homeward is already open on {self.database}{pid}; "
                "close it there first, then try again."
            )
        _write_pid(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, PID_OFFSET, os.SEEK_SET)
        text = os.read(fd, 32)
        return int(text.strip(b"\0 \n") or b"0") or None
    except (OSError, ValueError):
        return None


def _write_pid(fd: int) -> None:
    try:
        os.ftruncate(fd, PID_OFFSET)
        os.lseek(fd, PID_OFFSET, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        log.warning("could not write the pid into the lock file", exc_info=True)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        # flock, not fcntl: two opens in one process exclude each other too.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
