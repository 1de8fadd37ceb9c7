"""The headline figures of the Insights page: which figures, how each reads (42, 6 h 39 min,
63.2%, £9,663.20) and how its change on the period before is put in words, and the tile that
shows one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from missing_app.core.durations import hours_text, whole_minutes
from missing_app.core.metrics import Settings

COUNT, HOURS, PERCENT, MONEY = "count", "hours", "percent", "money"


@dataclass(frozen=True)
class TileSpec:
    """A headline figure: its key in `stats()`, its caption (which may name the settings:
    {n}, {d}, {rhi}, {cost}) and how its value reads."""

    key: str
    label: str
    kind: str

    def caption(self, settings: Settings) -> str:
        return self.label.format(
            n=settings.repeat_threshold,
            d=settings.repeat_window_days,
            rhi=f"{settings.rhi_window_hours:g}",
            cost=f"£{settings.unit_cost:,.2f}",
        )


TILES = (
    TileSpec("episodes", "Episodes (missing and absent)", COUNT),
    TileSpec("children", "Children who went missing or absent", COUNT),
    TileSpec("repeat_children", "Repeat children: 2 or more episodes", COUNT),
    TileSpec("triggered_children", "Children who reached {n} episodes in {d} days", COUNT),
    TileSpec("median_duration_hours", "Median time away, of those returned", HOURS),
    TileSpec("rhi_completed_72h_pct", "Returns with the RHI completed within {rhi} hours", PERCENT),
    TileSpec("police_ref_pct", "Episodes with a police reference", PERCENT),
    TileSpec("cost_estimate", "Estimated cost, at {cost} an episode", MONEY),
)
NOTHING = "–"  # a figure with nothing to measure (no returns, no episodes)


def figure_text(kind: str, value: float | None) -> str:
    """A figure as `stats --json` gives it, in a person's units: 42, 6 h 39 min, 63.2%,
    £9,663.20."""
    if value is None:
        return NOTHING
    if kind == HOURS:
        return hours_text(value)
    if kind == PERCENT:
        return f"{value:.1f}%"
    if kind == MONEY:
        return f"£{value:,.2f}"
    return f"{value:,}"


def change_amount(
    kind: str, now: float | None, before: float | None, points: str = "points"
) -> str:
    """How much a figure moved: +5, -1 h 12 min, +4.1 points, +£2,415.80; blank when either
    period has nothing to measure."""
    if now is None or before is None:
        return ""
    change = now - before
    sign = "-" if change < 0 else "+"
    if kind == HOURS:
        return f"{sign}{hours_text(abs(change))}"
    if kind == PERCENT:
        return f"{sign}{abs(change):.1f} {points}"
    if kind == MONEY:
        return f"{sign}£{abs(change):,.2f}"
    return f"{sign}{abs(int(change)):,}"


def change_text(kind: str, now: float | None, before: float | None, days: int) -> str:
    """`+5 on the previous 30 days`, or why there is nothing to compare."""
    if now is None:
        return "nothing to measure in this period"
    if before is None:
        return f"nothing to compare in the previous {days} days"
    same_minute = kind == HOURS and whole_minutes((now - before) * 3600) == 0
    if now == before or same_minute:  # a time reads in whole minutes: '+0 min' is no change
        return f"no change on the previous {days} days"
    return f"{change_amount(kind, now, before)} on the previous {days} days"


class Tile(QFrame):
    """One headline figure: the value, what it is, and its change on the period before."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.value = QLabel("…")
        self.value.setObjectName("tileValue")
        self.label = QLabel(label)
        self.label.setObjectName("tileLabel")
        self.label.setWordWrap(True)
        self.change = QLabel("")
        self.change.setObjectName("tileLabel")
        self.change.setWordWrap(True)
        for widget in (self.value, self.label, self.change):
            layout.addWidget(widget)
        layout.addStretch(1)

    def set_label(self, text: str) -> None:
        self.label.setText(text)

    def show_figure(self, value: str, change: str) -> None:
        self.value.setText(value)
        self.change.setText(change)
