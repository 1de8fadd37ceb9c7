"""One rule for an open action: the home's page, the homes table and the monthly pack list
the same actions on the same day, worked out by hand for one home."""

from __future__ import annotations

from datetime import UTC, date, datetime

from missing_app.core.db import Database
from missing_app.core.queries.homes import HOME_COLUMNS, HomeFilter, home_details, home_listing
from missing_app.core.queries.paging import Sort
from missing_app.core.records import NewAction, Records
from missing_app.core.reports.pack_meetings import open_actions

OCTOBER_31 = date(2025, 10, 31)
NOON = datetime(2025, 10, 31, 12, 0, tzinfo=UTC)


def one_home(records: Records) -> int:
    """Meetings of 10 Sep (A: overdue since 1 Oct), 8 Oct (B: due 22 Oct; C: due 31 Oct;
    D: done 14 Oct; E: done 3 Nov) and 3 Nov (F: agreed after 31 Oct)."""
    home = records.create_home("SC1", "Oakview House").record.id
    records.record_meeting(home, date(2025, 9, 10), [NewAction("A", "PCSO", date(2025, 10, 1))])
    october = records.record_meeting(
        home,
        date(2025, 10, 8),
        [
            NewAction("B", "Manager", date(2025, 10, 22)),
            NewAction("C", "Manager", OCTOBER_31),
            NewAction("D", "Deputy", date(2025, 10, 15)),
            NewAction("E", "Deputy", date(2025, 11, 5)),
        ],
    ).record
    records.complete_action(october.actions[2].id, date(2025, 10, 14))
    records.complete_action(october.actions[3].id, date(2025, 11, 3))
    records.record_meeting(home, date(2025, 11, 3), [NewAction("F", "PCSO", date(2025, 11, 30))])
    return home


def test_the_page_the_table_and_the_pack_list_the_same_open_actions(
    db: Database, records: Records
) -> None:
    home = one_home(records)
    with db.session() as session:
        page = home_details(session, home, NOON)
        pack = open_actions(session, OCTOBER_31, home)
        table = home_listing(HomeFilter(), NOON).page(session, Sort("name"), 0, 10)
    assert page is not None
    # A from the meeting before the last; E was done only after the day; F not yet agreed.
    assert [(a.description, a.overdue(OCTOBER_31)) for a in page.open_actions] == [
        ("A", True), ("B", True), ("C", False), ("E", False),
    ]  # fmt: skip
    assert [(a.description, a.status(OCTOBER_31)) for a in pack] == [
        ("A", "Overdue"), ("B", "Overdue"), ("C", "Open"), ("E", "Done 3 Nov 2025"),
    ]  # fmt: skip
    assert dict(zip(("id", *HOME_COLUMNS), table[0], strict=True))["open_actions"] == 4
