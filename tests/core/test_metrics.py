"""Every figure of METRICS.md against a small world worked out by hand.

October 2025 (the clocks go back at 02:00 BST on Sunday 26 October). Times are London time.

Oakview (SC100001, 4 beds, engagement 1 July 2025) and Beech (SC100002, 3 beds, no
placements, engagement 1 June 2025).

  e0  Ben  Oakview  Thu 02 Oct 10:00 -> 12:00 (2 h)     reported 10:05  MP0  S&W
  e1  Amy  Oakview  Fri 03 Oct 21:30 -> Sat 04 09:30    reported 22:10  MP1  S&W
                    (12 h); RHI offered Sun 05 10:00, completed Tue 07 09:30 (72:00:00 exactly)
  e2  Amy  Oakview  Fri 10 Oct 23:00 -> Sun 12 03:00    reported 00:00  --   (28 h)
                    RHI offered Thu 16 10:00 (late), never completed
  e3  Amy  Oakview  Sun 26 Oct 00:30 BST -> 02:30 GMT   reported 01:30 (the first, BST)  MP3
                    (3 h across the clock change)  S&W
  e4  Ben  Beech    Mon 20 Oct 14:00 -> 18:00 (4 h)     absent  reported 14:20  MP4  S&W
                    RHI declined (never offered)
  e5  Ben  Beech    Fri 31 Oct 22:00, still missing     --
  e6  Cal  Oakview  Tue 30 Sep 23:30 -> Wed 01 Oct 01:00 (returned in the period)
                    RHI offered Wed 01 Oct 12:00
  Before engagement at Oakview: Amy 10 Mar, 15 Apr, 20 May; Cal 15 Jun 2025 (each 1 h).
  Placements at Oakview: Amy from 1 Jan 2025, Cal from 1 Jun 2025, Ben 1 Sep - 5 Oct 2025.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from missing_app.core.db import Database
from missing_app.core.demand import demand
from missing_app.core.metrics import BANDS, Period, Settings, band_of, quantile, stats
from missing_app.core.records import Records
from missing_app.core.times import parse_datetime

UNIT = 2415.80
OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))


def at(text: str) -> Any:
    return parse_datetime(text)


def episode(records: Records, child: int, home: int, seen: str, back: str | None = None,
            **fields: Any) -> int:  # fmt: skip
    saved = records.record_missing(child, at(seen), home_id=home, **fields).record
    if back is not None:
        records.record_return(saved.id, at(back))
    return saved.id


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    oak = records.create_home(
        "SC100001", "Oakview", beds=4, engagement_start=date(2025, 7, 1)
    ).record.id
    beech = records.create_home(
        "SC100002", "Beech", beds=3, engagement_start=date(2025, 6, 1)
    ).record.id
    amy = records.create_child("C1", date(2010, 3, 4), first_name="Amy").record.id
    ben = records.create_child("C2", date(2009, 1, 1), first_name="Ben").record.id
    cal = records.create_child("C3", date(2012, 5, 5), first_name="Cal").record.id
    records.add_placement(amy, oak, date(2025, 1, 1))
    records.add_placement(cal, oak, date(2025, 6, 1))
    records.add_placement(ben, oak, date(2025, 9, 1), date(2025, 10, 5))
    for child, day in (
        (amy, "2025-03-10"),
        (amy, "2025-04-15"),
        (amy, "2025-05-20"),
        (cal, "2025-06-15"),
    ):
        episode(records, child, oak, f"{day} 20:00", f"{day} 21:00")
    e0 = episode(
        records,
        ben,
        oak,
        "2025-10-02 10:00",
        "2025-10-02 12:00",
        reported_at=at("2025-10-02 10:05"),
        police_ref="MP0",
    )
    records.record_safe_and_well(e0, at("2025-10-02 13:00"))
    e1 = episode(
        records,
        amy,
        oak,
        "2025-10-03 21:30",
        "2025-10-04 09:30",
        reported_at=at("2025-10-03 22:10"),
        police_ref="MP1",
    )
    records.record_safe_and_well(e1, at("2025-10-04 11:00"))
    records.record_rhi_offer(e1, at("2025-10-05 10:00"))
    records.record_rhi_completed(e1, at("2025-10-07 09:30"))
    e2 = episode(
        records,
        amy,
        oak,
        "2025-10-10 23:00",
        "2025-10-12 03:00",
        reported_at=at("2025-10-11 00:00"),
    )
    records.record_rhi_offer(e2, at("2025-10-16 10:00"))
    e3 = episode(
        records,
        amy,
        oak,
        "2025-10-26 00:30",
        "2025-10-26 02:30",
        reported_at=at("2025-10-26 01:30"),
        police_ref="MP3",
    )
    records.record_safe_and_well(e3, at("2025-10-26 10:00"))
    e4 = episode(
        records,
        ben,
        beech,
        "2025-10-20 14:00",
        "2025-10-20 18:00",
        type="absent",
        reported_at=at("2025-10-20 14:20"),
        police_ref="MP4",
    )
    records.record_safe_and_well(e4, at("2025-10-20 19:00"))
    records.record_rhi_declined(e4)
    episode(records, ben, beech, "2025-10-31 22:00")
    e6 = episode(records, cal, oak, "2025-09-30 23:30", "2025-10-01 01:00")
    records.record_rhi_offer(e6, at("2025-10-01 12:00"))
    return {"oak": oak, "beech": beech, "amy": amy, "ben": ben, "cal": cal}


def figures(db: Database, first: date, last: date, home: str | None = None) -> dict[str, Any]:
    with db.session() as session:
        return stats(session, first, last, home)


def demand_of(pre: tuple[int, int], post: tuple[int, int]) -> dict[str, Any]:
    """METRICS.md's formulas on hand-counted (episodes, child-days)."""
    (a, pre_days), (b, post_days) = pre, post
    pre_rate, post_rate = 1000 * a / pre_days, 1000 * b / post_days
    ratio = post_rate / pre_rate if pre_rate else None
    ci = None
    if ratio is not None and a and b:
        s = math.sqrt(1 / a + 1 / b)
        ci = [
            round(math.exp(math.log(ratio) - 1.96 * s), 3),
            round(math.exp(math.log(ratio) + 1.96 * s), 3),
        ]
    avoided = a / pre_days * post_days - b
    return {
        "pre": {"episodes": a, "child_days": pre_days, "rate_per_1000": round(pre_rate, 3)},
        "post": {"episodes": b, "child_days": post_days, "rate_per_1000": round(post_rate, 3)},
        "rate_ratio": None if ratio is None else round(ratio, 3),
        "ci95": ci,
        "episodes_avoided": round(avoided, 1),
        "cost_avoided": round(avoided * UNIT, 2),
    }


