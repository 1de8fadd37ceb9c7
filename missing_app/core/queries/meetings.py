"""Liaison meetings and the actions agreed at them, across every home.

Open actions come first, soonest due first; an open action past its due date is overdue.
What "open" and "overdue" mean on a given day is written once here (`open_on`,
`is_overdue`) and used by the home's page, the homes table and the monthly pack alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from missing_app.core.models import Action, CareHome, LiaisonMeeting
from missing_app.core.queries.paging import Listing
from missing_app.core.security.access import Actor, restrict_to_homes

ActionStatus = Literal["open", "done", "all"]
ACTION_STATUSES: tuple[ActionStatus, ...] = ("open", "done", "all")
NO_DUE_DATE = "9999-12-31"  # sorts actions without a due date after those with one

# Columns of a row of the actions table, after its id.
ACTION_COLUMNS = ("status", "due_on", "description", "owner", "home", "held_on", "done_on")
# Columns of a row of the meetings table, after its id.
MEETING_COLUMNS = ("held_on", "home", "actions", "open_actions", "attendees")


@dataclass(frozen=True)
class ActionRow:
    action_id: int
    meeting_id: int
    home_id: int
    home: str
    held_on: date
    description: str
    owner: str | None
    due_on: date | None
    done_on: date | None

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return is_overdue(self.due_on, self.done_on, today)


def open_on(day: date) -> ColumnElement[bool]:
    """The one rule for an open action on `day`: agreed at a meeting held by then, at any
    meeting (not only the last), and not done by the end of that day. For a query joined
    to the action's LiaisonMeeting."""
    return (LiaisonMeeting.held_on <= day) & (Action.done_on.is_(None) | (Action.done_on > day))


def is_overdue(due_on: date | None, done_on: date | None, day: date) -> bool:
    """Open on `day` (not done by then) and due before it."""
    still_open = done_on is None or done_on > day
    return still_open and due_on is not None and due_on < day


def action_select() -> Select[Any]:
    """Actions with their meeting and home, in the columns of ActionRow."""
    return (
        select(
            Action.id,
            Action.meeting_id,
            LiaisonMeeting.home_id,
            CareHome.name,
            LiaisonMeeting.held_on,
            Action.description,
            Action.owner,
            Action.due_on,
            Action.done_on,
        )
        .join(LiaisonMeeting, LiaisonMeeting.id == Action.meeting_id)
        .join(CareHome, CareHome.id == LiaisonMeeting.home_id)
    )


def open_first(query: Select[Any]) -> Select[Any]:
    """Open actions first, soonest due first (no due date last), then the done ones."""
    return query.order_by(
        Action.done_on.is_not(None), Action.due_on.is_(None), Action.due_on, Action.id
    )


def action_rows(session: Session, query: Select[Any]) -> list[ActionRow]:
    """The rows of a query built on `action_select()`."""
    return [ActionRow(*row) for row in session.execute(query)]


def meeting_home(session: Session, meeting_id: int) -> int | None:
    """The home a meeting was held with."""
    query = select(LiaisonMeeting.home_id).where(LiaisonMeeting.id == meeting_id)
    return session.scalar(query)


def action_row(session: Session, action_id: int) -> ActionRow | None:
    found = action_rows(session, action_select().where(Action.id == action_id))
    return found[0] if found else None


@dataclass(frozen=True)
class ActionFilter:
    """Which actions to list: one home's or every home's; open, done or all."""

    home_id: int | None = None
    status: ActionStatus = "open"


def action_status(today: date) -> ColumnElement[str]:
    """'Done', 'Overdue' or 'Open', as of `today`."""
    return case(
        (Action.done_on.is_not(None), literal("Done")),
        (Action.due_on < today, literal("Overdue")),
        else_=literal("Open"),
    )


def action_listing(where: ActionFilter, today: date, actor: Actor | None = None) -> Listing:
    """The actions table (the actor's homes'; None: all); sorting by status puts open
    first, then by due date."""
    columns: dict[str, Any] = {
        "status": action_status(today),
        "due_on": Action.due_on,
        "description": Action.description,
        "owner": Action.owner,
        "home": CareHome.name,
        "held_on": LiaisonMeeting.held_on,
        "done_on": Action.done_on,
    }
    assert tuple(columns) == ACTION_COLUMNS
    query = (
        select(Action.id, *(column.label(key) for key, column in columns.items()))
        .join(LiaisonMeeting, LiaisonMeeting.id == Action.meeting_id)
        .join(CareHome, CareHome.id == LiaisonMeeting.home_id)
    )
    if where.home_id is not None:
        query = query.where(LiaisonMeeting.home_id == where.home_id)
    if where.status == "open":
        query = query.where(Action.done_on.is_(None))
    elif where.status == "done":
        query = query.where(Action.done_on.is_not(None))
    query = restrict_to_homes(query, LiaisonMeeting.home_id, actor)
    # One sortable expression: "0" or "1" for open or done, then the due date.
    done = case((Action.done_on.is_(None), literal("0")), else_=literal("1"))
    due = func.coalesce(Action.due_on, NO_DUE_DATE)
    sortable = {**columns, "status": done.op("||")(due)}
    return Listing(query, sortable, Action.id)


def meeting_listing(home_id: int | None = None, actor: Actor | None = None) -> Listing:
    """Every meeting (or one home's) with the actor's homes (None: all), with how many
    actions it agreed and how many are open."""
    actions = select(func.count()).where(Action.meeting_id == LiaisonMeeting.id).scalar_subquery()
    still_open = (
        select(func.count())
        .where(Action.meeting_id == LiaisonMeeting.id, Action.done_on.is_(None))
        .scalar_subquery()
    )
    columns: dict[str, Any] = {
        "held_on": LiaisonMeeting.held_on,
        "home": CareHome.name,
        "actions": actions,
        "open_actions": still_open,
        "attendees": LiaisonMeeting.attendees,
    }
    assert tuple(columns) == MEETING_COLUMNS
    query = select(LiaisonMeeting.id, *(column.label(key) for key, column in columns.items())).join(
        CareHome, CareHome.id == LiaisonMeeting.home_id
    )
    if home_id is not None:
        query = query.where(LiaisonMeeting.home_id == home_id)
    query = restrict_to_homes(query, LiaisonMeeting.home_id, actor)
    return Listing(query, columns, LiaisonMeeting.id)
