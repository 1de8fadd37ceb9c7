"""The monthly pack's content: the figures of stats() for the month, the month before and
a year before; the children over the repeat threshold (the same ones stats() counts); the
episodes; and the actions open at the month's end. The world is in reports_world."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from missing_app.core.db import Database
from missing_app.core.errors import NotFound, ValidationError
from missing_app.core.metrics import Settings, episodes_frame, stats, triggered_children
from missing_app.core.records import Records
from missing_app.core.reports import pack_children
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack import PackRequest, build_pack
from missing_app.core.reports.progress import Cancelled
from tests.core.reports_world import (
    DONE_LATER,
    OCTOBER,
    OLDER_ACTION,
    OPEN_ACTION,
    REFS,
    build_world,
    demo_database,
)


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    return build_world(records)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from demo_database(tmp_path_factory)


def pack_of(db: Database, urn: str | None = None, **options: Any) -> Any:
    return build_pack(db, PackRequest(OCTOBER, urn, **options), "pcso.jones")


def test_months_parse_and_step_back() -> None:
    month = Month.parse("2025-03")
    assert (month.first, month.last) == (date(2025, 3, 1), date(2025, 3, 31))
    assert month.previous() == Month(2025, 2) and month.previous().last == date(2025, 2, 28)
    assert Month(2025, 1).previous() == Month(2024, 12)
    assert month.year_before() == Month(2024, 3) and Month(2024, 2).last == date(2024, 2, 29)
    assert (month.key, month.label, month.short) == ("2025-03", "March 2025", "Mar 2025")
    for bad in ("2025-13", "2025-3", "March", "2025-00", ""):
        with pytest.raises(ValidationError):
            Month.parse(bad)


@pytest.mark.parametrize("urn", [None, "SC100001"])
def test_the_figures_are_stats_of_the_month_the_month_before_and_a_year_before(
    db: Database, world: dict[str, int], urn: str | None
) -> None:
    pack = pack_of(db, urn)
    with db.session() as session:
        assert pack.figures == stats(session, date(2025, 10, 1), date(2025, 10, 31), urn)
        assert pack.previous == stats(session, date(2025, 9, 1), date(2025, 9, 30), urn)
        assert pack.year_before == stats(session, date(2024, 10, 1), date(2024, 10, 31), urn)


def test_hand_worked_figures(db: Database, world: dict[str, int]) -> None:
    force, oak = pack_of(db), pack_of(db, "SC100001")
    wanted = ("episodes", "children", "repeat_children", "triggered_children", "open_at_end")
    assert [force.figures[k] for k in wanted] == [5, 3, 1, 1, 1]
    assert [oak.figures[k] for k in wanted] == [4, 2, 1, 1, 0]
    assert (force.previous["episodes"], force.year_before["episodes"]) == (2, 1)
    assert oak.scope == "Oak House (SC100001)" and force.scope == "All homes"


def test_the_children_over_the_threshold_are_those_stats_counts(
    db: Database, world: dict[str, int]
) -> None:
    pack = pack_of(db)
    crossed = pack.threshold_children
    assert [child.child_id for child in crossed] == [world["amelia"]]
    amelia = crossed[0]
    # 2, 10 and 20 Oct this month; with 28 Sep, four in the 90 days to 1 Nov.
    assert (amelia.episodes, amelia.episodes_90_days, amelia.homes) == (3, 4, "Oak House")
    assert amelia.last_seen_at.isoformat() == "2025-10-20T21:00:00+00:00"
    others = {row.child_id: row for row in pack.children if not row.crossed}
    assert set(others) == {world["bart"], world["cordelia"]}
    assert (others[world["bart"]].episodes, others[world["bart"]].episodes_90_days) == (1, 2)
    assert len(crossed) == pack.figures["triggered_children"]


def test_a_wrong_look_back_is_caught_and_metrics_decides(
    db: Database, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pack_children, "_look_back_crossings", lambda *args: {world["bart"]})
    with db.session() as session:
        frame = episodes_frame(session, OCTOBER.first, OCTOBER.last)
        found = pack_children.crossed_children(session, frame, Settings.read(session))
    assert found == {world["amelia"]}


def test_crossed_children_agree_with_metrics_on_demo_data(demo_db: Database) -> None:
    crossed = 0
    with demo_db.session() as session:
        settings = Settings.read(session)
        for index in range(24):  # December 2023 to November 2025
            month = Month(2023 + (index + 11) // 12, (index + 11) % 12 + 1)
            frame = episodes_frame(session, month.first, month.last)
            found = pack_children._look_back_crossings(session, frame, settings)
            assert len(found) == triggered_children(session, frame, settings), month
            assert pack_children.crossed_children(session, frame, settings) == found
            crossed += len(found)
    assert crossed >= 5  # the months compared had children over the threshold


def test_children_are_codes_unless_names_are_asked_for(db: Database, world: dict[str, int]) -> None:
    coded, named = pack_of(db), pack_of(db, names=True)
    for child in coded.children:
        assert child.child.name is None and child.child.local_ref is None
        assert child.child.text == child.child.code
    assert all(e.police_ref is None for e in coded.episodes)
    amelia = next(c for c in named.children if c.child_id == world["amelia"])
    assert amelia.child.text == "Amelia Thornbury (REF-AMELIA-7731)"
    assert amelia.child.code == next(
        c.child.code for c in coded.children if c.child_id == world["amelia"]
    )
    assert sorted(e.police_ref for e in named.episodes if e.police_ref) == ["MP-2", "MP-3", "MP-4"]
    assert REFS[0] not in repr(coded)


def test_the_episodes_are_those_stats_counts(db: Database, world: dict[str, int]) -> None:
    pack = pack_of(db)
    assert len(pack.episodes) == pack.figures["episodes"] == 5
    seen = [e.last_seen_at for e in pack.episodes]
    assert seen == sorted(seen)
    with_ref = sum(e.has_police_ref for e in pack.episodes)
    assert 100 * with_ref / len(pack.episodes) == pack.figures["police_ref_pct"]
    still_away = [e for e in pack.episodes if e.returned_at is None]
    assert [e.episode_id for e in still_away] == [world["open"]]
    first = pack.episodes[0]
    assert (first.home_urn, first.type, first.hours_away) == ("SC100001", "missing", 5.0)
    assert first.rhi_completed_at is not None and first.safe_and_well_at is not None


def test_the_open_actions_of_every_meeting(db: Database, world: dict[str, int]) -> None:
    pack = pack_of(db, "SC100001")
    assert pack.last_meeting is not None and pack.last_meeting.held_on == date(2025, 10, 8)
    assert pack.next_meeting == date(2025, 11, 12)
    statuses = {a.description: a.status(OCTOBER.last) for a in pack.actions}
    assert statuses == {
        OLDER_ACTION: "Open",  # from the meeting before the last: still open, no due date
        OPEN_ACTION: "Overdue",
        DONE_LATER: "Done 3 Nov 2025",
    }
    assert [a.description for a in pack_of(db).actions] == [a.description for a in pack.actions]
    elm = pack_of(db, "SC100002")
    assert (elm.last_meeting, elm.next_meeting, elm.actions) == (None, None, ())


def test_an_unknown_home_is_not_found(db: Database, world: dict[str, int]) -> None:
    with pytest.raises(NotFound, match="SC999"):
        pack_of(db, "SC999")


def test_progress_is_reported_and_cancel_stops(db: Database, world: dict[str, int]) -> None:
    seen: list[tuple[str, int, int]] = []
    build_pack(db, PackRequest(OCTOBER), "pcso.jones", progress=lambda *a: seen.append(a))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1][1] == seen[-1][2] and len(seen) >= 4
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        build_pack(db, PackRequest(OCTOBER), "pcso.jones", cancel=cancel)


def test_a_home_with_small_numbers_suppressed_has_no_charts_of_counts(
    db: Database, world: dict[str, int]
) -> None:
    assert [c.key for c in pack_of(db, "SC100001").charts] == [
        "monthly",
        "bands",
        "hour_weekday",
        "rhi",
        "demand_run",
    ]
    assert [c.key for c in pack_of(db, "SC100001", suppress_small=True).charts] == ["demand_run"]
    assert [c.key for c in pack_of(db, suppress_small=True).charts] == [
        "monthly",
        "bands",
        "hour_weekday",
        "rhi",
        "demand",
    ]
    assert [c.key for c in pack_of(db, "SC100002").charts] == [
        "monthly",
        "bands",
        "hour_weekday",
    ]


def test_a_pack_of_the_month_in_progress_charts_it_to_date(
    db: Database, world: dict[str, int]
) -> None:
    """Made on 20 Oct, October's bars stop at the 20th and say so; made later, they do not."""
    during = build_pack(
        db, PackRequest(OCTOBER), "pcso.jones", now=datetime(2025, 10, 20, 12, tzinfo=UTC)
    )
    for key in ("monthly", "rhi"):
        spec = during.chart(key)
        assert spec is not None and spec.data.to_date == date(2025, 10, 20), key
        whole = pack_of(db).chart(key)
        assert whole is not None and whole.data.to_date is None, key
