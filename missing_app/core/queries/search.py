"""Find a child from anywhere: by name, local reference or an episode's police reference."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from missing_app.core.models import Child, MissingEpisode
from missing_app.core.security.access import Actor, restrict_to_children


@dataclass(frozen=True)
class ChildMatch:
    child_id: int
    name: str
    local_ref: str
    matched: str  # what matched: "name", "reference" or the police reference


def search_children(
    session: Session, text: str, limit: int = 20, actor: Actor | None = None
) -> list[ChildMatch]:
    """Children (of the actor's homes; None: all) whose name or reference contains `text`, or
    with an episode whose police reference starts with it; whole-reference matches first."""
    words = text.strip()
    if len(words) < 2:
        return []
    pattern = f"%{words}%"
    full_name = func.coalesce(Child.first_name, "") + " " + func.coalesce(Child.last_name, "")
    by_child = (
        select(Child.id, Child.first_name, Child.last_name, Child.local_ref)
        .where(or_(full_name.ilike(pattern), Child.local_ref.ilike(pattern)))
        .order_by((Child.local_ref == words).desc(), Child.last_name, Child.first_name)
        .limit(limit)
    )
    by_child = restrict_to_children(by_child, Child.id, actor)
    matches = [
        ChildMatch(
            row.id,
            _name(row.first_name, row.last_name, row.local_ref),
            row.local_ref,
            "reference" if words.lower() in row.local_ref.lower() else "name",
        )
        for row in session.execute(by_child)
    ]
    seen = {match.child_id for match in matches}
    # Police references are typed from their start: a range on a case-blind index.
    reference = MissingEpisode.police_ref.collate("NOCASE")
    by_police_ref = (
        select(
            Child.id, Child.first_name, Child.last_name, Child.local_ref, MissingEpisode.police_ref
        )
        .join(MissingEpisode, MissingEpisode.child_id == Child.id)
        .where(reference >= words, reference < words + "\U0010ffff")
        .order_by(reference)
        .limit(limit)
    )
    by_police_ref = restrict_to_children(by_police_ref, Child.id, actor)
    for row in session.execute(by_police_ref):
        if row.id not in seen and len(matches) < limit:
            seen.add(row.id)
            name = _name(row.first_name, row.last_name, row.local_ref)
            matches.append(ChildMatch(row.id, name, row.local_ref, row.police_ref))
    return matches


def _name(first: str | None, last: str | None, ref: str) -> str:
    return " ".join(part for part in (first, last) if part) or ref
