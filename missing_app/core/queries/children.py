"""The children table and the child page: rows read and sorted in SQL, one child at a time.

Per-child figures (episodes in the last 90 days, the last episode, the current home) are
correlated subqueries on indexed columns, so a page of the table costs a few index look-ups
per row even with a million episodes in the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    case,
    cast,
    func,
    label,
    literal,
    or_,
    select,
)
from sqlalchemy import Integer as SqlInteger
from sqlalchemy.orm import Session

from missing_app.core.errors import NotFound
from missing_app.core.models import (
    CareHome,
    Child,
    ChildProfile,
    MissingEpisode,
    Placement,
    ReturnInterview,
)
from missing_app.core.queries.paging import Listing
from missing_app.core.queries.today import OFFER_LATE, OFFERED, RhiDuty
from missing_app.core.security.access import (
    Actor,
    Permission,
    require_child,
    restrict_to_children,
)
from missing_app.core.times import local_date

# Columns of a row, after its id: what the Children table shows.
CHILD_COLUMNS = (
    "name", "local_ref", "age", "missing_now", "home", "placing_authority", "flags",
    "episodes_90d", "last_episode",
)  # fmt: skip
RECENT_DAYS = 90
FLAGS = ("CSE", "CCE", "any")
Period = Literal["month", "quarter"]
THEME_KINDS = (
    ("push", "push_factors"),
    ("pull", "pull_factors"),
    ("exploitation", "exploitation_indicators"),
)


@dataclass(frozen=True)
class ChildFilter:
    """Which children to list; None (or blank) means any."""

    text: str = ""  # part of the name or the reference
    home_id: int | None = None  # placed there today
    placing_authority: str | None = None
    flag: str | None = None  # "CSE", "CCE" or "any" flag held today
    missing_now: bool = False


def _placed_today(today: date) -> ColumnElement[bool]:
    return and_(Placement.start <= today, or_(Placement.end.is_(None), Placement.end > today))


def _flag_on(column: Any, today: date) -> ColumnElement[bool]:
    return and_(column.is_not(None), column <= today)


def child_name() -> ColumnElement[str]:
    """'First Last' in SQL (blank parts left out)."""
    return func.trim(func.coalesce(Child.first_name, "") + " " + func.coalesce(Child.last_name, ""))


def _age(today: date) -> ColumnElement[int]:
    """Whole years on `today`, from the ISO text of the date of birth (as `times.age_on`)."""
    iso = literal(today.isoformat())
    year = cast(func.substr(iso, 1, 4), SqlInteger)
    years = year - cast(func.substr(Child.dob, 1, 4), SqlInteger)
    before_birthday = case((func.substr(iso, 6) < func.substr(Child.dob, 6), 1), else_=0)
    return years - before_birthday


def _columns(now: datetime) -> dict[str, SQLColumnExpression[Any]]:
    today, episode = local_date(now), MissingEpisode
    cse, cce = _flag_on(Child.cse_flagged_on, today), _flag_on(Child.cce_flagged_on, today)
    home = (
        select(CareHome.name)
        .join(Placement, Placement.home_id == CareHome.id)
        .where(Placement.child_id == Child.id, _placed_today(today))
        .order_by(Placement.start.desc())
        .limit(1)
        .scalar_subquery()
    )
    recent = (
        select(func.count())
        .where(
            episode.child_id == Child.id,
            episode.last_seen_at >= now - timedelta(days=RECENT_DAYS),
        )
        .scalar_subquery()
    )
    last = select(func.max(episode.last_seen_at)).where(episode.child_id == Child.id)
    # Not correlated: SQLite reads the open episodes (a partial index) once per query.
    missing = Child.id.in_(select(episode.child_id).where(episode.returned_at.is_(None)))
    return {
        "name": child_name(),
        "local_ref": Child.local_ref,
        "age": _age(today),
        "missing_now": missing,
        "home": home,
        "placing_authority": Child.placing_authority,
        "flags": case((and_(cse, cce), "CSE, CCE"), (cse, "CSE"), (cce, "CCE"), else_=None),
        "episodes_90d": recent,
        "last_episode": last.scalar_subquery(),
    }


def children_listing(where: ChildFilter, now: datetime, actor: Actor | None = None) -> Listing:
    """The Children table: every child matching `where` of the actor's homes (None: all),
    figures as of `now`."""
    columns = {key: label(key, column) for key, column in _columns(now).items()}
    assert tuple(columns) == CHILD_COLUMNS
    query = select(Child.id, *columns.values())
    for condition in _conditions(where, local_date(now)):
        query = query.where(condition)
    query = restrict_to_children(query, Child.id, actor)
    return Listing(query, dict(columns), Child.id)


def _conditions(where: ChildFilter, today: date) -> Iterable[ColumnElement[bool]]:
    text = where.text.strip()
    if text:
        pattern = f"%{text}%"
        yield or_(child_name().ilike(pattern), Child.local_ref.ilike(pattern))
    if where.home_id is not None:
        placed = select(Placement.child_id).where(
            Placement.home_id == where.home_id, _placed_today(today)
        )
        yield Child.id.in_(placed)
    if where.placing_authority:
        yield Child.placing_authority == where.placing_authority
    if where.flag is not None:
        cse, cce = _flag_on(Child.cse_flagged_on, today), _flag_on(Child.cce_flagged_on, today)
        yield {"CSE": cse, "CCE": cce}.get(where.flag, or_(cse, cce))
    if where.missing_now:
        episode = MissingEpisode
        yield Child.id.in_(select(episode.child_id).where(episode.returned_at.is_(None)))


def placing_authorities(session: Session) -> list[str]:
    """Every placing authority named on a child, in alphabetical order."""
    query = select(Child.placing_authority).where(Child.placing_authority.is_not(None)).distinct()
    return sorted(value for value in session.scalars(query) if value)


# The child page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementRow:
    id: int
    home_id: int
    home: str
    start: date
    end: date | None  # the day after the last night there; None while current


@dataclass(frozen=True)
class EpisodeRow:
    """One episode as the child page lists it, with its return interview's dates."""

    id: int
    last_seen_at: datetime
    returned_at: datetime | None
    type: str
    risk: str | None
    home: str
    police_ref: str | None
    safe_and_well_at: datetime | None
    found_location: str | None
    rhi_offered_at: datetime | None = None
    rhi_completed_at: datetime | None = None
    rhi_declined: bool = False

    @property
    def duration(self) -> timedelta | None:
        return None if self.returned_at is None else self.returned_at - self.last_seen_at

    def rhi_status(self, now: datetime, window_hours: float = 72) -> str:
        """Where the return interview stands, in a few words."""
        if self.returned_at is None:
            return ""
        window = timedelta(hours=window_hours)
        if self.rhi_completed_at is not None:
            late = self.rhi_completed_at - self.returned_at > window
            return f"Completed{' late' if late else ''}"
        if self.rhi_declined:
            return "Declined"
        duty = RhiDuty(self.returned_at, window, offered=self.rhi_offered_at is not None)
        return {OFFERED: "Offered", OFFER_LATE: "Overdue: not offered"}.get(
            duty.stage(now), "Not yet offered"
        )


