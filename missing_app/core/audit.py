"""The audit trail: who did what, when, to which record, with the values before and after.

Every row is chained as it is written (core/db/audit_chain.py): a session about to write
audit rows gives each its id, the digest of its values and its link, after the newest row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from missing_app.core.db import Database, audit_chain
from missing_app.core.models import AuditEvent, Base, column_values
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.times import to_storage, utc_now


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_storage(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes": len(value), "sha256": hashlib.sha256(value).hexdigest()}
    return value


def snapshot(record: Base | None) -> dict[str, Any] | None:
    """The record's column values as JSON-ready data (a photo as its size and hash)."""
    if record is None:
        return None
    return {key: _jsonable(value) for key, value in column_values(record).items()}


def _dump(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, ensure_ascii=False)


def log_event(
    session: Session,
    username: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    why: str | None = None,
    recipient: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one audit row to the session's transaction (`at`: when it happened, if not now)."""
    event = AuditEvent(
        at=at or utc_now(),
        username=username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_dump(before),
        after=_dump(after),
        why=why,
        recipient=recipient,
    )
    session.add(event)
    return event


# How many commands are running inside one another on this thread: only the outermost
# audits a refusal, once every transaction inside it has rolled back (and let go of the file).
_running: ContextVar[int] = ContextVar("running_commands", default=0)


@contextmanager
def refusals_audited(db: Database, username: str, command: str) -> Iterator[None]:
    """Run a command; a permission refusal out of it is audited (who, what, the refusal's
    words) once its own transaction has rolled back, then raised as it was."""
    outermost = _running.get() == 0
    token = _running.set(_running.get() + 1)
    try:
        yield
    except PermissionDenied as error:
        if outermost:
            _running.reset(token)
            with db.transaction() as session:
                log_event(session, username, "refused", "database",
                          after={"command": command}, why=str(error))  # fmt: skip
        raise
    finally:
        if not outermost or _running.get() != 0:
            _running.reset(token)


def audit_log_problems(db: Database) -> str | None:
    """A sentence saying how the audit log was tampered with, or None when its chain holds."""
    with db.session() as session:
        return tampering(session)


def tampering(session: Session) -> str | None:
    """`audit_log_problems` within a session the caller opened."""
    found = audit_chain.chain_problems(session.connection())
    return audit_chain.describe(found) if found else None


def log_change(
    session: Session,
    username: str,
    action: str,
    record: Base,
    before: dict[str, Any] | None,
) -> AuditEvent:
    """Audit a created or changed record: flushes first so the new id and values are known."""
    session.flush()
    after = snapshot(record)
    entity_id = after.get("id") if after else None
    if entity_id is None and after is not None:
        entity_id = after.get("child_id")
    return log_event(
        session,
        username,
        action,
        str(record.__tablename__),
        entity_id,
        before=before,
        after=after,
    )


def log_view(session: Session, username: str, entity: str, entity_id: int) -> AuditEvent:
    """Record that `username` looked at one record (DPA 2018 s.62: consultation)."""
    return log_event(session, username, "view", entity, entity_id)


def log_sign_in(
    session: Session,
    username: str,
    user_id: int | None,
    *,
    failed: bool = False,
    why: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Record a sign-in, or a failed one (`why`: its reason)."""
    action = "signin_failed" if failed else "signin"
    return log_event(session, username, action, "users", user_id, why=why, at=at)


@event.listens_for(Session, "before_flush")
def _chain_new_rows(session: Session, _context: object, _instances: object) -> None:
    """Link the audit rows this flush writes, in the order they were logged."""
    new = [item for item in session.new if isinstance(item, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda item: inspect(item).insert_order or 0)
    columns = ("at", "username", "action", "entity", "entity_id", "why", "recipient")
    rows = [
        {**{name: getattr(item, name) for name in columns}, "before": item.before,
         "after": item.after, "restored_over": item.restored_over}
        for item in new
    ]  # fmt: skip
    for item, linked in zip(
        new, audit_chain.link(rows, audit_chain.last_link(session.connection())), strict=True
    ):
        item.id, item.values_digest, item.chain = (
            linked["id"],
            linked["values_digest"],
            linked["chain"],
        )
