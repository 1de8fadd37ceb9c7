"""Passwords: argon2id hashes to check them, and argon2id keys to wrap the database key with.

Both are memory-hard (64 MiB, 3 passes): a stolen laptop's file cannot be opened by trying
passwords quickly. A check takes about 0.15 s on a laptop, once per sign-in.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

from missing_app.core.errors import Problem

MIN_LENGTH = 10  # NCSC: length beats complexity rules


@dataclass(frozen=True)
class KdfCost:
    """Argon2id's cost: passes over memory, memory in KiB, and lanes."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 2

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    def problem(self) -> str | None:
        """What makes this cost absurd (None when it is within bounds).

        Checked before any derivation runs: a keyring asking for a terabyte of memory or a
        million passes is refused, not obeyed.
        """
        for name, (low, high) in KDF_BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                return f"its key derivation's {name} is {value!r}, not from {low} to {high}"
        return None


# What a stored cost may ask for: the tests' cheapest up to far beyond any laptop's need.
KDF_BOUNDS = {"time_cost": (1, 16), "memory_kib": (1024, 1024 * 1024), "parallelism": (1, 16)}


# The cost of new hashes and wraps. Tests lower it; stored hashes and wraps carry their own.
COST = KdfCost()


def derive_key(password: str, salt: bytes, cost: KdfCost) -> bytes:
    """A 32-byte key from the password and salt (argon2id, raw output)."""
    from argon2.low_level import Type, hash_secret_raw

    problem = cost.problem()
    if problem is not None:
        raise ValueError(problem)

    raw: bytes = hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return raw


def _hasher(cost: KdfCost) -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
    )


def hash_password(password: str) -> str:
    """The password's argon2id hash (PHC string: algorithm, cost and salt included)."""
    return str(_hasher(COST).hash(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash (False for no hash or a damaged one)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored_hash:
        _hasher(COST).hash(password)  # take as long as a real check: names are not probed
        return False
    try:
        return bool(_hasher(COST).verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _common() -> frozenset[str]:
    return frozenset(
        {"password123", "password1234", "qwertyuiop", "1234567890", "homeward123", "letmein123"}
    )


def password_problems(username: str, password: str) -> list[Problem]:
    """What is wrong with a new password (empty when it will do)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            Problem("password", f"use at least {MIN_LENGTH} characters (a few words will do)")
        )
    elif password.lower() in _common() or username.lower() in password.lower():
        problems.append(Problem("password", "is too easy to guess; choose another"))
    return problems