@dataclass(frozen=True)
class FoundPlace:
    place: str
    times: int


@dataclass(frozen=True)
class ThemeRow:
    """How often one push factor, pull factor or exploitation indicator came up, by period."""

    kind: str  # "push", "pull" or "exploitation"
    code: str
    counts: tuple[int, ...]  # one per period of `RhiThemes.periods`

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RhiThemes:
    period: Period
    periods: tuple[str, ...]  # "2025 Q3" or "2025-11", oldest first
    rows: tuple[ThemeRow, ...]  # by kind, then most frequent first
    interviews: int  # completed return interviews counted


@dataclass(frozen=True)
class ChildDetails:
    child: Child  # detached, columns loaded
    profile: ChildProfile | None
    placements: tuple[PlacementRow, ...]  # oldest first
    episodes: tuple[EpisodeRow, ...]  # most recent first
    found: tuple[FoundPlace, ...]  # most frequent first
    themes: RhiThemes


def child_details(
    session: Session, child_id: int, period: Period | None = None, actor: Actor | None = None
) -> ChildDetails:
    """Everything the child page shows; RHI themes by `period` (chosen to fit when None).

    NotFound for no such child; PermissionDenied when the child is not one of the actor's
    (`require_child`; None: no limits).
    """
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound(f"There is no child {child_id}.")
    if actor is not None:
        require_child(session, actor, Permission.READ, child_id)
    return ChildDetails(
        child=child,
        profile=session.get(ChildProfile, child_id),
        placements=tuple(child_placements(session, child_id)),
        episodes=tuple(child_episodes(session, child_id)),
        found=tuple(found_places(session, child_id)),
        themes=rhi_themes(session, child_id, period),
    )


