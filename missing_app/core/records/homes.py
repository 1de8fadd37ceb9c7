"""Use cases for care homes, the children placed in them and their placements."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core import rules
from missing_app.core.audit import snapshot
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import CareHome, Child, ChildProfile, Placement
from missing_app.core.records.base import RecordsBase, Saved, _apply, _Check, _get
from missing_app.core.security.access import Permission
from missing_app.core.times import local_date

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
# fmt: on


class HomesAndChildren(RecordsBase):
    """Create and change homes, children, their profiles and placements."""

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
        if child.dob > (today := local_date(self.now())):
            check.error("dob", rules.future_day(child.dob, today))
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
            reviewed, today = profile.reviewed_on, local_date(self.now())
            if reviewed is not None and reviewed > today:
                problem = Problem(
                    "reviewed_on", f"the review date {rules.future_day(reviewed, today)}"
                )
                raise ValidationError([problem])
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
