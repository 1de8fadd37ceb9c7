"""Issue 12: the audit log is tamper-evident. Every row is chained to the one before it, so
a row changed, removed or slipped in with the guards dropped shows, and so do the dropped
guards themselves; erasing a child at the end of retention keeps the chain whole."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from missing_app.core.audit import audit_log_problems
from missing_app.core.db import open_database
from missing_app.core.db.engine import create_sqlite_engine, database_url
from missing_app.core.db.migrate import upgrade
from missing_app.core.records import Records
from missing_app.core.retention import delete_child
from tests.core.safety_world import small_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"), homes=1)
    db.close()
    return path


def problems(path: Path) -> str | None:
    db = open_database(str(path))
    try:
        return audit_log_problems(db)
    finally:
        db.close()


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell can do: drop the guards, edit."""
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        for statement in statements:
            connection.execute(statement)


def test_a_log_written_by_homeward_holds(logged: Path) -> None:
    assert problems(logged) is None


def test_dropped_guards_show_even_before_a_row_is_touched(logged: Path) -> None:
    tamper(logged)
    found = problems(logged)
    assert found is not None and found.startswith("The audit log has been tampered with")
    assert "guards that keep the audit log from being changed were removed" in found


@pytest.mark.parametrize(
    ("edit", "row"),
    [
        ("UPDATE audit_events SET username = 'someone.else' WHERE id = 4", 4),
        ("UPDATE audit_events SET after = '{}' WHERE id = 5", 5),
        ("DELETE FROM audit_events WHERE id = 3", 4),
        (
            "INSERT INTO audit_events (id, at, username, action, entity, restored_over) "
            "VALUES (1000, '2025-01-01 00:00:00', 'ghost', 'view', 'children', 0)",
            1000,
        ),
    ],
    ids=["changed", "values changed", "removed", "slipped in"],
)
def test_a_row_changed_removed_or_slipped_in_is_named(logged: Path, edit: str, row: int) -> None:
    tamper(logged, edit)
    found = problems(logged)
    assert found is not None and f"audit row {row} was changed" in found


def test_erasing_a_child_keeps_the_chain_whole(logged: Path) -> None:
    db = open_database(str(logged))
    now = datetime(2040, 1, 1, tzinfo=UTC)
    delete_child(db, "pcso.jones", 1, "past retention", now=lambda: now)
    assert audit_log_problems(db) is None
    db.close()


def test_the_migration_chains_the_rows_already_written(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    engine = create_sqlite_engine(database_url(str(path)))
    upgrade(engine, revision="0004")
    engine.dispose()
    with closing(sqlite3.connect(path)) as connection, connection:
        for n in range(3):
            connection.execute(
                "INSERT INTO audit_events (at, username, action, entity, after) "
                f"VALUES ('2025-01-0{n + 1} 10:00:00', 'pcso.jones', 'create', 'children', '{{}}')"
            )
    db = open_database(str(path))
    Records(db, "pcso.jones").create_child("C9", date(2011, 1, 1))
    assert audit_log_problems(db) is None
    db.close()
    tamper(path, "UPDATE audit_events SET at = '2025-01-09 10:00:00' WHERE id = 2")
    assert "audit row 2 was changed" in (problems(path) or "")


# A restore does not rewind the log ----------------------------------------------------------


def test_a_restore_keeps_the_rows_written_since_and_the_erasures_made_since(
    logged: Path, tmp_path: Path
) -> None:
    from missing_app.core.backups import restore_backup
    from missing_app.core.db.backup import backup_database
    from missing_app.core.models import AuditEvent, Child

    backup = backup_database(logged, tmp_path / "monday.sqlite")
    db = open_database(str(logged))
    records = Records(db, "pcso.jones")
    records.create_child("C-NEW", date(2012, 2, 2), first_name="Tuesday")
    erased = datetime(2040, 1, 1, tzinfo=UTC)
    delete_child(db, "sgt.khan", 1, "past retention", now=lambda: erased)
    with db.session() as session:
        since = [(e.username, e.action, e.entity) for e in session.query(AuditEvent)][-2:]
    db.close()
    restore_backup(backup, logged, "sgt.khan", why="disk trouble")
    db = open_database(str(logged))
    with db.session() as session:
        rows = session.query(AuditEvent).order_by(AuditEvent.id).all()
        kept = [(e.username, e.action, e.entity) for e in rows if e.restored_over]
        assert kept == since and rows[-1].action == "restore"
        assert session.get(Child, 1) is None  # erased since the backup: erased again
        assert {e.before for e in rows if e.entity == "children" and e.entity_id == 1} == {None}
    assert audit_log_problems(db) is None
    db.close()
    assert b"Zebedee00" not in logged.read_bytes()  # the erased child's name left the file


# Imports ------------------------------------------------------------------------------------


def test_an_import_audits_the_ids_it_added_and_changed_in_each_table(tmp_path: Path) -> None:
    import json

    from sqlalchemy import select

    from missing_app.core.exchange.episodes_csv import import_episodes
    from missing_app.core.models import AuditEvent
    from tests.conftest import write_csv

    db = open_database(str(tmp_path / "homeward.sqlite"))
    amy = {"child_ref": "C1", "first_name": "Amy", "dob": "2010-03-04", "home_urn": "SC100001",
           "home_name": "Oakview House"}  # fmt: skip
    first = [
        {**amy, "last_seen_at": f"2025-11-0{n} 21:30", "returned_at": f"2025-11-0{n} 23:30"}
        for n in (1, 3, 5)
    ]
    import_episodes(db, write_csv(tmp_path / "a.csv", first), username="analyst")
    later = [{**amy, "first_name": "Amelia", "last_seen_at": "2025-11-07 21:30",
              "returned_at": "2025-11-07 23:30"}]  # fmt: skip
    import_episodes(db, write_csv(tmp_path / "b.csv", later), username="analyst")
    with db.session() as session:
        imports = session.scalars(select(AuditEvent.after).where(AuditEvent.action == "import"))
        records = [json.loads(after or "{}")["records"] for after in imports]
    db.close()
    assert records[0]["missing_episodes"] == {
        "added": 3, "added_ids": ["1-3"], "changed": 0, "changed_ids": []
    }  # fmt: skip
    assert records[0]["children"]["added_ids"] == ["1"]
    assert records[1]["missing_episodes"]["added_ids"] == ["4"]
    assert records[1]["children"] == {"added": 0, "added_ids": [], "changed": 1,
                                      "changed_ids": ["1"]}  # fmt: skip


# Refusals -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("cheap_kdf")
def test_refused_commands_are_audited(tmp_path: Path) -> None:
    from sqlalchemy import select

    from missing_app.core.backups import take_backup
    from missing_app.core.models import AuditEvent
    from missing_app.core.security.errors import PermissionDenied
    from tests.security_helpers import as_user, build_world

    db = open_database(str(tmp_path / "homeward.sqlite"))
    world = build_world(db)
    with pytest.raises(PermissionDenied):
        take_backup(db, tmp_path / "b.sqlite", "pcso.jones")
    with pytest.raises(PermissionDenied):
        delete_child(db, "pcso.jones", world.amy, "wanted it gone")
    with pytest.raises(PermissionDenied):
        as_user(db, "pcso.jones").update_child(world.ben, social_worker="X")
    with db.session() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
        got = [(e.username, e.after) for e in refused]
    assert got == [
        ("pcso.jones", '{"command": "backup"}'),
        ("pcso.jones", '{"command": "erase"}'),
        ("pcso.jones", '{"command": "records"}'),
    ]
    assert audit_log_problems(db) is None
    db.close()
