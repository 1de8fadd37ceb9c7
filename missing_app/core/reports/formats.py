"""How the pack writes numbers: one format per kind of figure, the same in every file.

Values come from `metrics.stats()` already rounded as METRICS.md says; these functions only
lay them out (1,234; 12.5%; £2,415.80; 1 h 17 min), so the pack shows exactly the figures of
`stats --json`. With small numbers suppressed, counts from 1 to 4 read `<5`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from missing_app.core.durations import duration_text, whole_minutes
from missing_app.core.times import local

Better = Literal["lower", "higher"] | None  # which way a figure is better
Kind = Literal["count", "decimal", "tenths", "pct", "hours", "minutes", "money", "ratio", "rate"]

DASH = "–"  # no value: a denominator of 0, or nothing recorded
SUPPRESSED = "<5"


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
    """A figure in the pack's format for its kind; times in the window's words (1 h 17 min)."""
    if value is None:
        return DASH
    if kind == "count":
        return count_text(int(value), suppress)
    if kind == "money":
        return money_text(value)
    if kind in DURATIONS:
        return duration_text(value * DURATIONS[kind])
    return _FORMATS[kind].format(value)


DURATIONS: dict[str, int] = {"hours": 3600, "minutes": 60}  # seconds in the figure's unit
_FORMATS: dict[str, str] = {
    "decimal": "{:,.2f}",
    "tenths": "{:,.1f}",
    "pct": "{:.1f}%",
    "ratio": "{:.3f}",
    "rate": "{:,.3f}",
}
# How a change of each kind reads: (its amount, the word when up, the word when down).
_CHANGE_WORDS: dict[str, tuple[str, str, str]] = {
    "count": ("{:,.0f}", "more", "fewer"),
    "decimal": ("{:,.2f}", "higher", "lower"),
    "tenths": ("{:,.1f}", "higher", "lower"),
    "pct": ("{:.1f} pts", "higher", "lower"),
    "hours": ("", "longer", "shorter"),
    "minutes": ("", "longer", "shorter"),
    "money": ("", "more", "less"),
    "ratio": ("{:.3f}", "higher", "lower"),
    "rate": ("{:,.3f}", "higher", "lower"),
}


def change_text(
    now: float | None, before: float | None, kind: Kind, better: Better = None, than: str = ""
) -> str:
    """How a figure moved, in words that survive black-and-white print: '2 fewer than
    Oct 2026 (better)', '4.2 pts lower (worse)', 'same as Oct 2026'; '–' when either value
    is missing. `better` says which way is better (None: neither)."""
    if now is None or before is None:
        return DASH
    difference = round(now - before, 2)
    amount = _amount_text(abs(difference), kind)
    if amount is None:
        return f"same as {than}" if than else "same"
    up = difference > 0
    words = _CHANGE_WORDS[kind][1 if up else 2]
    text = f"{amount} {words}" + (f" than {than}" if than else "")
    if better is None:
        return text
    return f"{text} ({'better' if up == (better == 'higher') else 'worse'})"


def _amount_text(size: float, kind: Kind) -> str | None:
    """The size of a change as the pack writes it; None when it reads as nothing."""
    if kind in DURATIONS:
        seconds = size * DURATIONS[kind]
        return None if whole_minutes(seconds) == 0 else duration_text(seconds)
    if size == 0:
        return None
    return money_text(size) if kind == "money" else _CHANGE_WORDS[kind][0].format(size)


def day_text(day: date | None) -> str:
    """'5 Oct 2025'."""
    return DASH if day is None else f"{day.day} {day:%b %Y}"


def moment_text(moment: datetime | None) -> str:
    """'5 Oct 2025 21:30' in London time."""
    if moment is None:
        return DASH
    shown = local(moment)
    return f"{day_text(shown.date())} {shown:%H:%M}"
