"""The Episodes table's sorts: every column served by an index, in the same order both ways."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from missing_app.core.db import Database
from missing_app.core.queries.episodes import EPISODE_COLUMNS, episode_listing
from missing_app.core.queries.paging import Sort
from missing_app.core.records import Records
from tests.conftest import NOW

HOUR = timedelta(hours=1)


def plan(session: Session, key: str, descending: bool) -> str:
    """SQLite's plan for one page far down the table in this sort."""
    listing = episode_listing()
    assert listing.ids_for is not None
    query = listing.ids_for(key).order_by(*listing._order(Sort(key, descending)))
    compiled = query.offset(500_000).limit(200).compile(session.bind)
    rows = session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
    )
    return " | ".join(row[3] for row in rows)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", EPISODE_COLUMNS)
def test_every_column_sorts_down_an_index(db: Database, key: str, descending: bool) -> None:
    """No sort reads and sorts every episode: at a million, that froze the window for 8 s."""
    assert episode_listing().by_offset(Sort(key, descending))
    with db.session() as session:
        shown = plan(session, key, descending)
    assert "TEMP B-TREE" not in shown, shown
    assert "SCAN missing_episodes USING" in shown or "SEARCH missing_episodes" in shown, shown


@pytest.fixture
def episodes(records: Records) -> dict[str, int]:
    """Zoe Ash (twice), Amy Hill and a child without names, at two homes, in that order."""
    oak = records.create_home("SC100001", "Oakview House").record.id
    elm = records.create_home("SC100002", "Elm Lodge").record.id
    made = {}
    for ref, first, last, home, hours in (
        ("C3", "Zoe", "Ash", oak, 50), ("C1", "Amy", "Hill", elm, 40), ("C2", None, None, oak, 30),
    ):  # fmt: skip
        child = records.create_child(ref, date(2010, 1, 1), first_name=first, last_name=last)
        records.add_placement(child.record.id, home, date(2024, 1, 1))
        made[ref] = records.record_missing(child.record.id, NOW - hours * HOUR).record.id
        records.record_return(made[ref], NOW - (hours - 2) * HOUR)
        if ref == "C3":
            made["C3 later"] = records.record_missing(child.record.id, NOW - HOUR).record.id
    return made


@pytest.mark.parametrize(
    ("key", "order"),
    [
        ("child", ["C2", "C1", "C3", "C3 later"]),  # no names first, then by first name, time
        ("child_ref", ["C1", "C2", "C3", "C3 later"]),
        ("home", ["C1", "C3", "C2", "C3 later"]),  # Elm Lodge, then Oakview by time
    ],
)
def test_a_sort_reads_the_same_from_either_end(
    db: Database, episodes: dict[str, int], key: str, order: list[str]
) -> None:
    """Pages past the middle are read backwards from the end: the order must not change."""
    listing = episode_listing()
    expected = [episodes[name] for name in order]
    with db.session() as session:
        for descending, wanted in ((False, expected), (True, expected[::-1])):
            one_by_one = [
                listing.page(session, Sort(key, descending), row, 1)[0][0] for row in range(4)
            ]
            assert one_by_one == wanted
