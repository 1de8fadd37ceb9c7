"""The homes table and a home's page, against hand-made records (and fast at scale)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from missing_app.core.db import Database
from missing_app.core.db.bulk import insert_columns
from missing_app.core.models import CareHome, Child, MissingEpisode, Placement
from missing_app.core.queries.areas import home_labels
from missing_app.core.queries.homes import (
    HOME_COLUMNS,
    OTHER_COUNCILS,
    HomeFilter,
    home_details,
    home_listing,
)
from missing_app.core.queries.paging import Sort
from missing_app.core.records import NewAction, Records
from missing_app.core.times import local_midnight, parse_datetime
from tests.conftest import NOW


@dataclass(frozen=True)
class Built:
    oak: int
    birch: int
    far: int
    amy: int
    ben: int
    cal: int
    amy_open: int  # Amy's episode still open
    amy_assessed: int  # the one with a reporting assessment


def build(records: Records) -> Built:
    """Three homes, three children, seven episodes, three meetings with their actions."""
    oak = records.create_home(
        "SC100001", "Oakview House", local_authority="Liverpool", beds=4,
        engagement_start=date(2024, 3, 1), provider="Mersey Care Ltd", postcode="L4 1AA",
    ).record.id  # fmt: skip
    birch = records.create_home("SC200002", "Birch Lodge", local_authority="Wirral", beds=3)
    far = records.create_home("SC300003", "Moorside", local_authority="Manchester")
    amy = records.create_child("C1", date(2010, 5, 1), first_name="Amy", last_name="Hill")
    ben = records.create_child("C2", date(2009, 2, 1), first_name="Ben", last_name="Lee")
    cal = records.create_child("C3", date(2008, 3, 1), first_name="Cal", last_name="Roy")
    records.add_placement(amy.record.id, oak, date(2025, 1, 1))
    records.add_placement(ben.record.id, oak, date(2024, 6, 1), date(2025, 10, 20))
    records.add_placement(ben.record.id, birch.record.id, date(2025, 10, 20))
    records.add_placement(cal.record.id, oak, date(2023, 1, 1), date(2024, 1, 1))

    def episode(child: int, seen: str, back: str | None, **fields: object) -> int:
        saved = records.record_missing(child, parse_datetime(seen), **fields).record
        if back is not None:
            records.record_return(saved.id, parse_datetime(back))
        return saved.id

    episode(amy.record.id, "2025-06-01 21:00", "2025-06-01 23:00", type="absent", risk="low")
    amy_assessed = episode(
        amy.record.id, "2025-11-10 20:00", "2025-11-11 02:00", risk="medium", police_ref="MP1"
    )
    amy_open = episode(amy.record.id, "2025-11-14 22:00", None, risk="high", police_ref="MP2")
    episode(ben.record.id, "2025-10-01 19:00", "2025-10-02 09:00", risk="medium")
    episode(ben.record.id, "2025-11-01 19:00", "2025-11-01 23:00", risk="low")  # at Birch
    episode(cal.record.id, "2023-06-01 19:00", "2023-06-02 09:00", risk="low")
    records.record_assessment(
        amy_assessed, date(2025, 11, 12), searched_first=True, reported_within_policy=False,
        profile_current=True, police_ref_kept=True, notes="Called within the hour",
    )  # fmt: skip
    october = records.record_meeting(
        oak, date(2025, 10, 1), attendees="PCSO Jones; manager",
        actions=[
            NewAction("Update profiles", "Manager", date(2025, 10, 15)),
            NewAction("Brief night staff", "Deputy", date(2025, 12, 1)),
            NewAction("Share the policy", "PCSO", date(2025, 10, 10)),
        ],
    ).record  # fmt: skip
    records.complete_action(october.actions[2].id, date(2025, 10, 9))  # "Share the policy"
    records.record_meeting(
        oak, date(2025, 11, 5), actions=[NewAction("Refer Amy to the missing group")]
    )
    refs = NewAction("Record refs", None, date(2025, 11, 20))
    records.record_meeting(birch.record.id, date(2025, 11, 1), actions=[refs])
    return Built(
        oak, birch.record.id, far.record.id, amy.record.id, ben.record.id, cal.record.id,
        amy_open, amy_assessed,
    )  # fmt: skip


def rows(
    db: Database, where: HomeFilter | None = None, sort: Sort | None = None
) -> list[dict[str, Any]]:
    listing = home_listing(where or HomeFilter(), NOW)
    sort = sort or Sort("name")
    with db.session() as session:
        found = listing.page(session, sort, 0, 100)
    return [dict(zip(("id", *HOME_COLUMNS), row, strict=True)) for row in found]


def test_the_homes_table_counts_children_episodes_and_open_actions(
    db: Database, records: Records
) -> None:
    build(records)
    table = {row["name"]: row for row in rows(db)}
    assert list(table) == ["Birch Lodge", "Moorside", "Oakview House"]
    oak = table["Oakview House"]
    assert (oak["urn"], oak["local_authority"], oak["beds"]) == ("SC100001", "Liverpool", 4)
    assert oak["engagement_start"] == date(2024, 3, 1)
    assert oak["placed_now"] == 1  # Amy; Ben left on 20/10, Cal long ago
    assert oak["episodes_90d"] == 3  # Amy's two in November, Ben's in October
    assert oak["open_actions"] == 3  # the done one left out
    assert (table["Birch Lodge"]["placed_now"], table["Birch Lodge"]["open_actions"]) == (1, 1)
    assert table["Moorside"]["episodes_90d"] == 0


def test_homes_found_by_name_or_urn_and_by_council(db: Database, records: Records) -> None:
    build(records)
    assert [r["name"] for r in rows(db, HomeFilter("oak"))] == ["Oakview House"]
    assert [r["name"] for r in rows(db, HomeFilter("SC2000"))] == ["Birch Lodge"]
    assert [r["name"] for r in rows(db, HomeFilter(local_authority="Wirral"))] == ["Birch Lodge"]
    others = rows(db, HomeFilter(local_authority=OTHER_COUNCILS))
    assert [r["name"] for r in others] == ["Moorside"]
    assert rows(db, HomeFilter("zzz")) == []


def test_homes_sort_by_their_figures(db: Database, records: Records) -> None:
    build(records)
    busiest = rows(db, sort=Sort("episodes_90d", descending=True))
    assert [r["name"] for r in busiest] == ["Oakview House", "Birch Lodge", "Moorside"]


def test_a_homes_page_lists_its_children_episodes_and_reporting(
    db: Database, records: Records
) -> None:
    built = build(records)
    with db.session() as session:
        details = home_details(session, built.oak, NOW)
    assert details is not None
    assert details.home.name == "Oakview House" and details.home.postcode == "L4 1AA"
    children = [(c.name, c.placed_now) for c in details.children]
    assert children == [("Amy Hill", True), ("Ben Lee", False)]  # Cal left too long ago
    assert details.children[1].end == date(2025, 10, 20)
    seen = [e.last_seen_at for e in details.episodes]
    assert seen == sorted(seen, reverse=True) and len(seen) == 5
    assert details.episodes[0].episode_id == built.amy_open
    assert details.episodes[0].returned_at is None
    assert [e.assessed for e in details.episodes][:2] == [False, True]
    assert (details.episode_count, details.episodes_recent) == (5, 3)
    (assessment,) = details.assessments
    assert assessment.answers == (True, False, True, True, None, None, None)
    assert (assessment.yes, assessment.answered) == (3, 4)
    assert (details.reporting_yes, details.reporting_answered) == (3, 4)
    assert assessment.child == "Amy Hill" and assessment.notes == "Called within the hour"


def test_a_homes_page_lists_meetings_and_open_actions(db: Database, records: Records) -> None:
    built = build(records)
    with db.session() as session:
        details = home_details(session, built.oak, NOW)
    assert details is not None
    assert [m.held_on for m in details.meetings] == [date(2025, 11, 5), date(2025, 10, 1)]
    october = details.meetings[1]
    assert october.attendees == "PCSO Jones; manager"
    assert [a.description for a in october.actions] == [
        "Update profiles", "Brief night staff", "Share the policy",
    ]  # fmt: skip
    assert october.actions[2].done_on == date(2025, 10, 9)
    open_actions = [(a.description, a.overdue(NOW.date())) for a in details.open_actions]
    assert open_actions == [
        ("Update profiles", True), ("Brief night staff", False),
        ("Refer Amy to the missing group", False),
    ]  # fmt: skip


def test_limits_keep_the_page_short_but_count_everything(db: Database, records: Records) -> None:
    built = build(records)
    with db.session() as session:
        details = home_details(session, built.oak, NOW, limit=2)
        missing = home_details(session, 999, NOW)
    assert details is not None and missing is None
    assert len(details.episodes) == 2 and details.episode_count == 5
    assert len(details.meetings) == 2 and details.meeting_count == 2


def test_home_choices_are_by_name(db: Database, records: Records) -> None:
    build(records)
    with db.session() as session:
        labels = [label for _id, label in home_labels(session)]
    assert labels == ["Birch Lodge (SC200002)", "Moorside (SC300003)", "Oakview House (SC100001)"]


def test_the_homes_table_and_a_page_stay_fast_at_scale(db: Database) -> None:
    """5,000 homes and 200,000 episodes: the table and a home's page read in a blink."""
    homes, children, episodes = 5_000, 20_000, 200_000
    start = local_midnight(date(2022, 11, 15))
    step = (NOW - start) / episodes
    with db.transaction() as session:
        connection = session.connection()
        insert_columns(connection, CareHome, {
            "urn": [f"SC{n:06d}" for n in range(homes)],
            "name": [f"Home {n:04d}" for n in range(homes)],
        })  # fmt: skip
        insert_columns(connection, Child, {
            "local_ref": [f"C{n:06d}" for n in range(children)],
            "dob": [date(2010, 1, 1)] * children,
        })  # fmt: skip
        insert_columns(connection, Placement, {
            "child_id": list(range(1, children + 1)),
            "home_id": [1 + n % homes for n in range(children)],
            "start": [date(2022, 1, 1)] * children,
        })  # fmt: skip
        insert_columns(connection, MissingEpisode, {
            "child_id": [1 + n % children for n in range(episodes)],
            "home_id": [1 + n % homes for n in range(episodes)],
            "type": ["missing"] * episodes,
            "last_seen_at": [start + step * n for n in range(episodes)],
            "returned_at": [start + step * n + timedelta(hours=3) for n in range(episodes)],
        })  # fmt: skip
    listing = home_listing(HomeFilter(), NOW)
    began = time.perf_counter()
    with db.session() as session:
        total = listing.count(session)
        last = listing.page(session, Sort("episodes_90d", True), total - 50, 50, total)
        details = home_details(session, 2_500, NOW)
    assert total == homes and len(last) == 50
    assert details is not None and details.episode_count == episodes // homes
    assert len(details.children) == children // homes
    assert time.perf_counter() - began < 2.0
