"""Use cases for missing episodes, return interviews and reporting assessments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core import rules
from missing_app.core.audit import snapshot
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import (
    CareHome,
    Child,
    MissingEpisode,
    Placement,
    ReportingAssessment,
    ReturnInterview,
)
from missing_app.core.records.base import RecordsBase, Saved, _apply, _Check, _get
from missing_app.core.security.access import Permission, require_homes
from missing_app.core.times import local_date

# fmt: off
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
# fmt: on


class Episodes(RecordsBase):
    """Record episodes, returns, safe and well checks, return interviews and assessments."""

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
            if at > (now := self.now()):
                check.error("safe_and_well_at", f"the check at {rules.future_time(at, now)}")
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
            if moment is not None and moment > (now := self.now()):
                check.error(name, rules.future_time(moment, now))
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
