"""`import 903`: children, homes, placements and episodes from a council's return; all or
nothing, idempotent, every problem with its file and line; records made by hand untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.exchange.episodes_csv import ImportReport
from missing_app.core.exchange.ssda903.importer import import_903
from missing_app.core.models import AuditEvent, CareHome, Child, MissingEpisode, Placement
from missing_app.core.records import Records
from tests.conftest import NOW
from tests.core.import_checks import import_errors, table_counts
from tests.ssda903_files import (
    A_DOB,
    B_DOB,
    A,
    B,
    Row,
    child,
    episode,
    period,
    valid_world,
    write_csvs,
    write_xml,
)


def world(sex_a: str = "F", sex_b: str = "M") -> tuple[list[Row], list[Row], list[Row]]:
    """A valid 2024-25 return (see valid_world)."""
    return valid_world(2024, sex_a, sex_b)


def run(db: Database, *paths: Path) -> ImportReport:
    return import_903(db, paths, username="analyst", now=NOW)


def errors(db: Database, *paths: Path) -> list[str]:
    return import_errors(lambda: run(db, *paths))


def episodes_by_start(db: Database) -> dict[datetime, MissingEpisode]:
    with db.session() as session:
        found = session.scalars(select(MissingEpisode).order_by(MissingEpisode.last_seen_at))
        rows = list(found)
        for row in rows:
            _ = row.home.urn, row.child.local_ref
        return {row.last_seen_at: row for row in rows}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_return_imports_children_homes_placements_and_episodes(
    db: Database, tmp_path: Path
) -> None:
    folder = write_csvs(tmp_path, *world())
    report = run(db, folder)
    assert dict(report.counts) == {
        "homes_added": 2,
        "children_added": 2,
        "children_updated": 0,
        "placements_added": 2,
        "episodes_added": 4,
        "episodes_updated": 0,
        "episodes_unchanged": 0,
    }
    assert [str(w) for w in report.warnings] == [
        f"{folder / 'episodes.csv'}:5: URN: warning: 1 Episodes rows have no URN (not a home): "
        "they are not imported as placements"
    ]
    with db.session() as session:
        homes = {h.urn: h.name for h in session.scalars(select(CareHome))}
        assert homes == {
            "SC100001": "Children's home SC100001",
            "SC100002": "Secure children's home SC100002",
        }
        children = {
            c.local_ref: (c.dob, c.sex, c.ethnicity) for c in session.scalars(select(Child))
        }
        assert children == {A: (date(2010, 2, 1), "F", "WBRI"), B: (date(2008, 8, 15), "M", "WBRI")}
        stays = {
            (p.child.local_ref, p.home.urn, p.start, p.end)
            for p in session.scalars(select(Placement))
        }
        # A's two Episodes rows in one home are one stay; B's foster placement has no home.
        assert stays == {
            (A, "SC100001", date(2024, 1, 1), None),
            (B, "SC100002", date(2024, 3, 1), date(2024, 9, 1)),
        }
    found = {
        seen: (e.child.local_ref, e.home.urn, e.type, e.returned_at)
        for seen, e in episodes_by_start(db).items()
    }
    assert found == {
        # 00:00 in London on the day: British Summer Time is an hour ahead of UTC.
        utc(2024, 5, 9, 23): (A, "SC100001", "missing", utc(2024, 5, 11, 23)),
        utc(2024, 6, 30, 23): (B, "SC100002", "missing", utc(2024, 7, 2, 23)),
        # Back the same day: no time away, as 903 periods are whole days.
        utc(2024, 12, 20): (A, "SC100001", "absent", utc(2024, 12, 20)),
        utc(2025, 2, 10): (A, "SC100001", "missing", None),
    }
    with db.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
        assert [(a.username, a.entity) for a in audit] == [("analyst", "missing_episodes")]
        assert '"format": "SSDA903"' in (audit[0].after or "")


def test_importing_the_same_files_twice_changes_nothing(db: Database, tmp_path: Path) -> None:
    folder = write_csvs(tmp_path, *world())
    run(db, folder)
    before = table_counts(db)
    second = run(db, folder)
    assert not second.changed
    assert second.counts["episodes_unchanged"] == 4
    assert second.counts["placements_unchanged"] == 2
    assert table_counts(db) == before


def test_the_xml_form_and_2023_24_sex_codes(db: Database, tmp_path: Path) -> None:
    header, episodes, missing = world(sex_a="2", sex_b="1")
    path = write_xml(tmp_path / "return.xml", header, episodes, missing)
    report = run(db, path)
    assert report.counts["episodes_added"] == 4
    with db.session() as session:
        assert {c.local_ref: c.sex for c in session.scalars(select(Child))} == {A: "F", B: "M"}
    assert run(db, path).changed is False


def test_a_later_return_completes_an_open_period_and_corrects_its_type(
    db: Database, tmp_path: Path
) -> None:
    header, episodes, missing = world()
    run(db, write_csvs(tmp_path / "first", header, episodes, missing))
    missing[2] = period(A, A_DOB, "10/02/2025", "11/02/2025", "A")
    report = run(db, write_csvs(tmp_path / "second", header, episodes, missing))
    assert (report.counts["episodes_updated"], report.counts["episodes_unchanged"]) == (1, 3)
    episode_ = episodes_by_start(db)[utc(2025, 2, 10)]
    assert (episode_.type, episode_.returned_at) == ("absent", utc(2025, 2, 11))
    assert not run(db, tmp_path / "second").changed
    # The first return again: its type is taken, but its blank end never erases one recorded.
    assert run(db, tmp_path / "first").counts["episodes_updated"] == 1
    episode_ = episodes_by_start(db)[utc(2025, 2, 10)]
    assert (episode_.type, episode_.returned_at) == ("missing", utc(2025, 2, 11))


def test_an_episode_recorded_to_the_minute_is_left_as_it_is(
    db: Database, records: Records, tmp_path: Path
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    amy = records.create_child(A, date(2010, 2, 1), sex="F").record
    records.add_placement(amy.id, home.id, date(2024, 1, 1))
    seen = utc(2024, 5, 10, 20, 30)  # 21:30 in London
    made = records.record_missing(amy.id, seen).record
    records.record_return(made.id, utc(2024, 5, 11, 8))
    header, _episodes, missing = world()
    report = run(db, write_csvs(tmp_path, header[:1], None, missing[:1]))
    assert dict(report.counts)["episodes_unchanged"] == 1
    assert report.counts["episodes_added"] == 0
    stored = episodes_by_start(db)
    assert list(stored) == [seen]
    assert stored[seen].returned_at == utc(2024, 5, 11, 8)


def test_a_period_without_a_home_that_day_stops_the_import(db: Database, tmp_path: Path) -> None:
    header, episodes, missing = world()
    missing.append(period(B, B_DOB, "10/10/2024", "11/10/2024"))  # with foster carers
    folder = write_csvs(tmp_path, header, episodes, missing)
    assert errors(db, folder) == [
        f"{folder / 'missing.csv'}:6: MIS_START: child {B} has no placement with a URN on "
        "10/10/2024: give the Episodes table, or record the placement first"
    ]
    assert all(count == 0 for count in table_counts(db).values())


def test_every_bad_cell_is_listed_with_file_line_and_column(db: Database, tmp_path: Path) -> None:
    header, episodes, missing = world()
    header[1] = child(B, B_DOB, "7")
    episodes[0] = episode(A, "01/01/2024", "31/12/2023", urn="SC100001")
    missing[0] = period(A, "02/02/2010", "10/05/2024", "12/05/2024")
    missing[1] = period(A, A_DOB, "31/02/2024", "", "Q")
    folder = write_csvs(tmp_path, header, episodes, missing)
    path = {name: folder / f"{name}.csv" for name in ("header", "episodes", "missing")}
    assert errors(db, folder) == [
        f"{path['episodes']}:2: DEC: 31/12/2023 is before DECOM 01/01/2024",
        f"{path['header']}:3: SEX: '7' is not a sex code (1 or 2 up to 2023-24; M, F or U after)",
        f"{path['missing']}:3: MISSING: 'Q' is not M (missing) or A (away without authorisation)",
        f"{path['missing']}:3: MIS_START: '31/02/2024' is not a date (use dd/mm/YYYY)",
    ]
    # Once the cells read, the dates of birth must agree.
    header[1], episodes[0], missing[1] = child(B, B_DOB), world()[1][0], world()[2][1]
    write_csvs(folder, header, episodes, missing)
    assert errors(db, folder) == [
        f"{path['missing']}:2: DOB: 02/02/2010 differs from 01/02/2010 ({path['header']} line 2)"
    ]


def test_a_date_of_birth_differing_from_the_recorded_one_is_an_error(
    db: Database, records: Records, tmp_path: Path
) -> None:
    records.create_child(A, date(2010, 2, 2))
    folder = write_csvs(tmp_path, *world())
    found = errors(db, folder)
    message = (
        f"01/02/2010 differs from the date of birth already recorded for child {A} (02/02/2010)"
    )
    assert f"{folder / 'header.csv'}:2: DOB: {message}" in found


def test_overlaps_are_refused_in_homes_and_in_periods(db: Database, tmp_path: Path) -> None:
    header, episodes, missing = world()
    episodes.append(episode(A, "01/03/2024", "01/04/2024", urn="SC100009"))
    missing.append(period(A, A_DOB, "11/05/2024", "15/05/2024"))
    missing.append(period(B, B_DOB, "01/07/2024", "", "A"))
    folder = write_csvs(tmp_path, header, episodes, missing)
    found = errors(db, folder)
    assert found == [
        f"{folder / 'episodes.csv'}:6: DECOM: the child is already placed at SC100001 "
        "from 01/01/2024 to 01/06/2024 (line 2)",
        f"{folder / 'missing.csv'}:6: MIS_START: starts before the episode last seen "
        "10/05/2024 00:00 ended (12/05/2024 00:00) (line 2)",
        f"{folder / 'missing.csv'}:7: MIS_START: another period of child {B} starts that day "
        "(line 5)",
    ]


def test_progress_is_told_while_reading_and_saving(db: Database, tmp_path: Path) -> None:
    stages: list[str] = []
    folder = write_csvs(tmp_path, *world())
    import_903(db, [folder], now=NOW, progress=lambda stage, done, total: stages.append(stage))
    assert "reading missing.csv" in stages
    assert stages[-1] == "saving episodes"