def test_october_force_wide(db: Database, world: dict[str, int]) -> None:
    got = figures(db, *OCTOBER)
    homes = got.pop("homes")
    assert got == {
        "from": "2025-10-01", "to": "2025-10-31", "home": None,
        "episodes": 6, "missing_episodes": 5, "absent_episodes": 1,
        "children": 2, "episodes_per_child": 3.0, "repeat_children": 2,
        "bands": {**dict.fromkeys(BANDS, 0), "3": 2},
        "top10_share": 50.0,  # ceil(2 x 10%) = 1 child: 3 of 6
        "triggered_children": 2,  # Amy at e3; Ben at e5, counting e0 at Oakview
        "open_at_end": 1,  # e5
        "by_hour": [1 if hour in (0, 10, 14, 21, 22, 23) else 0 for hour in range(24)],
        "by_weekday": [1, 0, 0, 1, 3, 0, 1],  # Mon e4; Thu e0; Fri e1 e2 e5; Sun e3
        "median_duration_hours": 4.0,  # 2 3 4 12 28
        "p90_duration_hours": 21.6,  # 12 + 0.6 x 16
        "share_over_24h": 20.0,
        "police_ref_pct": 66.7,  # 4 of 6
        "median_minutes_to_report": 40.0,  # 5 20 40 60 60
        "returns": 6,  # e6 e0 e1 e2 e4 e3
        "safe_and_well_pct": 66.7,
        "rhi_offered_pct": 50.0,  # e1 e2 e6
        "rhi_offered_72h_pct": 33.3,  # e1 e6
        "rhi_completed_pct": 16.7,
        "rhi_completed_72h_pct": 16.7,  # e1, at exactly 72:00:00
        "cost_estimate": 14494.8,
    }  # fmt: skip
    assert [home["urn"] for home in homes] == ["SC100001", "SC100002"]
    oak, beech = homes
    assert {k: oak[k] for k in oak if k != "demand"} == {
        "urn": "SC100001",
        "name": "Oakview",
        "episodes": 4,
        "children": 2,
        "repeat_children": 1,
        "police_ref_pct": 75.0,
        "rhi_completed_72h_pct": 20.0,
    }
    # Pre 1 Jul 2024 - 30 Jun 2025: Amy 181 days, Cal 30. Post 1 Jul - 31 Oct 2025 (123 days):
    # Amy 123, Cal 123, Ben 1 Sep - 4 Oct = 34. Episodes: 4 before, 5 after (e6 e0 e1 e2 e3).
    assert oak["demand"] == {"engagement_start": "2025-07-01", **demand_of((4, 211), (5, 280))}
    # Beech: no placements, so 3 beds x 365 days before and x 153 days after; none before.
    assert beech["demand"] == {
        "engagement_start": "2025-06-01",
        "pre": {"episodes": 0, "child_days": 1095, "rate_per_1000": 0.0},
        "post": {"episodes": 2, "child_days": 459, "rate_per_1000": round(2000 / 459, 3)},
        "rate_ratio": None, "ci95": None, "episodes_avoided": -2.0, "cost_avoided": -4831.6,
    }  # fmt: skip


