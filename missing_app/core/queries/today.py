"""What a PCSO sees first each morning, and what the episode forms look up.

Each list is restricted by time (or by a partial index) in SQL, so it stays instant with a
million episodes: children missing now come from an index of open episodes, outstanding
returns from the index on `returned_at`, threshold crossings from the index on `last_seen_at`
(with each look-back counted on the child's own (child_id, last_seen_at) index), and actions
from the index of open actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, String, func, select
from sqlalchemy.orm import Session, aliased

from missing_app.core.models import (
    Action,
    CareHome,
    Child,
    LiaisonMeeting,
    MissingEpisode,
    Placement,
    ReturnInterview,
)
from missing_app.core.security.access import Actor, restrict_to_children, restrict_to_homes
from missing_app.core.times import local_date

RETURNS_LOOKBACK_DAYS = 14  # returns older than this (and past their window) leave the page
TRIGGER_LOOKBACK_DAYS = 30  # "crossed the repeat threshold in the last 30 days"
RISK_ORDER = {"high": 0, "medium": 1, "low": 2, "no_apparent_risk": 3}


def _name(first: str | None, last: str | None, ref: str) -> str:
    return " ".join(part for part in (first, last) if part) or ref


# Children missing now -----------------------------------------------------------------------


@dataclass(frozen=True)
class MissingNow:
    episode_id: int
    child_id: int
    child: str
    child_ref: str
    home_id: int
    home: str
    last_seen_at: datetime
    risk: str | None
    type: str

    def time_gone(self, now: datetime) -> timedelta:
        return now - self.last_seen_at


def missing_now(session: Session, now: datetime, actor: Actor | None = None) -> list[MissingNow]:
    """Open episodes last seen by `now` at the actor's homes (None: all): the highest risk
    first, then the longest gone."""
    columns = (
        MissingEpisode.id, Child.id, Child.first_name, Child.last_name, Child.local_ref,
        CareHome.id, CareHome.name, MissingEpisode.last_seen_at, MissingEpisode.risk,
        MissingEpisode.type,
    )  # fmt: skip
    query = (
        select(*columns)
        .join(Child, Child.id == MissingEpisode.child_id)
        .join(CareHome, CareHome.id == MissingEpisode.home_id)
        .where(MissingEpisode.returned_at.is_(None), MissingEpisode.last_seen_at <= now)
    )
    query = restrict_to_homes(query, MissingEpisode.home_id, actor)
    rows = [
        MissingNow(row[0], row[1], _name(row[2], row[3], row[4]), row[4], *row[5:])
        for row in session.execute(query)
    ]
    return sorted(rows, key=lambda row: (RISK_ORDER.get(row.risk or "", 4), row.last_seen_at))


# The return interview's one rule ------------------------------------------------------------

# Where the duty after a return stands (RhiDuty.stage).
TO_OFFER, OFFER_LATE, OFFERED, DONE = "to_offer", "offer_late", "offered", "done"


@dataclass(frozen=True)
class RhiDuty:
    """The statutory duty after a return (DOMAIN.md): offer an independent return interview
    within the RHI window (72 hours by default) of `returned_at`.

    The countdown runs to the offer; exactly on the deadline is still in time. Once offered,
    the return waits for the interview without being late: how many interviews were completed
    within the window is a figure (METRICS.md `rhi_completed_72h_pct`), not an alarm.
    Every page, form and hint reads the duty from here.
    """

    returned_at: datetime
    window: timedelta
    offered: bool = False
    done: bool = False  # the interview completed, or declined

    @property
    def offer_by(self) -> datetime:
        return self.returned_at + self.window

    def stage(self, now: datetime) -> str:
        if self.done:
            return DONE
        if self.offered:
            return OFFERED
        return OFFER_LATE if now > self.offer_by else TO_OFFER

    def time_left(self, now: datetime) -> timedelta | None:
        """Time left to offer (negative once late); None when no offer is awaited."""
        return self.offer_by - now if self.stage(now) in (TO_OFFER, OFFER_LATE) else None


def rhi_duty(session: Session, episode_id: int, rhi_window_hours: float) -> RhiDuty | None:
    """The duty after the episode's return (None while the child is still missing)."""
    episode = session.get(MissingEpisode, episode_id)
    if episode is None or episode.returned_at is None:
        return None
    interview = return_interview_of(session, episode_id)
    offered = interview is not None and interview.offered_at is not None
    done = interview is not None and (interview.completed_at is not None or interview.declined)
    return RhiDuty(episode.returned_at, timedelta(hours=rhi_window_hours), offered, done)


