"""The Children table's listing and the child page's details, against hand-made records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from missing_app.core.db import Database
from missing_app.core.errors import NotFound
from missing_app.core.queries.children import (
    CHILD_COLUMNS,
    ChildFilter,
    EpisodeRow,
    child_details,
    children_listing,
    placing_authorities,
    rhi_themes,
)
from missing_app.core.queries.paging import Listing, Sort
from missing_app.core.records import Records
from missing_app.core.times import parse_datetime
from tests.conftest import NOW


@dataclass
class World:
    oakview: int
    beech: int
    ann: int
    ben: int
    cara: int


@pytest.fixture
def world(records: Records) -> World:
    """Ann (CSE, Oakview, 3 recent episodes), Ben (CCE, Beech, 12 years old), Cara (moved
    from Oakview to Beech, missing now)."""
    oakview = records.create_home("SC1", "Oakview House").record.id
    beech = records.create_home("SC2", "Beech Villa").record.id
    ann = records.create_child(
        "C1", date(2010, 5, 1), first_name="Ann", last_name="Smith",
        placing_authority="Wirral", cse_flagged_on=date(2025, 3, 1),
    ).record.id  # fmt: skip
    ben = records.create_child(
        "C2", date(2012, 11, 16), first_name="Ben", last_name="Jones",
        placing_authority="Liverpool", cce_flagged_on=date(2025, 2, 1),
    ).record.id  # fmt: skip
    cara = records.create_child(
        "C3", date(2009, 1, 1), first_name="Cara", last_name="Brown", placing_authority="Knowsley"
    ).record.id
    records.add_placement(ann, oakview, date(2024, 1, 1))
    records.add_placement(ben, beech, date(2024, 6, 1))
    records.add_placement(cara, oakview, date(2023, 1, 1), date(2025, 6, 1))
    records.add_placement(cara, beech, date(2025, 6, 1))
    for seen, back, found in (
        ("2025-01-10 22:00", "2025-01-11 02:00", "friend's address"),
        ("2025-09-01 21:00", "2025-09-02 09:00", "Friend's address "),
        ("2025-10-05 23:00", "2025-10-06 01:30", "city centre"),
        ("2025-11-01 20:00", "2025-11-01 23:00", "friend's address"),
    ):
        episode = records.record_missing(ann, parse_datetime(seen), risk="high").record
        records.record_return(episode.id, parse_datetime(back), found_location=found)
    records.record_missing(cara, parse_datetime("2025-11-15 09:00"), risk="medium")
    return World(oakview, beech, ann, ben, cara)


def rows(
    db: Database, where: ChildFilter | None = None, sort: str = "name", descending: bool = False
) -> list[dict[str, Any]]:
    listing = children_listing(where or ChildFilter(), NOW)
    with db.session() as session:
        page = listing.page(session, Sort(sort, descending), 0, 100)
    return [dict(zip(("id", *CHILD_COLUMNS), row, strict=True)) for row in page]


def names(db: Database, where: ChildFilter | None = None, **order: Any) -> list[str]:
    return [row["name"] for row in rows(db, where, **order)]


def test_the_table_shows_each_childs_figures(db: Database, world: World) -> None:
    ann, ben, cara = rows(db)
    assert (ann["name"], ann["local_ref"], ann["age"]) == ("Ann Smith", "C1", 15)
    assert ann["home"] == "Oakview House" and ann["placing_authority"] == "Wirral"
    assert ann["flags"] == "CSE" and ann["missing_now"] is False
    assert ann["episodes_90d"] == 3  # the January episode is older than 90 days
    assert ann["last_episode"] == parse_datetime("2025-11-01 20:00")
    assert ben["name"] == "Ben Jones" and ben["age"] == 12  # 13 tomorrow
    assert ben["flags"] == "CCE" and ben["episodes_90d"] == 0 and ben["last_episode"] is None
    assert cara["home"] == "Beech Villa" and cara["missing_now"] is True
    assert cara["episodes_90d"] == 1 and cara["flags"] is None


def test_filters_choose_the_right_children(db: Database, world: World) -> None:
    assert names(db, ChildFilter(text="smi")) == ["Ann Smith"]
    assert names(db, ChildFilter(text="c2")) == ["Ben Jones"]
    assert names(db, ChildFilter(text="  ann sm ")) == ["Ann Smith"]
    assert names(db, ChildFilter(home_id=world.oakview)) == ["Ann Smith"]  # Cara moved on
    assert names(db, ChildFilter(home_id=world.beech)) == ["Ben Jones", "Cara Brown"]
    assert names(db, ChildFilter(placing_authority="Knowsley")) == ["Cara Brown"]
    assert names(db, ChildFilter(flag="CSE")) == ["Ann Smith"]
    assert names(db, ChildFilter(flag="CCE")) == ["Ben Jones"]
    assert names(db, ChildFilter(flag="any")) == ["Ann Smith", "Ben Jones"]
    assert names(db, ChildFilter(missing_now=True)) == ["Cara Brown"]
    assert names(db, ChildFilter(home_id=world.beech, flag="any")) == ["Ben Jones"]
    assert names(db, ChildFilter(text="nobody")) == []


def test_a_flag_dated_after_today_is_not_yet_held(db: Database, records: Records) -> None:
    child = records.create_child("C9", date(2010, 1, 1), cse_flagged_on=date(2025, 11, 16))
    assert rows(db, ChildFilter(flag="CSE")) == []
    records.update_child(child.record.id, cse_flagged_on=date(2025, 11, 15))
    (row,) = rows(db, ChildFilter(flag="any"))
    assert row["local_ref"] == "C9" and row["name"] == "" and row["flags"] == "CSE"


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("name", "Ann Smith", "Cara Brown"),
        ("local_ref", "Ann Smith", "Cara Brown"),
        ("age", "Ben Jones", "Cara Brown"),
        ("home", "Ben Jones", "Ann Smith"),  # Beech Villa twice, then Oakview House
        ("flags", "Cara Brown", "Ann Smith"),
        ("placing_authority", "Cara Brown", "Ann Smith"),
        ("episodes_90d", "Ben Jones", "Ann Smith"),
        ("last_episode", "Ben Jones", "Cara Brown"),
        ("missing_now", "Ann Smith", "Cara Brown"),
    ],
)
def test_every_column_sorts_in_sql(
    db: Database, world: World, key: str, first: str, last: str
) -> None:
    upwards = names(db, sort=key)
    downwards = names(db, sort=key, descending=True)
    assert upwards[0] == first and upwards[-1] == last
    assert downwards == upwards[::-1]


def test_the_page_reads_only_indexes_of_episodes_and_placements(db: Database, world: World) -> None:
    listing: Listing = children_listing(ChildFilter(missing_now=True, home_id=1), NOW)
    for key in CHILD_COLUMNS:
        query = listing.base.order_by(listing.sortable[key]).limit(200)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with db.session() as session:
            plan = " | ".join(row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "SCAN missing_episodes" not in plan and "SCAN placements" not in plan, plan


def test_the_councils_to_filter_by(db: Database, world: World) -> None:
    with db.session() as session:
        assert placing_authorities(session) == ["Knowsley", "Liverpool", "Wirral"]


def test_the_child_page_details(db: Database, world: World) -> None:
    with db.session() as session:
        cara = child_details(session, world.cara)
        ann = child_details(session, world.ann)
    assert cara.child.display_name == "Cara Brown" and cara.profile is None
    assert [(p.home, p.start, p.end) for p in cara.placements] == [
        ("Oakview House", date(2023, 1, 1), date(2025, 6, 1)),
        ("Beech Villa", date(2025, 6, 1), None),
    ]
    (open_episode,) = cara.episodes
    assert open_episode.returned_at is None and open_episode.duration is None
    assert open_episode.home == "Beech Villa" and open_episode.risk == "medium"
    assert ann.episodes[0].last_seen_at == parse_datetime("2025-11-01 20:00")  # latest first
    assert ann.episodes[0].duration == timedelta(hours=3)
    assert [(f.place.lower(), f.times) for f in ann.found] == [
        ("friend's address", 3),  # spelling and spaces aside
        ("city centre", 1),
    ]


def test_a_child_that_does_not_exist(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFound):
        child_details(session, 99)


def test_rhi_themes_by_quarter_and_month(db: Database, records: Records, world: World) -> None:
    episodes = [e.id for e in reversed(child_details_of(db, world.ann).episodes)]
    done = [("2025-01-12 10:00", "boredom,house_rules", "friends", ""),
            ("2025-09-03 10:00", "boredom", "friends, older_associates", "unexplained_money"),
            ("2025-10-07 10:00", "", "friends", "unexplained_money,found_out_of_area")]  # fmt: skip
    for episode_id, (when, push, pull, signs) in zip(episodes, done, strict=False):
        records.record_rhi_completed(
            episode_id, parse_datetime(when), push_factors=push, pull_factors=pull,
            exploitation_indicators=signs,
        )  # fmt: skip
    records.record_rhi_declined(episodes[3])
    with db.session() as session:
        quarters = rhi_themes(session, world.ann)
        months = rhi_themes(session, world.ann, "month")
    assert quarters.period == "quarter" and quarters.interviews == 3
    assert quarters.periods == ("2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4")  # Q2 left empty
    table = {(row.kind, row.code): row.counts for row in quarters.rows}
    assert table[("push", "boredom")] == (1, 0, 1, 0)
    assert table[("pull", "friends")] == (1, 0, 1, 1)
    assert table[("exploitation", "unexplained_money")] == (0, 0, 1, 1)
    pulls = [row.code for row in quarters.rows if row.kind == "pull"]
    assert pulls == ["friends", "older_associates"]  # most frequent first
    assert [row.kind for row in quarters.rows[:2]] == ["push", "push"]
    assert months.periods[0] == "2025-01" and months.periods[-1] == "2025-10"
    assert len(months.periods) == 10


def test_recent_interviews_are_shown_by_month(db: Database, records: Records, world: World) -> None:
    latest = child_details_of(db, world.ann).episodes[0]
    records.record_rhi_completed(latest.id, parse_datetime("2025-11-02 10:00"), push_factors="x")
    with db.session() as session:
        themes = rhi_themes(session, world.ann)
    assert themes.period == "month" and themes.periods == ("2025-11",)


def child_details_of(db: Database, child_id: int) -> Any:
    with db.session() as session:
        return child_details(session, child_id)


def test_the_return_interview_status_in_words() -> None:
    back = datetime(2025, 11, 10, 12, tzinfo=UTC)
    seen = back - timedelta(hours=5)

    def status(now: datetime, **rhi: Any) -> str:
        row = EpisodeRow(1, seen, back, "missing", "low", "Oakview", None, None, None, **rhi)
        return row.rhi_status(now)

    assert status(back + timedelta(hours=10)) == "Not yet offered"
    assert status(back + timedelta(hours=73)) == "Overdue: not offered"
    assert status(NOW, rhi_offered_at=back) == "Offered"
    assert status(NOW, rhi_offered_at=back, rhi_declined=True) == "Declined"
    assert status(NOW, rhi_completed_at=back + timedelta(hours=72)) == "Completed"
    assert status(NOW, rhi_completed_at=back + timedelta(hours=73)) == "Completed late"
    still_out = EpisodeRow(2, seen, None, "missing", None, "Oakview", None, None, None)
    assert still_out.rhi_status(NOW) == ""
