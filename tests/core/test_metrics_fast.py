"""The fast figures (numpy columns, one SQL count per demand window) equal, exactly, the
straightforward pandas computation they replaced (tests/core/frame_figures.py): on demo data
over many periods, with and without a home, and on a world of awkward values."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core import demand
from missing_app.core.columns import WHITESPACE
from missing_app.core.db import Database, open_database
from missing_app.core.demo import generate_demo
from missing_app.core.metrics import Settings, stats
from missing_app.core.models import CareHome, Child, MissingEpisode, Placement, ReturnInterview
from tests.core.frame_figures import stats_from_frames

AS_OF = date(2025, 11, 15)
PERIODS = (
    (date(2025, 10, 1), date(2025, 10, 31)),  # the clocks go back on the 26th
    (date(2025, 3, 1), date(2025, 3, 31)),  # and forward on the 30th
    (date(2024, 9, 1), date(2024, 9, 30)),
    (date(2025, 1, 15), date(2025, 1, 15)),  # one day
    (date(2024, 11, 16), date(2025, 11, 15)),  # a year
    (date(2022, 11, 1), date(2025, 11, 30)),  # the whole history
    (date(2019, 1, 1), date(2019, 1, 31)),  # before any record
)


def assert_same(session: Session, first: date, last: date, urn: str | None = None,
                settings: Settings | None = None) -> dict[str, Any]:  # fmt: skip
    """The fast figures, once checked equal to the pandas ones as the JSON a partner reads:
    every key, in order, every digit."""
    fast = stats(session, first, last, urn, settings)
    slow = stats_from_frames(session, first, last, urn, settings)
    assert json.dumps(fast) == json.dumps(slow), (first, last, urn)
    return fast


def busiest_homes(session: Session) -> list[str]:
    """The busiest home with an engagement start and the busiest without one."""
    query = (
        select(CareHome.urn, CareHome.engagement_start)
        .join(MissingEpisode, MissingEpisode.home_id == CareHome.id)
        .group_by(CareHome.id)
        .order_by(func.count().desc(), CareHome.urn)
    )
    rows = session.execute(query).all()
    engaged = next(urn for urn, start in rows if start is not None)
    not_engaged = next(urn for urn, start in rows if start is None)
    return [engaged, not_engaged]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(str(tmp_path_factory.mktemp("fast") / "demo.sqlite"))
    generate_demo(database, seed=3, as_of=AS_OF)
    yield database
    database.close()


@pytest.mark.parametrize("many_homes", [100, 0], ids=["placements by home", "all placements"])
def test_demo_figures_equal_the_pandas_computation(
    demo_db: Database, many_homes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demand, "MANY_HOMES", many_homes)  # both ways of reading placements
    episodes = triggered = engaged = 0
    with demo_db.session() as session:
        for first, last in PERIODS:
            for urn in (None, *busiest_homes(session)):
                got = assert_same(session, first, last, urn)
                episodes += got["episodes"]
                triggered += got["triggered_children"]
                engaged += sum(home["demand"] is not None for home in got["homes"])
        # Other settings move every threshold the figures depend on.
        other = Settings(repeat_threshold=2, repeat_window_days=45, rhi_window_hours=24.5,
                         unit_cost=1325.44, demand_window_days=200)  # fmt: skip
        assert_same(session, date(2024, 11, 16), AS_OF, None, other)
    assert episodes > 500 and triggered > 10 and engaged > 100  # real work, not empty months


def add_episode(session: Session, child: Child, home: CareHome, seen: datetime,
                back: datetime | None = None, **fields: Any) -> MissingEpisode:  # fmt: skip
    episode = MissingEpisode(child=child, home=home, last_seen_at=seen, returned_at=back,
                             **fields)  # fmt: skip
    session.add(episode)
    return episode


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def awkward(db: Database) -> Database:
    """Values the demo never makes: fractional seconds, references of blanks, an RHI a
    microsecond late, returns long after the last sighting, a home without placements."""
    with db.transaction() as session:
        oak = CareHome(urn="SC200001", name="Oak", beds=4, engagement_start=date(2025, 3, 30))
        elm = CareHome(urn="SC200002", name="Elm", beds=2, engagement_start=date(2025, 10, 26))
        ash = CareHome(urn="SC200003", name="Ash", beds=3)
        amy, ben = (
            Child(local_ref="A1", dob=date(2010, 1, 1)),
            Child(local_ref="B1", dob=date(2011, 1, 1)),
        )
        session.add_all([oak, elm, ash, amy, ben])
        session.add_all([Placement(child=amy, home=oak, start=date(2025, 1, 1)),
                         Placement(child=ben, home=oak, start=date(2025, 2, 1),
                                   end=date(2025, 10, 26))])  # fmt: skip
        seen = utc("2025-10-25 23:30:00.250000")  # 00:30:00.25 BST on the 26th
        refs = ["MP1", " ", "\u3000", "\t\n", " MP2 ", None]
        for n, ref in enumerate(refs):
            at = seen + timedelta(hours=n, microseconds=n)
            back = at + timedelta(hours=24, microseconds=1) if n % 2 else None
            episode = add_episode(
                session,
                amy,
                oak if n < 4 else elm,
                at,
                back,
                police_ref=ref,
                reported_at=at + timedelta(seconds=61.5),
            )
            if back is not None:
                late = back + timedelta(hours=72, microseconds=n - 3)  # 72 h, +/- microseconds
                session.add(ReturnInterview(episode=episode, offered_at=late,
                                            completed_at=late))  # fmt: skip
        long_gone = add_episode(
            session, ben, ash, utc("2025-03-29 23:15:00"), utc("2025-10-26 01:00:00"), type="absent"
        )
        session.add(ReturnInterview(episode=long_gone, offered_at=utc("2025-10-28 12:00:00")))
        for day in range(0, 90, 9):  # Ben, often, across the spring clock change
            start = utc("2025-03-01 22:00:00") + timedelta(days=day, seconds=day)
            add_episode(session, ben, oak, start, start + timedelta(minutes=day + 1))
        # Cal: the third episode 30 days less a microsecond after the second; Dan: two
        # exactly 30 days apart, which the half-open look-back keeps apart.
        cal, dan = (
            Child(local_ref="C1", dob=date(2012, 1, 1)),
            Child(local_ref="D1", dob=date(2012, 1, 1)),
        )
        first = utc("2025-03-10 09:00:00.5")
        for child, gaps in ((cal, (0, 30 * 86400, 60 * 86400 - 1e-6)), (dan, (0, 30 * 86400))):
            for gap in gaps:
                add_episode(session, child, ash, first + timedelta(seconds=gap))  # still away
        # Eve: back at the very end of 26 October, then seen and back at that instant.
        eve = Child(local_ref="E1", dob=date(2012, 1, 1))
        end = utc("2025-10-27 00:00:00")
        add_episode(session, eve, ash, end - timedelta(hours=1), end)
        add_episode(session, eve, ash, end, end)
    return db


@pytest.mark.parametrize(
    "first, last",
    [
        (date(2025, 10, 26), date(2025, 10, 26)),
        (date(2025, 10, 1), date(2025, 10, 31)),
        (date(2025, 3, 1), date(2025, 5, 31)),
        (date(2025, 3, 30), date(2025, 3, 30)),
        (date(2024, 1, 1), date(2025, 12, 31)),
    ],
)
def test_awkward_values_give_the_same_figures(awkward: Database, first: date, last: date) -> None:
    with awkward.session() as session:
        for urn in (None, "SC200001", "SC200002", "SC200003"):
            assert_same(session, first, last, urn)
        for threshold in (2, 3, 4):
            assert_same(session, first, last, None, Settings(repeat_threshold=threshold))


def test_the_awkward_world_is_counted_as_worked_out(awkward: Database) -> None:
    """A few of its figures by hand, so that the fast and slow paths agreeing is not both
    being wrong: refs of blanks are no reference, 72 h + 1 microsecond is late."""
    with awkward.session() as session:
        day = stats(session, date(2025, 10, 26), date(2025, 10, 26))
    assert day["episodes"] == 7 and day["children"] == 2  # Amy's six and Eve's first
    assert day["open_at_end"] == 3 + 3 + 5  # Amy's, some back only on the 27th; Cal, Dan
    assert day["police_ref_pct"] == round(100 * 2 / 7, 1)  # "MP1" and " MP2 "
    assert day["returns"] == 1  # the absence at Ash, back at 01:00 UTC on the 26th
    with awkward.session() as session:
        days = stats(session, date(2025, 10, 26), date(2025, 10, 31))
    # Amy back 24 h and a microsecond after three of them, each RHI completed 72 h later
    # less 2 microseconds, exactly, and plus 2: two of six returns (with Ben's and Eve's
    # two) are in time.
    assert days["returns"] == 6 and days["rhi_completed_72h_pct"] == round(100 * 2 / 6, 1)
    with awkward.session() as session:
        spring = stats(session, date(2025, 3, 1), date(2025, 5, 31), None,
                       Settings(repeat_threshold=2))  # fmt: skip
    assert spring["triggered_children"] == 2  # Ben and Cal; not Dan


def test_whitespace_is_what_python_strips() -> None:
    blanks = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
    assert sorted(WHITESPACE) == sorted(blanks)


def test_the_command_line_works_out_figures_without_pandas(tmp_path: Path) -> None:
    """pandas takes a second to import; the figures no longer need it."""
    path = tmp_path / "demo.sqlite"
    database = open_database(str(path))
    generate_demo(database, seed=3, as_of=AS_OF)
    database.close()
    code = (
        "import sys; from datetime import date; from missing_app.core.db import open_database;"
        "from missing_app.core.metrics import stats; "
        f"db = open_database({str(path)!r}); s = db.session(); "
        "f = stats(s, date(2024, 11, 16), date(2025, 11, 15)); "
        "print(f['episodes'] > 0, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.split() == ["True", "False"]
