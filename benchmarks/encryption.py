"""Encryption at rest at force scale: opening, and one month's figures, encrypted vs plain."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import text

from benchmarks.common import OUT, Result, best_of, fresh_file, stage, timed
from missing_app.core.db import cipher, encrypt_database, open_database
from missing_app.core.metrics import stats

MONTH = (date(2026, 9, 1), date(2026, 9, 30))
TARGET = 1.5


def encrypted_copy(force: Path) -> tuple[Path, bytes]:
    """An encrypted copy of the force database, kept in benchmarks/out while it is current."""
    path, key_file = OUT / "force-encrypted.sqlite", OUT / "force-encrypted.key"
    current = path.exists() and key_file.exists() and path.stat().st_mtime > force.stat().st_mtime
    if current:
        return path, bytes.fromhex(key_file.read_text())
    key = os.urandom(32)
    with stage("encrypting a copy of the force database"):
        shutil.copyfile(force, fresh_file(path))
        _, seconds = timed(lambda: encrypt_database(path, key, backups=False))
    key_file.write_text(key.hex())
    print(f"  (encrypt_database: {seconds:.1f} s for {path.stat().st_size / 1e6:,.0f} MB)")
    return path, key


def _open_once(path: Path, key: bytes | None) -> float:
    def work() -> None:
        db = open_database(str(path), key=key)
        with db.session() as session:
            session.execute(text("SELECT count(*) FROM care_homes")).scalar_one()
        db.close()

    return timed(work)[1]


def _month_once(path: Path, key: bytes | None) -> float:
    db = open_database(str(path), key=key)
    with db.session() as session:
        _, seconds = timed(lambda: stats(session, *MONTH))
    db.close()
    return seconds


def _check_once(path: Path, key: bytes | None, pragma: str) -> float:
    connection = cipher.connect(path, key)
    _, seconds = timed(lambda: connection.execute(f"PRAGMA {pragma}").fetchall())
    connection.close()
    return seconds


def run(force: Path) -> list[Result]:
    open_database(str(force)).close()  # at the current schema before it is copied
    encrypted, key = encrypted_copy(force)
    with stage("opening and one month's figures, encrypted and plain (best of 9 and 5)"):
        opened = best_of(9, lambda: _open_once(encrypted, key))
        opened_plain = best_of(9, lambda: _open_once(force, None))
        month = best_of(5, lambda: _month_once(encrypted, key))
        month_plain = best_of(5, lambda: _month_once(force, None))
    with stage("SQLite's checks, encrypted and plain (why open skips them on a large file)"):
        checks = {
            (pragma, bool(k)): _check_once(path, k, pragma)
            for pragma in ("quick_check", "integrity_check")
            for path, k in ((encrypted, key), (force, None))
        }
    size = f"{encrypted.stat().st_size / 1e6:,.0f} MB"
    return [
        Result("encrypted: open + first query", opened, "the same file plain", opened_plain,
               target=TARGET, note=f"{opened * 1000:.1f} ms vs {opened_plain * 1000:.1f} ms"),
        Result("encrypted: stats, one month", month, "the same file plain", month_plain,
               target=TARGET, note=size),
        *(Result(f"PRAGMA {pragma}, encrypted", checks[pragma, True], "the same file plain",
                 checks[pragma, False], note="off the window's thread: daily backup")
          for pragma in ("quick_check", "integrity_check")),
    ]  # fmt: skip


if __name__ == "__main__":
    for result in run(OUT / "force.sqlite"):
        print(result.line())
