"""The homes table and a home's page: its children, episodes, reporting, meetings, actions.

Every figure is counted in SQL through the indexes on home and time, so the table stays quick
at 5,000 homes and a home's page at 1,000,000 episodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from missing_app.core.models import (
    LOCAL_AUTHORITIES,
    Action,
    CareHome,
    Child,
    LiaisonMeeting,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    User,
)
from missing_app.core.queries.meetings import (
    ActionRow,
    action_rows,
    action_select,
    open_first,
    open_on,
)
from missing_app.core.queries.paging import Listing
from missing_app.core.security.access import Actor, Permission, require_homes, restrict_to_homes
from missing_app.core.times import local_date

OTHER_COUNCILS = "Other"  # the council filter's choice for homes outside the five
RECENT_DAYS = 90  # "episodes in the last 90 days", and children who left that recently

# The reporting-practice questions of a ReportingAssessment: (field, short heading, question).
ASSESSMENT_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("searched_first", "Searched", "Searched the home and the child's usual places first"),
    ("reported_within_policy", "In time", "Reported within the home's policy time"),
    ("profile_current", "Profile", "Profile to hand and current"),
    ("police_ref_kept", "Ref kept", "Police reference kept"),
    ("placing_authority_told", "Council told", "Placing council told"),
    ("social_worker_told", "SW told", "Social worker told"),
    ("each_night_reported", "Each night", "Each night of the absence reported"),
)

# Columns of a homes-table row, after its id.
HOME_COLUMNS = (
    "urn",
    "name",
    "local_authority",
    "beds",
    "pcso",
    "engagement_start",
    "placed_now",
    "episodes_90d",
    "open_actions",
)


@dataclass(frozen=True)
class HomeFilter:
    """Which homes to list: `text` in the name or URN; a council, or OTHER_COUNCILS."""

    text: str = ""
    local_authority: str | None = None


def placed_on(day: date) -> ColumnElement[bool]:
    """Placements covering the London date `day` (the end date is the first day away)."""
    return and_(Placement.start <= day, or_(Placement.end.is_(None), Placement.end > day))


def home_listing(where: HomeFilter, now: datetime, actor: Actor | None = None) -> Listing:
    """Every home matching `where` of the actor's (None: all), with its figures as of `now`."""
    home = CareHome
    today = local_date(now)
    placed = (
        select(func.count()).where(Placement.home_id == home.id, placed_on(today)).scalar_subquery()
    )
    recent = (
        select(func.count())
        .where(
            MissingEpisode.home_id == home.id,
            MissingEpisode.last_seen_at >= now - timedelta(days=RECENT_DAYS),
        )
        .scalar_subquery()
    )
    open_actions = (
        select(func.count())
        .select_from(Action)
        .join(LiaisonMeeting, LiaisonMeeting.id == Action.meeting_id)
        .where(LiaisonMeeting.home_id == home.id, open_on(today))
        .scalar_subquery()
    )
    columns: dict[str, Any] = {
        "urn": home.urn,
        "name": home.name,
        "local_authority": home.local_authority,
        "beds": home.beds,
        "pcso": User.display_name,
        "engagement_start": home.engagement_start,
        "placed_now": placed,
        "episodes_90d": recent,
        "open_actions": open_actions,
    }
    assert tuple(columns) == HOME_COLUMNS
    query = select(home.id, *(column.label(key) for key, column in columns.items()))
    query = _filtered(query.outerjoin(User, User.id == home.pcso_id), where)
    query = restrict_to_homes(query, home.id, actor)
    return Listing(query, columns, home.id)


def _filtered(query: Select[Any], where: HomeFilter) -> Select[Any]:
    text = where.text.strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(CareHome.name.ilike(pattern), CareHome.urn.ilike(pattern)))
    if where.local_authority == OTHER_COUNCILS:
        council = CareHome.local_authority
        query = query.where(or_(council.is_(None), council.not_in(LOCAL_AUTHORITIES)))
    elif where.local_authority:
        query = query.where(CareHome.local_authority == where.local_authority)
    return query


def any_homes(session: Session) -> bool:
    """Whether the database holds a home yet (an empty one is a first start)."""
    return session.scalar(select(CareHome.id).limit(1)) is not None


