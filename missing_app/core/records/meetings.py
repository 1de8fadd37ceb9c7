"""Use cases for liaison meetings with a home and the actions agreed at them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from missing_app.core.audit import snapshot
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import Action, CareHome, LiaisonMeeting
from missing_app.core.records.base import RecordsBase, Saved, _apply, _get
from missing_app.core.security.access import Permission

MEETING_FIELDS = ("held_on", "attendees", "notes")
EMPTY_MEETING = "say who attended, what was discussed (notes) or an action agreed"
ACTION_FIELDS = ("description", "owner", "due_on", "done_on")


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: str | None = None
    due_on: date | None = None


class Meetings(RecordsBase):
    """Record liaison meetings and add, change and complete their actions."""

    def record_meeting(
        self,
        home_id: int,
        held_on: date,
        actions: Sequence[NewAction] = (),
        **fields: Any,
    ) -> Saved[LiaisonMeeting]:
        with self.db.transaction() as session:
            _get(session, CareHome, home_id)
            self._allow(session, Permission.WRITE, [home_id])
            if not actions and not any(_said(fields.get(key)) for key in ("attendees", "notes")):
                raise ValidationError([Problem("attendees", EMPTY_MEETING)])
            meeting = LiaisonMeeting(home_id=home_id, held_on=held_on)
            _apply(meeting, fields, MEETING_FIELDS)
            session.add(meeting)
            self._audit(session, "create", meeting)
            for new in actions:
                self._add_action(session, meeting, new)
            return Saved(meeting)

    def add_action(self, meeting_id: int, new: NewAction) -> Saved[Action]:
        with self.db.transaction() as session:
            meeting = _get(session, LiaisonMeeting, meeting_id)
            self._allow(session, Permission.WRITE, [meeting.home_id])
            return Saved(self._add_action(session, meeting, new))

    def _add_action(self, session: Session, meeting: LiaisonMeeting, new: NewAction) -> Action:
        if not new.description.strip():
            raise ValidationError([Problem("description", "say what the action is")])
        action = Action(description=new.description.strip(), owner=new.owner, due_on=new.due_on)
        meeting.actions.append(action)
        self._audit(session, "create", action)
        return action

    def update_action(self, action_id: int, **changes: Any) -> Saved[Action]:
        with self.db.transaction() as session:
            action = _get(session, Action, action_id)
            self._allow(session, Permission.WRITE, [action.meeting.home_id])
            before = snapshot(action)
            _apply(action, changes, ACTION_FIELDS)
            if not action.description:
                raise ValidationError([Problem("description", "say what the action is")])
            self._audit(session, "update", action, before)
            return Saved(action)

    def complete_action(self, action_id: int, done_on: date) -> Saved[Action]:
        return self.update_action(action_id, done_on=done_on)


def _said(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
