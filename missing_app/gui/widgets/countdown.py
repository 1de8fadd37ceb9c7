"""A live countdown to the return interview's offer deadline, driven by one shared clock.

What the countdown says follows the one rule of `RhiDuty` (core): it runs to the offer, and
once the interview is offered it says so, without calling the return overdue. A page owns one
`CountdownClock`: a single QTimer that reads the context's clock and tells every countdown on
the page the time. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from missing_app.core.queries.today import OFFER_LATE, OFFERED, RhiDuty
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


OFFERED_TEXT = "offered, interview to complete"


def urgency(duty: RhiDuty, now: datetime) -> str:
    """Overdue once the offer is late (exactly on the deadline is still in time); soon in its
    last day; neutral once offered."""
    left = duty.time_left(now)
    if left is None:
        return NORMAL
    if duty.stage(now) == OFFER_LATE:
        return OVERDUE
    return SOON if left <= DUE_SOON else NORMAL


def countdown_text(duty: RhiDuty, now: datetime) -> str:
    """`2 d 3 h left`, `overdue by 1 h 05 min`, `offered, interview to complete`, or nothing
    once the interview is completed or declined."""
    left = duty.time_left(now)
    if left is None:
        return OFFERED_TEXT if duty.stage(now) == OFFERED else ""
    if left < timedelta(0):
        return f"overdue by {span(-left)}"
    return f"{span(left)} left"


def colours(duty: RhiDuty, now: datetime) -> tuple[str, str] | None:
    """(text, background) colours for the countdown, None when neutral."""
    return COLOURS[urgency(duty, now)]


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
    """Time left to offer the interview, or how late the offer is: neutral, amber, then red."""

    def __init__(self, duty: RhiDuty, clock: CountdownClock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duty = duty
        self.urgency = NORMAL
        clock.ticked.connect(self.show_time)  # disconnected by Qt when the label goes
        self.show_time(clock.now())

    def show_time(self, now: datetime) -> None:
        self.setText(countdown_text(self.duty, now))
        state = urgency(self.duty, now)
        if state == self.urgency and self.styleSheet():
            return
        self.urgency = state
        self.setProperty("urgency", state)
        pair = COLOURS[state]
        style = "QLabel { padding: 1px 6px; border-radius: 3px; %s }"
        fill = "" if pair is None else f"color: {pair[0]}; background: {pair[1]}; font-weight: 600;"
        self.setStyleSheet(style % fill)