def officer_choices(session: Session) -> list[tuple[int, str]]:
    """Active users as (id, display name), by name: who may be a home's PCSO."""
    query = select(User.id, User.display_name).where(User.active.is_(True))
    return [(user_id, name) for user_id, name in session.execute(query.order_by(User.display_name))]


# A home's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeSummary:
    id: int
    urn: str
    name: str
    provider: str | None
    local_authority: str | None
    postcode: str | None
    beds: int | None
    pcso_id: int | None
    pcso: str | None
    engagement_start: date | None


@dataclass(frozen=True)
class PlacedChild:
    child_id: int
    name: str
    local_ref: str
    dob: date
    start: date
    end: date | None  # the first day away; None while the placement is open
    placed_now: bool
    flag: str | None  # "CSE" or "CCE" today


@dataclass(frozen=True)
class HomeEpisode:
    episode_id: int
    child_id: int
    child: str
    type: str
    risk: str | None
    last_seen_at: datetime
    returned_at: datetime | None
    police_ref: str | None
    assessed: bool


@dataclass(frozen=True)
class AssessmentRow:
    assessment_id: int
    episode_id: int
    child: str
    last_seen_at: datetime
    assessed_on: date
    assessed_by: str | None
    answers: tuple[bool | None, ...]  # in the order of ASSESSMENT_QUESTIONS; None: n/a
    notes: str | None

    @property
    def yes(self) -> int:
        return sum(answer is True for answer in self.answers)

    @property
    def answered(self) -> int:
        return sum(answer is not None for answer in self.answers)


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: int
    held_on: date
    attendees: str | None
    notes: str | None
    actions: tuple[ActionRow, ...]


@dataclass(frozen=True)
class HomeDetails:
    """What a home's page shows; lists of episodes, assessments and meetings most recent
    first and limited, with how many there are in all."""

    home: HomeSummary
    children: tuple[PlacedChild, ...]
    episodes: tuple[HomeEpisode, ...]
    episode_count: int
    episodes_recent: int
    assessments: tuple[AssessmentRow, ...]
    assessment_count: int
    reporting_yes: int  # over every assessment of the home
    reporting_answered: int
    meetings: tuple[MeetingRow, ...]
    meeting_count: int
    open_actions: tuple[ActionRow, ...]


def home_details(
    session: Session, home_id: int, now: datetime, limit: int = 50, actor: Actor | None = None
) -> HomeDetails | None:
    """The home's page as of `now`; None when there is no such home. PermissionDenied when
    it is not one of the actor's homes (None: every home is)."""
    if actor is not None:
        require_homes(session, actor, Permission.READ, [home_id])
    home = _summary(session, home_id)
    if home is None:
        return None
    at_home = MissingEpisode.home_id == home_id
    since = MissingEpisode.last_seen_at >= now - timedelta(days=RECENT_DAYS)
    yes, answered = _reporting_totals(session, home_id)
    open_actions = action_select().where(
        LiaisonMeeting.home_id == home_id, open_on(local_date(now))
    )
    return HomeDetails(
        home=home,
        children=tuple(_children(session, home_id, local_date(now))),
        episodes=tuple(_episodes(session, home_id, limit)),
        episode_count=_count(session, select(MissingEpisode.id).where(at_home)),
        episodes_recent=_count(session, select(MissingEpisode.id).where(at_home, since)),
        assessments=tuple(_assessments(session, home_id, limit)),
        assessment_count=_count(session, _assessed_at(home_id)),
        reporting_yes=yes,
        reporting_answered=answered,
        meetings=tuple(_meetings(session, home_id, limit)),
        meeting_count=_count(
            session, select(LiaisonMeeting.id).where(LiaisonMeeting.home_id == home_id)
        ),
        open_actions=tuple(action_rows(session, open_first(open_actions))),
    )


def _summary(session: Session, home_id: int) -> HomeSummary | None:
    home = session.get(CareHome, home_id)
    if home is None:
        return None
    return HomeSummary(
        home.id,
        home.urn,
        home.name,
        home.provider,
        home.local_authority,
        home.postcode,
        home.beds,
        home.pcso_id,
        home.pcso.display_name if home.pcso else None,
        home.engagement_start,
    )


