"""Backups (by hand, daily with rotation, before a migration) and restore, read back."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from missing_app.core.db import (
    BackupFailed,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseLocked,
    WrongKey,
    is_encrypted,
    open_database,
)
from missing_app.core.db import backup as backup_module
from missing_app.core.db import integrity as integrity_module
from missing_app.core.db.backup import auto_backup, backup_database
from missing_app.core.db.engine import create_sqlite_engine, database_url
from missing_app.core.db.migrate import HEAD, upgrade
from missing_app.core.db.restore import restore_database
from missing_app.core.db.rotation import backups_of
from missing_app.core.errors import MigrationError
from missing_app.core.records import Records
from tests.core.safety_world import digest, integrity, small_world

KEY = bytes(range(32))
NOON = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A closed plain database with a few homes, children and episodes."""
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"))
    db.close()
    return path


def damage(path: Path, table: str = "children") -> None:
    """Overwrite the first page of `table` with rubbish, as a failing disk might."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    page = root.fetchone()[0]
    connection.close()
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * 4096)
        handle.write(b"\xff" * 4096)


def revision(path: Path, key: bytes | None = None) -> str:
    from missing_app.core.db import cipher

    connection = cipher.connect(path, key)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


# Backups -----------------------------------------------------------------------------------


def test_a_backup_of_an_open_database_is_one_checked_file_with_every_row(
    world: Path, tmp_path: Path
) -> None:
    db = open_database(str(world), exclusive=True)
    Records(db, "pcso.jones").create_home("SC200001", "Elm Lodge")  # still in the -wal
    out = backup_database(db, tmp_path / "copies" / "monday.sqlite")
    assert out == tmp_path / "copies" / "monday.sqlite"
    assert sorted(p.name for p in out.parent.iterdir()) == ["monday.sqlite"]
    assert digest(out) == digest(world) and integrity(out) == ["ok"]
    with closing(sqlite3.connect(out)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()


def test_a_backup_is_one_snapshot_while_another_connection_writes(
    world: Path, tmp_path: Path
) -> None:
    before = digest(world)
    writer = sqlite3.connect(world, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE children SET first_name = 'Half' WHERE local_ref = 'C0-0'")
    out = backup_database(world, tmp_path / "during.sqlite")
    writer.execute("COMMIT")
    writer.close()
    assert digest(out) == before != digest(world)


def test_an_encrypted_database_backs_up_encrypted_with_its_keyring(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path), key=KEY)
    small_world(Records(db, "pcso.jones"), homes=1)
    path.with_name("homeward.sqlite.keys").write_text('{"wrapped": "for the sign-in"}')
    out = backup_database(db, tmp_path / "b.sqlite")
    db.close()
    assert is_encrypted(out) and b"Zebedee" not in out.read_bytes()
    assert (tmp_path / "b.sqlite.keys").read_text() == '{"wrapped": "for the sign-in"}'
    with pytest.raises(DatabaseLocked):
        open_database(str(out))
    with (
        closing(sqlite3.connect(out)) as copy,
        pytest.raises(sqlite3.DatabaseError, match="file is not a database"),
    ):
        copy.execute("SELECT count(*) FROM children").fetchone()
    assert digest(out, KEY) == digest(path, KEY)


def test_an_encrypted_file_needs_its_key_to_be_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    open_database(str(path), key=KEY).close()
    with pytest.raises(DatabaseLocked, match="sign in to back it up"):
        backup_database(path, tmp_path / "b.sqlite")
    with pytest.raises(WrongKey):
        backup_database(path, tmp_path / "b.sqlite", key=bytes(32))
    assert not (tmp_path / "b.sqlite").exists()


def test_a_damaged_database_gives_no_backup_and_names_the_way_back(
    world: Path, tmp_path: Path
) -> None:
    good = backup_database(world, tmp_path / "backups" / "homeward-20251114-120000.sqlite")
    damage(world)
    with pytest.raises(DatabaseDamaged) as raised:
        backup_database(world, tmp_path / "b.sqlite")
    assert str(raised.value) == (
        f"The database {world} is damaged (database disk image is malformed); restore the "
        f"latest backup: missing-app --db {world} restore {good}"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.")) == []


def test_a_backup_over_the_database_itself_is_refused(world: Path) -> None:
    before = world.read_bytes()
    with pytest.raises(BackupFailed, match="over the database itself"):
        backup_database(world, world)
    assert world.read_bytes() == before


# Daily backups and rotation ----------------------------------------------------------------


def test_one_daily_backup_a_day_and_only_the_newest_seven_are_kept(world: Path) -> None:
    db = open_database(str(world))
    taken = [auto_backup(db, now=NOON + timedelta(days=day)) for day in range(10)]
    assert auto_backup(db, now=NOON + timedelta(days=9, hours=3)) is None  # same day
    db.close()
    kept = backups_of(world)
    assert [b.path for b in kept] == taken[3:]
    assert kept[-1].path.name == "homeward-20251124-120000-daily.sqlite"
    assert digest(kept[-1].path) == digest(world)


def test_rotation_keeps_backups_by_hand_and_other_databases_backups(
    world: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    by_hand = backup_database(world, folder / "homeward-20250101-090000.sqlite")
    demo = tmp_path / "homeward-demo.sqlite"
    open_database(str(demo)).close()
    demo_daily = backup_database(demo, folder / "homeward-demo-20250101-090000-daily.sqlite")
    db = open_database(str(world))
    for day in range(3):
        auto_backup(db, keep_daily=1, now=NOON + timedelta(days=day))
    db.close()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([by_hand.name, demo_daily.name, "homeward-20251117-120000-daily.sqlite"])


def test_the_daily_backup_finds_damage_the_open_did_not_look_for(
    world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(str(world))
    good = auto_backup(db, now=NOON)
    db.close()
    damage(world, "missing_episodes")
    monkeypatch.setattr(integrity_module, "QUICK_CHECK_LIMIT", 0)  # as for a large file
    db = open_database(str(world))
    with pytest.raises(DatabaseDamaged, match=f"restore {good}"):
        auto_backup(db, now=NOON + timedelta(days=1))
    db.close()
    assert [b.path for b in backups_of(world)] == [good]
    assert sorted(p.name for p in good.parent.iterdir()) == [good.name]


# Before a migration ------------------------------------------------------------------------


def old_database(path: Path) -> Path:
    """A database at schema 0002 with one home and one child."""
    engine = create_sqlite_engine(database_url(str(path)))
    upgrade(engine, revision="0002")
    engine.dispose()
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("INSERT INTO care_homes (id, urn, name) VALUES (1, 'SC1', 'Oak')")
        connection.execute(
            "INSERT INTO children (id, local_ref, dob) VALUES (1, 'C1', '2011-01-01')"
        )
    return path


def test_a_backup_named_with_both_revisions_is_taken_before_a_migration(tmp_path: Path) -> None:
    path = old_database(tmp_path / "homeward.sqlite")
    before = digest(path)
    open_database(str(path)).close()
    assert revision(path) == HEAD
    (taken,) = backups_of(path)
    assert taken.reason == f"before-0002-to-{HEAD}"
    assert revision(taken.path) == "0002" and digest(taken.path) == before


def test_no_backup_is_taken_for_a_new_or_current_database(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    open_database(str(path)).close()
    open_database(str(path)).close()
    assert not (tmp_path / "backups").exists()


def test_a_migration_whose_backup_fails_does_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = old_database(tmp_path / "homeward.sqlite")
    before = digest(path)

    def full_disk(*_args: object, **_kwargs: object) -> Path:
        raise BackupFailed("No space left on device")

    monkeypatch.setattr(backup_module, "backup_database", full_disk)
    with pytest.raises(MigrationError, match="could not be backed up before its upgrade"):
        open_database(str(path))
    assert digest(path) == before and revision(path) == "0002"


# Restore -----------------------------------------------------------------------------------


def test_restore_puts_the_backup_in_place_and_keeps_the_file_it_replaced(
    world: Path, tmp_path: Path
) -> None:
    backup = backup_database(world, tmp_path / "monday.sqlite")
    db = open_database(str(world))
    Records(db, "pcso.jones").create_home("SC200001", "Elm Lodge")
    db.close()
    newer = digest(world)
    restored = restore_database(backup, world, now=NOON)
    assert digest(world) == digest(backup) != newer
    assert restored.kept == tmp_path / "homeward.sqlite.before-restore-20251115-120000"
    assert digest(restored.kept) == newer
    assert not restored.upgraded and restored.revision == HEAD
    again = restore_database(backup, world, now=NOON)
    assert again.kept == tmp_path / "homeward.sqlite.before-restore-20251115-120000-2"
    assert digest(restored.kept) == newer  # the first one kept is not overwritten


def test_an_older_backup_is_upgraded_after_it_is_restored(world: Path, tmp_path: Path) -> None:
    old = old_database(tmp_path / "old.sqlite")
    restored = restore_database(old, world, now=NOON)
    assert restored.revision == "0002" and restored.upgraded
    assert revision(world) == HEAD and revision(old) == "0002"
    with closing(sqlite3.connect(world)) as connection:
        assert connection.execute("SELECT urn FROM care_homes").fetchall() == [("SC1",)]


def test_a_damaged_backup_is_refused_and_the_database_left_alone(
    world: Path, tmp_path: Path
) -> None:
    backup = backup_database(world, tmp_path / "monday.sqlite")
    damage(backup)
    before = world.read_bytes()
    with pytest.raises(BackupFailed, match=f"The backup {backup} is damaged"):
        restore_database(backup, world)
    assert world.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "homeward.sqlite",
        "homeward.sqlite.lock",
        "monday.sqlite",
    ]


def test_restore_refuses_what_is_not_a_backup_it_can_use(world: Path, tmp_path: Path) -> None:
    before = world.read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    with pytest.raises(BackupFailed, match="not a Homeward backup"):
        restore_database(notes, world)
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupFailed, match="not a Homeward database"):
        restore_database(other, world)
    newer = backup_database(world, tmp_path / "newer.sqlite")
    with closing(sqlite3.connect(newer)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9001'")
    with pytest.raises(BackupFailed, match=r"made by a newer Homeward \(schema 9001"):
        restore_database(newer, world)
    with pytest.raises(BackupFailed, match="There is no backup"):
        restore_database(tmp_path / "missing.sqlite", world)
    assert world.read_bytes() == before


def test_restore_waits_for_homeward_to_close(world: Path, tmp_path: Path) -> None:
    backup = backup_database(world, tmp_path / "monday.sqlite")
    db = open_database(str(world), exclusive=True)
    with pytest.raises(DatabaseInUse, match="close it there first"):
        restore_database(backup, world)
    db.close()
    restore_database(backup, world)


def test_an_encrypted_backup_restores_only_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path), key=KEY)
    small_world(Records(db, "pcso.jones"), homes=1)
    path.with_name("homeward.sqlite.keys").write_text("keys of Monday")
    backup = backup_database(db, tmp_path / "monday.sqlite")
    Records(db, "pcso.jones").create_home("SC200001", "Elm Lodge")
    db.close()
    path.with_name("homeward.sqlite.keys").write_text("keys of Tuesday")
    with pytest.raises(DatabaseLocked, match="sign in to restore it"):
        restore_database(backup, path)
    with pytest.raises(WrongKey, match=f"does not open the backup {backup}"):
        restore_database(backup, path, key=bytes(32))
    restored = restore_database(backup, path, key=KEY)
    assert digest(path, KEY) == digest(backup, KEY)
    assert restored.kept is not None
    # Keys travel with their data.
    assert (tmp_path / "homeward.sqlite.keys").read_text() == "keys of Monday"
    assert Path(f"{restored.kept}.keys").read_text() == "keys of Tuesday"


def test_restore_onto_a_new_machine_needs_no_database_there(world: Path, tmp_path: Path) -> None:
    backup = backup_database(world, tmp_path / "monday.sqlite")
    target = tmp_path / "new laptop" / "homeward.sqlite"
    restored = restore_database(backup, target)
    assert restored.kept is None and digest(target) == digest(world)


def test_only_the_newest_five_pre_migration_backups_are_kept(world: Path) -> None:
    from missing_app.core.db.rotation import backup_folder, backup_name, prune

    folder = backup_folder(world)
    made = [
        backup_database(
            world, folder / backup_name(world, NOON + timedelta(days=n), f"before-000{n}-to-0004")
        )
        for n in range(7)
    ]
    daily = backup_database(world, folder / backup_name(world, NOON, "daily"))
    deleted = prune(world, folder, None, 5)
    assert deleted == made[:2]
    assert [b.path for b in backups_of(world)] == sorted([*made[2:], daily])


def test_a_backup_where_it_cannot_be_written_says_so(world: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    where = re.escape(f"could not be written to {blocked}/b.sqlite")
    with pytest.raises(BackupFailed, match=where):
        backup_database(world, blocked / "b.sqlite")
