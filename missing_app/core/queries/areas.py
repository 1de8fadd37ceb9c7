"""Councils and their homes, for the pickers of the figures: which homes a council has."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.core.models import LOCAL_AUTHORITIES, CareHome


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


def home_choices(session: Session, council: str | None = None) -> list[HomeChoice]:
    """Every home by name (then URN), or only the homes of `council`."""
    query = select(CareHome.id, CareHome.urn, CareHome.name, CareHome.local_authority)
    if council is not None:
        query = query.where(CareHome.local_authority == council)
    rows = session.execute(query.order_by(CareHome.name, CareHome.urn))
    return [HomeChoice(*row) for row in rows]


def home_labels(session: Session, council: str | None = None) -> list[tuple[int, str]]:
    """(id, "name (URN)") of every home (or of `council`'s), for choosing one in a list."""
    return [(home.id, home.label) for home in home_choices(session, council)]


def councils(session: Session) -> list[str]:
    """The five Merseyside councils, then any other council a home is recorded under (A-Z)."""
    recorded = session.scalars(select(CareHome.local_authority).distinct())
    others = {council for council in recorded if council} - set(LOCAL_AUTHORITIES)
    return [*LOCAL_AUTHORITIES, *sorted(others)]
