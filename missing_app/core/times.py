"""Time: stored in UTC, shown and entered in Europe/London local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class TimeError(ValueError):
    """A date or time that cannot be accepted, with a message saying why."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_storage(moment: datetime) -> str:
    """Render an aware date-time as the sortable UTC text kept in the database."""
    if moment.tzinfo is None:
        raise TypeError("a naive date-time cannot be stored; give it a time zone")
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return text


def from_storage(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def from_local(naive: datetime) -> datetime:
    """Read a wall-clock London time: the first of a repeated hour; a skipped hour is an error."""
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
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimeError(f"'{text}' is not a date-time (use YYYY-MM-DD HH:MM)") from None
    if parsed.tzinfo is None:
        return from_local(parsed)
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
