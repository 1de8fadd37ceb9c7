"""The audit trail: who did what, when, to which record, with the values before and after."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from missing_app.core.models import AuditEvent, Base, column_values
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
