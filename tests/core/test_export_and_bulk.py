"""Episodes CSV export round-trips through import; bulk inserts store what the ORM would."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from missing_app.core.db import Database, open_database
from missing_app.core.db.bulk import insert_columns
from missing_app.core.exchange.episodes_csv import import_episodes
from missing_app.core.exchange.episodes_export import export_episodes
from missing_app.core.models import CareHome, MissingEpisode
from missing_app.core.times import TimeError, _from_local_by_zone, parse_datetime
from tests.conftest import NOW, write_csv

ROWS = [
    {
        "child_ref": "C1",
        "first_name": "Amy",
        "last_name": "Hill",
        "dob": "2010-03-04",
        "sex": "F",
        "home_urn": "SC1",
        "home_name": "Oakview House",
        "local_authority": "Wirral",
        "type": "missing",
        "last_seen_at": "2025-10-26 01:30",
        "reported_at": "2025-10-26 01:50",
        "police_ref": "MP25/1",
        "risk": "high",
        "returned_at": "2025-10-26T01:10+00:00",
        "return_method": "self",
        "found_location": "home",
        "safe_and_well_at": "2025-10-26 09:00",
        "rhi_offered_at": "2025-10-27 10:00",
        "rhi_completed_at": "",
        "rhi_declined": "yes",
    },
    {
        "child_ref": "C2",
        "dob": "2009-01-01",
        "home_urn": "SC1",
        "type": "absent",
        "last_seen_at": "2025-07-01 23:15",
    },
]


def episodes(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT c.local_ref, h.urn, e.type, e.last_seen_at, e.reported_at, "
                    "e.police_ref, e.risk, e.returned_at, e.return_method, e.found_location, "
                    "e.safe_and_well_at, "
                    "r.offered_at, r.completed_at, r.declined FROM missing_episodes e "
                    "JOIN children c ON c.id = e.child_id JOIN care_homes h ON h.id = e.home_id "
                    "LEFT JOIN return_interviews r ON r.episode_id = e.id ORDER BY c.local_ref"
                )
            )
        ]


def test_export_then_import_gives_the_same_episodes(db: Database, tmp_path: Path) -> None:
    import_episodes(db, write_csv(tmp_path / "in.csv", ROWS), now=NOW)
    out = tmp_path / "out.csv"
    assert export_episodes(db, out) == 2
    assert "2025-10-26T01:10:00+00:00" in out.read_text()  # the second 01:10, by its offset
    copy = open_database(str(tmp_path / "copy.sqlite"))
    import_episodes(copy, out, now=NOW)
    assert episodes(copy) == episodes(db)
    assert not (tmp_path / "out.csv.partial").exists()


def test_bulk_insert_renders_like_the_orm_and_fills_defaults(db: Database) -> None:
    with db.transaction() as session:
        connection = session.connection()
        insert_columns(connection, CareHome, {"urn": ["SC1"], "name": ["Oakview"]})
        connection.execute(
            text("INSERT INTO children (local_ref, dob) VALUES ('C1', '2010-01-01')")
        )
        insert_columns(
            connection,
            MissingEpisode,
            {
                "child_id": [1],
                "home_id": [1],
                "type": ["missing"],
                "last_seen_at": [datetime(2025, 10, 26, 0, 30, tzinfo=UTC)],
            },
        )
    assert db.path is not None
    with sqlite3.connect(db.path) as raw:
        assert raw.execute(
            "SELECT last_seen_at, arrested, harm_disclosed FROM missing_episodes"
        ).fetchone() == ("2025-10-26 00:30:00", 0, 0)
    with db.session() as session:
        stored = session.scalars(select(MissingEpisode)).one()
        assert stored.last_seen_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
        assert stored.arrested is False


def test_the_fast_clock_path_agrees_with_the_zone_database() -> None:
    """Every 5 minutes of the 6 hours around each change, 1996 to 2040, and noon daily."""
    moments = []
    for year in range(1996, 2041):
        for month in (3, 10):
            last = max(
                date(year, month, day)
                for day in range(25, 32)
                if date(year, month, day).weekday() == 6
            )
            start = datetime(last.year, last.month, last.day) - timedelta(hours=3)
            moments += [start + timedelta(minutes=5 * step) for step in range(72)]
        moments += [datetime(year, 1, 1, 12) + timedelta(days=d) for d in range(365)]
    for moment in moments:
        try:
            expected: object = _from_local_by_zone(moment)
        except TimeError:
            expected = "skipped"
        try:
            got: object = parse_datetime(moment.isoformat(sep=" "))
        except TimeError:
            got = "skipped"
        assert got == expected, moment


def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "h.sqlite"))
    other = sqlite3.connect(tmp_path / "h.sqlite", timeout=0.05, isolation_level=None)
    with db.transaction() as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    with db.session() as session:
        session.execute(text("SELECT 1"))
        other.execute("BEGIN IMMEDIATE")  # a reader does not block a writer
        other.execute("ROLLBACK")


def test_the_demo_passes_every_import_rule(tmp_path: Path) -> None:
    """Demo records, exported and imported afresh, break no rule of FORMATS.md."""
    from missing_app.core.demo import generate_demo

    demo = open_database(str(tmp_path / "demo.sqlite"))
    summary = generate_demo(demo, seed=3, as_of=date(2025, 11, 15))
    out = tmp_path / "demo.csv"
    assert export_episodes(demo, out) == summary.episodes
    report = import_episodes(
        open_database(str(tmp_path / "copy.sqlite")), out, now=datetime(2025, 11, 15, tzinfo=UTC)
    )
    assert report.counts["episodes_added"] == summary.episodes
    assert {w.field for w in report.warnings} <= {"reported_at"}
