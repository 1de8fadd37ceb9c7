"""What can go wrong with the database file itself, worded so the user knows the way on."""

from __future__ import annotations

from missing_app.core.errors import HomewardError


class DatabaseLocked(HomewardError):
    """The file is encrypted and no key was given: someone must sign in first."""


class WrongKey(HomewardError):
    """The key given does not open the encrypted file."""


class DatabaseDamaged(HomewardError):
    """The file fails SQLite's integrity check; the way back is a backup."""


class DatabaseInUse(HomewardError):
    """Another Homeward holds the file open for writing."""


class BackupFailed(HomewardError):
    """A backup could not be written or does not check out; nothing was replaced."""
