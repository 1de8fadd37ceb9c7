"""`export 903`: the Missing table of a collection year from Homeward's own records, checked
first; the round trip from import; and the Data quality check of the records themselves."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.exchange.ssda903.exporter import ExportRefused, export_903
from missing_app.core.exchange.ssda903.importer import import_903
from missing_app.core.exchange.ssda903.own_records import check_own_records
from missing_app.core.exchange.ssda903.validation import validate_files
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.models import AuditEvent
from missing_app.core.records import Records
from tests.conftest import NOW
from tests.ssda903_files import valid_world, write_csvs, write_xml

COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
YEAR = CollectionYear.parse("2024-25")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def read_back(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [tuple(row) for row in reader]


@pytest.mark.parametrize(
    ("first_year", "sexes", "form"),
    [(2023, ("2", "1"), "csv"), (2023, ("2", "1"), "xml"), (2024, ("F", "M"), "csv"),
     (2024, ("F", "M"), "xml")],
)  # fmt: skip
def test_import_then_export_gives_back_the_missing_rows(
    db: Database, tmp_path: Path, first_year: int, sexes: tuple[str, str], form: str
) -> None:
    header, episodes, missing = valid_world(first_year, *sexes)
    year = CollectionYear(first_year)
    if form == "xml":
        path = write_xml(tmp_path / "return.xml", header, episodes, missing)
    else:
        path = write_csvs(tmp_path / "return", header, episodes, missing)
    assert validate_files([path], year).failures == []
    import_903(db, [path], now=NOW)
    exported = export_903(db, year, tmp_path / "out")
    assert exported.path == tmp_path / "out" / "missing.csv"
    columns, rows = read_back(exported.path)
    assert columns == COLUMNS
    assert sorted(rows) == sorted(tuple(row[c] for c in COLUMNS) for row in missing)
    assert exported.rows == 4 and exported.failures == []


def test_the_year_holds_every_episode_whose_london_days_overlap_it(
    db: Database, records: Records, tmp_path: Path
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    names = iter(["1", "2", "3", "4", "5", "6"])

    def child_with(seen: datetime, back: datetime | None) -> None:
        person = records.create_child(next(names), date(2009, 6, 1), sex="M").record
        records.add_placement(person.id, home.id, date(2023, 1, 1))
        made = records.record_missing(person.id, seen).record
        if back is not None:
            records.record_return(made.id, back)

    child_with(utc(2024, 3, 20, 12), utc(2024, 3, 25, 12))  # ended before the year: left out
    child_with(utc(2024, 3, 30, 12), utc(2024, 4, 2, 12))  # across 1 April: its start kept
    child_with(utc(2025, 3, 30, 12), utc(2025, 4, 2, 12))  # back after the year: still open
    child_with(utc(2025, 3, 31, 22, 30), None)  # 23:30 on 31 March in London (BST)
    child_with(utc(2025, 3, 31, 23, 30), None)  # 00:30 on 1 April in London: next year
    child_with(utc(2024, 3, 31, 23, 30), utc(2024, 4, 1, 1))  # all on 1 April in London
    _, rows = read_back(export_903(db, YEAR, tmp_path).path)
    assert rows == [
        ("2", "01/06/2009", "M", "30/03/2024", "02/04/2024"),
        ("3", "01/06/2009", "M", "30/03/2025", ""),
        ("4", "01/06/2009", "M", "31/03/2025", ""),
        ("6", "01/06/2009", "M", "01/04/2024", "01/04/2024"),
    ]


def a_record_outside_its_placement(records: Records) -> tuple[int, int]:
    """Child 9 placed from 1 June 2024, recorded missing from the home on 10 May 2024."""
    home = records.create_home("SC100001", "Oakview House").record
    person = records.create_child("9", date(2009, 6, 1), sex="F").record
    records.add_placement(person.id, home.id, date(2024, 6, 1))
    made = records.record_missing(person.id, utc(2024, 5, 10, 12), home_id=home.id).record
    records.record_return(made.id, utc(2024, 5, 11, 12))
    return person.id, made.id


def test_own_records_failing_the_checks_are_listed_with_their_episode(
    db: Database, records: Records
) -> None:
    child_id, episode_id = a_record_outside_its_placement(records)
    with db.session() as session:
        failures = check_own_records(session, "2024-25")
    assert [(f.code, f.child_ref, f.child_id, f.episode_id, f.line) for f in failures] == [
        ("577", "9", child_id, episode_id, 2),
        ("578", "9", child_id, episode_id, 2),
        ("581", "9", child_id, episode_id, 2),
    ]
    assert failures[2].message == "MIS_START 10/05/2024 is within none of the child's Episodes rows"
    assert failures[2].rule.startswith("The child was not looked after")


def test_an_export_that_fails_the_checks_is_refused_unless_forced(
    db: Database, records: Records, tmp_path: Path
) -> None:
    _child_id, episode_id = a_record_outside_its_placement(records)
    with pytest.raises(ExportRefused) as refused:
        export_903(db, YEAR, tmp_path)
    assert [f.code for f in refused.value.failures] == ["577", "578", "581"]
    assert str(refused.value.problems[2]) == (
        f"missing.csv:2: 581 child 9 (episode {episode_id}): "
        "MIS_START 10/05/2024 is within none of the child's Episodes rows"
    )
    assert not (tmp_path / "missing.csv").exists()
    with db.session() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all() == []
    forced = export_903(
        db, YEAR, tmp_path, force=True, username="analyst", why="annual return", recipient="LA"
    )
    assert read_back(forced.path)[1] == [("9", "01/06/2009", "M", "10/05/2024", "11/05/2024")]
    with db.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (audit.username, audit.why, audit.recipient) == ("analyst", "annual return", "LA")
    after = json.loads(audit.after or "{}")
    assert (after["year"], after["rows"], after["failures"], after["forced"]) == (
        "2024-25",
        1,
        3,
        True,
    )


def test_an_empty_year_writes_the_header_alone(db: Database, tmp_path: Path) -> None:
    exported = export_903(db, YEAR, tmp_path / "new" / "folder")
    assert read_back(exported.path) == (COLUMNS, [])
