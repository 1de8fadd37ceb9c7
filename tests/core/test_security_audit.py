"""The audit log: append-only in the database itself; filtered, paged and exported."""

from __future__ import annotations

import csv
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, exc, select, update

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.models import AuditEvent
from missing_app.core.queries.audit_log import (
    AuditFilter,
    audit_actions,
    audit_listing,
    audit_page,
    export_audit_log,
    may_read_audit_log,
)
from missing_app.core.queries.paging import Sort
from missing_app.core.records import Records
from missing_app.core.security.errors import PermissionDenied
from tests.conftest import NOW
from tests.security_helpers import build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

REFUSED = "The audit log cannot be"


def raw(db: Database) -> sqlite3.Connection:
    assert db.path is not None
    return sqlite3.connect(db.path)


def first_event_id(db: Database) -> int:
    with db.session() as session:
        return session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first() or 0


def test_no_audit_row_can_be_changed_or_deleted(records: Records, db: Database) -> None:
    records.create_home("SC100001", "Oakview House")
    event_id = first_event_id(db)
    with raw(db) as connection:
        for statement in (
            "UPDATE audit_events SET username = 'someone.else'",
            "UPDATE audit_events SET after = NULL, before = NULL",  # the home still exists
            "DELETE FROM audit_events",
        ):
            with pytest.raises(sqlite3.IntegrityError, match=REFUSED):
                connection.execute(statement)
    with pytest.raises(exc.IntegrityError, match=REFUSED), db.transaction() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
    with db.session() as session:
        event = session.get_one(AuditEvent, event_id)
    assert event.username == "pcso.jones" and "Oakview House" in (event.after or "")


def test_only_the_values_of_rows_about_erased_records_can_be_blanked(
    records: Records, db: Database
) -> None:
    child = records.create_child("C1", date(2010, 4, 1), first_name="Zebedee").record
    with raw(db) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("DELETE FROM children WHERE id = ?", (child.id,))
        with pytest.raises(sqlite3.IntegrityError, match=REFUSED):
            connection.execute("UPDATE audit_events SET after = NULL, why = 'rewritten'")
        with pytest.raises(sqlite3.IntegrityError, match=REFUSED):
            connection.execute("UPDATE audit_events SET after = '{}'")
        connection.execute("UPDATE audit_events SET after = NULL, before = NULL")
        row = connection.execute(
            "SELECT username, action, entity, entity_id, after FROM audit_events"
        )
        assert row.fetchall() == [("pcso.jones", "create", "children", child.id, None)]


def test_the_log_filters_by_user_action_child_and_london_dates(db: Database) -> None:
    world = build_world(db)
    jones = Records(db, "pcso.jones", now=lambda: NOW)
    jones.record_return(world.amy_episode, datetime(2025, 10, 3, 8, tzinfo=UTC))
    jones.record_rhi_offer(world.amy_episode, datetime(2025, 10, 3, 9, tzinfo=UTC))
    jones.record_view("children", world.amy)
    with db.transaction() as session:  # 23:30 UTC on 30 June is 00:30 on 1 July in London
        log_event(
            session, "sgt.lee", "export", "report", at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
        )
        log_event(
            session, "sgt.lee", "export", "report", at=datetime(2025, 6, 30, 22, 30, tzinfo=UTC)
        )
    with db.session() as session:

        def shown(chosen: AuditFilter) -> list[tuple[str, str, str]]:
            listing = audit_listing(chosen)
            rows = listing.page(session, Sort("at"), 0, 100)
            assert listing.count(session) == len(rows)
            return [(row[2], row[3], row[4]) for row in rows]

        assert shown(AuditFilter(child_id=world.amy)) == [
            ("setup", "create", "children"),
            ("setup", "create", "placements"),
            ("setup", "create", "missing_episodes"),
            ("pcso.jones", "update", "missing_episodes"),
            ("pcso.jones", "create", "return_interviews"),
            ("pcso.jones", "view", "children"),
        ]
        assert shown(AuditFilter(username="pcso.jones", action="view")) == [
            ("pcso.jones", "view", "children")
        ]
        july = AuditFilter(first=date(2025, 7, 1), last=date(2025, 7, 31))
        assert shown(july) == [("sgt.lee", "export", "report")]
        june = AuditFilter(action="export", last=date(2025, 6, 30))
        assert shown(june) == [("sgt.lee", "export", "report")]
        newest = audit_page(session, AuditFilter(), 0, 2)
        assert [row.action for row in newest] == ["view", "create"]
        assert newest[0].entity_id == world.amy and newest[0].at > newest[1].at
        assert audit_actions(session) == ["create", "export", "update", "view"]


def test_the_export_is_read_back_audited_and_for_supervisors_only(
    db: Database, tmp_path: Path
) -> None:
    world = build_world(db)
    Records(db, "pcso.jones", now=lambda: NOW).record_view("children", world.amy)
    out = tmp_path / "audit.csv"
    with pytest.raises(PermissionDenied, match=r"pcso.jones \(PCSO\) cannot read the audit log"):
        export_audit_log(db, "pcso.jones", AuditFilter(), out, "curious")
    with db.session() as session:
        assert not may_read_audit_log(session, "analyst.kim")
        assert may_read_audit_log(session, "sgt.lee")
    written = export_audit_log(
        db, "sgt.lee", AuditFilter(child_id=world.amy), out, "subject access request",
        now=lambda: NOW,
    )  # fmt: skip
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) == 4
    assert list(rows[0]) == ["id", "at", "username", "action", "entity", "entity_id", "why",
                             "recipient", "before", "after"]  # fmt: skip
    assert rows[-1]["action"] == "view" and rows[-1]["username"] == "pcso.jones"
    assert '"first_name": "Amy"' in rows[0]["after"]
    assert rows[0]["at"][:4] in ("2025", "2026") and rows[0]["at"][19:] in ("+00:00", "+01:00")
    with db.session() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert (last.username, last.action, last.entity, last.why) == (
        "sgt.lee", "export", "audit_events", "subject access request",
    )  # fmt: skip
    assert '"rows": 4' in (last.after or "") and '"child_id": ' in (last.after or "")


def test_updates_through_the_orm_are_refused_too(records: Records, db: Database) -> None:
    records.create_home("SC100001", "Oakview House")
    with pytest.raises(exc.IntegrityError, match=REFUSED), db.transaction() as session:
        session.execute(update(AuditEvent).values(why="tidied"))
