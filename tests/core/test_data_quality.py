"""The Data quality read and export: the 903 checks' failures each person may see, with
the child and the episode's start, and the export only for those who report on every home."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.exchange.ssda903.own_records import RecordFailure
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.models import AuditEvent, Placement
from missing_app.core.queries.data_quality import (
    QualityReport,
    QualityRow,
    export_year,
    read_quality,
)
from missing_app.core.security.errors import PermissionDenied
from tests.security_helpers import World, as_user, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

YEAR = CollectionYear(2025)


@pytest.fixture
def world(db: Database) -> World:
    """Amy (Oakview, pcso.jones) and Ben (Elm, pcso.smith), both missing since early October
    2025 from placements that ended on 15 October: each episode fails 575 and 577."""
    built = build_world(db)
    admin = as_user(db, "admin.ada")
    with db.session() as session:
        placements = list(session.scalars(select(Placement.id)))
    for placement_id in placements:
        admin.update_placement(placement_id, end=date(2025, 10, 15))
    return built


def seen(db: Database, username: str) -> QualityReport:
    with db.session() as session:
        return read_quality(session, username, YEAR)


def listed(report: QualityReport) -> list[tuple[str, str, date | None, int]]:
    return [(row.code, row.child, row.started, row.failure.episode_id) for row in report.rows]


def test_a_supervisor_sees_every_homes_failures_with_names(world: World, db: Database) -> None:
    report = seen(db, "sgt.lee")
    assert listed(report) == [
        ("575", "Amy Ash · C1", date(2025, 10, 1), world.amy_episode),
        ("577", "Amy Ash · C1", date(2025, 10, 1), world.amy_episode),
        ("575", "Ben Birch · C2", date(2025, 10, 2), world.ben_episode),
        ("577", "Ben Birch · C2", date(2025, 10, 2), world.ben_episode),
    ]
    assert (report.episodes, report.records, report.limited, report.may_export) == (
        2, 2, False, True
    )  # fmt: skip
    assert report.first_year == YEAR


def test_a_pcso_sees_the_failures_at_their_own_homes_only(world: World, db: Database) -> None:
    report = seen(db, "pcso.jones")
    assert [(code, child) for code, child, _, _ in listed(report)] == [
        ("575", "Amy Ash · C1"),
        ("577", "Amy Ash · C1"),
    ]
    assert report.episodes == 2  # the checks ran on the whole return
    assert (report.records, report.limited, report.may_export) == (1, True, False)


def test_an_analyst_sees_references_without_names(world: World, db: Database) -> None:
    report = seen(db, "analyst.kim")
    assert [child for _, child, _, _ in listed(report)] == ["C1", "C1", "C2", "C2"]
    assert report.may_export


def test_only_those_reporting_on_every_home_export(
    world: World, db: Database, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match="only for their own homes"):
        export_year(db, "pcso.jones", YEAR, tmp_path, force=True)
    assert not (tmp_path / "missing.csv").exists()
    exported = export_year(db, "sgt.lee", YEAR, tmp_path, force=True)
    assert (exported.rows, len(exported.failures)) == (2, 4)
    with db.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert audit.username == "sgt.lee"


def failure(code: str, episode_id: int, line: int) -> QualityRow:
    found = RecordFailure(code, "message", "C1", 1, episode_id, line)
    return QualityRow(found, "C1", None)


def test_counts_are_most_first_then_in_the_rulebooks_order() -> None:
    rows = [failure("581", 1, 2), failure("574", 2, 3), failure("574", 3, 4),
            failure("577", 3, 4), failure("581", 4, 5), failure("574", 5, 6),
            failure("575", 6, 7)]  # fmt: skip
    report = QualityReport(YEAR, 6, rows, YEAR, limited=False, may_export=True)
    assert report.counts() == [("574", 3), ("581", 2), ("575", 1), ("577", 1)]
    assert report.records == 6
    assert not failure("581", 1, 2).opens_child and failure("586", 1, 2).opens_child
