"""Use cases: the rules they enforce, and the audit row each one leaves."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.errors import ValidationError
from missing_app.core.models import AuditEvent, MissingEpisode
from missing_app.core.records import NewAction, Records, read_settings
from missing_app.core.times import parse_datetime


def audit_rows(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def last_audit(db: Database) -> tuple[AuditEvent, dict[str, Any] | None, dict[str, Any] | None]:
    event = audit_rows(db)[-1]
    before = json.loads(event.before) if event.before else None
    after = json.loads(event.after) if event.after else None
    return event, before, after


@pytest.fixture
def placed(records: Records) -> tuple[int, int]:
    """A home and a child placed there since 1 September 2025."""
    home = records.create_home("SC100001", "Oakview House", beds=4, local_authority="Wirral")
    child = records.create_child("C1", date(2011, 3, 4), first_name="Amy", last_name="Hill")
    records.add_placement(child.record.id, home.record.id, date(2025, 9, 1))
    return home.record.id, child.record.id


def test_create_and_update_home_are_audited_with_before_and_after(
    db: Database, records: Records
) -> None:
    home = records.create_home("SC100001", "Oakview House", beds=4).record
    event, before, after = last_audit(db)
    assert (event.action, event.entity, event.entity_id, event.username) == (
        "create",
        "care_homes",
        home.id,
        "pcso.jones",
    )
    assert before is None and after is not None and after["name"] == "Oakview House"
    records.update_home(home.id, name="Oakview", engagement_start=date(2025, 1, 6))
    event, before, after = last_audit(db)
    assert event.action == "update"
    assert before is not None and after is not None
    assert (before["name"], after["name"]) == ("Oakview House", "Oakview")
    assert (before["engagement_start"], after["engagement_start"]) == (None, "2025-01-06")


def test_a_duplicate_urn_saves_nothing(db: Database, records: Records) -> None:
    records.create_home("SC100001", "Oakview House")
    count = len(audit_rows(db))
    with pytest.raises(ValidationError) as raised:
        records.create_home("SC100001", "Beech Lodge")
    assert raised.value.problems[0].field == "urn"
    assert len(audit_rows(db)) == count


def test_record_missing_takes_the_home_from_the_placement(
    db: Database, records: Records, placed: tuple[int, int]
) -> None:
    home_id, child_id = placed
    saved = records.record_missing(
        child_id,
        parse_datetime("2025-11-01 21:30"),
        risk="medium",
        police_ref="MP25/000123",
        clothing="grey hoodie",
    )
    assert saved.record.home_id == home_id and saved.warnings == ()
    event, _, after = last_audit(db)
    assert (event.entity, event.action) == ("missing_episodes", "create")
    assert after is not None and after["last_seen_at"] == "2025-11-01 21:30:00"


def test_record_missing_without_a_placement_asks_for_the_home(
    records: Records, placed: tuple[int, int]
) -> None:
    _, child_id = placed
    with pytest.raises(ValidationError, match="no placement on 01/08/2025"):
        records.record_missing(child_id, parse_datetime("2025-08-01 21:30"))


def test_overlapping_episodes_are_refused(records: Records, placed: tuple[int, int]) -> None:
    _, child_id = placed
    records.record_missing(child_id, parse_datetime("2025-11-01 21:30"))
    with pytest.raises(ValidationError, match="still open") as raised:
        records.record_missing(child_id, parse_datetime("2025-11-02 21:30"))
    assert raised.value.problems[0].field == "last_seen_at"


def test_record_return_checks_the_time_and_is_audited(
    db: Database, records: Records, placed: tuple[int, int]
) -> None:
    _, child_id = placed
    episode = records.record_missing(child_id, parse_datetime("2025-11-01 21:30")).record
    with pytest.raises(ValidationError, match="before last seen"):
        records.record_return(episode.id, parse_datetime("2025-11-01 20:00"))
    records.record_return(
        episode.id,
        parse_datetime("2025-11-02 09:15"),
        return_method="found_by_police",
        found_location="Liverpool ONE",
    )
    _, before, after = last_audit(db)
    assert before is not None and after is not None
    assert before["returned_at"] is None and after["returned_at"] == "2025-11-02 09:15:00"
    assert after["return_method"] == "found_by_police"


def test_cse_flag_below_high_warns_but_saves(records: Records, placed: tuple[int, int]) -> None:
    _, child_id = placed
    records.update_child(child_id, cse_flagged_on=date(2025, 6, 1))
    saved = records.record_missing(child_id, parse_datetime("2025-11-01 21:30"), risk="low")
    assert [w.field for w in saved.warnings] == ["risk"]
    assert "CSE flag" in saved.warnings[0].message


def test_the_after_return_steps_are_each_audited(
    db: Database, records: Records, placed: tuple[int, int]
) -> None:
    _, child_id = placed
    episode = records.record_missing(child_id, parse_datetime("2025-11-01 21:30")).record
    with pytest.raises(ValidationError, match="return"):
        records.record_rhi_offer(episode.id, parse_datetime("2025-11-02 10:00"))
    records.record_return(episode.id, parse_datetime("2025-11-02 09:15"))
    steps = [
        (
            lambda: records.record_safe_and_well(episode.id, parse_datetime("2025-11-02 11:00")),
            "missing_episodes",
            "safe_and_well_at",
            "2025-11-02 11:00:00",
        ),
        (
            lambda: records.record_rhi_offer(
                episode.id, parse_datetime("2025-11-03 10:00"), provider="Catch22"
            ),
            "return_interviews",
            "offered_at",
            "2025-11-03 10:00:00",
        ),
        (
            lambda: records.record_rhi_completed(
                episode.id, parse_datetime("2025-11-04 16:00"), push_factors="conflict_at_home"
            ),
            "return_interviews",
            "completed_at",
            "2025-11-04 16:00:00",
        ),
        (lambda: records.record_rhi_declined(episode.id), "return_interviews", "declined", True),
        (
            lambda: records.record_assessment(
                episode.id, date(2025, 11, 5), searched_first=True, police_ref_kept=False
            ),
            "reporting_assessments",
            "searched_first",
            True,
        ),
        (
            lambda: records.update_profile(
                child_id, description="slim, 5'4\"", reviewed_on=date(2025, 10, 1)
            ),
            "child_profiles",
            "reviewed_on",
            "2025-10-01",
        ),
    ]
    for step, entity, column, value in steps:
        count = len(audit_rows(db))
        step()
        event, _, after = last_audit(db)
        assert len(audit_rows(db)) == count + 1
        assert event.entity == entity and after is not None and after[column] == value


def test_meetings_actions_and_settings_are_audited(
    db: Database, records: Records, placed: tuple[int, int]
) -> None:
    home_id, _ = placed
    meeting = records.record_meeting(
        home_id,
        date(2025, 11, 10),
        attendees="PCSO Jones, manager",
        actions=[NewAction("Update profiles of all residents", "Manager", date(2025, 12, 1))],
    ).record
    entities = [e.entity for e in audit_rows(db)[-2:]]
    assert entities == ["liaison_meetings", "actions"]
    action_id = meeting.actions[0].id
    records.complete_action(action_id, date(2025, 11, 20))
    _, before, after = last_audit(db)
    assert before is not None and after is not None
    assert (before["done_on"], after["done_on"]) == (None, "2025-11-20")
    records.set_setting("repeat_threshold", 4)
    event, before, after = last_audit(db)
    assert event.entity == "settings" and before is None and after is not None
    with db.session() as session:
        assert read_settings(session)["repeat_threshold"] == 4
        assert read_settings(session)["unit_cost"] == 2415.80
    with pytest.raises(ValidationError, match="whole number"):
        records.set_setting("repeat_threshold", 2.5)


def test_placements_of_one_child_cannot_overlap(records: Records, placed: tuple[int, int]) -> None:
    _, child_id = placed
    other = records.create_home("SC100002", "Beech Lodge").record
    with pytest.raises(ValidationError, match="already placed at Oakview House"):
        records.add_placement(child_id, other.id, date(2025, 10, 1))
    records.update_placement(1, end=date(2025, 10, 1))
    assert records.add_placement(child_id, other.id, date(2025, 10, 1)).record.id


def test_a_failed_save_leaves_no_trace(
    db: Database, records: Records, placed: tuple[int, int]
) -> None:
    _, child_id = placed
    count = len(audit_rows(db))
    with pytest.raises(ValidationError):
        records.record_missing(child_id, datetime(2030, 1, 1, tzinfo=UTC))
    with db.session() as session:
        assert session.scalar(select(func.count(MissingEpisode.id))) == 0
    assert len(audit_rows(db)) == count


def test_every_other_use_case_leaves_an_audit_row_with_before_and_after(
    db: Database, records: Records
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    meeting = records.record_meeting(home.id, date(2025, 11, 1), attendees="Manager").record
    steps: list[tuple[Any, str, str, str, object, object]] = [
        (
            lambda: records.create_child("C9", date(2012, 2, 2), first_name="Sam"),
            "children",
            "create",
            "first_name",
            None,
            "Sam",
        ),
        (
            lambda: records.update_child(1, legal_status="C2"),
            "children",
            "update",
            "legal_status",
            None,
            "C2",
        ),
        (
            lambda: records.add_placement(1, home.id, date(2025, 9, 1)),
            "placements",
            "create",
            "start",
            None,
            "2025-09-01",
        ),
        (
            lambda: records.update_placement(1, end=date(2025, 11, 1)),
            "placements",
            "update",
            "end",
            None,
            "2025-11-01",
        ),
        (
            lambda: records.record_missing(1, parse_datetime("2025-10-01 22:00"), risk="low"),
            "missing_episodes",
            "create",
            "risk",
            None,
            "low",
        ),
        (
            lambda: records.update_episode(1, risk="medium", police_ref="MP25/000777"),
            "missing_episodes",
            "update",
            "risk",
            "low",
            "medium",
        ),
        (
            lambda: records.add_action(meeting.id, NewAction("Review the missing policy")),
            "actions",
            "create",
            "description",
            None,
            "Review the missing policy",
        ),
        (
            lambda: records.update_action(1, owner="Manager"),
            "actions",
            "update",
            "owner",
            None,
            "Manager",
        ),
    ]
    for step, entity, action, column, old, new in steps:
        count = len(audit_rows(db))
        step()
        event, before, after = last_audit(db)
        assert len(audit_rows(db)) == count + 1, entity
        assert (event.entity, event.action, event.username) == (entity, action, "pcso.jones")
        assert after is not None and after[column] == new
        assert (before or {}).get(column) == old


def test_each_time_or_date_in_the_future_is_refused_naming_it_and_now(
    records: Records, placed: tuple[int, int]
) -> None:
    _, child_id = placed  # the clock: 15/11/2025 12:00 (GMT)
    later = parse_datetime("2025-11-15 12:30")
    now = "(it is now 15/11/2025 12:00)"
    with pytest.raises(ValidationError) as caught:
        records.record_missing(child_id, later)
    assert caught.value.problems[0].message == f"15/11/2025 12:30 is in the future {now}"
    episode = records.record_missing(child_id, parse_datetime("2025-11-15 08:00")).record
    refused = [
        (lambda: records.record_return(episode.id, later),
         "returned_at", f"15/11/2025 12:30 is in the future {now}"),
        (lambda: records.record_safe_and_well(episode.id, later),
         "safe_and_well_at", f"the check at 15/11/2025 12:30 is in the future {now}"),
        (lambda: records.record_rhi_offer(episode.id, later),
         "offered_at", f"15/11/2025 12:30 is in the future {now}"),
        (lambda: records.record_rhi_completed(episode.id, later),
         "completed_at", f"15/11/2025 12:30 is in the future {now}"),
        (lambda: records.create_child("C9", date(2025, 11, 16)),
         "dob", "16/11/2025 is in the future (today is 15/11/2025)"),
        (lambda: records.update_profile(child_id, reviewed_on=date(2025, 11, 16)),
         "reviewed_on", "the review date 16/11/2025 is in the future (today is 15/11/2025)"),
    ]  # fmt: skip
    for index, (step, field, message) in enumerate(refused):
        if index == 1:  # back, so that what follows the return can be recorded
            records.record_return(episode.id, parse_datetime("2025-11-15 10:00"))
        with pytest.raises(ValidationError) as caught:
            step()
        assert [(p.field, p.message) for p in caught.value.problems] == [(field, message)]
