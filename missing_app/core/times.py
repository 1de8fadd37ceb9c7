"""Time: stored in UTC, shown and entered in Europe/London local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class TimeError(ValueError):
    """A date or time that cannot be accepted, with a message saying why."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_storage(moment: datetime) -> str:
    """Render an aware date-time as the sortable UTC text kept in the database."""
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise TypeError("a naive date-time cannot be stored; give it a time zone")
        moment = moment.astimezone(UTC)
    return moment.isoformat(sep=" ")[:-6]  # without the "+00:00"


def from_storage(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HOUR = timedelta(hours=1)


@cache
def _summer_time(year: int) -> tuple[datetime, datetime] | None:
    """The naive local bounds of British Summer Time in `year`, checked against the zone
    database: from the start of the skipped hour to the end of the repeated one. None when
    the year does not follow the modern rule (last Sundays of March and October, 01:00 UTC)."""

    def last_sunday(month: int) -> datetime:
        day = datetime(year, month, 31)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    starts = last_sunday(3) + HOUR  # 01:00 GMT becomes 02:00 BST
    ends = last_sunday(10) + 2 * HOUR  # 02:00 BST becomes 01:00 GMT
    probes = {starts - HOUR: 0, starts + HOUR: 1, ends - 2 * HOUR: 1, ends: 0}
    for moment, hours in probes.items():
        if moment.replace(tzinfo=LONDON).utcoffset() != hours * HOUR:
            return None
    return starts, ends


def from_local(naive: datetime) -> datetime:
    """Read a wall-clock London time: the first of a repeated hour; a skipped hour is an error."""
    return _from_local_text(naive, naive.isoformat())


def _from_local_text(naive: datetime, text: str) -> datetime:
    """`from_local`, given the ISO text of `naive` too (parsing it with an offset is the
    fastest way to an aware date-time, which matters at a million rows)."""
    bounds = _summer_time(naive.year)
    if bounds is not None:  # the fast path, for every year the modern rule holds
        starts, ends = bounds
        if naive < starts or naive >= ends:
            return datetime.fromisoformat(text + "+00:00")
        if naive >= starts + HOUR:
            return datetime.fromisoformat(text + "+00:00") - HOUR
    return _from_local_by_zone(naive)


def _from_local_by_zone(naive: datetime) -> datetime:
    first = naive.replace(tzinfo=LONDON, fold=0)
    second = naive.replace(tzinfo=LONDON, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before is not None and after is not None and before < after:
        raise TimeError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in UK time (the clocks go forward that hour)"
        )
    return first.astimezone(UTC)


def parse_datetime(text: str) -> datetime:
    """Parse ISO 8601 (`T` or space, seconds optional); without an offset it is London time."""
    clean = text.strip()
    try:
        parsed = datetime.fromisoformat(clean)
    except ValueError:
        raise TimeError(f"'{text}' is not a date-time (use YYYY-MM-DD HH:MM)") from None
    if parsed.tzinfo is None:
        # A bare date reads as 00:00; the fast path needs the full date-time text for that.
        return _from_local_text(parsed, clean if len(clean) > 10 else parsed.isoformat())
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise TimeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def local_midnight(day: date) -> datetime:
    """The UTC instant at which the London calendar day `day` begins."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def local_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The half-open UTC interval covering London days `first` to `last` inclusive."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def age_on(dob: date, day: date) -> int:
    """Age in whole years on `day` (a 29 February birthday counts from 1 March)."""
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years
