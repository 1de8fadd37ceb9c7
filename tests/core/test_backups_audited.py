"""Backups and restores are audited: who, when, which file, why; a refused or failed backup
leaves neither a file nor a row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.core.backups import backup_file, restore_backup, take_backup
from missing_app.core.db import Database, open_database
from missing_app.core.db.errors import BackupFailed
from missing_app.core.db.migrate import HEAD
from missing_app.core.models import AuditEvent, CareHome
from missing_app.core.records import Records
from missing_app.core.security.errors import PermissionDenied
from tests.conftest import NOW
from tests.security_helpers import build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, for the role test

Row = tuple[str, str, str, dict[str, str | None], str | None]


def audited(db: Database) -> list[Row]:
    """(when, who, action, what, why) of each backup and restore in the log, oldest first."""
    query = select(AuditEvent).where(
        AuditEvent.entity == "database", AuditEvent.action.in_(("backup", "restore"))
    )
    with db.session() as session:
        return [
            (f"{e.at:%Y-%m-%d %H:%M}", e.username, e.action, json.loads(e.after or "{}"), e.why)
            for e in session.scalars(query.order_by(AuditEvent.id))
        ]


def test_a_backup_is_audited_with_who_when_the_file_and_why(
    records: Records, db: Database, tmp_path: Path
) -> None:
    records.create_home("SC100001", "Oakview House")
    out = tmp_path / "usb" / "monday.sqlite"
    written = take_backup(db, out, "pcso.jones", why=" for the inspection ", now=NOW)
    assert written == out.resolve() and written.is_file()
    assert audited(db) == [
        ("2025-11-15 12:00", "pcso.jones", "backup", {"file": str(written)}, "for the inspection")
    ]
    copy = open_database(str(written))
    try:  # the copy is taken first: its own log does not hold the row
        assert audited(copy) == []
    finally:
        copy.close()


@pytest.mark.usefixtures("cheap_kdf")
def test_only_an_administrator_may_back_up(db: Database, tmp_path: Path) -> None:
    build_world(db)
    out = tmp_path / "b.sqlite"
    with pytest.raises(
        PermissionDenied, match=r"^sgt\.lee \(supervisor\) cannot make or restore backups"
    ):
        take_backup(db, out, "sgt.lee")
    assert not out.exists() and audited(db) == []
    take_backup(db, out, "admin.ada")
    assert [row[1:3] for row in audited(db)] == [("admin.ada", "backup")]


def test_a_backup_that_fails_is_not_audited(db: Database) -> None:
    assert db.path is not None
    with pytest.raises(BackupFailed, match="cannot be written over the database itself"):
        take_backup(db, db.path, "pcso.jones")
    assert audited(db) == []


def test_a_file_that_is_not_there_is_not_backed_up(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    with pytest.raises(BackupFailed, match=r"^There is no database at .* to back up\.$"):
        backup_file(missing, tmp_path / "b.sqlite", "pcso.jones")
    assert not missing.exists()  # not created by trying


def test_a_restore_is_audited_in_the_restored_database(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    Records(db, "pcso.jones").create_home("SC100001", "Oakview House")
    monday = backup_file(path, tmp_path / "monday.sqlite", "pcso.jones")
    Records(db, "pcso.jones").create_home("SC100002", "Elm Lodge")
    db.close()
    restored = restore_backup(monday, path, "admin.ada", why="the disk failed", now=NOW)
    assert restored.kept is not None
    db = open_database(str(path))
    try:
        with db.session() as session:
            assert list(session.scalars(select(CareHome.urn))) == ["SC100001"]
        when, who, action, what, why = audited(db)[-1]
        assert (when, who, action, why) == ("2025-11-15 12:00", "admin.ada", "restore",
                                            "the disk failed")  # fmt: skip
        assert what == {
            "file": str(monday), "kept": str(restored.kept), "schema": HEAD, "audit_rows_kept": 2
        }  # fmt: skip
        # The log is not rewound: the rows written since the backup (its own row, and the
        # home made after it) are kept from the replaced file.
        assert [row[2] for row in audited(db)] == ["backup", "restore"]
    finally:
        db.close()
    kept = open_database(str(restored.kept))
    try:  # the replaced file keeps its own log, with the backup in it
        assert [row[2] for row in audited(kept)] == ["backup"]
    finally:
        kept.close()
