"""The demo data: reproducible, the right size, and shaped like Merseyside's records."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from missing_app.core.db import Database, open_database
from missing_app.core.demo import DemoSummary, generate_demo
from missing_app.core.errors import HomewardError
from missing_app.core.models import Base, CareHome, MissingEpisode
from missing_app.core.times import (
    LONDON,
    TimeError,
    age_on,
    from_local,
    from_storage,
    local_date,
    local_midnight,
    to_storage,
)

AS_OF = date(2025, 11, 20)
CUTOFF = local_midnight(AS_OF)
POSTCODES = {
    "Liverpool": r"L([1-9]|1[0-9]|2[4-7])",
    "Knowsley": r"L(28|3[2-6])",
    "Sefton": r"(L(2[0-3]|3[0178])|PR[89])",
    "St Helens": r"WA(9|10|11)",
    "Wirral": r"CH[46][0-9]",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    database = open_database(str(tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    summary = generate_demo(database, seed=1, as_of=AS_OF)
    yield database, summary
    database.close()


def query(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql, params)]


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the audit log (whose row records when the demo was made)."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name != "audit_events"]
    return {name: query(db, f'SELECT * FROM "{name}" ORDER BY 1') for name in tables}


def episodes(db: Database) -> list[dict[str, Any]]:
    columns = ("id", "child_id", "home_id", "type", "last_seen_at", "returned_at", "risk")
    sql = f"SELECT {', '.join(columns)} FROM missing_episodes ORDER BY last_seen_at"
    result = []
    for row in query(db, sql):
        episode = dict(zip(columns, row, strict=True))
        episode["seen"] = from_storage(episode["last_seen_at"])
        back = episode["returned_at"]
        episode["back"] = from_storage(back) if back else None
        episode["day"] = local_date(episode["seen"])
        result.append(episode)
    return result


def placements(db: Database) -> list[tuple[int, int, date, date | None]]:
    rows = query(db, 'SELECT child_id, home_id, start, "end" FROM placements')
    return [
        (child, home, date.fromisoformat(start), date.fromisoformat(end) if end else None)
        for child, home, start, end in rows
    ]


def test_same_seed_and_day_give_the_same_records_and_another_seed_does_not(
    tmp_path: Path, demo: tuple[Database, DemoSummary]
) -> None:
    db, _ = demo
    again = open_database(str(tmp_path / "again.sqlite"))
    other = open_database(str(tmp_path / "other.sqlite"))
    generate_demo(again, seed=1, as_of=AS_OF)
    generate_demo(other, seed=2, as_of=AS_OF)
    assert dump(again) == dump(db)
    assert dump(other)["missing_episodes"] != dump(db)["missing_episodes"]
    assert dump(other)["children"] != dump(db)["children"]
    again.close()
    other.close()


def test_the_demo_is_logged_once_with_its_summary(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    rows = query(db, "SELECT username, action, entity, after FROM audit_events")
    assert len(rows) == 1
    username, action, entity, after = rows[0]
    assert (username, action, entity) == ("demo", "demo", "database")
    logged = json.loads(after)
    assert logged["episodes"] == summary.episodes == len(episodes(db))
    assert logged["as_of"] == "2025-11-20" and logged["seed"] == 1


def test_homes_children_and_officers_are_of_a_realistic_size(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    homes = query(db, "SELECT urn, beds, local_authority, postcode, pcso_id FROM care_homes")
    assert 35 <= len(homes) <= 45 and summary.homes == len(homes)
    assert 300 <= summary.children <= 500
    assert all(2 <= beds <= 6 for _, beds, _, _, _ in homes)
    urns = [urn for urn, *_ in homes]
    assert len(set(urns)) == len(urns)
    assert all(re.fullmatch(r"SC\d{6}", urn) for urn in urns)
    for _, _, council, postcode, _ in homes:
        assert re.fullmatch(POSTCODES[council] + r" \d[A-Z]{2}", postcode), (council, postcode)
    councils = Counter(council for _, _, council, _, _ in homes)
    assert councils.most_common(1)[0][0] == "Liverpool"
    roles = Counter(role for (role,) in query(db, "SELECT role FROM users"))
    assert roles["supervisor"] == 1 and roles["pcso"] >= 2
    assert any(pcso_id is not None for *_, pcso_id in homes)


def test_no_child_has_overlapping_episodes(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    by_child: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for episode in episodes(db):
        by_child[episode["child_id"]].append(episode)
    for history in by_child.values():
        for before, after in pairwise(history):
            assert before["back"] is not None and before["back"] <= after["seen"]


def test_no_home_ever_has_more_children_placed_than_beds(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    beds = dict(query(db, "SELECT id, beds FROM care_homes"))
    stays = placements(db)
    for offset in range(0, 3 * 365, 5):
        day = AS_OF - timedelta(days=offset + 1)
        placed = Counter(
            home for _, home, start, end in stays if start <= day and (end is None or day < end)
        )
        assert all(count <= beds[home] for home, count in placed.items()), day


def test_children_are_placed_aged_10_to_17_and_leave_at_18(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    born = {
        child: date.fromisoformat(dob) for child, dob in query(db, "SELECT id, dob FROM children")
    }
    for child, _, start, end in placements(db):
        assert 10 <= age_on(born[child], start) <= 17
        last_day = (end or AS_OF) - timedelta(days=1)
        assert age_on(born[child], last_day) <= 17
    moved = query(
        db,
        "SELECT count(*) FROM placements a JOIN placements b ON a.child_id = b.child_id "
        'AND b.start = a."end" AND b.home_id != a.home_id',
    )
    assert moved[0][0] > 0
    assert query(db, 'SELECT count(*) FROM placements WHERE "end" IS NULL')[0][0] > 0


def test_every_episode_begins_while_placed_at_its_home(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    stays: dict[tuple[int, int], list[tuple[date, date | None]]] = defaultdict(list)
    for child, home, start, end in placements(db):
        stays[child, home].append((start, end))
    for episode in episodes(db):
        spans = stays[episode["child_id"], episode["home_id"]]
        day = episode["day"]
        assert any(start <= day and (end is None or day < end) for start, end in spans)
        assert episode["seen"] < CUTOFF


def test_about_one_child_in_ten_goes_missing_a_few_very_often(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, summary = demo
    counts = Counter(episode["child_id"] for episode in episodes(db))
    assert 0.05 <= len(counts) / summary.children <= 0.20
    assert max(counts.values()) >= 15
    assert statistics.median(counts.values()) <= 3


def test_engaged_homes_go_missing_less_after_engagement(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    engaged = {
        home: date.fromisoformat(start)
        for home, start in query(
            db, "SELECT id, engagement_start FROM care_homes WHERE engagement_start IS NOT NULL"
        )
    }
    assert 15 <= len(engaged) <= 25
    # METRICS.md's windows as half-open date ranges: the year before, and up to a year after.
    windows = {
        home: (
            (start - timedelta(days=365), start),
            (start, min(start + timedelta(days=365), AS_OF)),
        )
        for home, start in engaged.items()
    }
    totals = np.zeros((2, 2))  # [before, after] x [episodes, child-days]
    for _, home, start, end in placements(db):
        for which, (first, stop) in enumerate(windows.get(home, ())):
            totals[which, 1] += max(0, (min(end or AS_OF, stop) - max(start, first)).days)
    for episode in episodes(db):
        for which, (first, stop) in enumerate(windows.get(episode["home_id"], ())):
            totals[which, 0] += first <= episode["day"] < stop
    before, after = totals[:, 0] / totals[:, 1] * 1000
    assert after < 0.8 * before


def test_most_episodes_begin_in_the_evening_or_at_night(
    demo: tuple[Database, DemoSummary],
) -> None:
    db, _ = demo
    hours = [episode["seen"].astimezone(LONDON).hour for episode in episodes(db)]
    assert sum(hour >= 18 or hour <= 2 for hour in hours) / len(hours) > 0.5
    durations = [(e["back"] - e["seen"]).total_seconds() / 3600 for e in episodes(db) if e["back"]]
    assert 0.85 <= sum(d <= 48 for d in durations) / len(durations) <= 0.98
    assert 1 <= statistics.median(durations) <= 12


def test_the_today_page_has_work_at_as_of(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    history = episodes(db)
    still_out = [e for e in history if e["back"] is None]
    assert 1 <= len(still_out) <= 3 and summary.open_episodes == len(still_out)
    assert all(CUTOFF - e["seen"] <= timedelta(days=2) for e in still_out)
    recent = [e for e in history if e["back"] and CUTOFF - e["back"] <= timedelta(hours=72)]
    checked = {
        i
        for (i,) in query(db, "SELECT id FROM missing_episodes WHERE safe_and_well_at IS NOT NULL")
    }
    interviewed = {
        i
        for (i,) in query(
            db, "SELECT episode_id FROM return_interviews WHERE completed_at IS NOT NULL"
        )
    }
    waiting = [e for e in recent if e["id"] not in checked or e["id"] not in interviewed]
    assert len(waiting) >= 2
    assert _crossed_threshold_lately(history)


def _crossed_threshold_lately(history: list[dict[str, Any]]) -> bool:
    """A child with 3 episodes within 30 days, the third in the last 30 days."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for episode in history:
        times[episode["child_id"]].append(episode["seen"])
    window = timedelta(days=30)
    for seen in times.values():
        for i in range(2, len(seen)):
            if seen[i] >= CUTOFF - window and seen[i] - seen[i - 2] < window:
                return True
    return False


