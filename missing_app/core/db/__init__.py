"""The database: engine and sessions, SQLite pragmas, migrations on open.

Safety on a laptop lives beside it: `cipher` (encryption at rest), `lock` (one writer per
file), `integrity`, `backup` / `restore` (and `rotation`, the backups folder).
"""

from missing_app.core.db.cipher import encrypt_database, is_encrypted
from missing_app.core.db.engine import Database, open_database
from missing_app.core.db.errors import (
    BackupFailed,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseLocked,
    WrongKey,
)

__all__ = [
    "BackupFailed",
    "Database",
    "DatabaseDamaged",
    "DatabaseInUse",
    "DatabaseLocked",
    "WrongKey",
    "encrypt_database",
    "is_encrypted",
    "open_database",
]
