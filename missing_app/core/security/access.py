"""What each role may do, enforced in the core (not only by hiding buttons).

- PCSO: sees and changes the records of their homes (the homes whose assigned PCSO they
  are) and of the children placed there; figures and reports for those homes.
- supervisor: every home; adds homes and assigns PCSOs; imports; settings; deletes records
  past retention; reads the audit log. Not users or backups.
- analyst: reads and reports only, never changes anything; children's names are hidden
  unless an administrator has granted them (`can_see_names`).
- administrator: users and backups, and everything a supervisor may do. An administrator
  can give themselves any role, so withholding records from them would protect nothing;
  and on a laptop with one officer the first user, the administrator, is that officer.

A database with no accounts (no user with a password: demo and test databases, and files
from before sign-in existed) has no limits: whoever opens it acts as themselves. Once one
account exists, every change must come from an active account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    exists,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from missing_app.core.models import CareHome, MissingEpisode, Placement, User
from missing_app.core.security.errors import PermissionDenied

S = TypeVar("S", bound=Select[Any])


class Permission(Enum):
    """Something a role may be allowed to do, worded to finish "cannot …"."""

    READ = "see records"
    WRITE = "change records"
    MANAGE_HOMES = "add care homes or assign their PCSO"
    IMPORT = "import or generate records in bulk"
    REPORT = "produce figures and reports"
    SETTINGS = "change settings"
    ERASE = "delete records past their retention date"
    AUDIT = "read the audit log"
    USERS = "manage users"
    BACKUP = "make or restore backups"


P = Permission
SUPERVISOR = frozenset({P.READ, P.WRITE, P.MANAGE_HOMES, P.IMPORT, P.REPORT, P.SETTINGS,
                        P.ERASE, P.AUDIT})  # fmt: skip
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "pcso": frozenset({P.READ, P.WRITE, P.REPORT}),
    "supervisor": SUPERVISOR,
    "analyst": frozenset({P.READ, P.REPORT}),
    "administrator": SUPERVISOR | {P.USERS, P.BACKUP},
}
ROLE_LABELS = {
    "pcso": "PCSO",
    "supervisor": "supervisor",
    "analyst": "analyst",
    "administrator": "administrator",
}


@dataclass(frozen=True)
class Actor:
    """The person behind a use case: their role and, for a PCSO, their homes.

    `role` None means the database has no accounts, so there are no limits.
    """

    username: str
    role: str | None = None
    home_ids: frozenset[int] = field(default_factory=frozenset)
    names_granted: bool = False

    @property
    def label(self) -> str:
        return f"{self.username} ({ROLE_LABELS.get(self.role or '', 'no account')})"

    def may(self, permission: Permission) -> bool:
        return self.role is None or permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @property
    def home_scope(self) -> frozenset[int] | None:
        """The homes this person is limited to, or None for every home."""
        return self.home_ids if self.role == "pcso" else None


def can_see_names(actor: Actor) -> bool:
    """Whether children's names may be shown to this person (else pseudonymous codes)."""
    return actor.role != "analyst" or actor.names_granted


def _ask(permission: Permission) -> str:
    return "an administrator" if permission in (P.USERS, P.BACKUP) else "a supervisor"


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDenied unless the actor's role allows `permission`."""
    if not actor.may(permission):
        raise PermissionDenied(f"{actor.label} cannot {permission.value}; ask {_ask(permission)}.")


def require_homes(
    session: Session, actor: Actor, permission: Permission, home_ids: Iterable[int | None]
) -> None:
    """Raise PermissionDenied unless the actor may act on every one of these homes."""
    require(actor, permission)
    scope = actor.home_scope
    outside = sorted({h for h in home_ids if h is not None} - (scope or set()))
    if scope is None or not outside:
        return
    home = session.get(CareHome, outside[0])
    named = f"{home.name} ({home.urn})" if home else f"home {outside[0]}"
    raise PermissionDenied(
        f"{actor.label} cannot {permission.value} of {named}: it is not one of their homes; "
        "ask a supervisor."
    )


def child_of_homes(
    child_id: SQLColumnExpression[int], home_ids: Iterable[int]
) -> ColumnElement[bool]:
    """Whether a child is one of these homes': placed at or gone missing from one of them, or
    with no home yet (a child just added). The one definition of a PCSO's children, for
    reads and writes alike.

    The homes' children are read once through the indexes led by home; a child without a
    home is two look-ups on the indexes led by child.
    """
    homes = sorted(home_ids)
    # Aliases, so that a query already reading these tables does not correlate them away.
    placement, episode = aliased(Placement), aliased(MissingEpisode)
    theirs = union(
        select(placement.child_id).where(placement.home_id.in_(homes)),
        select(episode.child_id).where(episode.home_id.in_(homes)),
    )
    homeless = ~exists().where(placement.child_id == child_id) & ~exists().where(
        episode.child_id == child_id
    )
    return or_(child_id.in_(theirs), homeless)


def require_child(session: Session, actor: Actor, permission: Permission, child_id: int) -> None:
    """Raise PermissionDenied unless the actor may act on this child's records.

    A PCSO may, when the child is one of their homes' (`child_of_homes`).
    """
    require(actor, permission)
    scope = actor.home_scope
    if scope is None:
        return
    if not session.scalar(select(child_of_homes(literal(child_id), scope))):
        raise PermissionDenied(
            f"{actor.label} cannot {permission.value} of child {child_id}: the child has not "
            "been placed at one of their homes; ask a supervisor."
        )


def require_report(session: Session, actor: Actor, home_urn: str | None) -> None:
    """Raise PermissionDenied unless the actor may have figures for this home (None: all)."""
    require(actor, P.REPORT)
    scope = actor.home_scope
    if scope is None:
        return
    urns = sorted(session.scalars(select(CareHome.urn).where(CareHome.id.in_(scope))))
    if home_urn not in urns:
        which = ", ".join(urns) or "none assigned yet"
        raise PermissionDenied(
            f"{actor.label} can have figures and reports only for their own homes ({which}); "
            "ask a supervisor for the others."
        )


def restrict_to_homes(query: S, home_column: SQLColumnExpression[int], actor: Actor | None) -> S:
    """The query limited to the actor's homes (unchanged for those who see every home, and
    for no actor)."""
    scope = None if actor is None else actor.home_scope
    return query if scope is None else query.where(home_column.in_(sorted(scope)))


def restrict_to_children(
    query: S, child_column: SQLColumnExpression[int], actor: Actor | None
) -> S:
    """The query limited to the children of the actor's homes (`child_of_homes`)."""
    scope = None if actor is None else actor.home_scope
    return query if scope is None else query.where(child_of_homes(child_column, scope))


def accounts_exist(session: Session) -> bool:
    """Whether anyone can sign in to this database (a user with a password)."""
    query = select(User.id).where(User.password_hash.is_not(None)).limit(1)
    return session.scalar(query) is not None


def resolve_actor(session: Session, username: str) -> Actor:
    """The actor `username` acts as: limited by their role once the database has accounts."""
    if not accounts_exist(session):
        return Actor(username)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.password_hash is None:
        raise PermissionDenied(
            f"{username} is not a user of this database; sign in as one of its users."
        )
    if not user.active:
        raise PermissionDenied(f"{username}'s account is switched off; ask an administrator.")
    homes: frozenset[int] = frozenset()
    if user.role == "pcso":
        homes = frozenset(session.scalars(select(CareHome.id).where(CareHome.pcso_id == user.id)))
    return Actor(username, user.role, homes, user.can_see_names)
