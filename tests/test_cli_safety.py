"""`missing-app backup` and `restore` as a user runs them, and writers refused beside the window."""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from missing_app.cli import main
from missing_app.cli_safety import run_backup, run_restore
from missing_app.core.db import DatabaseLocked, cipher, is_encrypted, open_database
from missing_app.core.records import Records
from tests.conftest import write_csv
from tests.core.safety_world import Digest, digest, small_world
from tests.core.test_backup_restore import damage

KEY = bytes(range(32))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"))
    db.close()
    return path


def records(path: Path, key: bytes | None = None) -> Digest:
    """The digest of every table but the audit log (a backup or restore adds to it)."""
    return {table: rows for table, rows in digest(path, key).items() if table != "audit_events"}


def audited(path: Path, key: bytes | None = None) -> list[tuple[str, str, str, str | None]]:
    """The backups and restores in the database's audit log: (who, action, file, why)."""
    connection = cipher.connect(path, key)
    try:
        rows = connection.execute(
            "SELECT username, action, json_extract(after, '$.file'), why FROM audit_events "
            "WHERE entity = 'database' AND action IN ('backup', 'restore') ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    return [tuple(row) for row in rows]


def homes(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT urn FROM care_homes ORDER BY urn")]


def test_backup_then_restore_brings_the_records_back(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "monday.sqlite"
    assert main(["--db", str(database), "--user", "ann", "backup", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"Backed up {database} to {out}.\n"
    assert audited(database) == [("ann", "backup", str(out), None)]
    assert audited(out) == []  # the row is written once the copy is in place
    before = records(database)
    db = open_database(str(database))
    Records(db, "pcso.jones").create_home("SC999999", "Added after the backup")
    db.close()
    assert "SC999999" in homes(database)
    restore = ["restore", str(out), "--why", "laptop disk failed"]
    assert main(["--db", str(database), "--user", "bob", *restore]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"Restored {database} from {out}."
    assert printed[1].startswith(f"The database it replaced is kept as {database}.before-restore-")
    assert records(database) == before
    assert audited(database) == [  # the backup's own row, written after it, is kept
        ("ann", "backup", str(out), None),
        ("bob", "restore", str(out), "laptop disk failed"),
    ]
    kept = Path(printed[1].removeprefix("The database it replaced is kept as ").rstrip("."))
    assert "SC999999" in homes(kept)


def test_backup_into_a_folder_names_the_file(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    assert main(["--db", str(database), "backup", "--out", str(folder)]) == 0
    (written,) = folder.iterdir()
    assert written.name.startswith("homeward-") and written.suffix == ".sqlite"
    assert records(written) == records(database)
    assert [row[1:3] for row in audited(database)] == [("backup", str(written))]
    assert str(written) in capsys.readouterr().out


def test_a_folder_not_made_yet_is_made_when_out_ends_with_a_slash(
    database: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "usb" / "homeward"
    assert main(["--db", str(database), "backup", "--out", f"{folder}/"]) == 0
    (written,) = folder.iterdir()
    assert written.name.startswith("homeward-") and records(written) == records(database)


def test_restore_of_a_missing_file_is_bad_input(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.sqlite"
    assert main(["--db", str(database), "restore", str(missing)]) == 2
    assert capsys.readouterr().err == f"{missing}: there is no such backup file.\n"


def test_a_damaged_backup_is_refused_and_the_database_kept(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "monday.sqlite"
    main(["--db", str(database), "backup", "--out", str(out)])
    damage(out)
    before = database.read_bytes()
    assert main(["--db", str(database), "restore", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"The backup {out} is damaged (")
    assert error.endswith("choose an older backup. The database was left as it was.\n")
    assert database.read_bytes() == before


def test_an_encrypted_database_needs_a_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    open_database(str(path), key=KEY).close()
    out = tmp_path / "b.sqlite"
    with pytest.raises(DatabaseLocked, match=f"^{path} is encrypted; sign in to back it up.$"):
        run_backup(argparse.Namespace(out=str(out)), str(path))
    assert not out.exists()


def test_with_the_sign_in_s_key_an_encrypted_backup_and_restore_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path), key=KEY)
    small_world(Records(db, "pcso.jones"), homes=1)
    db.close()
    asked: list[Path] = []

    def keys(file: Path) -> bytes:
        asked.append(file)
        return KEY

    out = tmp_path / "b.sqlite"
    assert run_backup(argparse.Namespace(out=str(out)), str(path), keys) == 0
    assert is_encrypted(out) and asked == [path]
    assert run_restore(argparse.Namespace(file=str(out)), str(path), keys) == 0
    assert asked == [path, out]
    assert records(path, KEY) == records(out, KEY)
    assert [row[1:3] for row in audited(path, KEY)] == [("backup", str(out)), ("restore", str(out))]
    capsys.readouterr()


def test_an_import_waits_for_the_window_to_close(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {"child_ref": "X1", "dob": "2010-01-01", "home_urn": "SC1"}
    episodes = write_csv(tmp_path / "episodes.csv", [row | {"last_seen_at": "2025-01-01 10:00"}])
    window = open_database(str(database), exclusive=True)  # as the application holds it
    assert main(["--db", str(database), "import", "episodes", str(episodes)]) == 1
    assert capsys.readouterr().err.startswith(f"Homeward is already open on {database} (pid ")
    assert main(["--db", str(database), "stats", "--from", "2025-10-01", "--to", "2025-10-31"]) == 0
    window.close()
    assert main(["--db", str(database), "import", "episodes", str(episodes)]) == 0


def test_check_says_when_the_audit_log_was_tampered_with(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(database), "check"]) == 0
    assert capsys.readouterr().out == (
        f"{database} is sound, and its audit log has not been tampered with.\n"
    )
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("DROP TRIGGER audit_events_no_delete")
        connection.execute("DELETE FROM audit_events WHERE id = 2")
    assert main(["--db", str(database), "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("The audit log has been tampered with: the guards that keep")
    assert (
        "audit row 3 was changed, added outside Homeward, or follow rows that were removed" in err
    )
