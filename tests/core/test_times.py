from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from missing_app.core.times import (
    TimeError,
    age_on,
    from_storage,
    local_day_range,
    parse_datetime,
    to_storage,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-01 18:30", utc(2025, 7, 1, 17, 30)),  # BST
        ("2025-12-01T18:30", utc(2025, 12, 1, 18, 30)),  # GMT
        ("2025-12-01 18:30:15", utc(2025, 12, 1, 18, 30, 15)),
        ("2025-10-26 00:30", utc(2025, 10, 25, 23, 30)),  # before the repeated hour
        ("2025-10-26 01:30", utc(2025, 10, 26, 0, 30)),  # repeated hour: the first (BST)
        ("2025-10-26 02:30", utc(2025, 10, 26, 2, 30)),  # after: GMT
        ("2025-10-26T01:30+00:00", utc(2025, 10, 26, 1, 30)),  # the second, by its offset
        ("2025-03-30 00:59", utc(2025, 3, 30, 0, 59)),
        ("2025-03-30 02:00", utc(2025, 3, 30, 1, 0)),
        ("2025-06-01T10:00Z", utc(2025, 6, 1, 10, 0)),
    ],
)
def test_parse_datetime_reads_london_time(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2025-03-30 01:00", "2025-03-30 01:30", "2025-03-30T01:59"])
def test_the_hour_skipped_in_spring_is_an_error(text: str) -> None:
    with pytest.raises(TimeError, match="does not exist in UK time"):
        parse_datetime(text)


@pytest.mark.parametrize("text", ["26/10/2025 01:30", "2025-10-26 25:00", "yesterday", ""])
def test_unparseable_datetimes_say_so(text: str) -> None:
    with pytest.raises(TimeError, match="is not a date-time"):
        parse_datetime(text)


def test_storage_is_sortable_utc_text_and_round_trips() -> None:
    moment = parse_datetime("2025-10-26 01:30")
    assert to_storage(moment) == "2025-10-26 00:30:00"
    assert from_storage(to_storage(moment)) == moment
    with pytest.raises(TypeError):
        to_storage(datetime(2025, 1, 1))


def test_a_london_day_across_the_autumn_change_lasts_25_hours() -> None:
    start, end = local_day_range(date(2025, 10, 26), date(2025, 10, 26))
    assert (end - start).total_seconds() == 25 * 3600


def test_age_on_the_day() -> None:
    assert age_on(date(2012, 5, 10), date(2025, 5, 9)) == 12
    assert age_on(date(2012, 5, 10), date(2025, 5, 10)) == 13


def test_a_bare_date_reads_as_london_midnight() -> None:
    from missing_app.core.times import parse_datetime

    assert parse_datetime("2025-07-01") == datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert parse_datetime("2025-12-01") == datetime(2025, 12, 1, 0, 0, tzinfo=UTC)