# Returns with work still to do ------------------------------------------------------------


@dataclass(frozen=True)
class OutstandingReturn:
    """A return whose safe-and-well check or return interview is still to be recorded."""

    episode_id: int
    child_id: int
    child: str
    child_ref: str
    home_id: int
    home: str
    returned_at: datetime
    safe_and_well_missing: bool
    rhi: RhiDuty

    @property
    def rhi_offer_missing(self) -> bool:
        return not (self.rhi.offered or self.rhi.done)

    @property
    def rhi_completion_missing(self) -> bool:
        return not self.rhi.done

    @property
    def missing(self) -> tuple[str, ...]:
        """What is still to be recorded, in words."""
        flags = (
            (self.safe_and_well_missing, "safe-and-well check"),
            (self.rhi_offer_missing, "RHI offer"),
            (self.rhi_completion_missing, "RHI completion"),
        )
        return tuple(words for missing, words in flags if missing)


def outstanding_returns(
    session: Session, now: datetime, rhi_window_hours: float, actor: Actor | None = None
) -> list[OutstandingReturn]:
    """Returns in the last 14 days (or still inside the RHI window) without a safe-and-well
    check, or whose RHI is neither completed nor declined, at the actor's homes (None: all);
    those awaiting an offer first, the nearest offer deadline first, then the rest, oldest
    return first."""
    window = timedelta(hours=rhi_window_hours)
    since = now - max(window, timedelta(days=RETURNS_LOOKBACK_DAYS))
    episode, interview = MissingEpisode, ReturnInterview
    # IS, not =, so that an episode without an interview row reads as "not done", not NULL.
    rhi_done = interview.completed_at.is_not(None) | interview.declined.is_(True)
    offered = interview.offered_at.is_not(None)
    columns = (
        episode.id, Child.id, Child.first_name, Child.last_name, Child.local_ref,
        CareHome.id, CareHome.name, episode.returned_at, episode.safe_and_well_at,
        offered, rhi_done,
    )  # fmt: skip
    query = (
        select(*columns)
        .join(Child, Child.id == episode.child_id)
        .join(CareHome, CareHome.id == episode.home_id)
        .outerjoin(interview, interview.episode_id == episode.id)
        .where(episode.returned_at >= since)
        .where(episode.safe_and_well_at.is_(None) | ~rhi_done)
    )
    query = restrict_to_homes(query, episode.home_id, actor)
    rows = [_outstanding(row, window) for row in session.execute(query)]
    return sorted(
        rows, key=lambda row: (not row.rhi_offer_missing, row.rhi.offer_by, row.episode_id)
    )


def _outstanding(row: Any, window: timedelta) -> OutstandingReturn:
    episode_id, child_id, first, last, ref, home_id, home, returned_at, checked, offered, done = row
    duty = RhiDuty(returned_at, window, bool(offered), bool(done))
    return OutstandingReturn(
        episode_id, child_id, _name(first, last, ref), ref, home_id, home, returned_at,
        checked is None, duty,
    )  # fmt: skip


# Children who crossed the repeat threshold ------------------------------------------------


@dataclass(frozen=True)
class TriggeredChild:
    """A child whose episode `episode_id` made `count` episodes within the repeat window."""

    child_id: int
    child: str
    child_ref: str
    episode_id: int
    last_seen_at: datetime
    home_id: int
    home: str
    count: int


def _days_before(seen: SQLColumnExpression[datetime], days: int) -> ColumnElement[Any]:
    """`seen − days` as stored text. SQLite's datetime() drops fractions of a second, so the
    stored fraction (if any, from character 20 on) is put back: whole days leave it as it is."""
    shifted = func.datetime(seen, f"-{days} days", type_=String)
    return shifted.concat(func.substr(seen, 20))