def test_records_follow_merseyside_practice(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    born = {
        child: date.fromisoformat(dob) for child, dob in query(db, "SELECT id, dob FROM children")
    }
    history = episodes(db)
    absent = [e for e in history if e["type"] == "absent"]
    assert absent and all(age_on(born[e["child_id"]], e["day"]) >= 14 for e in absent)
    assert Counter(e["type"] for e in history)["missing"] > 0.75 * len(history)
    flags = query(
        db, "SELECT id, coalesce(cse_flagged_on, cce_flagged_on) FROM children "
        "WHERE cse_flagged_on IS NOT NULL OR cce_flagged_on IS NOT NULL",
    )  # fmt: skip
    flagged = {child: date.fromisoformat(on) for child, on in flags}
    assert flagged
    graded = [e["risk"] for e in history if e["day"] >= flagged.get(e["child_id"], date.max)]
    assert graded.count("high") > len(graded) / 2 and set(graded) - {"high"}
    refs = [r for (r,) in query(db, "SELECT police_ref FROM missing_episodes") if r]
    assert all(re.fullmatch(r"MP\d{2}/\d{6}", ref) for ref in refs)
    assert 0.7 < len(refs) / len(history) < 0.98
    providers = dict(query(
        db, "SELECT h.local_authority, r.provider FROM return_interviews r "
        "JOIN missing_episodes e ON e.id = r.episode_id JOIN care_homes h ON h.id = e.home_id",
    ))  # fmt: skip
    assert providers.get("Wirral", "Catch22") == "Catch22"


def test_stored_times_read_back_through_the_orm(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    raw = dict(query(db, "SELECT id, last_seen_at FROM missing_episodes"))
    with db.session() as session:
        loaded = session.scalars(select(MissingEpisode)).all()
    for episode in loaded:
        assert to_storage(episode.last_seen_at) == raw[episode.id]
        assert episode.returned_at is None or episode.returned_at >= episode.last_seen_at
        assert episode.reported_at is None or episode.reported_at <= CUTOFF


def test_wall_clock_times_convert_as_times_from_local_does() -> None:
    from missing_app.core.demo_episodes import local_to_utc
    from missing_app.core.demo_world import Calendar

    calendar = Calendar.ending(AS_OF)
    days = [date(2024, 3, 31), date(2024, 10, 27), date(2023, 3, 26), date(2025, 7, 1)]
    for day in days:
        for minutes in range(0, 24 * 60, 20):
            naive = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
            try:
                expected = from_local(naive)
            except TimeError:
                continue  # the skipped spring hour
            got = local_to_utc(np.array([day.toordinal()]), np.array([minutes * 60]), calendar)
            assert int(got[0]) == int(expected.timestamp()), naive


def test_refuses_a_database_that_already_holds_records(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "real.sqlite"))
    with db.transaction() as session:
        session.add(CareHome(urn="SC000001", name="A real home"))
    with pytest.raises(HomewardError, match="already holds"):
        generate_demo(db, as_of=AS_OF)
    assert query(db, "SELECT count(*) FROM children") == [(0,)]
    db.close()


def test_progress_is_reported_and_scale_checked(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "demo.sqlite"))
    seen: list[tuple[str, int, int]] = []
    generate_demo(db, as_of=AS_OF, progress=lambda *step: seen.append(step))
    assert seen and all(0 <= done <= total for _, done, total in seen)
    assert any("episodes" in stage for stage, _, _ in seen)
    with pytest.raises(HomewardError, match="scale"):
        generate_demo(db, scale="huge", as_of=AS_OF)  # type: ignore[arg-type]
    db.close()
