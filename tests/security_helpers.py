"""Shared by the security tests: a cheap key derivation, and a small world with accounts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from missing_app.core.db import Database, open_database
from missing_app.core.models import AuditEvent, CareHome, User
from missing_app.core.records import Records
from missing_app.core.security import passwords
from missing_app.core.security.passwords import KdfCost
from missing_app.core.security.users import Users
from tests.conftest import NOW

PASSWORD = "correct horse battery"
CHEAP = KdfCost(time_cost=1, memory_kib=1024, parallelism=1)


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2 at a tiny cost: the tests check behaviour, not the cost (one test checks that)."""
    monkeypatch.setattr(passwords, "COST", CHEAP)
    yield


@dataclass(frozen=True)
class World:
    """Two homes, each with one PCSO and one child placed there (with one episode each)."""

    db: Database
    oak: int  # Oakview House, PCSO pcso.jones
    elm: int  # Elm Lodge, PCSO pcso.smith
    amy: int  # placed at Oakview
    ben: int  # placed at Elm
    amy_episode: int
    ben_episode: int


ROLES = {
    "admin.ada": "administrator",
    "sgt.lee": "supervisor",
    "pcso.jones": "pcso",
    "pcso.smith": "pcso",
    "analyst.kim": "analyst",
}


def as_user(db: Database, username: str) -> Records:
    return Records(db, username, now=lambda: NOW)


def audited_views(db: Database) -> list[tuple[str, str, int | None]]:
    """Who viewed which record, as the audit log has it, oldest first."""
    query = (
        select(AuditEvent.username, AuditEvent.entity, AuditEvent.entity_id)
        .where(AuditEvent.action == "view")
        .order_by(AuditEvent.id)
    )
    with db.session() as session:
        return [(who, entity, entity_id) for who, entity, entity_id in session.execute(query)]


def world_file(target: str) -> str:
    """Build the world in a new database file at `target` and close it; return `target`."""
    db = open_database(target)
    build_world(db)
    db.close()
    return target


def build_world(db: Database) -> World:
    """Records first (no accounts yet: no limits), then the accounts and the homes' PCSOs."""
    open_records = as_user(db, "setup")
    oak = open_records.create_home("SC100001", "Oakview House").record.id
    elm = open_records.create_home("SC100002", "Elm Lodge").record.id
    amy = open_records.create_child(
        "C1", date(2010, 4, 1), first_name="Amy", last_name="Ash"
    ).record
    ben = open_records.create_child(
        "C2", date(2011, 5, 2), first_name="Ben", last_name="Birch"
    ).record
    open_records.add_placement(amy.id, oak, date(2024, 1, 1))
    open_records.add_placement(ben.id, elm, date(2024, 1, 1))
    amy_episode = open_records.record_missing(amy.id, datetime(2025, 10, 1, 20, tzinfo=UTC))
    ben_episode = open_records.record_missing(ben.id, datetime(2025, 10, 2, 20, tzinfo=UTC))
    Users(db, "admin.ada").add_user("admin.ada", "Ada Admin", "administrator", PASSWORD)
    users = Users(db, "admin.ada", now=lambda: NOW)
    for username, role in ROLES.items():
        if username != "admin.ada":
            users.add_user(username, username.title(), role, PASSWORD)
    with db.transaction() as session:
        ids = {user.username: user.id for user in session.scalars(select(User))}
        session.get_one(CareHome, oak).pcso_id = ids["pcso.jones"]
        session.get_one(CareHome, elm).pcso_id = ids["pcso.smith"]
    return World(db, oak, elm, amy.id, ben.id, amy_episode.record.id, ben_episode.record.id)
