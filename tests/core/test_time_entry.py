"""What people type into date and date-time fields, read as London time (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from missing_app.core.time_entry import read_day, read_moment, say_day, say_moment
from missing_app.core.times import TimeError

# Sunday 6 December 2026, 22:40 in London (GMT, so UTC is the same).
NOW = datetime(2026, 12, 6, 22, 40, 31, tzinfo=UTC)
TODAY = date(2026, 12, 6)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:15", utc(2026, 12, 6, 23, 15)),
        ("9:05", utc(2026, 12, 6, 9, 5)),
        ("9.05", utc(2026, 12, 6, 9, 5)),
        ("2315", utc(2026, 12, 6, 23, 15)),
        ("0905", utc(2026, 12, 6, 9, 5)),
        ("9pm", utc(2026, 12, 6, 21, 0)),
        ("9:30 am", utc(2026, 12, 6, 9, 30)),
        ("12am", utc(2026, 12, 6, 0, 0)),
        ("12pm", utc(2026, 12, 6, 12, 0)),
        ("now", utc(2026, 12, 6, 22, 40)),
        ("  NOW ", utc(2026, 12, 6, 22, 40)),
        ("yesterday 21:30", utc(2026, 12, 5, 21, 30)),
        ("Yesterday, 21:30", utc(2026, 12, 5, 21, 30)),
        ("21:30 yesterday", utc(2026, 12, 5, 21, 30)),
        ("today 09:00", utc(2026, 12, 6, 9, 0)),
        ("06/12 23:15", utc(2026, 12, 6, 23, 15)),
        ("6/12/26 9:05", utc(2026, 12, 6, 9, 5)),
        ("06/12/2026 23:15", utc(2026, 12, 6, 23, 15)),
        ("6-12-2026 23:15", utc(2026, 12, 6, 23, 15)),
        ("6.12.2026 23:15", utc(2026, 12, 6, 23, 15)),
        ("2026-12-06 23:15", utc(2026, 12, 6, 23, 15)),
        ("Sun 6 Dec 2026, 23:15", utc(2026, 12, 6, 23, 15)),  # as it is said back
        ("6 december 23:15", utc(2026, 12, 6, 23, 15)),
        ("1/7/2026 18:30", utc(2026, 7, 1, 17, 30)),  # summer: BST is UTC+1
        ("26/10/2025 01:30", utc(2025, 10, 26, 0, 30)),  # the repeated hour: the first (BST)
    ],
)
def test_each_accepted_form_of_a_date_and_time(text: str, expected: datetime) -> None:
    assert read_moment(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("06/12", date(2027, 1, 2), date(2026, 12, 6)),  # early January: last December
        ("15/01", date(2026, 12, 20), date(2027, 1, 15)),  # late December: next January
        ("06/12", TODAY, TODAY),
        ("29/02", date(2028, 3, 1), date(2028, 2, 29)),  # only a leap year has one
    ],
)
def test_a_day_without_its_year_is_the_nearest_such_day(
    text: str, today: date, expected: date
) -> None:
    assert read_day(text, today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/12/2026", date(2026, 12, 6)),
        ("6/12", date(2026, 12, 6)),
        ("6/12/26", date(2026, 12, 6)),
        ("today", TODAY),
        ("yesterday", date(2026, 12, 5)),
        ("tomorrow", date(2026, 12, 7)),
        ("06122026", date(2026, 12, 6)),
        ("2026-12-06", date(2026, 12, 6)),
        ("Sun 6 Dec 2026", date(2026, 12, 6)),
        ("1st March 2011", date(2011, 3, 1)),
    ],
)
def test_each_accepted_form_of_a_date(text: str, expected: date) -> None:
    assert read_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give a date and time: try 23:15 or 06/12 23:15"),
        ("soon", "not a date and time: try 23:15 or 06/12 23:15"),
        ("06/12/2026 23:15 x", "not a date and time: try 23:15 or 06/12 23:15"),
        ("23", "not a date and time: try 23:15 or 06/12 23:15"),
        ("yesterday", "add the time after the date: try yesterday 23:15"),
        ("06/12/2026", "add the time after the date: try 06/12/2026 23:15"),
        ("25:00", "25:00 is not a time of day"),
        ("13pm", "13pm is not a time of day"),
        ("31/02/2026 10:00", "there is no 31 February 2026"),
        ("Sat 6 Dec 2026 10:00", "6 Dec 2026 is a Sunday"),
        ("12/31 10:00", "31 is not a month: use day/month, e.g. 06/12"),
        ("30/03/2025 01:30", "2025-03-30 01:30 does not exist in UK time"),  # spring forward
    ],
)
def test_what_cannot_be_read_says_why(text: str, message: str) -> None:
    with pytest.raises(TimeError, match="^" + message):
        read_moment(text, NOW)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give a date: try 06/12/2026, 6/12 or today"),
        ("23:15", "not a date: try 06/12/2026, 6/12 or today"),
        ("31/02/2010", "there is no 31 February 2010"),
        ("6 ju 2026", "not a date: try 06/12/2026, 6/12 or today"),  # June or July?
    ],
)
def test_what_is_not_a_date_says_why(text: str, message: str) -> None:
    with pytest.raises(TimeError, match="^" + message):
        read_day(text, TODAY)


def test_what_was_understood_is_said_in_words_in_london_time() -> None:
    assert say_moment(utc(2026, 12, 6, 23, 15)) == "Sun 6 Dec 2026, 23:15"
    assert say_moment(utc(2026, 7, 1, 17, 30)) == "Wed 1 Jul 2026, 18:30"
    assert say_moment(utc(2025, 10, 26, 0, 30)) == "Sun 26 Oct 2025, 01:30 (the first, BST)"
    assert say_moment(utc(2025, 10, 26, 1, 30)) == "Sun 26 Oct 2025, 01:30 (the second, GMT)"
    assert say_day(date(2026, 12, 6)) == "Sun 6 Dec 2026"


def test_what_is_said_back_reads_back_the_same() -> None:
    moment = utc(2026, 3, 1, 7, 5)
    assert read_moment(say_moment(moment), NOW) == moment
