"""Domain rules shared by the forms and the imports: codes, checks, Merseyside practice.

Every check returns `Problem`s worded for a PCSO; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from missing_app.core.errors import Problem
from missing_app.core.models import RETURN_METHODS, RISK_GRADES, SEXES
from missing_app.core.times import age_on, local, local_date, local_midnight

# Merseyside practice: a child aged 13 or under is always recorded missing, never absent.
ALWAYS_MISSING_UP_TO_AGE = 13

_TYPE_CODES = {"missing": "missing", "m": "missing", "absent": "absent", "a": "absent"}
_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False}
_YES_NO |= {"false": False, "0": False}


class CodeError(ValueError):
    """A value that is not one of the codes a field allows."""


def _choice(text: str, allowed: Sequence[str], what: str) -> str:
    value = text.strip().lower()
    if value in allowed:
        return value
    raise CodeError(f"'{text}' is not a known {what} (use {', '.join(allowed)})")


def episode_type(text: str) -> str:
    """'missing' or 'absent' from the words or the SSDA903 codes M and A."""
    value = _TYPE_CODES.get(text.strip().lower())
    if value is None:
        raise CodeError(f"'{text}' is not an episode type (use missing or absent, M or A)")
    return value


def risk_grade(text: str) -> str:
    return _choice(text.replace(" ", "_"), RISK_GRADES, "risk grade")


def return_method(text: str) -> str:
    return _choice(text.replace(" ", "_"), RETURN_METHODS, "return method")


def sex(text: str) -> str:
    value = text.strip().upper()
    if value not in SEXES:
        raise CodeError(f"'{text}' is not a sex code (use M, F or U)")
    return value


def yes_no(text: str) -> bool:
    value = _YES_NO.get(text.strip().lower())
    if value is None:
        raise CodeError(f"'{text}' is not yes or no")
    return value


class EpisodeFacts(NamedTuple):
    """What the episode rules need to know about one episode and its child."""

    last_seen_at: datetime
    type: str = "missing"
    risk: str | None = None
    reported_at: datetime | None = None
    returned_at: datetime | None = None
    safe_and_well_at: datetime | None = None
    dob: date | None = None
    exploitation_flag: str | None = None  # 'CSE' or 'CCE' when flagged on the day


def _when(moment: datetime) -> str:
    return f"{local(moment):%d/%m/%Y %H:%M}"


def future_time(moment: datetime, now: datetime) -> str:
    """Why `moment` is refused, naming it and the time now, both in London time."""
    return f"{_when(moment)} is in the future (it is now {_when(now)})"


def future_day(day: date, today: date) -> str:
    return f"{day:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y})"


def check_episode(facts: EpisodeFacts, now: datetime) -> list[Problem]:
    """The errors and warnings of one episode on its own (overlaps are checked apart)."""
    problems: list[Problem] = []
    seen = facts.last_seen_at
    if seen > now:
        problems.append(Problem("last_seen_at", future_time(seen, now)))
    if facts.dob is not None and seen < _midnight(facts.dob):
        problems.append(
            Problem(
                "last_seen_at", f"{_when(seen)} is before the date of birth {facts.dob:%d/%m/%Y}"
            )
        )
    if facts.returned_at is not None:
        if facts.returned_at < seen:
            problems.append(
                Problem(
                    "returned_at", f"{_when(facts.returned_at)} is before last seen {_when(seen)}"
                )
            )
        elif facts.returned_at > now:
            problems.append(Problem("returned_at", future_time(facts.returned_at, now)))
    problems.extend(merseyside_warnings(facts))
    if facts.reported_at is not None and facts.reported_at < seen:
        problems.append(
            Problem(
                "reported_at",
                f"reported {_when(facts.reported_at)}, before last seen {_when(seen)}",
                "warning",
            )
        )
    return problems


_midnight = lru_cache(maxsize=1 << 16)(local_midnight)


def merseyside_warnings(facts: EpisodeFacts) -> list[Problem]:
    """Merseyside practice: 13 and under is always missing; CSE/CCE flags are high risk."""
    warnings: list[Problem] = []
    if facts.type == "absent" and facts.dob is not None:
        age = age_on(facts.dob, local_date(facts.last_seen_at))
        if age <= ALWAYS_MISSING_UP_TO_AGE:
            warnings.append(
                Problem(
                    "type",
                    f"absent, but the child was {age} on the day: Merseyside records every "
                    f"child aged {ALWAYS_MISSING_UP_TO_AGE} or under as missing",
                    "warning",
                )
            )
    if facts.exploitation_flag and facts.risk != "high":
        graded = (facts.risk or "ungraded").replace("_", " ")
        warnings.append(
            Problem(
                "risk",
                f"graded {graded}, but the child has a {facts.exploitation_flag} flag: "
                "Merseyside records such a child as missing at high risk",
                "warning",
            )
        )
    return warnings


class Span(NamedTuple):
    """An episode's time away, for the overlap check: open while `end` is None."""

    key: object
    start: datetime
    end: datetime | None


def overlaps(spans: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Pairs (earlier, later) of one child's spans where the later starts before the earlier
    ended, or while it is still open; ending the same minute the next starts is fine."""
    ordered = sorted(spans, key=lambda span: span.start)
    pairs: list[tuple[Span, Span]] = []
    latest: Span | None = None  # the span reaching furthest so far
    for span in ordered:
        if latest is not None and (latest.end is None or span.start < latest.end):
            pairs.append((latest, span))
        if latest is None or _reaches_further(span, latest):
            latest = span
    return pairs


def _reaches_further(span: Span, than: Span) -> bool:
    return than.end is not None and (span.end is None or span.end > than.end)


def overlap_message(span: Span, other_start: datetime, other_end: datetime | None) -> str:
    """Say how `span` clashes with another episode of the same child."""
    other = f"the episode last seen {_when(other_start)}"
    if other_start < span.start:
        if other_end is None:
            return f"starts while {other} is still open"
        return f"starts before {other} ended ({_when(other_end)})"
    if span.end is None:
        return f"is still open when {other} begins"
    return f"ends ({_when(span.end)}) after {other} began"


def dates_overlap(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    """Whether two placements overlap: each runs from its start up to the day before its end
    (open-ended while the end is None), so one ending the day the next starts is fine."""
    return (end is None or other_start < end) and (other_end is None or start < other_end)