def triggered_children(
    session: Session, now: datetime, threshold: int, window_days: int, actor: Actor | None = None
) -> list[TriggeredChild]:
    """Children with an episode `e` in the last 30 days such that their episodes (any home,
    any date, `e` included) last seen in (e.last_seen_at − D days, e.last_seen_at] number at
    least N (METRICS.md, `triggered_children`); each with the first such episode in the 30
    days, most recent crossing first. Only the children of the actor's homes (None: all),
    though every home's episodes count towards the threshold."""
    first: dict[int, tuple[int, int]] = {}  # child -> (crossing episode, its count)
    for episode_id, child_id, count in session.execute(_look_backs(now, window_days)):
        # Filtered here, not in SQL: a WHERE on the count would make SQLite count twice.
        if count >= threshold and child_id not in first:
            first[child_id] = (episode_id, count)
    counts = dict(first.values())
    rows = [
        _triggered(row, counts[row.episode_id])
        for chunk in _chunks(list(counts))
        for row in session.execute(restrict_to_children(_crossings(chunk), Child.id, actor))
    ]
    return sorted(rows, key=lambda row: (row.last_seen_at, row.episode_id), reverse=True)


def _triggered(row: Any, count: int) -> TriggeredChild:
    name = _name(row.first_name, row.last_name, row.local_ref)
    return TriggeredChild(
        row.child_id, name, row.local_ref, row.episode_id, row.last_seen_at, row.home_id,
        row.home, count,
    )  # fmt: skip


def _look_backs(now: datetime, window_days: int) -> Select[tuple[int, int, int]]:
    """Each episode of the last 30 days, in order, with the child's episodes in its window."""
    episode, other = MissingEpisode, aliased(MissingEpisode)
    count = (
        select(func.count())
        .where(
            other.child_id == episode.child_id,
            other.last_seen_at > _days_before(episode.last_seen_at, int(window_days)),
            other.last_seen_at <= episode.last_seen_at,
        )
        .scalar_subquery()
    )
    since = now - timedelta(days=TRIGGER_LOOKBACK_DAYS)
    return (
        select(episode.id, episode.child_id, count)
        .where(episode.last_seen_at > since, episode.last_seen_at <= now)
        .order_by(episode.last_seen_at, episode.id)
    )


def _crossings(episode_ids: list[int]) -> Select[Any]:
    columns = (
        Child.id.label("child_id"), Child.first_name, Child.last_name, Child.local_ref,
        MissingEpisode.id.label("episode_id"), MissingEpisode.last_seen_at,
        CareHome.id.label("home_id"), CareHome.name.label("home"),
    )  # fmt: skip
    return (
        select(*columns)
        .join(Child, Child.id == MissingEpisode.child_id)
        .join(CareHome, CareHome.id == MissingEpisode.home_id)
        .where(MissingEpisode.id.in_(episode_ids))
    )


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# Actions due this week ----------------------------------------------------------------------


@dataclass(frozen=True)
class DueAction:
    action_id: int
    description: str
    owner: str | None
    due_on: date
    meeting_id: int
    held_on: date
    home_id: int
    home: str

    def overdue(self, today: date) -> bool:
        return self.due_on < today


def week_end(today: date) -> date:
    """The coming Sunday (today, when today is a Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def actions_due(session: Session, today: date, actor: Actor | None = None) -> list[DueAction]:
    """Open actions due on or before the coming Sunday, overdue ones included, agreed with the
    actor's homes (None: all); earliest first."""
    columns = (
        Action.id, Action.description, Action.owner, Action.due_on, LiaisonMeeting.id,
        LiaisonMeeting.held_on, CareHome.id, CareHome.name,
    )  # fmt: skip
    query = (
        select(*columns)
        .join(LiaisonMeeting, LiaisonMeeting.id == Action.meeting_id)
        .join(CareHome, CareHome.id == LiaisonMeeting.home_id)
        .where(Action.done_on.is_(None), Action.due_on <= week_end(today))
        .order_by(Action.due_on, Action.id)
    )
    query = restrict_to_homes(query, LiaisonMeeting.home_id, actor)
    return [DueAction(*row) for row in session.execute(query)]


# Look-ups for the episode forms -------------------------------------------------------------


