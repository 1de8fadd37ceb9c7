from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from missing_app.core import rules
from missing_app.core.rules import EpisodeFacts, Span, check_episode, overlaps

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


def test_codes_accept_words_and_ssda903_letters() -> None:
    assert rules.episode_type("M") == "missing"
    assert rules.episode_type("absent") == "absent"
    assert rules.risk_grade("No apparent risk") == "no_apparent_risk"
    assert rules.yes_no("Yes") is True
    with pytest.raises(rules.CodeError, match="not a known risk grade"):
        rules.risk_grade("severe")


def test_ending_the_same_minute_the_next_starts_is_fine() -> None:
    assert overlaps([Span(1, at(1, 20), at(2, 8)), Span(2, at(2, 8), at(2, 10))]) == []


def test_starting_before_the_previous_ended_overlaps() -> None:
    first, second = Span(1, at(1, 20), at(2, 8)), Span(2, at(2, 7, 59), at(2, 10))
    assert overlaps([second, first]) == [(first, second)]


def test_starting_while_the_previous_is_open_overlaps() -> None:
    first, second = Span(1, at(1, 20), None), Span(2, at(5, 20), at(5, 22))
    assert overlaps([first, second]) == [(first, second)]


def test_a_long_episode_overlaps_every_one_inside_it() -> None:
    long = Span(1, at(1, 0), at(9, 0))
    inner = [Span(2, at(2, 0), at(2, 1)), Span(3, at(3, 0), at(3, 1))]
    assert overlaps([long, *inner]) == [(long, inner[0]), (long, inner[1])]


def test_merseyside_warnings() -> None:
    young_absent = EpisodeFacts(at(1, 20), type="absent", dob=date(2011, 11, 2), risk="high")
    [warning] = check_episode(young_absent, NOW)
    assert warning.severity == "warning" and "was 13 on the day" in warning.message
    older = EpisodeFacts(at(1, 20), type="absent", dob=date(2011, 11, 1), risk="high")
    assert check_episode(older, NOW) == []
    flagged = EpisodeFacts(at(1, 20), risk="medium", dob=date(2010, 1, 1), exploitation_flag="CCE")
    [warning] = check_episode(flagged, NOW)
    assert warning.field == "risk" and "CCE flag" in warning.message


def test_episode_errors() -> None:
    facts = EpisodeFacts(at(20, 20), returned_at=at(1, 1), dob=date(2026, 1, 1))
    fields = {(p.field, p.severity) for p in check_episode(facts, NOW)}
    assert fields == {("last_seen_at", "error"), ("returned_at", "error")}
    messages = " ".join(p.message for p in check_episode(facts, NOW))
    assert "in the future" in messages and "before the date of birth" in messages


def test_a_time_in_the_future_is_named_with_the_time_now_in_london_time() -> None:
    summer_now = datetime(2025, 7, 1, 16, 0, tzinfo=UTC)  # 17:00 BST
    facts = EpisodeFacts(datetime(2025, 7, 1, 17, 30, tzinfo=UTC))
    [problem] = check_episode(facts, summer_now)
    assert (problem.field, problem.message) == (
        "last_seen_at",
        "01/07/2025 18:30 is in the future (it is now 01/07/2025 17:00)",
    )
    back = EpisodeFacts(at(15, 9), returned_at=at(15, 12, 5))
    [problem] = check_episode(back, NOW)
    assert (problem.field, problem.message) == (
        "returned_at",
        "15/11/2025 12:05 is in the future (it is now 15/11/2025 12:00)",
    )
