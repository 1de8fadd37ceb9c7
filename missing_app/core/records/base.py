"""What every use case shares: the saved result, checks, field updates, audit and role limits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.orm import Session

from missing_app.core.audit import log_change, log_view, refusals_audited
from missing_app.core.db import Database
from missing_app.core.errors import NotFound, Problem, ValidationError
from missing_app.core.models import Base, Child, MissingEpisode
from missing_app.core.security.access import (
    Actor,
    Permission,
    require_child,
    require_homes,
    resolve_actor,
)
from missing_app.core.times import utc_now

R = TypeVar("R", bound=Base)
B = TypeVar("B", bound=Base)


@dataclass(frozen=True)
class Saved(Generic[R]):
    """A record as saved, with the warnings the rules raised about it."""

    record: R
    warnings: tuple[Problem, ...] = ()


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


class _RefusalsAudited:
    """The database as the use cases see it: its sessions audit a permission refusal."""

    def __init__(self, db: Database, username: str) -> None:
        self._db = db
        self._username = username

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with refusals_audited(self._db, self._username, "records"), self._db.transaction() as s:
            yield s

    @contextmanager
    def session(self) -> Iterator[Session]:
        with refusals_audited(self._db, self._username, "records"), self._db.session() as s:
            yield s


class RecordsBase:
    """Who acts and when, with the audit and role checks every use case goes through."""

    def __init__(self, db: Database, username: str, now: Callable[[], datetime] = utc_now):
        # Every use case opens its sessions here: a refusal in any of them is audited.
        self.db = cast(Database, _RefusalsAudited(db, username))
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
