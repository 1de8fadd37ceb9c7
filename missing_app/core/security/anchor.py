"""The keyring's sign-in record anchored in the encrypted database, and checked against it.

At each successful sign-in the settled part of the record (signin_record.py) is hashed and
the digest kept in the database (a row of the settings table, as the report pseudonyms'
secret is), with the one before it: a crash between writing the database and the keyring
leaves the keyring at the earlier digest, which is not mistaken for tampering. (So an exact
copy of the file from before the last sign-in passes too: the record's random token makes
anything else, a wiped record say, show.)
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from missing_app.core.audit import log_event, log_sign_in
from missing_app.core.models import Setting
from missing_app.core.security.signin_record import LockoutPolicy, SignInRecord

log = logging.getLogger(__name__)

ANCHOR_KEY = "keyring_anchor"
ALTERED = "the failed sign-ins or lock-outs in the key file were changed outside Homeward"


def anchored(session: Session) -> list[str] | None:
    """The digests the database accepts (None: nothing anchored yet)."""
    setting = session.get(Setting, ANCHOR_KEY)
    if setting is None:
        return None
    try:
        values = json.loads(setting.value)
        return [str(values["digest"]), str(values["before"])]
    except (ValueError, KeyError, TypeError):
        return []  # a damaged anchor matches nothing: the check below says so


def settle(
    session: Session,
    record: SignInRecord,
    who: str,
    when: datetime,
    signed_in: str | None,
    lockout: LockoutPolicy | None = None,
) -> None:
    """Check the record against the anchor, audit its failures, settle it and anchor it.

    `who` acts (audit rows), `signed_in` starts clean, `lockout` (the database's settings)
    replaces the policy. The caller saves the keyring.
    """
    from sqlalchemy import select

    from missing_app.core.models import User

    accepted = anchored(session)
    before = record.digest()
    if accepted is not None and before not in accepted:
        log.warning("keyring record does not match its anchor: %s", ALTERED)
        log_event(session, who, "tamper", "keyring", why=ALTERED, at=when)
    for failure in record.settle(when, signed_in):
        user_id = session.scalar(select(User.id).where(User.username == failure.username))
        log_sign_in(
            session, failure.username, user_id, failed=True, why=failure.reason, at=failure.at
        )
    if lockout is not None:
        record.lockout = lockout
    value = json.dumps({"digest": record.digest(), "before": before})
    setting = session.get(Setting, ANCHOR_KEY)
    if setting is None:
        session.add(Setting(key=ANCHOR_KEY, value=value, updated_at=when))
    else:
        setting.value, setting.updated_at = value, when
