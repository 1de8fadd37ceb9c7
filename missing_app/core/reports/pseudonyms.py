"""Pseudonymous codes for children in packs shared with partners (DOMAIN.md, Data protection).

A code is a keyed hash (HMAC-SHA256) of the child's local reference. The key is 32 random
bytes made on first use and kept in the `settings` table under a private name that is not
one of `config.SETTINGS`, so it never shows as a setting. The same child has the same code
in every month and every pack from this database; without the database, a code cannot be
turned back into the reference, even by someone who can guess references.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from missing_app.config import SETTINGS_BY_KEY
from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.models import Setting
from missing_app.core.times import utc_now

SECRET_KEY = "pseudonym_secret"
# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARACTERS = 8  # 40 bits: among 50,000 children a clash is about a 1 in 1,000 chance

assert SECRET_KEY not in SETTINGS_BY_KEY


def _stored_secret(session: Session) -> bytes | None:
    setting = session.get(Setting, SECRET_KEY)
    return None if setting is None else bytes.fromhex(json.loads(setting.value))


def pseudonym_secret(db: Database, username: str) -> bytes:
    """The database's key for codes, made (and audited, without its value) on first use."""
    with db.session() as session:
        found = _stored_secret(session)
    if found is not None:
        return found
    with db.transaction() as session:
        found = _stored_secret(session)  # another process may have made it meanwhile
        if found is not None:
            return found
        secret = secrets.token_bytes(32)
        session.add(Setting(key=SECRET_KEY, value=json.dumps(secret.hex()), updated_at=utc_now()))
        log_event(
            session,
            username,
            "create",
            "settings",
            after={"key": SECRET_KEY},
            why="the key of children's pseudonymous codes, made on first use",
        )
        return secret


@dataclass(frozen=True)
class Pseudonyms:
    """Turns a child's local reference into its code, such as 'C-7F3A9B2K'."""

    secret: bytes = field(repr=False)

    def code(self, local_ref: str) -> str:
        digest = hmac.new(self.secret, local_ref.encode("utf-8"), hashlib.sha256).digest()
        number = int.from_bytes(digest[:5], "big")
        letters = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_CHARACTERS))]
        return "C-" + "".join(letters)
