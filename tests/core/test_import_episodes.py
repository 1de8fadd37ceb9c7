"""`import episodes`: every error and warning of FORMATS.md, with file and line; all or nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.exchange.episodes_csv import ImportReport, import_episodes
from missing_app.core.models import CareHome, Child, MissingEpisode, Placement, ReturnInterview
from missing_app.core.records import Records
from missing_app.core.times import from_storage
from tests.conftest import NOW, write_csv
from tests.core.import_checks import import_errors, table_counts

AMY = {
    "child_ref": "C1",
    "first_name": "Amy",
    "last_name": "Hill",
    "dob": "2010-03-04",
    "sex": "F",
    "home_urn": "SC100001",
    "home_name": "Oakview House",
    "local_authority": "Wirral",
}


def episode(**values: str) -> dict[str, str]:
    return {**AMY, "last_seen_at": "2025-11-01 21:30", **values}


def run(db: Database, path: Path, **files: Path) -> ImportReport:
    return import_episodes(db, path, now=NOW, username="analyst", **files)  # type: ignore[arg-type]


def failure(db: Database, path: Path, **files: Path) -> list[str]:
    return import_errors(lambda: run(db, path, **files))


def test_a_good_file_imports_children_homes_episodes_and_interviews(
    db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "episodes.csv",
        [
            episode(
                reported_at="2025-11-01 22:10",
                police_ref="MP25/000001",
                risk="medium",
                returned_at="2025-11-02 09:00",
                return_method="found_by_police",
                found_location="Birkenhead bus station",
                safe_and_well_at="2025-11-02 11:00",
                rhi_offered_at="2025-11-03 10:00",
                rhi_completed_at="2025-11-04 16:00",
                rhi_declined="no",
            ),
            episode(last_seen_at="2025-11-08 23:00", type="A", risk="low"),
        ],
    )
    report = run(db, path)
    assert report.counts["episodes_added"] == 2 and report.counts["children_added"] == 1
    assert report.counts["homes_added"] == 1 and report.warnings == []
    with db.session() as session:
        home = session.scalars(select(CareHome)).one()
        assert (home.urn, home.name, home.local_authority) == (
            "SC100001",
            "Oakview House",
            "Wirral",
        )
        first, second = session.scalars(select(MissingEpisode).order_by(MissingEpisode.id))
        assert first.last_seen_at == datetime(2025, 11, 1, 21, 30, tzinfo=UTC)
        assert first.returned_at == datetime(2025, 11, 2, 9, 0, tzinfo=UTC)
        assert (first.type, first.risk, second.type, second.returned_at) == (
            "missing",
            "medium",
            "absent",
            None,
        )
        interview = session.scalars(select(ReturnInterview)).one()
        assert interview.episode_id == first.id and interview.declined is False
        assert interview.completed_at == datetime(2025, 11, 4, 16, 0, tzinfo=UTC)


def test_header_names_are_case_insensitive_and_a_bom_is_accepted(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "episodes.csv"
    path.write_text(
        "\ufeffChild_Ref,DOB,Home_URN,Last_Seen_At,Colour\n"
        "C1,2010-03-04,SC1,2025-11-01 21:30,blue\n",
        encoding="utf-8",
    )
    report = run(db, path)
    assert report.counts["episodes_added"] == 1
    [warning] = report.warnings
    assert str(warning) == f"{path}:1: header: warning: unknown columns ignored: colour"


def test_every_error_is_reported_with_file_line_and_column(db: Database, tmp_path: Path) -> None:
    rows = [
        episode(returned_at="2025-11-02 08:00"),  # 2 fine
        episode(child_ref=""),  # 3 required
        episode(child_ref="C2", dob="2010-02-30"),  # 4 bad date
        episode(child_ref="C3", last_seen_at="2025-03-30 01:30"),  # 5 skipped hour
        episode(child_ref="C4", risk="severe"),  # 6 unknown code
        episode(child_ref="C5", type="X"),  # 7 unknown code
        episode(child_ref="C6", returned_at="2025-11-01 20:00"),  # 8 return first
        episode(child_ref="C7", dob="2026-01-01"),  # 9 before birth
        episode(child_ref="C8", last_seen_at="2025-12-01 10:00"),  # 10 in the future
        episode(child_ref="C1", dob="2010-03-05", last_seen_at="2025-11-09 10:00"),  # 11 DOB
        episode(
            child_ref="C1", last_seen_at="2025-11-02 07:00", returned_at="2025-11-02 09:00"
        ),  # 12 overlaps 2
        episode(child_ref="C9", rhi_declined="maybe", sex="X"),  # 13 two codes
        episode(child_ref="C10", last_seen_at="next tuesday"),  # 14 unparseable
    ]
    path = write_csv(tmp_path / "episodes.csv", rows)
    before = table_counts(db)
    errors = failure(db, path)
    p = str(path)
    assert errors == [
        f"{p}:3: child_ref: a value is required",
        f"{p}:4: dob: '2010-02-30' is not a date (use YYYY-MM-DD)",
        f"{p}:5: last_seen_at: 2025-03-30 01:30 does not exist in UK time "
        "(the clocks go forward that hour)",
        f"{p}:6: risk: 'severe' is not a known risk grade "
        "(use no_apparent_risk, low, medium, high)",
        f"{p}:7: type: 'X' is not an episode type (use missing or absent, M or A)",
        f"{p}:8: returned_at: 01/11/2025 20:00 is before last seen 01/11/2025 21:30",
        f"{p}:9: last_seen_at: 01/11/2025 21:30 is before the date of birth 01/01/2026",
        f"{p}:10: last_seen_at: 01/12/2025 10:00 is in the future (it is now 15/11/2025 12:00)",
        f"{p}:11: dob: 2010-03-05 differs from 2010-03-04 given for child C1 on line 2",
        f"{p}:12: last_seen_at: starts before the episode last seen 01/11/2025 21:30 "
        "ended (02/11/2025 08:00) (line 2)",
        f"{p}:13: sex: 'X' is not a sex code (use M, F or U)",
        f"{p}:13: rhi_declined: 'maybe' is not yes or no",
        f"{p}:14: last_seen_at: 'next tuesday' is not a date-time (use YYYY-MM-DD HH:MM)",
    ]
    assert table_counts(db) == before


def test_a_missing_required_column_is_reported_on_the_header_line(
    db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [{"child_ref": "C1", "home_urn": "SC1", "last_seen_at": "2025-11-01 21:30"}],
    )
    assert failure(db, path) == [f"{path}:1: dob: the column is missing"]


def test_overlap_with_an_episode_already_recorded(
    db: Database, records: Records, tmp_path: Path
) -> None:
    run(db, write_csv(tmp_path / "first.csv", [episode(returned_at="2025-11-03 08:00")]))
    path = write_csv(
        tmp_path / "second.csv",
        [
            episode(last_seen_at="2025-11-03 08:00"),  # ends-the-same-minute: fine
            episode(last_seen_at="2025-11-02 08:00", returned_at="2025-11-02 09:00"),
        ],
    )
    assert failure(db, path) == [
        f"{path}:3: last_seen_at: starts before the episode last seen 01/11/2025 21:30 "
        "ended (03/11/2025 08:00)"
    ]


def test_a_date_of_birth_different_from_the_database_is_an_error(
    db: Database, tmp_path: Path
) -> None:
    run(db, write_csv(tmp_path / "first.csv", [episode(returned_at="2025-11-02 08:00")]))
    path = write_csv(
        tmp_path / "second.csv", [episode(dob="2010-04-03", last_seen_at="2025-11-10 10:00")]
    )
    assert failure(db, path) == [
        f"{path}:2: dob: 2010-04-03 differs from the date of birth already recorded "
        "for child C1 (2010-03-04)"
    ]


def test_warnings_are_imported_and_listed(db: Database, records: Records, tmp_path: Path) -> None:
    flagged = records.create_child("C2", date(2009, 1, 1), cce_flagged_on=date(2025, 1, 1))
    assert flagged.record.id
    path = write_csv(
        tmp_path / "episodes.csv",
        [
            episode(type="absent", dob="2012-01-01"),  # aged 13: always missing
            episode(child_ref="C2", dob="2009-01-01", risk="medium"),  # CCE flag, not high
            episode(child_ref="C3", reported_at="2025-11-01 21:00"),  # reported first
        ],
    )
    report = run(db, path)
    assert report.counts["episodes_added"] == 3
    assert [(w.line, w.field) for w in report.warnings] == [
        (2, "type"),
        (3, "risk"),
        (4, "reported_at"),
    ]
    assert str(report.warnings[0]).startswith(
        f"{path}:2: type: warning: absent, but the child was 13 on the day"
    )


def test_a_second_import_of_the_same_file_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "episodes.csv",
        [
            episode(returned_at="2025-11-02 09:00", rhi_offered_at="2025-11-03 10:00"),
            episode(child_ref="C2", last_seen_at="2025-11-02 01:00"),
        ],
    )
    run(db, path)
    assert db.path is not None
    with sqlite3.connect(db.path) as connection:
        before = list(connection.iterdump())
    report = run(db, path)
    assert not report.changed and report.counts["episodes_unchanged"] == 2
    with sqlite3.connect(db.path) as connection:
        assert list(connection.iterdump()) == before


def test_a_row_for_an_existing_episode_updates_it_and_blanks_never_erase(
    db: Database, tmp_path: Path
) -> None:
    run(db, write_csv(tmp_path / "first.csv", [episode(police_ref="MP25/1", risk="high")]))
    second = write_csv(
        tmp_path / "second.csv",
        [episode(returned_at="2025-11-02 09:00", rhi_completed_at="2025-11-04 10:00")],
    )
    report = run(db, second)
    assert report.counts["episodes_updated"] == 1 and report.counts["episodes_added"] == 0
    with db.session() as session:
        stored = session.scalars(select(MissingEpisode)).one()
        assert (stored.police_ref, stored.risk) == ("MP25/1", "high")
        assert stored.returned_at == datetime(2025, 11, 2, 9, 0, tzinfo=UTC)
        assert stored.return_interview is not None
        assert stored.return_interview.completed_at == datetime(2025, 11, 4, 10, tzinfo=UTC)


def test_a_bad_file_leaves_every_table_unchanged(db: Database, tmp_path: Path) -> None:
    run(db, write_csv(tmp_path / "first.csv", [episode()]))
    before = table_counts(db)
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            episode(child_ref="C2", home_urn="SC9", last_seen_at="2025-11-02 10:00"),
            episode(child_ref="C3", last_seen_at="not a time"),
        ],
    )
    failure(db, bad)
    assert table_counts(db) == before


def test_clock_changes_autumn_repeated_hour_and_spring_gap(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "episodes.csv",
        [
            # Last seen in the first 01:30 (BST), back in the second 01:15 (GMT): 45 minutes away.
            episode(last_seen_at="2025-10-26 01:30", returned_at="2025-10-26T01:15+00:00"),
            # 00:30 BST to 02:30 GMT is three hours, across the repeated hour.
            episode(
                child_ref="C2", last_seen_at="2025-10-26 00:30", returned_at="2025-10-26 02:30"
            ),
            # The spring night: 00:30 GMT to 03:30 BST is two hours.
            episode(
                child_ref="C3", last_seen_at="2025-03-30 00:30", returned_at="2025-03-30 03:30"
            ),
        ],
    )
    run(db, path)
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT last_seen_at, returned_at FROM missing_episodes ORDER BY id"
        ).all()
    assert rows == [
        ("2025-10-26 00:30:00", "2025-10-26 01:15:00"),
        ("2025-10-25 23:30:00", "2025-10-26 02:30:00"),
        ("2025-03-30 00:30:00", "2025-03-30 02:30:00"),
    ]
    hours = [(from_storage(b) - from_storage(a)).total_seconds() / 3600 for a, b in rows]
    assert hours == [0.75, 3.0, 2.0]


def test_the_repeated_hour_taken_as_the_first_makes_a_return_before_last_seen(
    db: Database, tmp_path: Path
) -> None:
    # 01:15 without an offset is the first 01:15 (BST): before a last seen of 01:30 BST.
    path = write_csv(
        tmp_path / "e.csv",
        [episode(last_seen_at="2025-10-26 01:30", returned_at="2025-10-26 01:15")],
    )
    assert failure(db, path) == [
        f"{path}:2: returned_at: 26/10/2025 01:15 is before last seen 26/10/2025 01:30"
    ]


def test_homes_and_placements_files(db: Database, tmp_path: Path) -> None:
    homes = write_csv(
        tmp_path / "homes.csv",
        [
            {
                "urn": "SC100001",
                "name": "Oakview House",
                "local_authority": "Wirral",
                "postcode": "CH41 1AA",
                "beds": "4",
                "engagement_start": "2025-01-06",
            },
            {"urn": "SC100002", "name": "Beech Lodge", "beds": "3"},
        ],
    )
    placements = write_csv(
        tmp_path / "placements.csv",
        [
            {"child_ref": "C1", "home_urn": "SC100002", "start": "2024-05-01", "end": "2025-06-30"},
            {"child_ref": "C1", "home_urn": "SC100001", "start": "2025-06-30", "end": ""},
        ],
    )
    episodes = write_csv(tmp_path / "episodes.csv", [episode(home_name="")])
    report = run(db, episodes, homes=homes, placements=placements)
    assert report.counts["homes_added"] == 2 and report.counts["placements_added"] == 2
    with db.session() as session:
        oakview = session.scalars(select(CareHome).where(CareHome.urn == "SC100001")).one()
        assert (oakview.beds, oakview.engagement_start) == (4, date(2025, 1, 6))
        ends = sorted(str(p.end) for p in session.scalars(select(Placement)))
        assert ends == ["2025-06-30", "None"]
    assert not run(db, episodes, homes=homes, placements=placements).changed


def test_placements_must_name_known_children_and_homes(db: Database, tmp_path: Path) -> None:
    placements = write_csv(
        tmp_path / "placements.csv",
        [
            {"child_ref": "C9", "home_urn": "SC100001", "start": "2025-01-01"},
            {"child_ref": "C1", "home_urn": "SC999999", "start": "2025-01-01"},
            {"child_ref": "C1", "home_urn": "SC100001", "start": "2025-05-01", "end": "2025-04-01"},
        ],
    )
    episodes = write_csv(tmp_path / "episodes.csv", [episode()])
    p = str(placements)
    assert failure(db, episodes, placements=placements) == [
        f"{p}:2: child_ref: child C9 is not in the episodes file nor already recorded",
        f"{p}:3: home_urn: home SC999999 is not in the homes or episodes file nor already recorded",
        f"{p}:4: end: 2025-04-01 is before the start 2025-05-01",
    ]


def test_files_that_cannot_be_read_say_why(db: Database, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert failure(db, missing) == [f"{missing}:0: file: the file does not exist"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("child_ref,dob\nC\xe9,2010-01-01\n".encode("latin-1"))
    assert "is not UTF-8 text" in failure(db, latin)[0]
    assert failure(db, tmp_path) == [f"{tmp_path}:0: file: is a folder, not a CSV file"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert failure(db, empty) == [f"{empty}:1: file: the file is empty (no header row)"]


def test_each_import_leaves_one_audit_row(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "episodes.csv", [episode()])
    run(db, path)
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT username, action, entity, after FROM audit_events"
        ).all()
    assert len(rows) == 1 and rows[0][:3] == ("analyst", "import", "missing_episodes")
    assert '"episodes_added": 1' in rows[0][3] and str(path) in rows[0][3]


def test_children_keep_their_names(db: Database, tmp_path: Path) -> None:
    run(db, write_csv(tmp_path / "e.csv", [episode()]))
    with db.session() as session:
        child = session.scalars(select(Child)).one()
        assert (child.display_name, child.sex, child.dob) == ("Amy Hill", "F", date(2010, 3, 4))


def test_placements_of_one_child_cannot_overlap_in_the_file_or_with_the_records(
    db: Database, tmp_path: Path
) -> None:
    episodes = write_csv(tmp_path / "episodes.csv", [episode()])
    first = write_csv(
        tmp_path / "first.csv",
        [
            {"child_ref": "C1", "home_urn": "SC100001", "start": "2025-01-01", "end": "2025-06-30"},
            {"child_ref": "C1", "home_urn": "SC100001", "start": "2025-06-30", "end": ""},  # fine
        ],
    )
    run(db, episodes, placements=first)
    clash = write_csv(
        tmp_path / "clash.csv",
        [
            {"child_ref": "C1", "home_urn": "SC100001", "start": "2025-06-30", "end": "2025-09-01"},
            {"child_ref": "C1", "home_urn": "SC100002", "start": "2025-08-01", "end": ""},
            {"child_ref": "C1", "home_urn": "SC100003", "start": "2024-12-01", "end": "2025-01-02"},
        ],
    )
    homes = write_csv(
        tmp_path / "homes.csv",
        [{"urn": "SC100002", "name": "Beech"}, {"urn": "SC100003", "name": "Elm"}],
    )
    p = str(clash)
    assert failure(db, episodes, homes=homes, placements=clash) == [
        f"{p}:3: start: the child is already placed at SC100001 from 2025-06-30 to "
        "2025-09-01 (line 2)",
        f"{p}:4: start: the child is already placed at SC100001 from 2025-01-01 to "
        "2025-06-30 (already recorded)",
    ]
