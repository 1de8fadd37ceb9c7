"""The figures at force scale: one month and the whole history, against one SQL query.

The month's line is followed by the part of it spent on the homes' demand (every engaged
home's episodes and child-days in its two windows), which does not shrink with the period.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import select

from benchmarks.common import Result, best_of, stage, timed
from missing_app.core.db import open_database
from missing_app.core.demand import demand_for
from missing_app.core.metrics import Period, Settings, stats
from missing_app.core.models import CareHome

MONTH = (date(2026, 9, 1), date(2026, 9, 30))
HISTORY = (date(2023, 11, 1), date(2026, 10, 31))

BY_HAND = """
SELECT COUNT(*), COUNT(DISTINCT child_id),
       (SELECT COUNT(*) FROM (SELECT child_id FROM missing_episodes
         WHERE last_seen_at >= :start AND last_seen_at < :end
         GROUP BY child_id HAVING COUNT(*) >= 2))
FROM missing_episodes WHERE last_seen_at >= :start AND last_seen_at < :end
"""


def _by_hand(database: Path, first: date, last: date) -> tuple[float, tuple[int, int, int]]:
    start, end = Period(first, last).bounds
    connection = sqlite3.connect(database)
    counts, seconds = timed(
        lambda: connection.execute(BY_HAND, {"start": start, "end": end}).fetchone()
    )
    connection.close()
    return seconds, counts


def _stats(database: Path, first: date, last: date) -> tuple[float, dict[str, object]]:
    db = open_database(str(database))
    with db.session() as session:
        figures, seconds = timed(lambda: stats(session, first, last))
    db.close()
    return seconds, figures


def _demand(database: Path, last: date) -> tuple[float, int]:
    """Seconds for the demand of every engaged home, as `stats` works it out for `last`."""
    db = open_database(str(database))
    with db.session() as session:
        settings = Settings.read(session)
        engaged = select(CareHome.id, CareHome.engagement_start, CareHome.beds).where(
            CareHome.engagement_start.is_not(None)
        )
        homes = [(id_, start, beds) for id_, start, beds in session.execute(engaged)]
        found, seconds = timed(lambda: demand_for(session, homes, last, settings))
    db.close()
    return seconds, len(found)


def run(force: Path) -> list[Result]:
    import pandas  # noqa: F401  (imported once, as a running window would have it)

    results = []
    for label, (first, last) in (("one month", MONTH), ("whole history", HISTORY)):
        with stage(f"stats for {label}"):
            ours = best_of(3, lambda first=first, last=last: _stats(force, first, last)[0])
            hand = best_of(3, lambda first=first, last=last: _by_hand(force, first, last)[0])
            _, figures = _stats(force, first, last)
            _, counts = _by_hand(force, first, last)
        assert counts == (figures["episodes"], figures["children"], figures["repeat_children"])
        note = f"{figures['episodes']:,} episodes, {len(figures['homes']):,} homes listed"  # type: ignore[arg-type]
        target = 5.0 if label == "one month" else None
        results.append(Result(f"stats, {label}: every figure", ours,
                              "one SQL count of episodes, children, repeats", hand,
                              target=target, note=note))  # fmt: skip
        if label == "one month":
            part = best_of(3, lambda last=last: _demand(force, last)[0])
            homes = f"{_demand(force, last)[1]:,} engaged homes, part of the line above"
            results.append(Result("stats, one month: of which homes' demand", part,
                                  "one SQL count of episodes, children, repeats", hand,
                                  note=homes))  # fmt: skip
    return results
