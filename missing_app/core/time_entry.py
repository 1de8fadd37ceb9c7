"""What people type into a date or a date-time field, read as London time, and said back in
words so they can see what was understood.

A date-time is a date, then a time, or a time alone (today), or `now`:

    23:15, 9:05, 9.05, 9pm, 9:30am   a time today (and 2315 when typed on its own)
    yesterday 21:30, today 09:00     a day by name, then the time (tomorrow too)
    06/12 23:15, 6/12/26 9:05        day/month[/year], then the time (also with - or .)
    06/12/2026 23:15, 2026-12-06 23:15
    Sat 6 Dec 2026, 23:15            as it is said back, so it can be typed back

A date alone (date fields) takes the same date forms, and ddmmyyyy (06122026).
A year left out means the nearest such day to today (06/12 typed on 2 January is last
December; 15/01 typed on 20 December is next January); a two-digit year is 20yy.
The skipped spring hour is refused and the repeated autumn hour is the first (BST), both as
`times.from_local` decides for every London time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from missing_app.core.times import TimeError, from_local, local, local_date

DATE_TIME_EXAMPLES = "try 23:15 or 06/12 23:15"
DATE_EXAMPLES = "try 06/12/2026, 6/12 or today"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")  # fmt: skip
NAMED_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}
WEEKDAY = r"(?:(?P<weekday>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s+)?"

_TIME = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>am|pm)?")
_BARE_TIME = re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})")  # 2315, only on its own
_NUMERIC = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{4}|\d{2}))?")
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_EIGHT_DIGITS = re.compile(r"(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})")
_WORDS = re.compile(
    WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]{3,})\.?(?:\s+(?P<year>\d{4}))?"
)


def read_moment(text: str, now: datetime) -> datetime:
    """The aware UTC instant `text` names in London time; TimeError saying what is wrong."""
    clean = _normal(text)
    if not clean:
        raise TimeError(f"give a date and time: {DATE_TIME_EXAMPLES}")
    if clean == "now":
        return now.replace(second=0, microsecond=0)
    day_text, clock = _split_time(clean)
    if clock is None:
        if _date_or_none(clean, local_date(now)) is not None:
            raise TimeError(f"add the time after the date: try {text.strip()} 23:15")
        raise TimeError(f"not a date and time: {DATE_TIME_EXAMPLES}")
    day = _date_or_none(day_text, local_date(now)) if day_text else local_date(now)
    if day is None:
        raise TimeError(f"not a date and time: {DATE_TIME_EXAMPLES}")
    hour, minute = clock
    return from_local(datetime(day.year, day.month, day.day, hour, minute))


def read_day(text: str, today: date) -> date:
    """The calendar date `text` names; TimeError saying what is wrong."""
    clean = _normal(text)
    if not clean:
        raise TimeError(f"give a date: {DATE_EXAMPLES}")
    day = _date_or_none(clean, today) or _eight_digits(clean, today)
    if day is None:
        raise TimeError(f"not a date: {DATE_EXAMPLES}")
    return day


def say_moment(moment: datetime) -> str:
    """In words, in London time: 'Sat 6 Dec 2026, 23:15' (the repeated autumn hour says which)."""
    shown = local(moment)
    words = f"{say_day(shown.date())}, {shown:%H:%M}"
    if _in_repeated_hour(shown.replace(tzinfo=None)):
        words += f" ({'the first, BST' if shown.dst() else 'the second, GMT'})"
    return words


def say_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def entry_text(moment: datetime) -> str:
    """How a date-time field shows a stored instant: 06/12/2026 23:15, London time."""
    return f"{local(moment):%d/%m/%Y %H:%M}"


def day_text(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# Reading the parts ---------------------------------------------------------------------------


def _normal(text: str) -> str:
    clean = " ".join(text.lower().replace(",", " ").split())
    return re.sub(r"(\d) (am|pm)\b", r"\1\2", clean)  # "9 pm" is one word, "9pm"


def _split_time(clean: str) -> tuple[str, tuple[int, int] | None]:
    """(the date text, (hour, minute)): the time is the last word, or the first; None if
    neither is a time (a bare number is a time only as 2315 on its own)."""
    bare = _BARE_TIME.fullmatch(clean)
    if bare:
        return "", _clock(bare["hour"], bare["minute"], None)
    words = clean.split(" ")
    for at, rest in ((-1, words[:-1]), (0, words[1:])):
        found = _TIME.fullmatch(words[at])
        if found and (found["minute"] or found["half"]):
            return " ".join(rest), _clock(found["hour"], found["minute"], found["half"])
    return clean, None


def _clock(hour_text: str, minute_text: str | None, half: str | None) -> tuple[int, int]:
    hour, minute = int(hour_text), int(minute_text or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            raise TimeError(f"{hour}{half} is not a time of day")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimeError(f"{hour_text}:{minute_text or '00'} is not a time of day")
    return hour, minute


def _date_or_none(clean: str, today: date) -> date | None:
    if clean in NAMED_DAYS:
        return today + timedelta(days=NAMED_DAYS[clean])
    for pattern in (_ISO, _NUMERIC, _WORDS):
        found = pattern.fullmatch(clean)
        if found:
            month = _month(found["month"])
            if month is None:
                return None
            day = _day(int(found["day"]), month, found["year"], today)
            weekday = found.groupdict().get("weekday")
            if weekday and f"{day:%a}".lower() != weekday:  # a slip in the day or the name
                raise TimeError(f"{day.day} {day:%b %Y} is a {day:%A}")
            return day
    return None


def _eight_digits(clean: str, today: date) -> date | None:
    found = _EIGHT_DIGITS.fullmatch(clean)
    if found is None:
        return None
    return _day(int(found["day"]), int(found["month"]), found["year"], today)


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    named = [number for number, name in enumerate(MONTHS, 1) if name.startswith(text)]
    return named[0] if len(named) == 1 else None


def _day(day: int, month: int, year_text: str | None, today: date) -> date:
    if not 1 <= month <= 12:
        raise TimeError(f"{month} is not a month: use day/month, e.g. 06/12")
    if year_text is None:
        return _nearest(day, month, today)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeError(f"there is no {day} {MONTHS[month - 1].title()} {year}") from None


def _nearest(day: int, month: int, today: date) -> date:
    """The day/month nearest `today`: this year's, last year's or next year's."""
    found = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            found.append(date(year, month, day))
        except ValueError:  # 29 February in some of the years
            continue
    if not found:
        raise TimeError(f"there is no {day} {MONTHS[month - 1].title()}")
    return min(found, key=lambda candidate: abs(candidate - today))


def _in_repeated_hour(naive: datetime) -> bool:
    """True for a wall-clock time London shows twice (the hour the clocks go back)."""
    return local(from_local(naive) + timedelta(hours=1)).replace(tzinfo=None) == naive
