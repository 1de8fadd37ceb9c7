"""The data of each chart against a small world worked out by hand, and against stats().

Times are London time unless marked UTC. The clocks go forward at 01:00 GMT on Sunday
30 March 2025 and back at 02:00 BST on Sunday 26 October 2025.

Oak (SC1, 4 beds, engagement 15 January 2025) and Elm (SC2, 2 beds, no engagement).
Placements at Oak: Amy from 1 Jun 2023 (open), Ben 1 Mar - 1 Apr 2025. Elm: Cal, Dee.

  e1  Amy  Oak  missing  Wed 01 Oct 2025 00:30 BST -> 01:00 (0.5 h)  reported 00:40  MP1
                RHI offered Sat 04 Oct 01:00 (72:00:00 exactly), completed 01:00:01 (late)
                assessed: searched first yes, reported within policy yes
  e2  Amy  Oak  absent   Sun 26 Oct 01:30 BST -> 03:30 GMT (3 h)  reported 01:50 BST  MP2
                RHI offered 10:00, completed Wed 29 Oct 02:30 (71 h)
                assessed: searched first no, within policy not applicable
  e3  Amy  Oak  missing  Fri 10 Oct 22:00 -> Wed 15 Oct 02:00 (100 h)  reported 23:00
  e4  Ben  Oak  missing  Sun 05 Oct 14:00 -> 16:00 (2 h)  MP4
  e5  Cal  Elm  missing  Fri 31 Oct 23:59 GMT, still missing
  e6  Dee  Elm  missing  Sat 01 Nov 00:00 (November)
  e7  Cal  Elm  missing  Tue 30 Sep 23:59 BST -> Wed 01 Oct 00:30 (a return in October)
  e8  Dee  Elm  missing  Sun 26 Oct 01:30 GMT (01:30 UTC) -> 02:30 (1 h)
  e9  Cal  Elm  missing  Tue 01 Oct 2024 00:15 BST -> 01:15 (the first of the 13 months)
  e10 Dee  Elm  missing  Mon 30 Sep 2024 23:45 BST -> 23:55 (just before them)
  e11 Amy  Oak  missing  Sun 10 Mar 2024 20:00 -> 21:00 (before engagement)
  e12 Amy  Oak  missing  Sat 15 Jun 2024 20:00 -> 21:00 (before)
  e13 Amy  Oak  missing  Tue 14 Jan 2025 23:30 -> Wed 15 Jan 00:30 (the last day before)
  e14 Amy  Oak  missing  Wed 15 Jan 2025 09:00 -> 10:00 (the first day after)
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from missing_app.core import chart_data as cd
from missing_app.core import chart_data_practice as practice
from missing_app.core import chart_drill
from missing_app.core.db import Database
from missing_app.core.demo import generate_demo
from missing_app.core.metrics import BANDS, Settings, stats
from missing_app.core.models import CareHome
from missing_app.core.records import Records
from missing_app.core.times import parse_datetime

UNIT = 2415.80
OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))


def at(moment: str | datetime) -> datetime:
    return moment if isinstance(moment, datetime) else parse_datetime(moment)


def episode(
    records: Records,
    child: int,
    home: int,
    seen: str | datetime,
    back: str | datetime | None = None,
    **fields: Any,
) -> int:
    saved = records.record_missing(child, at(seen), home_id=home, **fields).record
    if back is not None:
        records.record_return(saved.id, at(back))
    return saved.id


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    return build_world(records)


def build_world(records: Records) -> dict[str, int]:
    """The records of the module's docstring; their ids by name."""
    oak = records.create_home("SC1", "Oak", beds=4, engagement_start=date(2025, 1, 15)).record.id
    elm = records.create_home("SC2", "Elm", beds=2).record.id
    amy, ben, cal, dee = (
        records.create_child(ref, date(2009, 1, 1), first_name=name).record.id
        for ref, name in (("C1", "Amy"), ("C2", "Ben"), ("C3", "Cal"), ("C4", "Dee"))
    )
    records.add_placement(amy, oak, date(2023, 6, 1))
    records.add_placement(ben, oak, date(2025, 3, 1), date(2025, 4, 1))
    records.add_placement(cal, elm, date(2024, 1, 1))
    records.add_placement(dee, elm, date(2024, 1, 1))
    ids = {"oak": oak, "elm": elm, "amy": amy, "ben": ben, "cal": cal, "dee": dee}
    for name, day in (("e11", "2024-03-10"), ("e12", "2024-06-15")):
        ids[name] = episode(records, amy, oak, f"{day} 20:00", f"{day} 21:00")
    ids["e13"] = episode(records, amy, oak, "2025-01-14 23:30", "2025-01-15 00:30")
    ids["e14"] = episode(records, amy, oak, "2025-01-15 09:00", "2025-01-15 10:00")
    ids["e1"] = e1 = episode(
        records, amy, oak, "2025-10-01 00:30", "2025-10-01 01:00",
        reported_at=at("2025-10-01 00:40"), police_ref="MP1",
    )  # fmt: skip
    records.record_rhi_offer(e1, at("2025-10-04 01:00"))
    records.record_rhi_completed(e1, at("2025-10-04 01:00:01"))
    records.record_assessment(
        e1, date(2025, 10, 2), searched_first=True, reported_within_policy=True
    )
    ids["e3"] = episode(
        records, amy, oak, "2025-10-10 22:00", "2025-10-15 02:00",
        reported_at=at("2025-10-10 23:00"),
    )  # fmt: skip
    ids["e2"] = e2 = episode(
        records, amy, oak, "2025-10-26 01:30", "2025-10-26 03:30", type="absent",
        reported_at=at("2025-10-26 01:50"), police_ref="MP2",
    )  # fmt: skip
    records.record_rhi_offer(e2, at("2025-10-26 10:00"))
    records.record_rhi_completed(e2, at("2025-10-29 02:30"))
    records.record_assessment(e2, date(2025, 10, 27), searched_first=False)
    ids["e4"] = episode(records, ben, oak, "2025-10-05 14:00", "2025-10-05 16:00", police_ref="MP4")
    ids["e9"] = episode(records, cal, elm, "2024-10-01 00:15", "2024-10-01 01:15")
    ids["e10"] = episode(records, dee, elm, "2024-09-30 23:45", "2024-09-30 23:55")
    ids["e7"] = episode(records, cal, elm, "2025-09-30 23:59", "2025-10-01 00:30")
    ids["e5"] = episode(records, cal, elm, "2025-10-31 23:59")
    utc = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    ids["e8"] = episode(records, dee, elm, utc, utc.replace(hour=2))
    ids["e6"] = episode(records, dee, elm, "2025-11-01 00:00", "2025-11-01 01:00")
    return ids


