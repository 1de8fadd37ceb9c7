"""Councils and their homes, for the pickers of the figures: which homes a council has.

Given an actor, the pickers offer only the homes they may see (a PCSO's own), and only the
councils of those homes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.models import LOCAL_AUTHORITIES, CareHome
from missing_app.core.security.access import Actor, restrict_to_homes


@dataclass(frozen=True)
class HomeChoice:
    """A home as a picker lists it."""

    id: int
    urn: str
    name: str
    council: str | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.urn})"


def home_choices(
    session: Session, council: str | None = None, actor: Actor | None = None
) -> list[HomeChoice]:
    """Every home of the actor's (None: every home) by name (then URN), or only the homes of
    `council`."""
    query = select(CareHome.id, CareHome.urn, CareHome.name, CareHome.local_authority)
    if council is not None:
        query = query.where(CareHome.local_authority == council)
    query = restrict_to_homes(query, CareHome.id, actor)
    rows = session.execute(query.order_by(CareHome.name, CareHome.urn))
    return [HomeChoice(*row) for row in rows]


def home_labels(
    session: Session, council: str | None = None, actor: Actor | None = None
) -> list[tuple[int, str]]:
    """(id, "name (URN)") of every home of the actor's (or of `council`'s), for choosing one
    in a list."""
    return [(home.id, home.label) for home in home_choices(session, council, actor)]


def councils(session: Session, actor: Actor | None = None) -> list[str]:
    """The five Merseyside councils, then any other council a home is recorded under (A-Z);
    for a PCSO, only their homes' councils (in the same order)."""
    query = restrict_to_homes(select(CareHome.local_authority).distinct(), CareHome.id, actor)
    recorded = {council for council in session.scalars(query) if council}
    others = sorted(recorded - set(LOCAL_AUTHORITIES))
    if actor is not None and actor.home_scope is not None:
        return [council for council in LOCAL_AUTHORITIES if council in recorded] + others
    return [*LOCAL_AUTHORITIES, *others]