def _children(session: Session, home_id: int, today: date) -> list[PlacedChild]:
    """Children placed now, then those who left in the last RECENT_DAYS days."""
    left_since = today - timedelta(days=RECENT_DAYS)
    query = (
        select(Placement, Child)
        .join(Child, Child.id == Placement.child_id)
        .where(
            Placement.home_id == home_id,
            Placement.start <= today,
            or_(Placement.end.is_(None), Placement.end > left_since),
        )
        .order_by(Child.last_name, Child.first_name, Placement.start)
    )
    rows = [
        PlacedChild(
            child.id,
            child.display_name,
            child.local_ref,
            child.dob,
            placement.start,
            placement.end,
            placement.end is None or placement.end > today,
            child.exploitation_flag_on(today),
        )
        for placement, child in session.execute(query).tuples()
    ]
    return sorted(rows, key=lambda row: not row.placed_now)


def _episodes(session: Session, home_id: int, limit: int) -> list[HomeEpisode]:
    episode = MissingEpisode
    query = (
        select(episode, Child, ReportingAssessment.id)
        .join(Child, Child.id == episode.child_id)
        .outerjoin(ReportingAssessment, ReportingAssessment.episode_id == episode.id)
        .where(episode.home_id == home_id)
        .order_by(episode.last_seen_at.desc(), episode.id.desc())
        .limit(limit)
    )
    return [
        HomeEpisode(
            row.id,
            child.id,
            child.display_name,
            row.type,
            row.risk,
            row.last_seen_at,
            row.returned_at,
            row.police_ref,
            assessed is not None,
        )
        for row, child, assessed in session.execute(query).tuples()
    ]


def _assessments(session: Session, home_id: int, limit: int) -> list[AssessmentRow]:
    query = (
        select(ReportingAssessment, MissingEpisode.last_seen_at, Child)
        .join(MissingEpisode, MissingEpisode.id == ReportingAssessment.episode_id)
        .join(Child, Child.id == MissingEpisode.child_id)
        .where(MissingEpisode.home_id == home_id)
        .order_by(ReportingAssessment.assessed_on.desc(), ReportingAssessment.id.desc())
        .limit(limit)
    )
    return [
        AssessmentRow(
            row.id,
            row.episode_id,
            child.display_name,
            last_seen,
            row.assessed_on,
            row.assessed_by,
            tuple(getattr(row, key) for key, *_ in ASSESSMENT_QUESTIONS),
            row.notes,
        )
        for row, last_seen, child in session.execute(query).tuples()
    ]


def _assessed_at(home_id: int) -> Select[Any]:
    return (
        select(ReportingAssessment.id)
        .join(MissingEpisode, MissingEpisode.id == ReportingAssessment.episode_id)
        .where(MissingEpisode.home_id == home_id)
    )


def _reporting_totals(session: Session, home_id: int) -> tuple[int, int]:
    """Yes answers, and answers given, over every assessment of the home's episodes."""
    answers = [getattr(ReportingAssessment, key) for key, *_ in ASSESSMENT_QUESTIONS]
    sums = [func.sum(case((answer.is_(True), 1), else_=0)) for answer in answers]
    counts = [func.count(answer) for answer in answers]
    query = _assessed_at(home_id).with_only_columns(*sums, *counts)
    row = session.execute(query).one()
    values = [int(value or 0) for value in row]
    return sum(values[: len(answers)]), sum(values[len(answers) :])


def _meetings(session: Session, home_id: int, limit: int) -> list[MeetingRow]:
    meetings = list(
        session.scalars(
            select(LiaisonMeeting)
            .where(LiaisonMeeting.home_id == home_id)
            .order_by(LiaisonMeeting.held_on.desc(), LiaisonMeeting.id.desc())
            .limit(limit)
        )
    )
    actions: dict[int, list[ActionRow]] = {meeting.id: [] for meeting in meetings}
    if meetings:
        query = action_select().where(Action.meeting_id.in_(actions)).order_by(Action.id)
        for action in action_rows(session, query):
            actions[action.meeting_id].append(action)
    return [
        MeetingRow(m.id, m.held_on, m.attendees, m.notes, tuple(actions[m.id])) for m in meetings
    ]


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