def zeros_but(count: int, values: dict[int, int]) -> tuple[int, ...]:
    return tuple(values.get(i, 0) for i in range(count))


# London time in SQL ---------------------------------------------------------------------


def test_offsets_follow_the_clocks() -> None:
    start, end = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC)
    assert cd._offsets(start, end) == [
        ("2025-03-01 00:00:00", 0),
        ("2025-03-30 01:00:00", 60),
        ("2025-10-26 01:00:00", 0),
    ]
    assert cd._offsets(start, datetime(2025, 3, 2, tzinfo=UTC)) == [("2025-03-01 00:00:00", 0)]


def test_months_end_with_the_month_of_the_last_day() -> None:
    assert cd.month_starts(date(2025, 10, 31), 13) == tuple(
        [date(2024, m, 1) for m in (10, 11, 12)] + [date(2025, m, 1) for m in range(1, 11)]
    )
    assert cd.month_starts(date(2025, 1, 1), 2) == (date(2024, 12, 1), date(2025, 1, 1))
    assert cd.month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert cd.month_end(date(2025, 12, 1)) == date(2025, 12, 31)


# 1. Episodes per month --------------------------------------------------------------------


def test_monthly_episodes(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = cd.monthly_episodes(session, date(2025, 10, 31))
        oak = cd.monthly_episodes(session, date(2025, 10, 31), world["oak"])
    assert data.months[0] == date(2024, 10, 1) and data.months[-1] == date(2025, 10, 1)
    assert len(data.months) == 13 and data.scope == "All homes"
    # Oct 2024: e9 (00:15 BST on 1 Oct, 23:15 UTC on 30 Sep); e10 is September's.
    # Jan 2025: e13, e14 (Amy); Sep 2025: e7; Oct 2025: e1 e3 e4 e5 e8 missing, e2 absent.
    assert data.missing == zeros_but(13, {0: 1, 3: 2, 11: 1, 12: 5})
    assert data.absent == zeros_but(13, {12: 1})
    assert data.children == zeros_but(13, {0: 1, 3: 1, 11: 1, 12: 4})
    assert oak.scope == "Oak" and oak.home_id == world["oak"]
    assert oak.missing == zeros_but(13, {3: 2, 12: 3})
    assert oak.absent == zeros_but(13, {12: 1})
    assert oak.children == zeros_but(13, {3: 1, 12: 2})


# 2 and 3. Children by band; concentration --------------------------------------------------


def test_repeat_bands(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = cd.repeat_bands(session, *OCTOBER)
        elm = cd.repeat_bands(session, *OCTOBER, home_id=world["elm"])
    assert data.bands == BANDS
    assert dict(zip(data.bands, data.children, strict=True)) == {
        **dict.fromkeys(BANDS, 0), "1": 3, "3": 1,
    }  # fmt: skip
    ones = tuple(sorted((world["ben"], world["cal"], world["dee"])))
    assert data.child_ids[0] == ones and data.child_ids[2] == (world["amy"],)
    assert data.period == cd.PeriodScope("All homes", None, *OCTOBER)
    assert elm.children[0] == 2 and sum(elm.children) == 2


def test_episode_concentration(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = cd.episode_concentration(session, *OCTOBER)
        empty = cd.episode_concentration(session, date(2023, 1, 1), date(2023, 1, 31))
    w = world
    assert data.child_ids == (w["amy"], w["ben"], w["cal"], w["dee"])  # ties by child id
    assert data.episodes == (3, 1, 1, 1)
    assert data.top_children == 1  # ceil(4 x 10%)
    assert data.top10_share == 50.0  # 3 of 6
    assert data.cumulative_pct == pytest.approx((50.0, 100 * 4 / 6, 100 * 5 / 6, 100.0))
    assert empty.episodes == () and empty.top10_share is None and empty.cumulative_pct == ()


def test_a_period_must_not_end_before_it_starts(db: Database) -> None:
    with db.session() as session, pytest.raises(ValueError, match="before it starts"):
        cd.repeat_bands(session, date(2025, 10, 2), date(2025, 10, 1))


# 4. Hour against weekday -------------------------------------------------------------------


def test_hour_weekday_in_london_time_across_the_clock_change(
    db: Database, world: dict[str, int]
) -> None:
    with db.session() as session:
        data = cd.hour_weekday(session, *OCTOBER)
    cells = {
        (weekday, hour): count
        for weekday, row in enumerate(data.counts)
        for hour, count in enumerate(row)
        if count
    }
    # e1 Wed 00:30 BST; e2 Sun 01:30 BST and e8 Sun 01:30 GMT; e3 Fri 22:00; e4 Sun 14:00;
    # e5 Fri 23:59 GMT.
    assert cells == {(2, 0): 1, (6, 1): 2, (4, 22): 1, (6, 14): 1, (4, 23): 1}
    assert len(data.counts) == 7 and {len(row) for row in data.counts} == {24}


def test_hour_weekday_when_the_clocks_go_forward(records: Records, db: Database) -> None:
    home = records.create_home("SC9", "Ash").record.id
    child = records.create_child("C9", date(2009, 1, 1)).record.id
    for hour in (0, 1, 2):  # 00:30 GMT, then 02:30 and 03:30 BST
        seen = datetime(2025, 3, 30, hour, 30, tzinfo=UTC)
        episode(records, child, home, seen, seen.replace(minute=40))
    with db.session() as session:
        data = cd.hour_weekday(session, date(2025, 3, 30), date(2025, 3, 30))
    assert data.counts[6][0] == data.counts[6][2] == data.counts[6][3] == 1
    assert sum(map(sum, data.counts)) == 3


# 5. Durations ------------------------------------------------------------------------------


def test_durations_on_doubling_bins(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = cd.durations(session, *OCTOBER)
    # e1 0.5 h, e8 1 h, e4 2 h, e2 3 h (across the clock change), e3 100 h; e5 is open.
    assert data.hours == (0.5, 1.0, 2.0, 3.0, 100.0)
    assert data.log_scale
    assert data.edges == (0.5, 1, 2, 4, 8, 16, 32, 64, 128)
    assert data.counts == (1, 1, 2, 0, 0, 0, 0, 1)
    assert data.median_hours == 2.0
    assert data.p90_hours == 61.2  # 3 + 0.6 x 97


def test_duration_bins_stay_linear_without_a_long_tail() -> None:
    edges, log_scale = cd.duration_edges([0.0, 5.0, 30.0])
    assert not log_scale
    assert edges == tuple(float(3 * i) for i in range(12))  # 3-hour steps up to 33 h
    assert cd.duration_edges([]) == ((0.0, 1.0), False)
    assert [cd.bin_index(edges, h) for h in (0.0, 2.999, 3.0, 33.0, 40.0)] == [0, 0, 1, 10, 10]


def test_a_month_in_progress_is_counted_to_its_day(db: Database, world: dict[str, int]) -> None:
    """Charted on 30 Oct, October holds what stats() counts from 1 to 30 Oct (not e5, last
    seen late on the 31st) and says it runs to the 30th; a whole October says nothing."""
    with db.session() as session:
        partial = cd.monthly_episodes(session, date(2025, 10, 30))
        returns = cd.rhi_timeliness(session, date(2025, 10, 30))
        got = stats(session, date(2025, 10, 1), date(2025, 10, 30), None)
        whole = cd.monthly_episodes(session, date(2025, 10, 31))
    assert (partial.missing[-1], partial.absent[-1], partial.children[-1]) == (
        got["missing_episodes"], got["absent_episodes"], got["children"],
    )  # fmt: skip
    assert partial.missing[-1] == whole.missing[-1] - 1  # e5
    assert returns.returns[-1] == got["returns"]
    assert (partial.to_date, returns.to_date, whole.to_date) == (date(2025, 10, 30),) * 2 + (None,)


def test_insights_charts_the_periods_months_at_least_a_year(
    db: Database, world: dict[str, int]
) -> None:
    """'Last 12 months' charts its 12 months; one month is seen against its year."""
    with db.session() as session:
        year = chart_drill.insights_charts(session, date(2024, 11, 1), date(2025, 10, 31))
        month = chart_drill.insights_charts(session, *OCTOBER)
    for specs in (year, month):
        by_key = {spec.key: spec.data for spec in specs}
        for key in ("monthly", "rhi"):
            months = by_key[key].months
            assert (months[0], months[-1], len(months)) == (date(2024, 11, 1), OCTOBER[0], 12)


# 6. Return interviews ----------------------------------------------------------------------


def test_rhi_timeliness_exactly_72_hours_counts(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = cd.rhi_timeliness(session, date(2025, 10, 31))
        short = cd.rhi_timeliness(session, date(2025, 10, 31), window_hours=71.5)
    assert data.months[-1] == date(2025, 10, 1) and data.window_hours == 72.0
    # October's returns (London): e7 00:30 and e1 01:00 on 1 Oct, e4, e3, e8, e2.
    assert data.returns == zeros_but(13, {0: 1, 3: 2, 12: 6})
    assert data.offered_in_window == zeros_but(13, {12: 2})  # e1 at 72:00:00, e2
    assert data.completed_in_window == zeros_but(13, {12: 1})  # e2; e1 a second late
    assert data.offered_pct[12] == 33.3 and data.completed_pct[12] == 16.7
    assert data.offered_pct[1] is None and data.offered_pct[0] == 0.0
    assert short.offered_in_window[12] == 1 and short.completed_in_window[12] == 1


# 7. Reporting practice -----------------------------------------------------------------------


def test_reporting_scorecard(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = practice.reporting_scorecard(session, *OCTOBER)
        oak_only = practice.reporting_scorecard(session, *OCTOBER, home_id=world["oak"])
        top = practice.reporting_scorecard(session, *OCTOBER, limit=1)
    assert data.measures[:2] == ("Police reference", "Median time to report")
    assert len(data.measures) == 9 and data.homes_in_period == 2
    everyone, oak, elm = data.rows
    # searched first: yes of (yes, no); within policy: e1 yes, e2 not applicable.
    assert everyone == practice.ScorecardRow(
        None, "All homes", 6, (50.0, 20.0, 50.0, 100.0) + (None,) * 5
    )
    assert oak == practice.ScorecardRow(
        world["oak"], "Oak", 4, (75.0, 20.0, 50.0, 100.0) + (None,) * 5
    )
    assert elm == practice.ScorecardRow(world["elm"], "Elm", 2, (0.0, None) + (None,) * 7)
    assert oak_only.rows == (oak,)
    assert [row.name for row in top.rows] == ["All homes", "Oak"] and top.homes_in_period == 2


# 8. Demand ---------------------------------------------------------------------------------


def test_demand_comparison(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = practice.demand_comparison(session, date(2025, 10, 31))
        before = practice.demand_comparison(session, date(2025, 1, 14))
    assert data.engaged_homes == 1 and before.homes == ()
    (oak,) = data.homes
    # Pre: 16 Jan 2024 - 14 Jan 2025, Amy placed throughout: 365 child-days; e11 e12 e13.
    # Post: 15 Jan - 31 Oct 2025: 290 days for Amy, 31 for Ben: 321; e14 e1 e2 e3 e4.
    ratio = (5 / 321) / (3 / 365)
    spread = 1.96 * math.sqrt(1 / 3 + 1 / 5)
    avoided = 3 / 365 * 321 - 5
    assert oak == practice.HomeDemand(
        world["oak"], "SC1", "Oak", date(2025, 1, 15), date(2024, 1, 16), date(2025, 10, 31),
        3, 365, round(3000 / 365, 3), 5, 321, round(5000 / 321, 3), round(ratio, 3),
        (round(ratio * math.exp(-spread), 3), round(ratio * math.exp(spread), 3)),
        round(avoided, 1), round(avoided * UNIT, 2),
    )  # fmt: skip
    assert data.cost_avoided == oak.cost_avoided and data.unit_cost == UNIT


def test_demand_run_splits_the_month_of_engagement(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        data = practice.demand_run(session, world["oak"], date(2025, 10, 31))
        assert practice.demand_run(session, world["elm"], date(2025, 10, 31)) is None
    assert data is not None
    assert len(data.starts) == 23  # 13 pieces before, 10 after
    assert data.starts[0] == date(2024, 1, 16) and data.ends[0] == date(2024, 1, 31)
    assert (data.starts[12], data.ends[12]) == (date(2025, 1, 1), date(2025, 1, 14))
    assert (data.starts[13], data.ends[13]) == (date(2025, 1, 15), date(2025, 1, 31))
    assert data.ends[-1] == date(2025, 10, 31)
    assert data.episodes == zeros_but(23, {2: 1, 5: 1, 12: 1, 13: 1, 22: 4})
    assert data.child_days[0] == 16 and data.child_days[12] == 14 and data.child_days[13] == 17
    assert data.child_days[15] == 62  # March 2025: Amy and Ben
    assert sum(data.child_days[:13]) == 365 and sum(data.child_days[13:]) == 321
    assert data.rates[22] == pytest.approx(1000 * 4 / 31)  # October 2025: Amy alone


# The episodes behind a bar or cell -------------------------------------------------------------


def test_episode_ids_by_hour_weekday_and_duration(db: Database, world: dict[str, int]) -> None:
    w = world
    with db.session() as session:

        def ids(**filters: Any) -> list[int]:
            return chart_drill.episode_ids(
                session, chart_drill.EpisodeQuery("", *OCTOBER, **filters)
            )

        assert ids() == [w[e] for e in ("e1", "e4", "e3", "e2", "e8", "e5")]
        assert ids(hour=1, weekday=6) == [w["e2"], w["e8"]]
        assert ids(type="absent") == [w["e2"]]
        assert ids(home_id=w["elm"]) == [w["e8"], w["e5"]]
        assert ids(child_ids=(w["amy"], w["ben"])) == [w["e1"], w["e4"], w["e3"], w["e2"]]
        assert ids(min_hours=2.0, max_hours=4.0) == [w["e4"], w["e2"]]
        assert ids(max_hours=1.0) == [w["e1"]]
        assert ids(by_return=True) == [w[e] for e in ("e7", "e1", "e4", "e3", "e8", "e2")]
        assert chart_drill.episode_ids(
            session, chart_drill.EpisodeQuery("", *OCTOBER), limit=2
        ) == [w["e1"], w["e4"]]


# Agreement with stats() -----------------------------------------------------------------------


def agree(session: Any, first: date, last: date, home_id: int | None, urn: str | None) -> None:
    got = stats(session, first, last, urn)
    bands = cd.repeat_bands(session, first, last, home_id)
    assert dict(zip(bands.bands, bands.children, strict=True)) == got["bands"]
    assert (
        cd.episode_concentration(session, first, last, home_id).top10_share == (got["top10_share"])
    )
    grid = cd.hour_weekday(session, first, last, home_id).counts
    assert [sum(row[h] for row in grid) for h in range(24)] == got["by_hour"]
    assert [sum(row) for row in grid] == got["by_weekday"]
    durations = cd.durations(session, first, last, home_id)
    assert (durations.median_hours, durations.p90_hours) == (
        got["median_duration_hours"], got["p90_duration_hours"],
    )  # fmt: skip
    scorecard = practice.reporting_scorecard(session, first, last, home_id)
    assert scorecard.rows[0].values[:2] == (got["police_ref_pct"], got["median_minutes_to_report"])
    by_urn = {home["urn"]: home for home in got["homes"]}
    for row in scorecard.rows[1:] if home_id is None else ():
        assert row.values[0] == by_urn[session.get_one(CareHome, row.home_id).urn]["police_ref_pct"]
    demand = practice.demand_comparison(session, last, home_id, limit=1000)
    for home in demand.homes:
        entry = by_urn[home.urn]["demand"]
        assert (home.rate_ratio, home.cost_avoided) == (entry["rate_ratio"], entry["cost_avoided"])
        assert list(home.ci95 or []) == (entry["ci95"] or [])


def agree_by_month(session: Any, month: date, home_id: int | None, urn: str | None) -> None:
    last = cd.month_end(month)
    got = stats(session, month, last, urn)
    monthly = cd.monthly_episodes(session, last, home_id)
    assert (monthly.missing[-1], monthly.absent[-1], monthly.children[-1]) == (
        got["missing_episodes"], got["absent_episodes"], got["children"],
    )  # fmt: skip
    rhi = cd.rhi_timeliness(session, last, home_id)
    assert rhi.returns[-1] == got["returns"]
    assert (rhi.offered_pct[-1], rhi.completed_pct[-1]) == (
        got["rhi_offered_72h_pct"], got["rhi_completed_72h_pct"],
    )  # fmt: skip


def test_the_hand_made_world_agrees_with_stats(db: Database, world: dict[str, int]) -> None:
    with db.session() as session:
        agree(session, *OCTOBER, None, None)
        agree(session, *OCTOBER, world["oak"], "SC1")
        agree_by_month(session, date(2025, 10, 1), None, None)
        agree_by_month(session, date(2025, 10, 1), world["elm"], "SC2")


def test_the_demo_agrees_with_stats(db: Database) -> None:
    generate_demo(db, seed=1, as_of=date(2025, 11, 15))
    settings = Settings()
    with db.session() as session:
        agree(session, date(2024, 11, 1), date(2025, 10, 31), None, None)
        agree(session, date(2025, 3, 1), date(2025, 3, 31), None, None)
        for month in (date(2025, 3, 1), date(2025, 10, 1)):
            agree_by_month(session, month, None, None)
        busiest = practice.reporting_scorecard(session, date(2024, 11, 1), date(2025, 10, 31)).rows[
            1
        ]
        assert busiest.home_id is not None
        urn = session.get_one(CareHome, busiest.home_id).urn
        agree(session, date(2024, 11, 1), date(2025, 10, 31), busiest.home_id, urn)
        engaged = practice.demand_comparison(session, date(2025, 10, 31), settings=settings)
        assert engaged.homes and all(h.pre_episodes + h.post_episodes for h in engaged.homes)
        run = practice.demand_run(session, engaged.homes[0].home_id, date(2025, 10, 31), settings)
        assert run is not None
        first = engaged.homes[0]
        split = run.starts.index(first.engagement_start)
        assert sum(run.episodes[:split]) == first.pre_episodes
        assert sum(run.episodes[split:]) == first.post_episodes
        assert sum(run.child_days[:split]) == first.pre_child_days
        assert sum(run.child_days[split:]) == first.post_child_days
