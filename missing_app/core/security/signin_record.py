"""The record of failed sign-ins kept in the keyring, and the lock-outs it gives.

The database cannot be opened before a sign-in succeeds, so failures are appended to the
keyring; every change to it is made under the keyring's file lock, so ten wrong passwords
at once count as ten. Each user's standing (failures in a row, locked until) is replayed
from what was settled at the last successful sign-in plus the failures appended since.

At each successful sign-in the failures go to the audit log, the standings are settled,
and a digest of the settled part is anchored in the encrypted database (anchor.py): a
keyring whose settled part was edited or rolled back since is noticed then. Failures
appended after the last sign-in cannot be anchored (nothing holds the key yet); against
someone who can rewrite the files the protection is the key derivation's cost, not this.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from missing_app.core.times import to_storage

FAILURES_KEPT = 10_000  # a flood of failures cannot grow the file without bound


@dataclass(frozen=True)
class LockoutPolicy:
    """After `attempts` failed sign-ins in a row, the account is locked for `minutes`."""

    attempts: int = 5
    minutes: int = 15


@dataclass(frozen=True)
class Standing:
    """A user's failed sign-ins in a row, and when their lock-out ends (if locked)."""

    failures: int = 0
    locked_until: datetime | None = None

    def locked_at(self, when: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > when

    def after_wrong_password(self, when: datetime, policy: LockoutPolicy) -> Standing:
        """One more wrong password: counted, and the account locked when it reaches the limit
        (the count starts again then)."""
        failures = self.failures + 1
        if failures < policy.attempts:
            return Standing(failures, self.locked_until)
        return Standing(0, when + timedelta(minutes=policy.minutes))


@dataclass(frozen=True)
class Failure:
    """A failed sign-in, with the reason the audit log will give."""

    username: str
    at: datetime
    reason: str


@dataclass
class SignInRecord:
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    settled: dict[str, Standing] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    # New at each settling: a digest the database accepted before can only be matched again
    # by an exact earlier copy of the file, not by wiping the record.
    token: str = ""

    def standing(self, username: str) -> Standing:
        """The user's standing now: the settled one, then each wrong password since."""
        standing = self.settled.get(username, Standing())
        for failure in self.failures:
            if failure.username == username and failure.reason == "wrong password":
                standing = standing.after_wrong_password(failure.at, self.lockout)
        return standing

    def note(self, failure: Failure) -> None:
        self.failures.append(failure)
        del self.failures[:-FAILURES_KEPT]

    def settle(self, when: datetime, signed_in: str | None) -> list[Failure]:
        """Fold the failures into the standings (the user signing in starts clean); return
        the failures, for the audit log."""
        names = set(self.settled) | {failure.username for failure in self.failures}
        standings = {name: self.standing(name) for name in names if name != signed_in}
        self.settled = {
            name: Standing(s.failures, s.locked_until if s.locked_at(when) else None)
            for name, s in sorted(standings.items())
            if s.failures or s.locked_at(when)
        }
        failures, self.failures = self.failures, []
        self.token = secrets.token_hex(16)
        return failures

    def clear(self, username: str) -> None:
        """An administrator set a new password: the user starts clean."""
        self.settled.pop(username, None)
        self.failures = [f for f in self.failures if f.username != username]

    def digest(self) -> str:
        """What the database anchors: the policy and the settled standings."""
        settled = {name: standing_json(s) for name, s in self.settled.items()}
        text = json.dumps(
            {
                "lockout": [self.lockout.attempts, self.lockout.minutes],
                "settled": settled,
                "token": self.token,
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "lockout": {"attempts": self.lockout.attempts, "minutes": self.lockout.minutes},
            "settled": {name: standing_json(s) for name, s in self.settled.items()},
            "token": self.token,
            "failures": [
                {"username": f.username, "at": to_storage(f.at), "reason": f.reason}
                for f in self.failures
            ],
        }


def standing_json(standing: Standing) -> dict[str, Any]:
    locked = standing.locked_until
    return {
        "failures": standing.failures,
        "locked_until": None if locked is None else to_storage(locked),
    }
