"""What the Insights page is asked to show (a period; all homes, a council's or one) and the
reads that work it out: plain functions of a session, as Orange3's `run`, which the page hands
to its readers (gui/reader.py) so they run off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from missing_app.core import metrics
from missing_app.core.metrics import Period, Settings
from missing_app.core.queries.areas import HomeChoice, councils, home_choices
from missing_app.core.security.access import Actor, require_report

PERIOD_CHOICES = ("This month", "Last month", "Last 3 months", "Last 12 months", "Chosen dates")


def months_back(first_of_month: date, months: int) -> date:
    """The first day of the month `months` before the month starting `first_of_month`."""
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_for(name: str, today: date) -> Period:
    """A named period on London dates: this month so far, or whole months before it."""
    month = today.replace(day=1)
    if name == "This month":
        return Period(month, today)
    back = {"Last month": 1, "Last 3 months": 3, "Last 12 months": 12}[name]
    return Period(months_back(month, back), month - timedelta(days=1))


def dates_text(period: Period) -> str:
    return f"{period.first:%d %b %Y} to {period.last:%d %b %Y}"


@dataclass(frozen=True)
class Choice:
    """What the page shows: a period, and all homes, one council's homes, or one home."""

    period: Period
    council: str | None = None
    home: HomeChoice | None = None

    @property
    def days(self) -> int:
        return (self.period.last - self.period.first).days + 1

    @property
    def by_council(self) -> bool:
        """A council without one of its homes: figures per home, not added up."""
        return self.council is not None and self.home is None

    @property
    def urn(self) -> str | None:
        return None if self.home is None else self.home.urn


# The work done off the GUI thread (plain functions of a session, as Orange3's `run`) --------


@dataclass(frozen=True)
class Figures:
    """`metrics.stats()` of the chosen period, and the settings they were worked out with."""

    choice: Choice
    settings: Settings
    current: dict[str, Any]


def allowed(session: Session, choice: Choice, actor: Actor | None) -> None:
    """Raise PermissionDenied unless the actor may have the choice's figures (a PCSO: one of
    their homes, never all homes); None: no limits."""
    if actor is not None:
        require_report(session, actor, choice.urn)


def read_figures(session: Session, choice: Choice, actor: Actor | None = None) -> Figures:
    allowed(session, choice, actor)
    settings = Settings.read(session)
    first, last = choice.period.first, choice.period.last
    return Figures(choice, settings, metrics.stats(session, first, last, choice.urn, settings))


def read_previous(
    session: Session, choice: Choice, settings: Settings, actor: Actor | None = None
) -> dict[str, Any]:
    """`metrics.stats()` of the period of the same length just before."""
    allowed(session, choice, actor)
    before = choice.period.previous()
    return metrics.stats(session, before.first, before.last, choice.urn, settings)


def read_charts(
    session: Session,
    choice: Choice,
    settings: Settings,
    width: int = 0,
    ratio: float = 1.0,
    actor: Actor | None = None,
) -> list[Any]:
    """The charts for the choice, as ChartItems drawn `width` pixels wide (loading
    matplotlib's Qt canvas here, not on the GUI thread)."""
    from missing_app.gui.widgets import chart

    allowed(session, choice, actor)

    home_id = None if choice.home is None else choice.home.id
    return chart.chart_items(session, choice.period, home_id, settings, width, ratio)


def read_areas(session: Session, actor: Actor | None = None) -> tuple[list[str], list[HomeChoice]]:
    """The councils and homes the actor may choose (None: all)."""
    return councils(session, actor), home_choices(session, actor=actor)


def read_behind(session: Session, spec: Any, x: float, y: float, actor: Actor | None = None) -> Any:
    """The episodes behind the bar or cell at (x, y) of a chart (a ChartSpec), at the actor's
    homes (None: all)."""
    from missing_app.gui.widgets import chart

    return chart.episodes_behind(session, spec, x, y, actor)
