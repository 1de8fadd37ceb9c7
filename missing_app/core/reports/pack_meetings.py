"""The liaison meetings a pack speaks of: the home's last meeting on or before the month's
end, the actions still open on the month's last day, and the next meeting if one is
already recorded.

Open and overdue are the home page's rules (`queries.meetings.open_on`, `is_overdue`) on
the month's last day, so the pack of a month reads the same whenever it is made and lists
what the home's page listed that day; an action done since says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core.models import Action, CareHome, LiaisonMeeting
from missing_app.core.queries.meetings import is_overdue, open_on


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    held_on: date
    attendees: str | None


@dataclass(frozen=True)
class OpenAction:
    """An action of a home's meeting that was still open on the month's last day."""

    home_urn: str
    home: str
    held_on: date
    description: str
    owner: str | None
    due_on: date | None
    done_on: date | None  # done after the month's end

    def status(self, month_end: date) -> str:
        """'Overdue', 'Open', or 'Done 3 Nov 2025' (after the month's end)."""
        if self.done_on is not None and self.done_on > month_end:
            return f"Done {self.done_on.day} {self.done_on:%b %Y}"
        return "Overdue" if is_overdue(self.due_on, self.done_on, month_end) else "Open"


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


def open_actions(session: Session, last: date, home_id: int | None) -> tuple[OpenAction, ...]:
    """The actions of one home (None: every home) open on `last`, from any of its meetings;
    by home, then soonest due (no due date last)."""
    query = (
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
        .where(open_on(last))
    )
    if home_id is not None:
        query = query.where(LiaisonMeeting.home_id == home_id)
    query = query.order_by(
        CareHome.name, CareHome.urn, Action.due_on.is_(None), Action.due_on, Action.id
    )
    return tuple(OpenAction(*row) for row in session.execute(query))
