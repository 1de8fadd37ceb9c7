"""The monthly liaison pack's content, gathered once and written as PDF, workbook or CSV.

`build_pack` gathers everything a pack shows for one month and one home (or every home):
the figures of `metrics.stats()` for the month, the month before and the same month a year
earlier; the children and episodes of the month; the home's last meeting and its open
actions; the reporting scorecard; and the data of the charts. Every figure comes from
`stats()`, so the pack shows exactly what `stats --json` prints. It reads the database
only; the writers in `pdf`, `workbook` and `summary_csv` need no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core import chart_data as cd
from missing_app.core import chart_data_practice as practice
from missing_app.core.chart_drill import ChartSpec
from missing_app.core.db import Database
from missing_app.core.metrics import Period, Settings, episodes_frame, home_by_urn, stats
from missing_app.core.models import CareHome
from missing_app.core.reports import pack_children as kids
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack_meetings import (
    Meeting,
    OpenAction,
    last_meeting,
    meetings_held,
    next_meeting,
    open_actions,
)
from missing_app.core.reports.progress import CancelFlag, Progress, check, report
from missing_app.core.reports.pseudonyms import Pseudonyms, pseudonym_secret
from missing_app.core.times import local_date, utc_now

FORCE_WIDE = "All homes"


@dataclass(frozen=True)
class PackRequest:
    """Which pack: the month, one home's URN (None: every home), names, small numbers."""

    month: Month
    home_urn: str | None = None
    names: bool = False  # children's names and references instead of codes
    suppress_small: bool = False  # counts 1 to 4 in per-home and per-child tables read <5


@dataclass(frozen=True)
class HomeFacts:
    home_id: int
    urn: str
    name: str
    provider: str | None
    local_authority: str | None
    beds: int | None
    pcso: str | None
    engagement_start: date | None


@dataclass(frozen=True)
class MonthlyPack:
    """Everything one pack shows; `figures` are stats() of the month, as `stats --json`."""

    request: PackRequest
    home: HomeFacts | None
    generated_at: datetime
    generated_by: str
    settings: Settings
    figures: dict[str, Any]
    previous: dict[str, Any]  # stats() of the month before
    year_before: dict[str, Any]  # stats() of the same month a year earlier
    children: tuple[kids.ChildRow, ...]
    episodes: tuple[kids.EpisodeRow, ...]
    last_meeting: Meeting | None  # the home's (None for every home)
    next_meeting: date | None
    meetings_in_month: tuple[int, int]  # (meetings, homes met) in the month
    actions: tuple[OpenAction, ...]
    scorecard: practice.ReportingScorecard
    charts: tuple[ChartSpec, ...]
    homes_in_database: int

    @property
    def month(self) -> Month:
        return self.request.month

    @property
    def scope(self) -> str:
        """'Oak House (SC123456)' or 'All homes'."""
        return FORCE_WIDE if self.home is None else f"{self.home.name} ({self.home.urn})"

    @property
    def threshold_children(self) -> tuple[kids.ChildRow, ...]:
        return tuple(child for child in self.children if child.crossed)

    def chart(self, key: str) -> ChartSpec | None:
        return next((spec for spec in self.charts if spec.key == key), None)


