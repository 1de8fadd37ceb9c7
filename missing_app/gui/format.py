"""How values read on screen: London times, durations, codes in words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from missing_app.core.durations import hours_text, span_text
from missing_app.core.times import local

RISK_WORDS = {"no_apparent_risk": "No apparent risk", "low": "Low", "medium": "Medium",
              "high": "High"}  # fmt: skip
RETURN_WORDS = {"self": "Returned by self", "found_by_police": "Found by police",
                "found_by_carer": "Found by carer", "other": "Other"}  # fmt: skip


def when(moment: datetime | None) -> str:
    """`Sat 01/11/2025 21:30` in London time; blank for None."""
    return "" if moment is None else f"{local(moment):%a %d/%m/%Y %H:%M}"


def day(value: date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def span(delta: timedelta) -> str:
    """A length of time as a person says it: `3 d 4 h`, `5 h 20 min`, `12 min` (the core's
    one rule for durations, `core.durations`)."""
    return span_text(delta)


def hours(value: float | None) -> str:
    """A duration in hours (a query's or a figure's) in the same words; blank for None."""
    return hours_text(value)


def risk(code: str | None) -> str:
    return RISK_WORDS.get(code or "", "")


def words(code: str | None) -> str:
    """A code as words: `found_by_police` -> `Found by police`."""
    return (code or "").replace("_", " ").capitalize()


def cell(value: Any) -> str:
    """The default rendering of a table cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)
