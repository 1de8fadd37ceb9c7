"""Recording a liaison meeting: one with nothing in it is refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.errors import ValidationError
from missing_app.core.models import LiaisonMeeting
from missing_app.core.records import NewAction, Records


def meetings(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(LiaisonMeeting.id))) or 0


@pytest.mark.parametrize("blank", [{}, {"attendees": "  ", "notes": "\n"}, {"notes": None}])
def test_a_meeting_with_no_attendees_notes_or_actions_is_refused(
    db: Database, records: Records, blank: dict[str, str | None]
) -> None:
    home = records.create_home("SC100001", "Oakview House").record.id
    with pytest.raises(ValidationError) as refused:
        records.record_meeting(home, date(2025, 11, 1), **blank)
    (problem,) = refused.value.problems
    assert problem.field == "attendees"
    assert problem.message == "say who attended, what was discussed (notes) or an action agreed"
    assert meetings(db) == 0


@pytest.mark.parametrize(
    "something",
    [{"attendees": "Manager"}, {"notes": "Talked"}, {"actions": [NewAction("Update profiles")]}],
)
def test_a_meeting_with_any_one_thing_in_it_is_saved(
    db: Database, records: Records, something: dict[str, object]
) -> None:
    home = records.create_home("SC100001", "Oakview House").record.id
    records.record_meeting(home, date(2025, 11, 1), **something)  # type: ignore[arg-type]
    assert meetings(db) == 1
