"""The Today page's lists, against hand-worked cases (now = Sat 15/11/2025 12:00 UTC)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from missing_app.core.db import Database
from missing_app.core.queries import today
from missing_app.core.queries.areas import home_labels
from missing_app.core.records import NewAction, Records
from tests.conftest import NOW

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def homes(records: Records) -> tuple[int, int]:
    oak = records.create_home("SC100001", "Oakview House").record.id
    elm = records.create_home("SC100002", "Elm Lodge").record.id
    return oak, elm


@pytest.fixture
def new_child(records: Records, homes: tuple[int, int]) -> Callable[..., int]:
    """A child placed at Oakview since 2024 (or at `home`)."""
    made = iter(range(1, 100))

    def make(first: str = "Amy", home: int | None = None, **fields: Any) -> int:
        number = next(made)
        child = records.create_child(
            f"C{number}", date(2010, 1, 1), first_name=first, last_name="Hill", **fields
        ).record
        records.add_placement(child.id, home or homes[0], date(2024, 1, 1))
        return child.id

    return make


def away(records: Records, child_id: int, seen: datetime, back: datetime | None = None,
         **fields: Any) -> int:  # fmt: skip
    episode = records.record_missing(child_id, seen, **fields).record.id
    if back is not None:
        records.record_return(episode, back)
    return episode


# Missing now --------------------------------------------------------------------------------


def test_children_missing_now_highest_risk_then_longest_gone(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    amy, ben, cal = new_child("Amy"), new_child("Ben"), new_child("Cal")
    low = away(records, amy, NOW - 30 * HOUR, risk="low")
    high = away(records, ben, NOW - 2 * HOUR, risk="high")
    away(records, cal, NOW - 5 * DAY, NOW - 4 * DAY)  # back: not missing now
    with db.session() as session:
        rows = today.missing_now(session, NOW)
    assert [(row.episode_id, row.child, row.home, row.risk) for row in rows] == [
        (high, "Ben Hill", "Oakview House", "high"),
        (low, "Amy Hill", "Oakview House", "low"),
    ]
    assert rows[1].time_gone(NOW) == 30 * HOUR and rows[1].child_ref == "C1"


# Returns with checks outstanding -----------------------------------------------------------


def test_outstanding_returns_say_what_is_missing_and_the_72_hour_deadline(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    kids = [new_child(name) for name in ("Amy", "Ben", "Cal", "Dan", "Eve", "Fay", "Gus")]
    back = NOW - 2 * DAY
    nothing = away(records, kids[0], back - 5 * HOUR, back)
    done = away(records, kids[1], back - 5 * HOUR, back)
    records.record_safe_and_well(done, back + HOUR)
    records.record_rhi_completed(done, back + 20 * HOUR, offered_at=back + 3 * HOUR)
    declined = away(records, kids[2], back - 5 * HOUR, back)
    records.record_safe_and_well(declined, back + HOUR)
    records.record_rhi_declined(declined, offered_at=back + 3 * HOUR)
    offered = away(records, kids[3], back - 5 * HOUR, back - HOUR)
    records.record_safe_and_well(offered, back)
    records.record_rhi_offer(offered, back + 3 * HOUR)
    checked_only = away(records, kids[4], NOW - 13 * DAY - 5 * HOUR, NOW - 13 * DAY)
    away(records, kids[5], NOW - 20 * DAY - 5 * HOUR, NOW - 20 * DAY)  # too long ago
    declined_unchecked = away(records, kids[6], back - 9 * HOUR, back - 8 * HOUR)
    records.record_rhi_declined(declined_unchecked)
    with db.session() as session:
        rows = today.outstanding_returns(session, NOW, 72)
    shown = {row.episode_id: row.missing for row in rows}
    assert shown == {
        checked_only: ("safe-and-well check", "RHI offer", "RHI completion"),
        nothing: ("safe-and-well check", "RHI offer", "RHI completion"),
        offered: ("RHI completion",),
        declined_unchecked: ("safe-and-well check",),
    }
    # Awaiting an offer first, nearest offer deadline first (13 days ago, then 2 days ago);
    # then the others by their return (2 days ago less 8 h, less 1 h).
    assert [row.episode_id for row in rows] == [checked_only, nothing, declined_unchecked, offered]
    first = next(row for row in rows if row.episode_id == nothing)
    assert first.rhi.offer_by == back + 72 * HOUR and first.rhi.time_left(NOW) == 24 * HOUR
    assert (first.child, first.home) == ("Amy Hill", "Oakview House")
    waiting = next(row for row in rows if row.episode_id == offered)
    assert waiting.rhi.stage(NOW) == today.OFFERED and waiting.rhi.time_left(NOW) is None


def test_a_long_rhi_window_keeps_an_older_return_on_the_list(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    episode = away(records, new_child(), NOW - 16 * DAY - HOUR, NOW - 16 * DAY)
    with db.session() as session:
        assert today.outstanding_returns(session, NOW, 72) == []
        (row,) = today.outstanding_returns(session, NOW, 17 * 24)
    assert row.episode_id == episode and row.rhi.offer_by == NOW + DAY


# The return interview's rule: offer within 72 hours; once offered, no deadline ------------

BACK = datetime(2025, 11, 10, 9, 30, tzinfo=UTC)  # a Monday morning return
DUE = datetime(2025, 11, 13, 9, 30, tzinfo=UTC)  # 72 hours on: Thursday 09:30


@pytest.mark.parametrize(
    ("now", "stage", "left"),
    [
        (BACK + HOUR, today.TO_OFFER, timedelta(hours=71)),
        (DUE, today.TO_OFFER, timedelta(0)),  # exactly 72:00:00 is in time
        (DUE + timedelta(seconds=1), today.OFFER_LATE, -timedelta(seconds=1)),
        (DUE + 5 * HOUR, today.OFFER_LATE, -5 * HOUR),
    ],
)
def test_the_countdown_runs_to_the_offer_deadline(
    now: datetime, stage: str, left: timedelta
) -> None:
    duty = today.RhiDuty(BACK, 72 * HOUR)
    assert duty.offer_by == DUE
    assert (duty.stage(now), duty.time_left(now)) == (stage, left)


@pytest.mark.parametrize("now", [BACK + HOUR, DUE, DUE + 5 * DAY])
def test_once_offered_the_return_waits_for_the_interview_without_being_late(
    now: datetime,
) -> None:
    offered = today.RhiDuty(BACK, 72 * HOUR, offered=True)
    assert (offered.stage(now), offered.time_left(now)) == (today.OFFERED, None)
    done = today.RhiDuty(BACK, 72 * HOUR, offered=True, done=True)
    assert (done.stage(now), done.time_left(now)) == (today.DONE, None)


def test_an_offer_made_late_still_waits_without_a_deadline(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    late = away(records, new_child(), NOW - 100 * HOUR, NOW - 96 * HOUR)
    records.record_rhi_offer(late, NOW - 2 * HOUR)  # 94 hours after the return
    with db.session() as session:
        (row,) = today.outstanding_returns(session, NOW, 72)
        duty = today.rhi_duty(session, late, 72)
    assert duty == row.rhi == today.RhiDuty(NOW - 96 * HOUR, 72 * HOUR, offered=True)
    assert row.rhi.stage(NOW) == today.OFFERED and row.missing[-1] == "RHI completion"


# Crossing the repeat threshold (METRICS.md: the window is half-open) ----------------------


def test_three_episodes_exactly_30_days_apart_do_not_cross_3_in_30(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    child = new_child()
    last = NOW - 2 * DAY
    for seen in (last - 30 * DAY, last - 15 * DAY, last):
        away(records, child, seen, seen + HOUR)
    with db.session() as session:
        assert today.triggered_children(session, NOW, 3, 30) == []
        # Two within (last - 30 days, last]: that crosses a threshold of 2.
        (row,) = today.triggered_children(session, NOW, 2, 30)
    assert (row.child_id, row.count, row.last_seen_at) == (child, 2, last - 15 * DAY)


def test_a_minute_inside_the_window_crosses_and_any_home_counts(
    db: Database, records: Records, homes: tuple[int, int], new_child: Callable[..., int]
) -> None:
    oak, elm = homes
    child = new_child()
    last = NOW - 2 * DAY
    first = last - 30 * DAY + timedelta(minutes=1)
    away(records, child, first, first + HOUR, home_id=elm)  # from another home
    away(records, child, last - 15 * DAY, last - 15 * DAY + HOUR)
    crossing = away(records, child, last, last + HOUR)
    with db.session() as session:
        (row,) = today.triggered_children(session, NOW, 3, 30)
    assert (row.episode_id, row.count, row.home_id, row.home) == (
        crossing, 3, oak, "Oakview House",
    )  # fmt: skip


def test_thirty_days_are_real_time_across_the_clocks_going_back(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    """10 Oct 13:00 BST to 9 Nov 12:00 GMT is exactly 30 × 24 hours: not within 30 days."""
    child = new_child()
    first = datetime(2025, 10, 10, 12, 0, tzinfo=UTC)
    for seen in (first, first + 10 * DAY, first + 30 * DAY):
        away(records, child, seen, seen + HOUR)
    with db.session() as session:
        assert today.triggered_children(session, NOW, 3, 30) == []
        assert len(today.triggered_children(session, NOW, 3, 31)) == 1


def test_fractions_of_a_second_are_kept_at_the_window_edge(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    child = new_child()
    last = NOW - DAY + timedelta(microseconds=500_000)
    for seen in (last - 30 * DAY, last - 10 * DAY, last):
        away(records, child, seen, seen + HOUR)
    with db.session() as session:
        assert today.triggered_children(session, NOW, 3, 30) == []


def test_the_first_crossing_in_the_last_30_days_is_listed_with_its_count(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    """Episodes before the 30 days count towards a crossing inside them; a crossing before
    the 30 days, with none since, is not listed."""
    child, older = new_child("Amy"), new_child("Ben")
    times = [NOW - 40 * DAY, NOW - 35 * DAY, NOW - 20 * DAY, NOW - 10 * DAY]
    episodes = [away(records, child, seen, seen + HOUR) for seen in times]
    for seen in (NOW - 70 * DAY, NOW - 60 * DAY, NOW - 50 * DAY):
        away(records, older, seen, seen + HOUR)
    with db.session() as session:
        rows = today.triggered_children(session, NOW, 3, 30)
    assert [(row.child, row.episode_id, row.count) for row in rows] == [
        ("Amy Hill", episodes[2], 3)
    ]


def test_most_recent_crossing_first(
    db: Database, records: Records, new_child: Callable[..., int]
) -> None:
    amy, ben = new_child("Amy"), new_child("Ben")
    for days in (9, 8):
        away(records, amy, NOW - days * DAY, NOW - days * DAY + HOUR)
    for days in (5, 3):
        away(records, ben, NOW - days * DAY, NOW - days * DAY + HOUR)
    with db.session() as session:
        rows = today.triggered_children(session, NOW, 2, 7)
    assert [row.child for row in rows] == ["Ben Hill", "Amy Hill"]


# Actions due this week ----------------------------------------------------------------------


def test_open_actions_due_by_sunday_overdue_included(
    db: Database, records: Records, homes: tuple[int, int]
) -> None:
    meeting = records.record_meeting(
        homes[1],
        date(2025, 10, 20),
        actions=[
            NewAction("Update profiles", "Manager", date(2025, 11, 16)),  # Sunday: in
            NewAction("Photos on file", "Manager", date(2025, 11, 17)),  # Monday: out
            NewAction("Share the policy", None, date(2025, 11, 1)),  # overdue: in
            NewAction("No date yet"),
            NewAction("Done already", None, date(2025, 11, 10)),
        ],
    ).record
    done = meeting.actions[4].id
    records.complete_action(done, date(2025, 11, 12))
    with db.session() as session:
        rows = today.actions_due(session, date(2025, 11, 15))
    assert [(row.description, row.due_on, row.home) for row in rows] == [
        ("Share the policy", date(2025, 11, 1), "Elm Lodge"),
        ("Update profiles", date(2025, 11, 16), "Elm Lodge"),
    ]
    assert rows[0].overdue(date(2025, 11, 15)) and not rows[1].overdue(date(2025, 11, 15))
    assert rows[0].held_on == date(2025, 10, 20) and rows[0].meeting_id == meeting.id


@pytest.mark.parametrize(
    ("day", "sunday"),
    [(date(2025, 11, 10), date(2025, 11, 16)), (date(2025, 11, 16), date(2025, 11, 16))],
)
def test_the_week_ends_on_the_coming_sunday(day: date, sunday: date) -> None:
    assert today.week_end(day) == sunday


# Look-ups for the forms ---------------------------------------------------------------------


def test_form_look_ups(
    db: Database, records: Records, homes: tuple[int, int], new_child: Callable[..., int]
) -> None:
    oak, elm = homes
    child = new_child("Amy", cse_flagged_on=date(2025, 6, 1))
    records.update_placement(1, end=date(2025, 11, 1))
    records.add_placement(child, elm, date(2025, 11, 1))
    episode = away(records, child, NOW - 3 * HOUR)
    with db.session() as session:
        (choice,) = today.child_choices(session, "amy", date(2025, 11, 15))
        assert choice.label == "Amy Hill · C1 · Elm Lodge"
        assert today.child_choices(session, "amy", date(2023, 1, 1))[0].home is None
        assert today.home_on(session, child, datetime(2025, 10, 31, 23, 30, tzinfo=UTC)) == oak
        assert today.home_on(session, child, datetime(2025, 11, 1, 0, 30, tzinfo=UTC)) == elm
        facts = today.child_facts(session, child)
        assert facts is not None and facts.exploitation_flag_on(date(2025, 11, 1)) == "CSE"
        assert facts.exploitation_flag_on(date(2025, 5, 1)) is None
        assert home_labels(session) == [(elm, "Elm Lodge (SC100002)"),
                                               (oak, "Oakview House (SC100001)")]  # fmt: skip
        card = today.episode_card(session, episode)
        assert card is not None and (card.child, card.home) == ("Amy Hill", "Elm Lodge")
        assert today.return_interview_of(session, episode) is None


# Speed: every list is read through an index, never a scan of the episodes ------------------


@pytest.fixture
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    yield seen
    event.remove(db.engine, "before_cursor_execute", capture)


def test_every_list_uses_an_index(
    db: Database,
    records: Records,
    new_child: Callable[..., int],
    statements: list[tuple[str, Any]],
) -> None:
    child = new_child()
    for days in (3, 2, 1):
        away(records, child, NOW - days * DAY, NOW - days * DAY + HOUR)
    statements.clear()
    with db.session() as session:
        today.missing_now(session, NOW)
        today.outstanding_returns(session, NOW, 72)
        today.triggered_children(session, NOW, 3, 30)
        today.actions_due(session, NOW.date())
        plans = [
            " | ".join(row[3] for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, params))
            for sql, params in statements
        ]  # fmt: skip
    assert len(plans) == 5
    for plan in plans:
        assert "SCAN missing_episodes" not in plan and "SCAN actions" not in plan, plan
    # Open episodes: the partial index, or the NULLs of the index on returned_at.
    assert "ix_missing_episodes_open" in plans[0] or "(returned_at=?)" in plans[0]
    assert "ix_missing_episodes_returned" in plans[1]
    assert "ix_missing_episodes_last_seen" in plans[2]
    assert "ix_actions_open_due" in plans[4]