def child_placements(session: Session, child_id: int) -> list[PlacementRow]:
    query = (
        select(Placement.id, Placement.home_id, CareHome.name, Placement.start, Placement.end)
        .join(CareHome, CareHome.id == Placement.home_id)
        .where(Placement.child_id == child_id)
        .order_by(Placement.start, Placement.id)
    )
    return [PlacementRow(*row) for row in session.execute(query)]


def child_episodes(session: Session, child_id: int) -> list[EpisodeRow]:
    episode, interview = MissingEpisode, ReturnInterview
    query = (
        select(
            episode.id,
            episode.last_seen_at,
            episode.returned_at,
            episode.type,
            episode.risk,
            CareHome.name,
            episode.police_ref,
            episode.safe_and_well_at,
            episode.found_location,
            interview.offered_at,
            interview.completed_at,
            func.coalesce(interview.declined, False),
        )
        .join(CareHome, CareHome.id == episode.home_id)
        .outerjoin(interview, interview.episode_id == episode.id)
        .where(episode.child_id == child_id)
        .order_by(episode.last_seen_at.desc())
    )
    return [EpisodeRow(*row) for row in session.execute(query)]


def found_places(session: Session, child_id: int) -> list[FoundPlace]:
    """Where the child was found, most frequent first (spelling and case aside)."""
    place = func.trim(MissingEpisode.found_location)
    times = func.count().label("times")
    query = (
        select(func.min(place), times)
        .where(MissingEpisode.child_id == child_id, place != "")
        .group_by(func.lower(place))
        .order_by(times.desc(), func.lower(place))
    )
    return [FoundPlace(str(name), int(count)) for name, count in session.execute(query)]


def period_of(day: date, period: Period) -> str:
    if period == "month":
        return f"{day:%Y-%m}"
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def rhi_themes(session: Session, child_id: int, period: Period | None = None) -> RhiThemes:
    """Push and pull factors and exploitation indicators of the child's completed return
    interviews, counted by the London month or quarter in which each was completed."""
    interview = ReturnInterview
    query = (
        select(
            interview.completed_at,
            interview.push_factors,
            interview.pull_factors,
            interview.exploitation_indicators,
        )
        .join(MissingEpisode, MissingEpisode.id == interview.episode_id)
        .where(MissingEpisode.child_id == child_id, interview.completed_at.is_not(None))
    )
    interviews = [(local_date(row[0]), row[1:]) for row in session.execute(query)]
    chosen: Period = period or _fitting_period(day for day, _ in interviews)
    counts: Counter[tuple[str, str, str]] = Counter()
    for day, lists in interviews:
        for (kind, _), codes in zip(THEME_KINDS, lists, strict=True):
            for code in _codes(codes):
                counts[(kind, code, period_of(day, chosen))] += 1
    periods = _periods_between({key[2] for key in counts}, chosen)
    return RhiThemes(chosen, periods, _theme_rows(counts, periods), len(interviews))


def _codes(text: str | None) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def _period_start(label: str, period: Period) -> date:
    if period == "month":
        return date(int(label[:4]), int(label[5:7]), 1)
    return date(int(label[:4]), (int(label[-1]) - 1) * 3 + 1, 1)


def _periods_between(seen: set[str], period: Period) -> tuple[str, ...]:
    """Every period from the first seen to the last, so that quiet ones show as gaps."""
    if not seen:
        return ()
    day, last = _period_start(min(seen), period), _period_start(max(seen), period)
    step = 1 if period == "month" else 3
    periods = []
    while day <= last:
        periods.append(period_of(day, period))
        months = day.year * 12 + day.month - 1 + step
        day = date(months // 12, months % 12 + 1, 1)
    return tuple(periods)


def _fitting_period(days: Iterable[date]) -> Period:
    """Months when the interviews span half a year or less, else quarters."""
    seen = sorted(days)
    if not seen:
        return "quarter"
    first, last = seen[0], seen[-1]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return "month" if months <= 6 else "quarter"


def _theme_rows(
    counts: Counter[tuple[str, str, str]], periods: tuple[str, ...]
) -> tuple[ThemeRow, ...]:
    rows = []
    for kind, _ in THEME_KINDS:
        codes = {code for k, code, _ in counts if k == kind}
        found = [
            ThemeRow(kind, code, tuple(counts[(kind, code, p)] for p in periods)) for code in codes
        ]
        rows.extend(sorted(found, key=lambda row: (-row.total, row.code)))
    return tuple(rows)
