"""Issue 12: no plain copy of the records is left behind. Work killed (SIGKILL) at chosen
moments leaves nothing plain that a later run does not deal with, and every file Homeward
writes with personal data in it is readable by its owner alone (mode 0600)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from missing_app.core.db import is_encrypted, open_database
from missing_app.core.db.backup import PlainCopies, auto_backup, backup_database
from missing_app.core.db.cipher import encrypt_database
from missing_app.core.db.restore import restore_database
from missing_app.core.exchange.episodes_export import export_episodes
from missing_app.core.exchange.ssda903.exporter import export_903
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.queries.audit_log import AuditFilter, write_audit_csv
from missing_app.core.records import Records
from missing_app.core.reports import PackRequest, export_pack
from tests.core.reports_world import OCTOBER, build_world
from tests.core.safety_world import digest, small_world

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and file modes are POSIX")

KEY = bytes(range(32))
NAME = b"Zebedee"  # every child's last name in the small world


def killed_at(work: str, *args: object) -> None:
    """Run `work` in a new Python that kills itself (SIGKILL) where the work says `die()`."""
    script = "import os, signal, sys\ndef die():\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    done = subprocess.run(
        [sys.executable, "-c", script + textwrap.dedent(work), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def world(path: Path, key: bytes | None = None) -> Path:
    db = open_database(str(path), key=key)
    small_world(Records(db, "pcso.jones"), homes=2)
    db.close()
    return path


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# Encrypting ---------------------------------------------------------------------------------


def test_encrypting_again_after_a_kill_encrypts_the_plain_backups_left_behind(
    tmp_path: Path,
) -> None:
    path = world(tmp_path / "homeward.sqlite")
    db = open_database(str(path))
    daily = auto_backup(db)
    db.close()
    assert daily is not None
    before = digest(daily)
    # Killed once the database is encrypted, before its backups are.
    killed_at(
        """
        from missing_app.core.db import backup, encrypt_database
        backup.encrypt_backups = lambda *_: die()
        encrypt_database(sys.argv[1], bytes(range(32)))
        """,
        path,
    )
    assert is_encrypted(path) and NAME in daily.read_bytes()
    done = encrypt_database(path, KEY)
    assert done == PlainCopies(encrypted=(daily,))
    assert is_encrypted(daily) and NAME not in daily.read_bytes()
    assert digest(daily, KEY) == before
    assert encrypt_database(path, KEY) == PlainCopies()  # nothing left to do


def test_a_plain_copy_that_cannot_be_encrypted_is_overwritten_and_deleted(
    tmp_path: Path,
) -> None:
    path = world(tmp_path / "homeward.sqlite")
    broken = tmp_path / "backups" / "homeward-20251101-120000.sqlite"
    broken.parent.mkdir()
    broken.write_bytes(b"SQLite format 3\x00" + NAME * 100)  # a plain header, then rubbish
    done = encrypt_database(path, KEY)
    assert done == PlainCopies(removed=(broken,)) and not broken.exists()


def test_the_encrypt_command_run_again_finishes_the_job_and_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from missing_app.cli_safety import finish_encryption

    path = world(tmp_path / "homeward.sqlite")
    db = open_database(str(path))
    daily = auto_backup(db)
    db.close()
    killed_at(
        """
        from missing_app.core.db import backup, encrypt_database
        backup.encrypt_backups = lambda *_: die()
        encrypt_database(sys.argv[1], bytes(range(32)))
        """,
        path,
    )
    assert finish_encryption(path, KEY) == 0
    out = capsys.readouterr().out
    assert f"{path} is already encrypted." in out
    assert f"Encrypted the plain backup left beside it: {daily}." in out


# Backing up ---------------------------------------------------------------------------------

KILLED_BACKUP = """
    from missing_app.core.db import backup
    backup._check_copy = lambda *_: die()  # the copy is whole: killed while checking it
    key = bytes(range(32)) if sys.argv[3] == "key" else None
    backup.backup_database(sys.argv[1], sys.argv[2], key)
"""


def test_a_killed_backup_leaves_a_partial_copy_that_the_next_backup_removes(
    tmp_path: Path,
) -> None:
    path = world(tmp_path / "homeward.sqlite")
    out = tmp_path / "backups" / "homeward-20251101-120000.sqlite"
    killed_at(KILLED_BACKUP, path, out, "plain")
    (partial,) = out.parent.glob("*.partial")
    assert NAME in partial.read_bytes() and mode(partial) == 0o600
    backup_database(path, out.parent / "homeward-20251102-120000.sqlite")
    assert not partial.exists() and sorted(p.name for p in out.parent.iterdir()) == [
        "homeward-20251102-120000.sqlite"
    ]


def test_a_partial_copy_left_by_a_killed_backup_is_removed_when_the_database_opens(
    tmp_path: Path,
) -> None:
    path = world(tmp_path / "homeward.sqlite")
    killed_at(KILLED_BACKUP, path, tmp_path / "backups" / "homeward-20251101-1.sqlite", "plain")
    assert list((tmp_path / "backups").glob("*.partial"))
    open_database(str(path)).close()
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_killed_backup_of_an_encrypted_database_leaves_nothing_plain(tmp_path: Path) -> None:
    path = world(tmp_path / "homeward.sqlite", KEY)
    out = tmp_path / "backups" / "monday.sqlite"
    killed_at(KILLED_BACKUP, path, out, "key")
    (partial,) = out.parent.glob("*.partial")
    assert partial.stat().st_size > 10_000 and is_encrypted(partial)
    assert all(NAME not in file.read_bytes() for file in out.parent.iterdir())


# File modes ---------------------------------------------------------------------------------


def test_databases_backups_keyrings_and_kept_files_are_private(tmp_path: Path) -> None:
    path = world(tmp_path / "homeward.sqlite", KEY)
    path.with_name("homeward.sqlite.keys").write_text("wrapped keys")
    assert mode(path) == 0o600
    db = open_database(str(path), key=KEY)
    daily = auto_backup(db)
    db.close()
    assert daily is not None
    by_hand = backup_database(path, tmp_path / "usb" / "copy.sqlite", KEY)
    kept = restore_database(by_hand, path, KEY).kept
    assert kept is not None
    written = [daily, Path(f"{daily}.keys"), by_hand, Path(f"{by_hand}.keys"), kept, path]
    assert {file.name: mode(file) for file in written} == {f.name: 0o600 for f in written}


def test_a_plain_database_encrypted_stays_private(tmp_path: Path) -> None:
    path = world(tmp_path / "homeward.sqlite")
    os.chmod(path, 0o644)  # made by an older Homeward
    encrypt_database(path, KEY)
    assert mode(path) == 0o600


def test_reports_and_exports_are_private(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "homeward.sqlite"))
    build_world(Records(db, "analyst.lee"))
    pack = tmp_path / "pack.xlsx"
    export_pack(db, PackRequest(OCTOBER), "xlsx", pack, username="analyst.lee", why=None)
    episodes = tmp_path / "episodes.csv"
    export_episodes(db, episodes)
    ssda = export_903(db, CollectionYear.parse("2024-25"), tmp_path / "903").path
    audit = tmp_path / "audit.csv"
    with db.session() as session:
        write_audit_csv(session, AuditFilter(), audit)
    db.close()
    files = [pack, episodes, ssda, audit]
    assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
