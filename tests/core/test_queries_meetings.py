"""Actions across homes (open first, soonest due first, overdue flagged) and meetings."""

from __future__ import annotations

from datetime import date
from typing import Any

from missing_app.core.db import Database
from missing_app.core.queries.meetings import (
    ACTION_COLUMNS,
    MEETING_COLUMNS,
    ActionFilter,
    action_listing,
    action_row,
    meeting_home,
    meeting_listing,
)
from missing_app.core.queries.paging import Listing, Sort
from missing_app.core.records import Records
from tests.core.test_queries_homes import Built, build

TODAY = date(2025, 11, 15)


def page(db: Database, listing: Listing, keys: tuple[str, ...], sort: Sort) -> list[dict[str, Any]]:
    with db.session() as session:
        found = listing.page(session, sort, 0, 100)
    return [dict(zip(("id", *keys), row, strict=True)) for row in found]


def actions(db: Database, where: ActionFilter, sort: Sort | None = None) -> list[dict[str, Any]]:
    listing = action_listing(where, TODAY)
    return page(db, listing, ACTION_COLUMNS, sort or Sort("status"))


def test_open_actions_come_soonest_due_first_with_overdue_flagged(
    db: Database, records: Records
) -> None:
    build(records)
    found = [(a["description"], a["status"], a["home"]) for a in actions(db, ActionFilter())]
    assert found == [
        ("Update profiles", "Overdue", "Oakview House"),
        ("Record refs", "Open", "Birch Lodge"),
        ("Brief night staff", "Open", "Oakview House"),
        ("Refer Amy to the missing group", "Open", "Oakview House"),  # no due date: last
    ]


def test_all_actions_put_the_done_ones_after_the_open(db: Database, records: Records) -> None:
    build(records)
    every = actions(db, ActionFilter(status="all"))
    assert [a["status"] for a in every] == ["Overdue", "Open", "Open", "Open", "Done"]
    assert every[-1]["done_on"] == date(2025, 10, 9)
    reversed_ = actions(db, ActionFilter(status="all"), Sort("status", descending=True))
    assert reversed_[0]["description"] == "Share the policy"


def test_actions_filtered_by_home_and_by_done(db: Database, records: Records) -> None:
    built: Built = build(records)
    birch = actions(db, ActionFilter(home_id=built.birch))
    assert [a["description"] for a in birch] == ["Record refs"]
    done = actions(db, ActionFilter(status="done"))
    assert [(a["description"], a["held_on"]) for a in done] == [
        ("Share the policy", date(2025, 10, 1))
    ]
    by_owner = actions(db, ActionFilter(home_id=built.oak, status="all"), Sort("owner"))
    assert [a["owner"] for a in by_owner] == [None, "Deputy", "Manager", "PCSO"]


def test_meetings_with_their_action_counts(db: Database, records: Records) -> None:
    built = build(records)
    listing = meeting_listing()
    found = page(db, listing, MEETING_COLUMNS, Sort("held_on", descending=True))
    summary = [(m["held_on"], m["home"], m["actions"], m["open_actions"]) for m in found]
    assert summary == [
        (date(2025, 11, 5), "Oakview House", 1, 1),
        (date(2025, 11, 1), "Birch Lodge", 1, 1),
        (date(2025, 10, 1), "Oakview House", 3, 2),
    ]
    oak_only = page(db, meeting_listing(built.oak), MEETING_COLUMNS, Sort("held_on"))
    assert [m["held_on"] for m in oak_only] == [date(2025, 10, 1), date(2025, 11, 5)]
    with db.session() as session:
        assert meeting_home(session, found[1]["id"]) == built.birch
        assert meeting_home(session, 999) is None


def test_one_action_with_its_meeting(db: Database, records: Records) -> None:
    build(records)
    first = actions(db, ActionFilter())[0]
    with db.session() as session:
        row = action_row(session, first["id"])
        missing = action_row(session, 999)
    assert row is not None and missing is None
    assert (row.description, row.owner, row.home) == ("Update profiles", "Manager", "Oakview House")
    assert row.held_on == date(2025, 10, 1) and row.is_open and row.overdue(TODAY)
    assert not row.overdue(date(2025, 10, 15))  # due that day: not yet overdue