def build_pack(
    db: Database,
    request: PackRequest,
    username: str,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> MonthlyPack:
    """Gather one pack (safe on a worker thread: it opens its own sessions)."""
    pseudonyms = Pseudonyms(pseudonym_secret(db, username))
    with db.session() as session:
        return gather_pack(
            session, request, pseudonyms, username, now=now, progress=progress, cancel=cancel
        )


STEPS = 4


def gather_pack(
    session: Session,
    request: PackRequest,
    pseudonyms: Pseudonyms,
    username: str,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> MonthlyPack:
    """Gather one pack in an open session; NotFound for an unknown URN."""
    settings = settings or Settings.read(session)
    month, urn = request.month, request.home_urn
    home = None if urn is None else _home_facts(session, urn)
    home_id = None if home is None else home.home_id
    report(progress, "Figures of the month and the months compared", 0, STEPS)
    figures, previous, year_before = (
        stats(session, when.first, when.last, urn, settings)
        for when in (month, month.previous(), month.year_before())
    )
    check(cancel)
    report(progress, "Children and episodes", 1, STEPS)
    children, episodes = _children_and_episodes(session, request, home_id, pseudonyms, settings)
    check(cancel)
    report(progress, "Meetings and actions", 2, STEPS)
    meetings = _meetings(session, month, home_id)
    check(cancel)
    report(progress, "Data of the charts", 3, STEPS)
    now = now or utc_now()
    through = min(month.last, local_date(now))  # a month in progress: charted to date
    pack = MonthlyPack(
        request=request, home=home, generated_at=now, generated_by=username,
        settings=settings, figures=figures, previous=previous, year_before=year_before,
        children=children, episodes=episodes, **meetings,
        scorecard=practice.reporting_scorecard(session, month.first, month.last, home_id),
        charts=pack_charts(session, month, home_id, settings, request.suppress_small, through),
        homes_in_database=session.scalar(select(func.count(CareHome.id))) or 0,
    )  # fmt: skip
    report(progress, "Gathered", STEPS, STEPS)
    return pack


def _meetings(session: Session, month: Month, home_id: int | None) -> dict[str, Any]:
    """The MonthlyPack fields about meetings: the home's last and next, those held in the
    month, and the open actions."""
    fields: dict[str, Any] = {
        "last_meeting": None,
        "next_meeting": None,
        "meetings_in_month": meetings_held(session, month.first, month.last),
        "actions": open_actions(session, month.last, home_id),
    }
    if home_id is not None:
        fields["last_meeting"] = last_meeting(session, home_id, month.last)
        fields["next_meeting"] = next_meeting(session, home_id, month.last)
    return fields


def _home_facts(session: Session, urn: str) -> HomeFacts:
    home = home_by_urn(session, urn)
    pcso = None if home.pcso is None else home.pcso.display_name
    return HomeFacts(
        home.id,
        home.urn,
        home.name,
        home.provider,
        home.local_authority,
        home.beds,
        pcso,
        home.engagement_start,
    )


def _children_and_episodes(
    session: Session,
    request: PackRequest,
    home_id: int | None,
    pseudonyms: Pseudonyms,
    settings: Settings,
) -> tuple[tuple[kids.ChildRow, ...], tuple[kids.EpisodeRow, ...]]:
    """The month's children and episodes, from the same frame stats() counts."""
    month = request.month
    frame = episodes_frame(session, month.first, month.last, home_id)
    labels = kids.child_labels(
        session, frame["child_id"].unique().tolist(), pseudonyms, request.names
    )
    homes = kids.home_names(session, frame["home_id"].unique().tolist())
    names = {home: name for home, (_, name) in homes.items()}
    period = Period(month.first, month.last)
    children = kids.month_children(session, frame, period, settings, labels, names)
    return children, kids.month_episodes(session, frame, labels, homes, request.names)


def hour_weekday_months(month: Month) -> tuple[date, date]:
    """The 12 months to the end of `month`: a month of one home is too few to show a pattern."""
    starts = cd.month_starts(month.first, 12)
    return starts[0], month.last


def pack_charts(
    session: Session,
    month: Month,
    home_id: int | None,
    settings: Settings,
    suppress: bool,
    through: date | None = None,
) -> tuple[ChartSpec, ...]:
    """The data of the pack's charts; the months of the monthly charts are counted up to the
    end of `through` (None: the month's end). A home's counts are left out when small
    numbers are suppressed: a chart would show the counts its tables hide."""
    through = month.last if through is None else through
    specs = []
    if home_id is None or not suppress:
        year = hour_weekday_months(month)
        specs += [
            ChartSpec(
                "monthly", "Episodes per month", cd.monthly_episodes(session, through, home_id)
            ),
            ChartSpec(
                "bands",
                "Children by episodes",
                cd.repeat_bands(session, month.first, month.last, home_id),
            ),
            ChartSpec("hour_weekday", "Hour and weekday", cd.hour_weekday(session, *year, home_id)),
            ChartSpec(
                "rhi",
                "Return interviews",
                cd.rhi_timeliness(
                    session, through, home_id, window_hours=settings.rhi_window_hours
                ),
            ),
        ]
    if home_id is None:
        demand = practice.demand_comparison(session, month.last, None, settings)
        specs.append(ChartSpec("demand", "Demand by home", demand))
    else:
        run = practice.demand_run(session, home_id, month.last, settings)
        if run is not None:
            specs.append(ChartSpec("demand_run", "Demand over time", run))
    return tuple(spec for spec in specs if shows_something(spec))


def shows_something(spec: ChartSpec) -> bool:
    """Whether a chart has anything to draw: an empty chart says less than a line of text."""
    data = spec.data
    if spec.key == "monthly":
        return any(data.missing) or any(data.absent)
    if spec.key == "bands":
        return any(data.children)
    if spec.key == "hour_weekday":
        return any(map(any, data.counts))
    if spec.key == "rhi":
        return any(data.returns)
    if spec.key == "demand":
        return bool(data.homes)
    return True
