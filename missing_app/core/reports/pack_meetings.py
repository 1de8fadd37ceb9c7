"""The liaison meetings a pack speaks of: the home's last meeting on or before the month's
end, the open actions agreed at it, and the next meeting if one is already recorded.

An action counts as open when it was not done by the end of the month, so the pack of a
month reads the same whenever it is made; one done since says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from missing_app.core.models import Action, CareHome, LiaisonMeeting


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    held_on: date
    attendees: str | None


@dataclass(frozen=True)
class OpenAction:
    """An action of a home's last meeting that was still open at the end of the month."""

    home_urn: str
    home: str
    held_on: date
    description: str
    owner: str | None
    due_on: date | None
    done_on: date | None  # done after the month's end

    def status(self, month_end: date) -> str:
        """'Overdue', 'Open', or 'Done 3 Nov 2025' (after the month's end)."""
        if self.done_on is not None:
            return f"Done {self.done_on.day} {self.done_on:%b %Y}"
        if self.due_on is not None and self.due_on <= month_end:
            return "Overdue"
        return "Open"


def last_meeting(session: Session, home_id: int, last: date) -> Meeting | None:
    """The home's latest meeting held on or before `last`."""
    query = (
        select(LiaisonMeeting.id, LiaisonMeeting.held_on, LiaisonMeeting.attendees)
        .where(LiaisonMeeting.home_id == home_id, LiaisonMeeting.held_on <= last)
        .order_by(LiaisonMeeting.held_on.desc(), LiaisonMeeting.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    return None if row is None else Meeting(*row)


def next_meeting(session: Session, home_id: int, last: date) -> date | None:
    """The home's first meeting after `last`, when one is recorded: the meeting the pack is for."""
    query = select(func.min(LiaisonMeeting.held_on)).where(
        LiaisonMeeting.home_id == home_id, LiaisonMeeting.held_on > last
    )
    return session.scalar(query)


def meetings_held(session: Session, first: date, last: date) -> tuple[int, int]:
    """(meetings, homes met) from `first` to `last`."""
    query = select(func.count(), func.count(func.distinct(LiaisonMeeting.home_id))).where(
        LiaisonMeeting.held_on >= first, LiaisonMeeting.held_on <= last
    )
    meetings, homes = session.execute(query).one()
    return int(meetings), int(homes)


def _open_actions_query(
    last: date,
) -> Select[tuple[str, str, date, str, str | None, date | None, date | None]]:
    return (
        select(
            CareHome.urn,
            CareHome.name,
            LiaisonMeeting.held_on,
            Action.description,
            Action.owner,
            Action.due_on,
            Action.done_on,
        )
        .join(LiaisonMeeting, LiaisonMeeting.id == Action.meeting_id)
        .join(CareHome, CareHome.id == LiaisonMeeting.home_id)
        .where(Action.done_on.is_(None) | (Action.done_on > last))
    )


def open_actions(session: Session, last: date, home_id: int | None) -> tuple[OpenAction, ...]:
    """Open actions of the last meeting of one home, or of every home's last meeting; by
    home, then soonest due (no due date last)."""
    latest = select(LiaisonMeeting.home_id, func.max(LiaisonMeeting.held_on).label("held_on"))
    latest = latest.where(LiaisonMeeting.held_on <= last)
    if home_id is not None:
        latest = latest.where(LiaisonMeeting.home_id == home_id)
    chosen = latest.group_by(LiaisonMeeting.home_id).subquery()
    query = _open_actions_query(last).join(
        chosen,
        (chosen.c.home_id == LiaisonMeeting.home_id) & (chosen.c.held_on == LiaisonMeeting.held_on),
    )
    query = query.order_by(
        CareHome.name, CareHome.urn, Action.due_on.is_(None), Action.due_on, Action.id
    )
    return tuple(OpenAction(*row) for row in session.execute(query))