def test_one_home_counts_its_episodes_but_looks_back_at_every_home(
    db: Database, world: dict[str, int]
) -> None:
    got = figures(db, *OCTOBER, home="SC100002")
    assert (got["home"], got["episodes"], got["missing_episodes"], got["absent_episodes"]) == (
        "SC100002",
        2,
        1,
        1,
    )
    assert (got["children"], got["episodes_per_child"], got["repeat_children"]) == (1, 2.0, 1)
    assert got["top10_share"] == 100.0 and got["triggered_children"] == 1  # e0 at Oakview counts
    assert got["open_at_end"] == 1 and got["returns"] == 1
    assert (got["safe_and_well_pct"], got["rhi_offered_pct"], got["rhi_completed_pct"]) == (
        100.0,
        0.0,
        0.0,
    )
    assert got["cost_estimate"] == 4831.6 and [h["urn"] for h in got["homes"]] == ["SC100002"]
    oak = figures(db, *OCTOBER, home="SC100001")
    assert (oak["episodes"], oak["triggered_children"], oak["open_at_end"], oak["returns"]) == (
        4,
        1,
        0,
        5,
    )


def test_a_period_with_no_episodes_gives_nulls(db: Database, world: dict[str, int]) -> None:
    got = figures(db, date(2024, 1, 1), date(2024, 1, 31))
    assert got["episodes"] == 0 and got["episodes_per_child"] == 0 and got["children"] == 0
    for key in ("top10_share", "median_duration_hours", "p90_duration_hours", "share_over_24h",
                "police_ref_pct", "median_minutes_to_report", "safe_and_well_pct",
                "rhi_offered_pct", "rhi_offered_72h_pct", "rhi_completed_pct",
                "rhi_completed_72h_pct"):  # fmt: skip
        assert got[key] is None, key
    assert got["cost_estimate"] == 0.0 and got["by_hour"] == [0] * 24
    # Both homes have an engagement start, after --to: listed, with no demand.
    assert [(h["urn"], h["episodes"], h["demand"]) for h in got["homes"]] == [
        ("SC100001", 0, None),
        ("SC100002", 0, None),
    ]


def test_the_repeat_window_is_half_open(records: Records, db: Database) -> None:
    home = records.create_home("SC1", "Oakview").record.id
    exact = records.create_child("C1", date(2010, 1, 1)).record.id
    inside = records.create_child("C2", date(2010, 1, 1)).record.id
    for child, first in ((exact, "2025-10-01 13:00:00"), (inside, "2025-10-01 13:00:01")):
        episode(records, child, home, first, "2025-10-01 14:00")
        episode(records, child, home, "2025-10-16 12:00", "2025-10-16 13:00")
        episode(records, child, home, "2025-10-31 12:00", "2025-10-31 13:00")
    # 30 days are 720 hours of real time: the clocks went back on 26 October, so 31 Oct 12:00
    # GMT less 30 days is 1 Oct 13:00 BST. (1 Oct 13:00, 31 Oct 12:00] leaves out 13:00:00
    # exactly (2 episodes) but holds 13:00:01 (3 episodes).
    assert figures(db, *OCTOBER)["triggered_children"] == 1


def test_an_episode_open_at_the_end_of_the_period(records: Records, db: Database) -> None:
    home = records.create_home("SC1", "Oakview").record.id
    child = records.create_child("C1", date(2010, 1, 1)).record.id
    episode(records, child, home, "2025-09-20 20:00", "2025-11-01 00:30")  # back after the end
    other = records.create_child("C2", date(2010, 1, 1)).record.id
    episode(records, other, home, "2025-09-25 20:00", "2025-11-01 00:00")  # back at the end
    got = figures(db, *OCTOBER)
    assert got["episodes"] == 0 and got["open_at_end"] == 1


