"""The one rule for showing a duration: nearest whole minute, then minutes, hours, days."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from missing_app.core.durations import duration_text, hours_text, minutes_text, span_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 min"),
        (29, "0 min"),
        (59, "1 min"),
        (60, "1 min"),
        (89, "1 min"),
        (91, "2 min"),
        (59 * 60 + 29, "59 min"),
        (59 * 60 + 31, "1 h 00 min"),
        (61 * 60 + 59, "1 h 02 min"),
        (77 * 60, "1 h 17 min"),
        (23 * 3600 + 59 * 60 + 40, "1 d 0 h"),
        (2 * 86400 + 3 * 3600 + 59 * 60, "2 d 3 h"),
        (-(61 * 60 + 59), "-1 h 02 min"),
    ],
)
def test_a_duration_reads_in_whole_minutes(seconds: float, shown: str) -> None:
    assert duration_text(seconds) == shown
    assert span_text(timedelta(seconds=seconds)) == shown


def test_every_form_of_77_minutes_reads_the_same() -> None:
    """An exact difference, SQLite's julianday difference and stats()' 2-decimal hours."""
    texts = {
        span_text(timedelta(minutes=77)),
        hours_text(julianday_hours("21:30", "22:47")),
        hours_text(round(77 / 60, 2)),  # 1.28 h, as stats() rounds it
        minutes_text(77.0),
    }
    assert texts == {"1 h 17 min"}
    assert hours_text(None) == "" and minutes_text(None, "–") == "–"


def julianday_hours(earlier: str, later: str) -> float:
    """Hours between two times of one day as the Episodes table's SQL works them out."""
    sql = "SELECT (julianday(?) - julianday(?)) * 24"
    day = "2026-01-01 "
    return float(
        sqlite3.connect(":memory:").execute(sql, (day + later, day + earlier)).fetchone()[0]
    )


def test_whole_minutes_from_sqlite_read_as_whole_minutes() -> None:
    """SQLite's float differences sit a hair either side of the minute: none may lose one."""
    for minutes in range(1, 600):
        hours, past = divmod(minutes, 60)
        shown = hours_text(julianday_hours("10:00", f"{10 + hours:02d}:{past:02d}"))
        assert shown == span_text(timedelta(minutes=minutes)), minutes
