"""`missing-app backup --out FILE` and `missing-app restore FILE`.

For an encrypted database the handlers need its key: they take a `KeyProvider` (the
sign-in's), called with the path of the encrypted file to open. Without one, an encrypted
file is refused with a message saying to sign in (exit status 1).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

KeyProvider = Callable[[Path], bytes]

BAD_INPUT = 2


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup", help="copy the database to a file, safely even while Homeward is open"
    )
    backup.add_argument(
        "--out", required=True, metavar="FILE", help="the backup file, or a folder to put it in"
    )
    backup.add_argument("--why", metavar="TEXT", help="the reason, for the audit log")
    restore = commands.add_parser(
        "restore", help="replace the database with a backup (checked first; the old one is kept)"
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--why", metavar="TEXT", help="the reason, for the audit log")
    commands.add_parser(
        "check", help="check the database: SQLite's full check and the audit log's hash chain"
    )


def _database_file(target: str) -> Path | None:
    from missing_app.core.db.engine import database_url, sqlite_file

    path = sqlite_file(database_url(target))
    if path is None:
        print(f"{target}: backup and restore work on a database file.", file=sys.stderr)
    return path


def _key(path: Path, keys: KeyProvider | None) -> bytes | None:
    """The key of `path` when it is encrypted and someone can provide it."""
    from missing_app.core.db import is_encrypted

    return keys(path) if keys is not None and is_encrypted(path) else None


def run_backup(args: argparse.Namespace, target: str, keys: KeyProvider | None = None) -> int:
    """Back the database up, audited in it (who, the file, `--why`)."""
    from missing_app.cli_users import acting_user
    from missing_app.core.backups import backup_file
    from missing_app.core.db.rotation import backup_name, keyring_of
    from missing_app.core.times import utc_now

    path = _database_file(target)
    if path is None:
        return BAD_INPUT
    out = Path(args.out).expanduser()
    if args.out.endswith(("/", os.sep)):  # plainly a folder, even one not made yet
        out.mkdir(parents=True, exist_ok=True)
    if out.is_dir():
        out = out / backup_name(path, utc_now())
    key = _key(path, keys)
    written = backup_file(path, out, acting_user(), key, why=getattr(args, "why", None))
    print(f"Backed up {path} to {written}.")
    if keyring_of(written).exists():
        print(f"It is encrypted: keep {keyring_of(written).name} with it (its keys).")
    return 0


def run_check(args: argparse.Namespace, target: str, keys: KeyProvider | None = None) -> int:
    """SQLite's full integrity check and the audit log's chain; exit 1 when either fails."""
    from missing_app.core.audit import audit_log_problems
    from missing_app.core.db import open_database
    from missing_app.core.db.integrity import problems

    path = _database_file(target)
    if path is None:
        return BAD_INPUT
    db = open_database(str(path), key=_key(path, keys))
    try:
        with db.session() as session:
            damage = problems(session.connection().connection.driver_connection, full=True)
        tampered = audit_log_problems(db)
    finally:
        db.close()
    if damage:
        print(f"{path} is damaged: {'; '.join(damage[:3])}.", file=sys.stderr)
    if tampered:
        print(tampered, file=sys.stderr)
    if damage or tampered:
        return 1
    print(f"{path} is sound, and its audit log has not been tampered with.")
    return 0


def finish_encryption(path: Path, key: bytes) -> int:
    """`missing-app encrypt` on an encrypted database: deal with the plain copies a stopped
    run left beside it, and say what was done."""
    from missing_app.core.db import encrypt_database

    done = encrypt_database(path, key)
    print(f"{path} is already encrypted.")
    for copy in done.encrypted:
        print(f"Encrypted the plain backup left beside it: {copy}.")
    for copy in done.removed:
        print(f"Deleted the plain backup {copy}: it could not be encrypted.")
    if not done:
        print("No plain copy of it was left beside it.")
    return 0


def run_restore(args: argparse.Namespace, target: str, keys: KeyProvider | None = None) -> int:
    """Restore a backup, audited in the restored database (who, the file, `--why`)."""
    from missing_app.cli_users import acting_user
    from missing_app.core.backups import restore_backup

    path = _database_file(target)
    if path is None:
        return BAD_INPUT
    backup = Path(args.file).expanduser()
    if not backup.is_file():
        print(f"{backup}: there is no such backup file.", file=sys.stderr)
        return BAD_INPUT
    why = getattr(args, "why", None)
    restored = restore_backup(backup, path, acting_user(), _key(backup, keys), why=why)
    upgraded = " and upgraded to the current schema" if restored.upgraded else ""
    print(f"Restored {restored.database} from {restored.backup}{upgraded}.")
    if restored.kept is not None:
        print(f"The database it replaced is kept as {restored.kept}.")
    return 0
