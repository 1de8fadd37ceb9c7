"""Encryption at rest: an encrypted file reveals nothing, opens only with its key, and a
plain file is encrypted in place without losing a row or leaving a broken file."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from missing_app.core.db import (
    DatabaseInUse,
    DatabaseLocked,
    WrongKey,
    encrypt_database,
    is_encrypted,
    open_database,
)
from missing_app.core.db import cipher as cipher_module
from missing_app.core.errors import HomewardError
from missing_app.core.records import Records
from tests.core.safety_world import digest, integrity, small_world

KEY = bytes(range(32))


def raw_bytes(path: Path) -> bytes:
    """The file and its -wal, as someone who found the laptop would read them."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_an_encrypted_database_shows_no_record_in_its_bytes_and_opens_with_its_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite"
    db = open_database(str(path), key=KEY)
    small_world(Records(db, "pcso.jones"))
    assert b"Zebedee" not in raw_bytes(path) and b"Oakview" not in raw_bytes(path)
    db.close()
    assert is_encrypted(path) and not path.read_bytes().startswith(b"SQLite format 3")
    again = open_database(str(path), key=KEY)
    assert again.encrypted
    with again.session() as session:
        names = session.execute(text("SELECT name FROM care_homes")).scalars()
        assert sorted(names) == ["Oakview House 0", "Oakview House 1"]
    again.close()


def test_without_a_key_or_with_a_wrong_one_an_encrypted_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_database(str(path), key=KEY).close()
    with pytest.raises(DatabaseLocked, match=r"h\.sqlite is encrypted; sign in to open it"):
        open_database(str(path))
    with pytest.raises(WrongKey, match=r"The key does not open .*h\.sqlite"):
        open_database(str(path), key=os.urandom(32))
    # Any other reader sees nothing but "not a database"; the key finds it sound.
    with closing(sqlite3.connect(path)) as reader, pytest.raises(sqlite3.DatabaseError):
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert integrity(path, KEY) == ["ok"]


def test_plain_files_are_not_encrypted_and_refuse_a_key(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    open_database(str(path)).close()
    assert not is_encrypted(path) and not is_encrypted(tmp_path / "missing.sqlite")
    with pytest.raises(HomewardError, match="is not encrypted"):
        open_database(str(path), key=KEY)
    with pytest.raises(ValueError, match="32 bytes"):
        open_database(str(tmp_path / "new.sqlite"), key=b"short")


def test_encrypting_in_place_keeps_every_row_and_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"))
    before = digest(path)
    schema_before = schema(path)
    db.close()
    encrypt_database(path, KEY)
    assert is_encrypted(path)
    assert digest(path, KEY) == before and schema(path, KEY) == schema_before
    assert integrity(path, KEY) == ["ok"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite", "h.sqlite.lock"]
    db = open_database(str(path), key=KEY)
    Records(db, "pcso.jones").create_home("SC200001", "Elm Lodge")
    db.close()


def schema(path: Path, key: bytes | None = None) -> list[tuple[str, str, str | None]]:
    connection = cipher_module.connect(path, key)
    try:
        return cipher_module.schema(connection)
    finally:
        connection.close()


def test_committed_work_still_in_the_wal_is_encrypted_too(tmp_path: Path) -> None:
    """A reader keeps the log from being folded in on close; encrypt must still take it all."""
    path = tmp_path / "h.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"), homes=1)
    before = digest(path)
    assert path.with_name("h.sqlite-wal").stat().st_size > 0
    db.close()
    encrypt_database(path, KEY)
    assert digest(path, KEY) == before


def test_encrypt_refuses_a_database_open_for_writing_and_leaves_it_plain(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    db = open_database(str(path), exclusive=True)
    small_world(Records(db, "pcso.jones"), homes=1)
    before = digest(path)
    with pytest.raises(DatabaseInUse, match=f"Homeward is already open on {path} \\(pid"):
        encrypt_database(path, KEY)
    assert not is_encrypted(path) and digest(path) == before
    db.close()


def test_a_copy_that_does_not_check_out_leaves_the_plain_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"), homes=1)
    db.close()
    before = path.read_bytes()
    monkeypatch.setattr(
        cipher_module, "table_counts", counts_that_differ(cipher_module.table_counts)
    )
    with pytest.raises(HomewardError, match=r"did not check out .*left as it was"):
        encrypt_database(path, KEY)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.sqlite", "h.sqlite.lock"]


def counts_that_differ(real):  # type: ignore[no-untyped-def]
    """table_counts, but the second call (the copy's) finds one row missing."""
    calls = []

    def counts(connection):  # type: ignore[no-untyped-def]
        calls.append(1)
        found = real(connection)
        if len(calls) == 2:
            found["children"] -= 1
        return found

    return counts


def test_encrypt_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    with pytest.raises(HomewardError, match="There is no database"):
        encrypt_database(tmp_path / "none.sqlite", KEY)
    path = tmp_path / "h.sqlite"
    open_database(str(path), key=KEY).close()
    with pytest.raises(WrongKey):  # another key may not finish the job
        encrypt_database(path, bytes(32))


def test_encrypting_a_database_encrypts_its_plain_backups_too(tmp_path: Path) -> None:
    from missing_app.core.db.backup import auto_backup, backup_database
    from missing_app.core.db.restore import restore_database

    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"), homes=1)
    daily = auto_backup(db)
    db.close()
    assert daily is not None
    elsewhere = backup_database(path, tmp_path / "usb" / "copy.sqlite")
    kept = restore_database(daily, path).kept
    assert kept is not None
    plain = {file: digest(file) for file in (daily, kept)}
    path.with_name("homeward.sqlite.keys").write_text("wrapped keys")
    assert sorted(encrypt_database(path, KEY).encrypted) == sorted(plain)
    for file, before in plain.items():
        assert is_encrypted(file) and digest(file, KEY) == before
        assert Path(f"{file}.keys").read_text() == "wrapped keys"
    assert not is_encrypted(elsewhere)  # a copy taken away is out of reach (and of scope)
