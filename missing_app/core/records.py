"""Use cases that change data: one transaction each, each leaving its audit row.

The window, the command line and tests all change records through `Records`, so the rules
of `rules.py`, the role limits of `security/access.py` and the audit trail apply whichever
way a change arrives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.config import SETTINGS_BY_KEY
from missing_app.core import rules
from missing_app.core.audit import log_change, log_view, snapshot
from missing_app.core.db import Database
from missing_app.core.errors import NotFound, Problem, ValidationError
from missing_app.core.models import (
    Action,
    Base,
    CareHome,
    Child,
    ChildProfile,
    LiaisonMeeting,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    ReturnInterview,
    Setting,
)
from missing_app.core.security.access import (
    Actor,
    Permission,
    require_child,
    require_homes,
    resolve_actor,
)
from missing_app.core.times import local_date, utc_now

R = TypeVar("R", bound=Base)
B = TypeVar("B", bound=Base)

# fmt: off
HOME_FIELDS = (
    "urn", "name", "provider", "local_authority", "postcode", "beds", "pcso_id", "engagement_start",
)
CHILD_FIELDS = (
    "local_ref", "first_name", "last_name", "dob", "sex", "ethnicity", "placing_authority",
    "legal_status", "social_worker", "cse_flagged_on", "cce_flagged_on",
)
PROFILE_FIELDS = (
    "description", "photo", "associates", "places_frequented", "phones_and_social_media",
    "medical_needs", "reviewed_on",
)
PLACEMENT_FIELDS = ("start", "end")
EPISODE_FIELDS = (
    "type", "last_seen_at", "reported_at", "police_ref", "risk", "circumstances", "clothing",
    "last_seen_location", "home_id", "notes",
)
RETURN_FIELDS = ("return_method", "found_location", "found_with", "arrested", "harm_disclosed")
INTERVIEW_FIELDS = (
    "offered_by", "provider", "push_factors", "pull_factors", "exploitation_indicators", "notes",
)
ASSESSMENT_FIELDS = (
    "searched_first", "reported_within_policy", "profile_current", "police_ref_kept",
    "placing_authority_told", "social_worker_told", "each_night_reported", "notes", "assessed_by",
)
MEETING_FIELDS = ("held_on", "attendees", "notes")
ACTION_FIELDS = ("description", "owner", "due_on", "done_on")
# fmt: on


@dataclass(frozen=True)
class Saved(Generic[R]):
    """A record as saved, with the warnings the rules raised about it."""

    record: R
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: str | None = None
    due_on: date | None = None


@dataclass
class _Check:
    """Problems gathered while checking one change; raises if any is an error."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.problems.extend(problems)

    def raise_errors(self) -> tuple[Problem, ...]:
        if any(p.is_error for p in self.problems):
            raise ValidationError(self.problems)
        return tuple(self.problems)


def _apply(record: Base, changes: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError([Problem(name, "cannot be changed here") for name in unknown])
    for name, value in changes.items():
        setattr(record, name, value.strip() or None if isinstance(value, str) else value)


def _get(session: Session, model: type[B], record_id: int) -> B:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"There is no {model.__tablename__.replace('_', ' ')} {record_id}.")
    return record


