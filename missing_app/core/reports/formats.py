"""How the pack writes numbers: one format per kind of figure, the same in every file.

Values come from `metrics.stats()` already rounded as METRICS.md says; these functions only
lay them out (1,234; 12.5%; £2,415.80), so the pack shows exactly the figures of
`stats --json`. With small numbers suppressed, counts from 1 to 4 read `<5`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from missing_app.core.times import local

Kind = Literal["count", "decimal", "tenths", "pct", "hours", "minutes", "money", "ratio", "rate"]

DASH = "–"  # no value: a denominator of 0, or nothing recorded
SUPPRESSED = "<5"
UP, DOWN, SAME = "▲", "▼", "="


def is_small(value: float | None) -> bool:
    """A count the Department would not publish: 1 to 4."""
    return value is not None and 1 <= value <= 4


def count_text(value: int | None, suppress: bool = False) -> str:
    """'1,234'; '<5' for 1 to 4 when suppressing."""
    if value is None:
        return DASH
    return SUPPRESSED if suppress and is_small(value) else f"{value:,}"


def money_text(pounds: float | None) -> str:
    """'£2,415.80'; '-£331.18' when negative."""
    if pounds is None:
        return DASH
    return f"{'-' if pounds < 0 else ''}£{abs(pounds):,.2f}"


def value_text(value: float | None, kind: Kind, suppress: bool = False) -> str:
    """A figure in the pack's format for its kind."""
    if value is None:
        return DASH
    if kind == "count":
        return count_text(int(value), suppress)
    if kind == "money":
        return money_text(value)
    return _FORMATS[kind].format(value)


_FORMATS: dict[str, str] = {
    "decimal": "{:,.2f}",
    "tenths": "{:,.1f}",
    "pct": "{:.1f}%",
    "hours": "{:,.2f} h",
    "minutes": "{:,.1f} min",
    "ratio": "{:.3f}",
    "rate": "{:,.3f}",
}
_CHANGE_UNITS: dict[str, str] = {
    "count": "{:,.0f}",
    "decimal": "{:,.2f}",
    "tenths": "{:,.1f}",
    "pct": "{:.1f} pts",
    "hours": "{:,.2f} h",
    "minutes": "{:,.1f} min",
    "ratio": "{:.3f}",
    "rate": "{:,.3f}",
}


def change_text(now: float | None, before: float | None, kind: Kind) -> str:
    """'▲ 3', '▼ 4.2 pts', '= ', or '–' when either value is missing."""
    if now is None or before is None:
        return DASH
    difference = round(now - before, 2)
    if difference == 0:
        return SAME
    arrow = UP if difference > 0 else DOWN
    size = abs(difference)
    amount = money_text(size) if kind == "money" else _CHANGE_UNITS[kind].format(size)
    return f"{arrow}\u00a0{amount}"  # a no-break space: the arrow stays with its number


def day_text(day: date | None) -> str:
    """'5 Oct 2025'."""
    return DASH if day is None else f"{day.day} {day:%b %Y}"


def moment_text(moment: datetime | None) -> str:
    """'5 Oct 2025 21:30' in London time."""
    if moment is None:
        return DASH
    shown = local(moment)
    return f"{day_text(shown.date())} {shown:%H:%M}"
