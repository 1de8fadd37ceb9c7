"""Retention: who is past it (hand-worked dates), and erasure that leaves no trace in the file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.errors import NotFound, ValidationError
from missing_app.core.models import (
    AuditEvent,
    Child,
    ChildProfile,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    ReturnInterview,
)
from missing_app.core.records import Records
from missing_app.core.retention import (
    anniversary,
    children_past_retention,
    delete_child,
    retention_start,
)
from missing_app.core.security.errors import PermissionDenied
from tests.conftest import NOW
from tests.security_helpers import build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

TODAY = date(2025, 11, 15)


def test_the_clock_starts_at_18_or_on_leaving_care_whichever_is_first() -> None:
    assert anniversary(date(2008, 2, 29), 18) == date(2026, 3, 1)  # as ages count
    assert anniversary(date(2007, 6, 30), 18) == date(2025, 6, 30)
    assert retention_start(date(2007, 6, 30), None) == date(2025, 6, 30)
    assert retention_start(date(2007, 6, 30), date(2020, 1, 1)) == date(2020, 1, 1)
    assert retention_start(date(2000, 1, 1), date(2020, 1, 1)) == date(2018, 1, 1)


def child_at(
    records: Records, ref: str, dob: date, home: int, start: date, end: date | None
) -> int:
    child = records.create_child(ref, dob, first_name=ref).record
    records.add_placement(child.id, home, start, end)
    return child.id


def test_the_review_list_holds_exactly_the_children_past_retention(records: Records) -> None:
    home = records.create_home("SC100001", "Oakview House").record.id
    left_at_15 = child_at(records, "A", date(2000, 5, 1), home, date(2014, 1, 1), date(2015, 6, 30))
    adult_in_care = child_at(records, "B", date(2001, 1, 10), home, date(2016, 1, 1), None)
    child_at(records, "C", date(2001, 12, 1), home, date(2016, 1, 1), None)  # due 1 Dec 2025
    child_at(records, "D", date(2010, 3, 3), home, date(2018, 1, 1), date(2020, 1, 1))  # 2026
    never_placed = records.create_child("E", date(2000, 3, 3)).record.id
    records.record_missing(
        left_at_15, datetime(2015, 3, 1, 20, tzinfo=UTC), home_id=home
    )  # fmt: skip
    with records.db.session() as session:
        due = children_past_retention(session, TODAY)
        assert [(d.child_id, d.clock_started, d.due_on) for d in due] == [
            (left_at_15, date(2015, 6, 30), date(2021, 6, 30)),
            (never_placed, date(2018, 3, 3), date(2024, 3, 3)),
            (adult_in_care, date(2019, 1, 10), date(2025, 1, 10)),
        ]
        first = due[0]
        assert (first.name, first.left_care, first.episodes) == ("A", date(2015, 6, 30), 1)
        assert first.last_episode_on == date(2015, 3, 1)
        assert due[2].left_care is None and due[2].episodes == 0
        assert [d.local_ref for d in children_past_retention(session, date(2025, 12, 1))] == [
            "A", "E", "B", "C",
        ]  # fmt: skip
    records.set_setting("retention_years", 10)
    with records.db.session() as session:
        assert [d.local_ref for d in children_past_retention(session, TODAY)] == ["A"]


def full_child(records: Records, home: int) -> int:
    """A child with a value in every table erasure must empty."""
    child = records.create_child(
        "LA-77001", date(2004, 2, 2), first_name="Zebedee", last_name="Quillfeather",
        social_worker="Ms Featherstonehaugh",
    ).record  # fmt: skip
    records.update_profile(child.id, description="Scar on left hand, Xylophonist")
    records.add_placement(child.id, home, date(2019, 1, 1), date(2020, 1, 1))
    episode = records.record_missing(
        child.id, datetime(2019, 6, 1, 20, tzinfo=UTC), home_id=home,
        circumstances="Left with Quillfeather cousin",
    ).record  # fmt: skip
    records.record_return(episode.id, datetime(2019, 6, 2, 8, tzinfo=UTC))
    records.record_rhi_completed(episode.id, datetime(2019, 6, 3, 8, tzinfo=UTC))
    records.record_assessment(episode.id, date(2019, 6, 4), searched_first=True)
    records.update_child(child.id, social_worker="Mr Quillfeather-Smythe")
    return child.id


SECRETS = (b"Zebedee", b"Quillfeather", b"Featherstonehaugh", b"Xylophonist", b"LA-77001")


def file_bytes(db: Database) -> bytes:
    assert db.path is not None
    wal = Path(f"{db.path}-wal")
    return db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def counts(db: Database) -> dict[str, int]:
    models = (Child, ChildProfile, Placement, MissingEpisode, ReturnInterview, ReportingAssessment)
    with db.session() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in models
        }


def test_erasure_removes_the_childs_records_and_their_bytes(records: Records, db: Database) -> None:
    home = records.create_home("SC100001", "Oakview House").record.id
    kept = records.create_child("KEEP1", date(2012, 1, 1), first_name="Keeper").record.id
    records.add_placement(kept, home, date(2024, 1, 1))
    child = full_child(records, home)
    assert all(secret in file_bytes(db) for secret in SECRETS)  # the test can fail
    erased = delete_child(db, "pcso.jones", child, "past retention, reviewed 15/11/2025",
                          now=lambda: NOW)  # fmt: skip
    assert erased.counts == {
        "return_interviews": 1, "reporting_assessments": 1, "missing_episodes": 1,
        "placements": 1, "child_profiles": 1, "children": 1,
    }  # fmt: skip
    assert counts(db) == {
        "children": 1, "child_profiles": 0, "placements": 1, "missing_episodes": 0,
        "return_interviews": 0, "reporting_assessments": 0,
    }  # fmt: skip
    found = [secret for secret in SECRETS if secret in file_bytes(db)]
    assert found == []
    assert b"Keeper" in file_bytes(db)
    with db.session() as session:
        erase = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
        blanked = session.execute(
            select(AuditEvent.action, AuditEvent.entity)
            .where(AuditEvent.before.is_(None), AuditEvent.after.is_(None))
            .order_by(AuditEvent.id)
        ).all()
    assert (erase.username, erase.entity, erase.entity_id) == ("pcso.jones", "children", child)
    assert erase.why == "past retention, reviewed 15/11/2025" and erase.at == NOW
    assert json.loads(erase.after or "{}") == {"counts": erased.counts}
    assert [tuple(row) for row in blanked] == [  # every row about them: kept, values blanked
        ("create", "children"), ("create", "child_profiles"), ("create", "placements"),
        ("create", "missing_episodes"), ("update", "missing_episodes"),
        ("create", "return_interviews"), ("create", "reporting_assessments"),
        ("update", "children"),
    ]  # fmt: skip


def test_erasure_is_for_supervisors_and_administrators(db: Database) -> None:
    world = build_world(db)
    for username in ("pcso.jones", "analyst.kim"):
        with pytest.raises(PermissionDenied, match="cannot delete records past their retention"):
            delete_child(db, username, world.amy, "tidy")
    with pytest.raises(ValidationError, match="say why"):
        delete_child(db, "sgt.lee", world.amy, "  ")
    with pytest.raises(NotFound):
        delete_child(db, "sgt.lee", 999, "gone")
    assert delete_child(db, "sgt.lee", world.amy, "reviewed").counts["children"] == 1
    assert delete_child(db, "admin.ada", world.ben, "reviewed").counts["missing_episodes"] == 1