def test_child_days_count_local_dates_with_the_end_day_left_out(
    records: Records, db: Database
) -> None:
    home = records.create_home(
        "SC1", "Oakview", beds=4, engagement_start=date(2025, 1, 11)
    ).record.id
    for ref, start, end in (
        ("C1", date(2024, 12, 1), None),  # all 10 + all 21 days
        ("C2", date(2025, 1, 9), date(2025, 1, 12)),  # 9, 10 | 11
        ("C3", date(2025, 2, 1), None),
    ):  # after the windows: none
        child = records.create_child(ref, date(2010, 1, 1)).record.id
        records.add_placement(child, home, start, end)
    settings = Settings(demand_window_days=10)
    with db.session() as session:
        # W = 10: pre 1-10 January, post 11-20 January (E to E + W - 1, before --to).
        got = demand(session, home, date(2025, 1, 31), settings)
        assert got is not None
        assert (got["pre"]["child_days"], got["post"]["child_days"]) == (10 + 2, 10 + 1)
        short = demand(session, home, date(2025, 1, 15), settings)  # post cut at --to: 11-15
        assert short is not None and short["post"]["child_days"] == 5 + 1
    empty = records.create_home(
        "SC2", "Beech", beds=4, engagement_start=date(2025, 1, 11)
    ).record.id
    with db.session() as session:
        got = demand(session, empty, date(2025, 1, 31), settings)
        assert got is not None  # no placement at all: 4 beds x 10 days each
        assert (got["pre"]["child_days"], got["post"]["child_days"]) == (40, 40)


def test_bands_quantiles_and_rounding() -> None:
    assert [band_of(n) for n in (1, 5, 6, 10, 11, 20, 21, 50, 51, 400)] == [
        "1",
        "5",
        "6-10",
        "6-10",
        "11-20",
        "11-20",
        "21-50",
        "21-50",
        "51+",
        "51+",
    ]
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5 and quantile([], 0.5) is None
    assert round(0.125, 2) == 0.12  # half to even, as METRICS.md says


def test_settings_change_the_figures(db: Database, world: dict[str, int]) -> None:
    records = Records(db, "supervisor")
    records.set_setting("repeat_threshold", 4)
    records.set_setting("unit_cost", 1325.44)
    got = figures(db, *OCTOBER)
    assert got["triggered_children"] == 0 and got["cost_estimate"] == round(6 * 1325.44, 2)
    with db.session() as session:
        assert Settings.read(session).repeat_threshold == 4


def test_the_command_prints_the_same_json(db: Database, world: dict[str, int]) -> None:
    assert db.path is not None
    result = subprocess.run(
        [sys.executable, "-m", "missing_app", "--db", str(db.path), "stats", "--from",
         "2025-10-01", "--to", "2025-10-31", "--json"],
        capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    printed = json.loads(result.stdout)
    assert printed == figures(db, *OCTOBER)
    assert list(printed)[:6] == ["from", "to", "home", "episodes", "missing_episodes",
                                 "absent_episodes"]  # fmt: skip
    table = subprocess.run(
        [
            sys.executable,
            "-m",
            "missing_app",
            "--db",
            str(db.path),
            "stats",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-31",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Episodes                             6" in table and "£14,494.80" in table
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "missing_app",
            "--db",
            str(db.path),
            "stats",
            "--from",
            "2025-10-01",
            "--to",
            "2025-10-31",
            "--home",
            "SC999",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "There is no home with the URN SC999." in bad.stderr


def test_previous_period(tmp_path: Path) -> None:
    assert Period(date(2025, 10, 1), date(2025, 10, 31)).previous() == Period(
        date(2025, 8, 31), date(2025, 9, 30)
    )
    assert Period(date(2025, 10, 1), date(2025, 10, 1)).previous().last == (
        date(2025, 10, 1) - timedelta(days=1)
    )


def test_today_and_the_figures_agree_on_who_crossed_the_threshold(tmp_path: Path) -> None:
    """Today's list (SQL, for the window) and `triggered_children` (the figures) are two
    implementations of one rule of METRICS.md: on demo data they find the same children."""
    from datetime import UTC, datetime

    from missing_app.core.db import open_database
    from missing_app.core.demo import generate_demo
    from missing_app.core.metrics import episodes_frame, triggered_children
    from missing_app.core.queries.today import triggered_children as todays_list

    db = open_database(str(tmp_path / "demo.sqlite"))
    generate_demo(db, seed=2, as_of=date(2025, 11, 15))
    checked = 0
    with db.session() as session:
        for now in (datetime(2025, 11, 14, 12, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC),
                    datetime(2024, 12, 20, 18, tzinfo=UTC)):  # fmt: skip
            for threshold in (3, 2):
                settings = Settings(repeat_threshold=threshold)
                frame = episodes_frame(session, (now - timedelta(days=32)).date(), now.date())
                recent = frame[(frame["last_seen_at"] > now - timedelta(days=30))
                               & (frame["last_seen_at"] <= now)]  # fmt: skip
                crossed = {
                    child for child, group in recent.groupby("child_id")
                    if triggered_children(session, group, settings)
                }  # fmt: skip
                listed = {row.child_id for row in todays_list(session, now, threshold, 30)}
                assert listed == crossed, (now, threshold)
                checked += len(listed)
    assert checked > 0