class Records:
    """Every change a user can make, each in one transaction with an audit row.

    `username` is who acts. Once the database has accounts (a user with a password), it
    must be an active account and its role's limits apply to every use case (raising
    PermissionDenied); a database without accounts (demo, tests, older files) has none.
    """

    def __init__(self, db: Database, username: str, now: Callable[[], datetime] = utc_now):
        self.db = db
        self.username = username
        self.now = now

    def _audit(self, session: Session, action: str, record: Base, before: Any = None) -> None:
        log_change(session, self.username, action, record, before)

    def _allow(
        self,
        session: Session,
        need: Permission,
        homes: Iterable[int | None] = (),
        child_id: int | None = None,
    ) -> Actor:
        """Who acts, read afresh in this transaction; PermissionDenied if their role may not."""
        actor = resolve_actor(session, self.username)
        require_homes(session, actor, need, homes)
        if child_id is not None:
            require_child(session, actor, need, child_id)
        return actor

    def record_view(self, entity: str, record_id: int) -> None:
        """Audit that the user opened a child's or an episode's record, if they may see it."""
        with self.db.transaction() as session:
            if entity == "children":
                _get(session, Child, record_id)
                self._allow(session, Permission.READ, child_id=record_id)
            elif entity == "missing_episodes":
                episode = _get(session, MissingEpisode, record_id)
                self._allow(session, Permission.READ, [episode.home_id])
            else:
                raise ValueError(f"views of {entity} are not audited")
            log_view(session, self.username, entity, record_id)

    # Homes -------------------------------------------------------------------------------

    def create_home(self, urn: str, name: str, **fields: Any) -> Saved[CareHome]:
        with self.db.transaction() as session:
            self._allow(session, Permission.MANAGE_HOMES)
            home = CareHome()
            _apply(home, {"urn": urn, "name": name, **fields}, HOME_FIELDS)
            self._check_home(session, home)
            session.add(home)
            self._audit(session, "create", home)
            return Saved(home)

    def update_home(self, home_id: int, **changes: Any) -> Saved[CareHome]:
        with self.db.transaction() as session:
            home = _get(session, CareHome, home_id)
            self._allow(session, Permission.WRITE, [home_id])
            before = snapshot(home)
            _apply(home, changes, HOME_FIELDS)
            if before and home.pcso_id != before["pcso_id"]:
                self._allow(session, Permission.MANAGE_HOMES)
            self._check_home(session, home)
            self._audit(session, "update", home, before)
            return Saved(home)

    def _check_home(self, session: Session, home: CareHome) -> None:
        check = _Check()
        if not home.urn:
            check.error("urn", "the home's URN is required")
        if not home.name:
            check.error("name", "the home's name is required")
        if home.beds is not None and not 0 <= home.beds <= 100:
            check.error("beds", f"{home.beds} beds is not possible (0 to 100)")
        clash = session.scalar(
            select(CareHome.id).where(CareHome.urn == home.urn, CareHome.id != home.id)
        )
        if home.urn and clash is not None:
            check.error("urn", f"another home already has the URN {home.urn}")
        check.raise_errors()

    # Children ----------------------------------------------------------------------------

    def create_child(self, local_ref: str, dob: date, **fields: Any) -> Saved[Child]:
        with self.db.transaction() as session:
            self._allow(session, Permission.WRITE)
            child = Child()
            _apply(child, {"local_ref": local_ref, "dob": dob, **fields}, CHILD_FIELDS)
            self._check_child(session, child)
            session.add(child)
            self._audit(session, "create", child)
            return Saved(child)

    def update_child(self, child_id: int, **changes: Any) -> Saved[Child]:
        with self.db.transaction() as session:
            child = _get(session, Child, child_id)
            self._allow(session, Permission.WRITE, child_id=child_id)
            before = snapshot(child)
            _apply(child, changes, CHILD_FIELDS)
            self._check_child(session, child)
            self._audit(session, "update", child, before)
            return Saved(child)

    def _check_child(self, session: Session, child: Child) -> None:
        check = _Check()
        if not child.local_ref:
            check.error("local_ref", "the child's reference is required")
        if child.dob > local_date(self.now()):
            check.error("dob", f"{child.dob:%d/%m/%Y} is in the future")
        if child.sex is not None:
            try:
                child.sex = rules.sex(child.sex)
            except rules.CodeError as exc:
                check.error("sex", str(exc))
        clash = session.scalar(
            select(Child.id).where(Child.local_ref == child.local_ref, Child.id != child.id)
        )
        if child.local_ref and clash is not None:
            check.error("local_ref", f"another child already has the reference {child.local_ref}")
        check.raise_errors()

    def update_profile(self, child_id: int, **changes: Any) -> Saved[ChildProfile]:
        """Create or change the child's Philomena profile (part 1)."""
        with self.db.transaction() as session:
            _get(session, Child, child_id)
            self._allow(session, Permission.WRITE, child_id=child_id)
            profile = session.get(ChildProfile, child_id)
            before = snapshot(profile)
            if profile is None:
                profile = ChildProfile(child_id=child_id)
                session.add(profile)
            _apply(profile, changes, PROFILE_FIELDS)
            if profile.reviewed_on is not None and profile.reviewed_on > local_date(self.now()):
                raise ValidationError([Problem("reviewed_on", "the review date is in the future")])
            self._audit(session, "create" if before is None else "update", profile, before)
            return Saved(profile)

    # Placements --------------------------------------------------------------------------

    def add_placement(
        self, child_id: int, home_id: int, start: date, end: date | None = None
    ) -> Saved[Placement]:
        with self.db.transaction() as session:
            _get(session, Child, child_id)
            _get(session, CareHome, home_id)
            self._allow(session, Permission.WRITE, [home_id])
            placement = Placement(child_id=child_id, home_id=home_id, start=start, end=end)
            self._check_placement(session, placement)
            session.add(placement)
            self._audit(session, "create", placement)
            return Saved(placement)

    def update_placement(self, placement_id: int, **changes: Any) -> Saved[Placement]:
        with self.db.transaction() as session:
            placement = _get(session, Placement, placement_id)
            self._allow(session, Permission.WRITE, [placement.home_id])
            before = snapshot(placement)
            _apply(placement, changes, PLACEMENT_FIELDS)
            self._check_placement(session, placement)
            self._audit(session, "update", placement, before)
            return Saved(placement)

    def _check_placement(self, session: Session, placement: Placement) -> None:
        check = _Check()
        if placement.end is not None and placement.end < placement.start:
            check.error("end", f"the placement ends ({placement.end}) before it starts")
        others = session.scalars(
            select(Placement).where(
                Placement.child_id == placement.child_id, Placement.id != placement.id
            )
        )
        for other in others:
            if other.home_id == placement.home_id and other.start == placement.start:
                check.error(
                    "start",
                    f"the child already has a placement at {other.home.name} starting "
                    f"{other.start:%d/%m/%Y}",
                )
            elif rules.dates_overlap(placement.start, placement.end, other.start, other.end):
                check.error(
                    "start",
                    f"the child is already placed at {other.home.name} from "
                    f"{other.start:%d/%m/%Y}" + (f" to {other.end:%d/%m/%Y}" if other.end else ""),
                )
        check.raise_errors()

    # Episodes ----------------------------------------------------------------------------

    def record_missing(
        self, child_id: int, last_seen_at: datetime, **fields: Any
    ) -> Saved[MissingEpisode]:
        """Record a child missing; the home defaults to the child's placement that day."""
        with self.db.transaction() as session:
            child = _get(session, Child, child_id)
            actor = self._allow(session, Permission.WRITE)
            home_id = fields.pop("home_id", None) or self._home_on(session, child, last_seen_at)
            require_homes(session, actor, Permission.WRITE, [home_id])
            episode = MissingEpisode(child_id=child_id, home_id=home_id, last_seen_at=last_seen_at)
            episode.type = "missing"
            _apply(episode, fields, EPISODE_FIELDS)
            warnings = self._check_episode(session, child, episode)
            session.add(episode)
            self._audit(session, "create", episode)
            return Saved(episode, warnings)

    def update_episode(self, episode_id: int, **changes: Any) -> Saved[MissingEpisode]:
        with self.db.transaction() as session:
            episode = _get(session, MissingEpisode, episode_id)
            self._allow(session, Permission.WRITE, [episode.home_id, changes.get("home_id")])
            before = snapshot(episode)
            _apply(episode, changes, EPISODE_FIELDS)
            warnings = self._check_episode(session, episode.child, episode)
            self._audit(session, "update", episode, before)
            return Saved(episode, warnings)

    def record_return(
        self, episode_id: int, returned_at: datetime, **fields: Any
    ) -> Saved[MissingEpisode]:
        with self.db.transaction() as session:
            episode = _get(session, MissingEpisode, episode_id)
            self._allow(session, Permission.WRITE, [episode.home_id])
            before = snapshot(episode)
            episode.returned_at = returned_at
            _apply(episode, fields, RETURN_FIELDS)
            warnings = self._check_episode(session, episode.child, episode)
            self._audit(session, "update", episode, before)
            return Saved(episode, warnings)

    def record_safe_and_well(self, episode_id: int, at: datetime) -> Saved[MissingEpisode]:
        with self.db.transaction() as session:
            episode = _get(session, MissingEpisode, episode_id)
            self._allow(session, Permission.WRITE, [episode.home_id])
            before = snapshot(episode)
            check = _Check()
            if episode.returned_at is None:
                check.error("safe_and_well_at", "the child has not been recorded as returned")
            elif at < episode.returned_at:
                check.error("safe_and_well_at", "the check is before the child returned")
            if at > self.now():
                check.error("safe_and_well_at", "the check is in the future")
            check.raise_errors()
            episode.safe_and_well_at = at
            self._audit(session, "update", episode, before)
            return Saved(episode)

    def _home_on(self, session: Session, child: Child, moment: datetime) -> int:
        day = local_date(moment)
        home_id = session.scalar(
            select(Placement.home_id).where(
                Placement.child_id == child.id,
                Placement.start <= day,
                (Placement.end.is_(None)) | (Placement.end > day),
            )
        )
        if home_id is None:
            raise ValidationError(
                [
                    Problem(
                        "home_id",
                        f"{child.display_name} has no placement on {day:%d/%m/%Y}; choose the home",
                    )
                ]
            )
        return home_id

    def _check_episode(
        self, session: Session, child: Child, episode: MissingEpisode
    ) -> tuple[Problem, ...]:
        check = _Check()
        for name, parse in (
            ("type", rules.episode_type),
            ("risk", rules.risk_grade),
            ("return_method", rules.return_method),
        ):
            value = getattr(episode, name)
            if value is not None:
                try:
                    setattr(episode, name, parse(value))
                except rules.CodeError as exc:
                    check.error(name, str(exc))
        if not episode.type:  # a blank type is cleared to None by _apply
            check.error("type", "choose the type: missing or absent")
        if episode.home_id is None or session.get(CareHome, episode.home_id) is None:
            check.error("home_id", "choose the home the child went missing from")
        facts = rules.EpisodeFacts(
            last_seen_at=episode.last_seen_at,
            type=episode.type,
            risk=episode.risk,
            reported_at=episode.reported_at,
            returned_at=episode.returned_at,
            dob=child.dob,
            exploitation_flag=child.exploitation_flag_on(local_date(episode.last_seen_at)),
        )
        check.extend(rules.check_episode(facts, self.now()))
        check.extend(self._overlap_problems(session, episode))
        return check.raise_errors()

    def _overlap_problems(self, session: Session, episode: MissingEpisode) -> list[Problem]:
        query = select(MissingEpisode.last_seen_at, MissingEpisode.returned_at).where(
            MissingEpisode.child_id == episode.child_id
        )
        if episode.id is not None:
            query = query.where(MissingEpisode.id != episode.id)
        this = rules.Span("this", episode.last_seen_at, episode.returned_at)
        problems = []
        for start, end in session.execute(query):
            if start == episode.last_seen_at:
                message = "this child already has an episode last seen at that moment"
                problems.append(Problem("last_seen_at", message))
            elif rules.overlaps([this, rules.Span("other", start, end)]):
                column = "last_seen_at" if start < episode.last_seen_at else "returned_at"
                problems.append(Problem(column, rules.overlap_message(this, start, end)))
        return problems

    # Return interviews and reporting assessments ------------------------------------------

    def _interview(self, session: Session, episode_id: int) -> tuple[ReturnInterview, Any]:
        episode = _get(session, MissingEpisode, episode_id)
        self._allow(session, Permission.WRITE, [episode.home_id])
        if episode.returned_at is None:
            raise ValidationError(
                [Problem("returned_at", "record the child's return before the return interview")]
            )
        interview = episode.return_interview
        before = snapshot(interview)
        if interview is None:
            interview = ReturnInterview(episode=episode, declined=False)
            session.add(interview)
        return interview, before

    def _save_interview(
        self, session: Session, interview: ReturnInterview, before: Any, changes: Mapping[str, Any]
    ) -> Saved[ReturnInterview]:
        _apply(interview, changes, (*INTERVIEW_FIELDS, "offered_at", "completed_at", "declined"))
        returned = interview.episode.returned_at
        check = _Check()
        for name in ("offered_at", "completed_at"):
            moment = getattr(interview, name)
            if moment is not None and moment > self.now():
                check.error(name, "is in the future")
            elif moment is not None and returned is not None and moment < returned:
                check.error(name, "is before the child returned")
        if (
            interview.completed_at
            and interview.offered_at
            and (interview.completed_at < interview.offered_at)
        ):
            check.error("completed_at", "the interview is completed before it was offered")
        check.raise_errors()
        self._audit(session, "create" if before is None else "update", interview, before)
        return Saved(interview)

    def record_rhi_offer(
        self, episode_id: int, offered_at: datetime, **fields: Any
    ) -> Saved[ReturnInterview]:
        with self.db.transaction() as session:
            interview, before = self._interview(session, episode_id)
            changes = {"offered_at": offered_at, **fields}
            return self._save_interview(session, interview, before, changes)

    def record_rhi_completed(
        self, episode_id: int, completed_at: datetime, **fields: Any
    ) -> Saved[ReturnInterview]:
        with self.db.transaction() as session:
            interview, before = self._interview(session, episode_id)
            changes = {"completed_at": completed_at, "declined": False, **fields}
            return self._save_interview(session, interview, before, changes)

    def record_rhi_declined(self, episode_id: int, **fields: Any) -> Saved[ReturnInterview]:
        with self.db.transaction() as session:
            interview, before = self._interview(session, episode_id)
            changes = {"declined": True, "completed_at": None, **fields}
            return self._save_interview(session, interview, before, changes)

    def record_assessment(
        self, episode_id: int, assessed_on: date, **answers: Any
    ) -> Saved[ReportingAssessment]:
        with self.db.transaction() as session:
            episode = _get(session, MissingEpisode, episode_id)
            self._allow(session, Permission.WRITE, [episode.home_id])
            assessment = episode.assessment
            before = snapshot(assessment)
            if assessment is None:
                assessment = ReportingAssessment(episode=episode, assessed_on=assessed_on)
                session.add(assessment)
            _apply(
                assessment,
                {"assessed_on": assessed_on, **answers},
                (*ASSESSMENT_FIELDS, "assessed_on"),
            )
            if assessed_on < local_date(episode.last_seen_at):
                raise ValidationError(
                    [Problem("assessed_on", "the assessment is dated before the episode")]
                )
            self._audit(session, "create" if before is None else "update", assessment, before)
            return Saved(assessment)

    # Meetings and actions ----------------------------------------------------------------

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

    # Settings ----------------------------------------------------------------------------

    def set_setting(self, key: str, value: float) -> Saved[Setting]:
        spec = SETTINGS_BY_KEY.get(key)
        if spec is None:
            raise ValidationError([Problem(key, "is not a setting")])
        if spec.integer and value != int(value):
            raise ValidationError([Problem(key, f"{spec.label} must be a whole number")])
        if not spec.minimum <= value <= spec.maximum:
            raise ValidationError(
                [Problem(key, f"{spec.label} must be from {spec.minimum:g} to {spec.maximum:g}")]
            )
        with self.db.transaction() as session:
            self._allow(session, Permission.SETTINGS)
            setting = session.get(Setting, key)
            before = snapshot(setting)
            stored = json.dumps(int(value) if spec.integer else float(value))
            if setting is None:
                setting = Setting(key=key, value=stored, updated_at=self.now())
                session.add(setting)
            else:
                setting.value, setting.updated_at = stored, self.now()
            session.flush()
            self._audit(session, "create" if before is None else "update", setting, before)
            return Saved(setting)


def read_settings(session: Session) -> dict[str, float]:
    """Every setting: the user's value where one is saved, else the default."""
    values: dict[str, float] = {key: spec.default for key, spec in SETTINGS_BY_KEY.items()}
    for setting in session.scalars(select(Setting)):
        if setting.key in values:
            values[setting.key] = json.loads(setting.value)
    return values
