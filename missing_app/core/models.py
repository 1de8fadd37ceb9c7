"""The nouns of Homeward as SQLAlchemy 2.0 ORM classes (see DESIGN.md, Data model)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from missing_app.core.times import from_storage, to_storage

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LOCAL_AUTHORITIES = ("Liverpool", "Knowsley", "Sefton", "St Helens", "Wirral")
EPISODE_TYPES = ("missing", "absent")
RISK_GRADES = ("no_apparent_risk", "low", "medium", "high")
RETURN_METHODS = ("self", "found_by_police", "found_by_carer", "other")
SEXES = ("M", "F", "U")
ROLES = ("pcso", "supervisor", "analyst", "administrator")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware date-time kept as sortable UTC text ('YYYY-MM-DD HH:MM:SS')."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else to_storage(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_storage(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="pcso")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Sign-in (core/security): a user without a password cannot sign in (a demo officer, or
    # someone removed); a database where no user has one is open to whoever uses it.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    can_see_names: Mapped[bool] = mapped_column(Boolean, default=False)  # for analysts
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class CareHome(Base):
    __tablename__ = "care_homes"
    __table_args__ = (
        CheckConstraint("beds IS NULL OR beds >= 0", name="beds"),
        Index("ix_care_homes_name", "name"),  # the Episodes table sorted by home
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    local_authority: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    beds: Mapped[int | None] = mapped_column(Integer)
    pcso_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    engagement_start: Mapped[date | None] = mapped_column(Date)

    pcso: Mapped[User | None] = relationship()


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint("sex IS NULL OR " + _in("sex", SEXES), name="sex"),
        Index("ix_children_names", "first_name", "last_name"),  # the Episodes table by child
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_ref: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(8))
    placing_authority: Mapped[str | None] = mapped_column(String(100))
    legal_status: Mapped[str | None] = mapped_column(String(8))
    social_worker: Mapped[str | None] = mapped_column(String(200))
    cse_flagged_on: Mapped[date | None] = mapped_column(Date)
    cce_flagged_on: Mapped[date | None] = mapped_column(Date)

    profile: Mapped[ChildProfile | None] = relationship(
        back_populates="child", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.local_ref

    def exploitation_flag_on(self, day: date) -> str | None:
        """'CSE' or 'CCE' when the child carried that flag on `day`."""
        for label, since in (("CSE", self.cse_flagged_on), ("CCE", self.cce_flagged_on)):
            if since is not None and since <= day:
                return label
        return None


class ChildProfile(Base):
    """Part 1 of the Philomena-style profile, kept current by the home."""

    __tablename__ = "child_profiles"

    child_id: Mapped[int] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), primary_key=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    associates: Mapped[str | None] = mapped_column(Text)
    places_frequented: Mapped[str | None] = mapped_column(Text)
    phones_and_social_media: Mapped[str | None] = mapped_column(Text)
    medical_needs: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[date | None] = mapped_column(Date)

    child: Mapped[Child] = relationship(back_populates="profile")


class Placement(Base):
    """Where a child lived: from `start` up to the day before `end` (open while `end` is blank)."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("child_id", "home_id", "start"),
        CheckConstraint('"end" IS NULL OR "end" >= start', name="dates"),
        Index("ix_placements_home_start", "home_id", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    home_id: Mapped[int] = mapped_column(ForeignKey("care_homes.id", ondelete="CASCADE"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)

    child: Mapped[Child] = relationship()
    home: Mapped[CareHome] = relationship()


class MissingEpisode(Base):
    __tablename__ = "missing_episodes"
    __table_args__ = (
        UniqueConstraint("child_id", "last_seen_at"),
        CheckConstraint(_in("type", EPISODE_TYPES), name="type"),
        CheckConstraint("risk IS NULL OR " + _in("risk", RISK_GRADES), name="risk"),
        CheckConstraint(
            "return_method IS NULL OR " + _in("return_method", RETURN_METHODS),
            name="return_method",
        ),
        CheckConstraint("returned_at IS NULL OR returned_at >= last_seen_at", name="returned"),
        Index("ix_missing_episodes_last_seen", "last_seen_at"),
        Index("ix_missing_episodes_home_last_seen", "home_id", "last_seen_at"),
        Index("ix_missing_episodes_returned", "returned_at"),
        # The Episodes table's sorts (migration 0005): each reads one page down an index.
        Index("ix_missing_episodes_type_last_seen", "type", "last_seen_at"),
        Index("ix_missing_episodes_risk_last_seen", "risk", "last_seen_at"),
        Index(
            "ix_missing_episodes_hours_away",
            text("(julianday(returned_at) - julianday(last_seen_at)) * 24"),
        ),
        # The child search finds episodes from the start of a police reference, in any case.
        Index("ix_missing_episodes_police_ref", text("police_ref COLLATE NOCASE")),
        # Children missing now: a partial index keeps the Today page instant at force scale.
        Index(
            "ix_missing_episodes_open",
            "last_seen_at",
            sqlite_where=text("returned_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    home_id: Mapped[int] = mapped_column(ForeignKey("care_homes.id", ondelete="RESTRICT"))
    type: Mapped[str] = mapped_column(String(10), default="missing")
    last_seen_at: Mapped[datetime]
    reported_at: Mapped[datetime | None]
    police_ref: Mapped[str | None] = mapped_column(String(64))
    risk: Mapped[str | None] = mapped_column(String(20))
    circumstances: Mapped[str | None] = mapped_column(Text)
    clothing: Mapped[str | None] = mapped_column(Text)
    last_seen_location: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None]
    return_method: Mapped[str | None] = mapped_column(String(20))
    found_location: Mapped[str | None] = mapped_column(Text)
    found_with: Mapped[str | None] = mapped_column(Text)
    safe_and_well_at: Mapped[datetime | None]
    arrested: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_disclosed: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    child: Mapped[Child] = relationship()
    home: Mapped[CareHome] = relationship()
    return_interview: Mapped[ReturnInterview | None] = relationship(
        back_populates="episode", cascade="all, delete-orphan"
    )
    assessment: Mapped[ReportingAssessment | None] = relationship(
        back_populates="episode", cascade="all, delete-orphan"
    )


class ReturnInterview(Base):
    """The independent return home interview offered after one episode."""

    __tablename__ = "return_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("missing_episodes.id", ondelete="CASCADE"), unique=True
    )
    offered_at: Mapped[datetime | None]
    offered_by: Mapped[str | None] = mapped_column(String(200))
    completed_at: Mapped[datetime | None]
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    provider: Mapped[str | None] = mapped_column(String(200))
    push_factors: Mapped[str | None] = mapped_column(Text)  # codes, comma-separated
    pull_factors: Mapped[str | None] = mapped_column(Text)
    exploitation_indicators: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    episode: Mapped[MissingEpisode] = relationship(back_populates="return_interview")


class ReportingAssessment(Base):
    """The PCSO's check of how the home handled one episode (None: not applicable)."""

    __tablename__ = "reporting_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("missing_episodes.id", ondelete="CASCADE"), unique=True
    )
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by: Mapped[str | None] = mapped_column(String(200))
    searched_first: Mapped[bool | None] = mapped_column(Boolean)
    reported_within_policy: Mapped[bool | None] = mapped_column(Boolean)
    profile_current: Mapped[bool | None] = mapped_column(Boolean)
    police_ref_kept: Mapped[bool | None] = mapped_column(Boolean)
    placing_authority_told: Mapped[bool | None] = mapped_column(Boolean)
    social_worker_told: Mapped[bool | None] = mapped_column(Boolean)
    each_night_reported: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)

    episode: Mapped[MissingEpisode] = relationship(back_populates="assessment")


class LiaisonMeeting(Base):
    __tablename__ = "liaison_meetings"
    __table_args__ = (Index("ix_liaison_meetings_home_held", "home_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("care_homes.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    home: Mapped[CareHome] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Action.id"
    )


class Action(Base):
    """An action agreed at a liaison meeting."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_open_due", "due_on", sqlite_where=text("done_on IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("liaison_meetings.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    meeting: Mapped[LiaisonMeeting] = relationship(back_populates="actions")


class AuditEvent(Base):
    """Who did what, when, to which record: the values before and after, and why."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    why: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(Text)
    # Kept across a restore from the file it replaced (core/backups.py).
    restored_over: Mapped[bool] = mapped_column(Boolean, default=False)
    # The hash chain (core/db/audit_chain.py), filled in as the row is written.
    values_digest: Mapped[str | None] = mapped_column(String(64))
    chain: Mapped[str | None] = mapped_column(String(64))


class Setting(Base):
    """A user's value for one of the settings named in config.SETTINGS."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime]


def column_values(record: Base) -> dict[str, Any]:
    """The record's column values by attribute name (relationships left out)."""
    mapper = record.__mapper__
    return {attr.key: getattr(record, attr.key) for attr in mapper.column_attrs}
