"""A live countdown to a deadline (the 72-hour return interview), driven by one shared clock.

A page owns one `CountdownClock`: a single QTimer that reads the context's clock and tells
every countdown on the page the time. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from missing_app.gui.format import span

DUE_SOON = timedelta(hours=24)  # amber from here on
TICK_MS = 15_000  # the countdowns show minutes; four reads a minute keep them on the minute

# Urgency -> (text colour, background): neutral, amber, red. Dark on pale, readable in print.
NORMAL, SOON, OVERDUE = "normal", "soon", "overdue"
COLOURS: dict[str, tuple[str, str] | None] = {
    NORMAL: None,
    SOON: ("#7a5200", "#fff1c7"),
    OVERDUE: ("#b42318", "#fdecea"),
}


def urgency(deadline: datetime, now: datetime) -> str:
    """Overdue once past the deadline (exactly on it is still in time); soon in the last day."""
    left = deadline - now
    if left < timedelta(0):
        return OVERDUE
    return SOON if left <= DUE_SOON else NORMAL


def countdown_text(deadline: datetime, now: datetime) -> str:
    """`2 d 3 h left`, `5 h 20 min left`, or `overdue by 1 h 05 min`."""
    left = deadline - now
    if left < timedelta(0):
        return f"overdue by {span(-left)}"
    return f"{span(left)} left"


def colours(deadline: datetime, now: datetime) -> tuple[str, str] | None:
    """(text, background) colours for the countdown, None when neutral."""
    return COLOURS[urgency(deadline, now)]


class CountdownClock(QObject):
    """One timer for a whole page: `ticked(now)` a few times a minute while it runs."""

    ticked = Signal(object)  # datetime, aware UTC

    def __init__(
        self, now: Callable[[], datetime], interval_ms: int = TICK_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.now = now
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        """Tell everyone the time now, then keep telling them."""
        self.tick()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        self.ticked.emit(self.now())


class Countdown(QLabel):
    """Time left to `deadline`, or how long it is overdue: neutral, amber, then red."""

    def __init__(
        self, deadline: datetime, clock: CountdownClock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.deadline = deadline
        self.urgency = NORMAL
        clock.ticked.connect(self.show_time)  # disconnected by Qt when the label goes
        self.show_time(clock.now())

    def show_time(self, now: datetime) -> None:
        self.setText(countdown_text(self.deadline, now))
        state = urgency(self.deadline, now)
        if state == self.urgency and self.styleSheet():
            return
        self.urgency = state
        self.setProperty("urgency", state)
        pair = COLOURS[state]
        style = "QLabel { padding: 1px 6px; border-radius: 3px; %s }"
        fill = "" if pair is None else f"color: {pair[0]}; background: {pair[1]}; font-weight: 600;"
        self.setStyleSheet(style % fill)