@dataclass(frozen=True)
class ChildChoice:
    """A child offered while typing into a form: name, reference, home on the day."""

    child_id: int
    name: str
    local_ref: str
    home: str | None

    @property
    def label(self) -> str:
        return f"{self.name} · {self.local_ref} · {self.home or 'no placement that day'}"


@dataclass(frozen=True)
class ChildFacts:
    """What the Merseyside rules need to know about a child."""

    child_id: int
    name: str
    local_ref: str
    dob: date
    cse_flagged_on: date | None
    cce_flagged_on: date | None

    def exploitation_flag_on(self, day: date) -> str | None:
        for label, since in (("CSE", self.cse_flagged_on), ("CCE", self.cce_flagged_on)):
            if since is not None and since <= day:
                return label
        return None


def child_choices(
    session: Session, text: str, day: date, limit: int = 20, actor: Actor | None = None
) -> list[ChildChoice]:
    """Children of the actor's homes (None: all) whose name or reference contains `text`
    (whole-reference match first), with their home on `day`. Police references are left to
    the window's search: finding them means reading every episode, too slow for a list that
    follows each key pressed."""
    words = text.strip()
    if len(words) < 2:
        return []
    pattern = f"%{words}%"
    full_name = func.coalesce(Child.first_name, "") + " " + func.coalesce(Child.last_name, "")
    query = (
        select(Child.id, Child.first_name, Child.last_name, Child.local_ref)
        .where(full_name.ilike(pattern) | Child.local_ref.ilike(pattern))
        .order_by((Child.local_ref == words).desc(), Child.last_name, Child.first_name, Child.id)
        .limit(limit)
    )
    found = session.execute(restrict_to_children(query, Child.id, actor)).all()
    homes = placed_homes(session, [row.id for row in found], day)
    return [
        ChildChoice(row.id, _name(row.first_name, row.last_name, row.local_ref), row.local_ref,
                    _home_name(homes, row.id))
        for row in found
    ]  # fmt: skip


def _home_name(homes: dict[int, tuple[int, str]], child_id: int) -> str | None:
    return homes[child_id][1] if child_id in homes else None


def placed_homes(session: Session, child_ids: list[int], day: date) -> dict[int, tuple[int, str]]:
    """Each child's home (id, name) on `day`, for children who had a placement then."""
    query = (
        select(Placement.child_id, CareHome.id, CareHome.name)
        .join(CareHome, CareHome.id == Placement.home_id)
        .where(
            Placement.child_id.in_(child_ids),
            Placement.start <= day,
            Placement.end.is_(None) | (Placement.end > day),
        )
    )
    return {child_id: (home_id, name) for child_id, home_id, name in session.execute(query)}


def home_on(session: Session, child_id: int, moment: datetime) -> int | None:
    """The home the child was placed at on the London day of `moment`."""
    placed = placed_homes(session, [child_id], local_date(moment))
    return placed[child_id][0] if child_id in placed else None


def child_facts(session: Session, child_id: int) -> ChildFacts | None:
    child = session.get(Child, child_id)
    if child is None:
        return None
    return ChildFacts(
        child.id, child.display_name, child.local_ref, child.dob,
        child.cse_flagged_on, child.cce_flagged_on,
    )  # fmt: skip


@dataclass(frozen=True)
class EpisodeCard:
    """One episode as the forms after a return show it at the top."""

    episode_id: int
    child: str
    child_ref: str
    home: str
    last_seen_at: datetime
    returned_at: datetime | None
    safe_and_well_at: datetime | None


def episode_card(session: Session, episode_id: int) -> EpisodeCard | None:
    episode = session.get(MissingEpisode, episode_id)
    if episode is None:
        return None
    child = episode.child
    return EpisodeCard(
        episode.id, child.display_name, child.local_ref, episode.home.name,
        episode.last_seen_at, episode.returned_at, episode.safe_and_well_at,
    )  # fmt: skip


def return_interview_of(session: Session, episode_id: int) -> ReturnInterview | None:
    """The episode's return interview as recorded so far (None when nothing is)."""
    query = select(ReturnInterview).where(ReturnInterview.episode_id == episode_id)
    return session.scalar(query)
