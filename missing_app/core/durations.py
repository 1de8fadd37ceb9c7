"""How a length of time reads, everywhere: the window's pages, the charts and the pack.

One rule, so that the same episode never reads a minute apart on two pages: a duration is
first rounded to the nearest whole minute (Python's `round`, as METRICS.md rounds), then
written as `12 min`, `1 h 05 min` or, from a day on, `2 d 3 h` (the hours it has begun).

Rounding, not cutting off the seconds, because the values arrive in several forms: exact
time differences, SQLite's `julianday` differences (a 77-minute episode comes back as
76.99999... minutes) and figures already rounded to 2 decimals of an hour by `stats()`
(77 minutes is 1.28 h, 76.8 minutes). Each of these rounds to the same minute; cutting off
would show 76 for two of them.
"""

from __future__ import annotations

from datetime import timedelta

MINUTES_IN_DAY = 24 * 60


def whole_minutes(seconds: float) -> int:
    """The nearest whole number of minutes to `seconds`."""
    return round(seconds / 60)


def duration_text(seconds: float) -> str:
    """`seconds` as a person says it: `59 min`, `1 h 05 min`, `3 d 4 h`; `-12 min` when
    negative."""
    minutes = whole_minutes(seconds)
    sign = "-" if minutes < 0 else ""
    days, rest = divmod(abs(minutes), MINUTES_IN_DAY)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def span_text(delta: timedelta) -> str:
    """A time difference in the words of `duration_text`."""
    return duration_text(delta.total_seconds())


def hours_text(hours: float | None, missing: str = "") -> str:
    """A figure in hours (`median_duration_hours`) in the words of `duration_text`."""
    return missing if hours is None else duration_text(hours * 3600)


def minutes_text(minutes: float | None, missing: str = "") -> str:
    """A figure in minutes (`median_minutes_to_report`) in the words of `duration_text`."""
    return missing if minutes is None else duration_text(minutes * 60)
