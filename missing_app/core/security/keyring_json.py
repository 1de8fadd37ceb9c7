"""The keyring file's JSON, read field by field: every field's type, size and bounds checked.

A damaged or forged file raises `Damaged` with what is wrong in a few words (keyring.py
names the file); nothing in it is obeyed before it is checked, so an absurd key derivation
cost is refused before any derivation runs.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from missing_app.config import SETTINGS_BY_KEY
from missing_app.core.security import sealing
from missing_app.core.security.passwords import KDF_BOUNDS, KdfCost
from missing_app.core.security.sealing import LegacyKey, SealedKey, WrappedKey
from missing_app.core.security.signin_record import (
    Failure,
    LockoutPolicy,
    SignInRecord,
    Standing,
)
from missing_app.core.times import from_storage

MAX_BYTES = 16 * 1024 * 1024
NAME_CHARACTERS = 64
REASON_CHARACTERS = 200
SEALED_FIELDS = {  # name: size in bytes
    "salt": sealing.SALT_BYTES,
    "nonce": sealing.NONCE_BYTES,
    "private": sealing.KEY_BYTES + sealing.TAG_BYTES,
    "public": sealing.KEY_BYTES,
    "ephemeral": sealing.KEY_BYTES,
    "key_nonce": sealing.NONCE_BYTES,
    "sealed": sealing.KEY_BYTES + sealing.TAG_BYTES,
    "binding": sealing.KEY_BYTES,
}
LEGACY_FIELDS = {"salt": 16, "wrapped": sealing.KEY_BYTES, "check": sealing.KEY_BYTES}

Parsed = tuple[dict[str, WrappedKey], SignInRecord, dict[str, WrappedKey], bool]


class Damaged(Exception):
    """What is wrong with a keyring file, in a few words."""


def parse(raw: bytes) -> Parsed:
    """Entries, sign-in record, previous entries and whether it is of the first format."""
    try:
        values = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Damaged("it is not a key file (not JSON text)") from None
    top = _object(values, "the file")
    version = top.get("format")
    if version == 1:
        return _parse_first(top)
    if version != sealing.FORMAT:
        raise Damaged(f"its format is {version!r}, not one this version reads (1 or 2)")
    entries = _entries(_list(top, "users", "the file"), legacy_allowed=True)
    previous = _entries(_list(top, "previous", "the file", required=False), legacy_allowed=True)
    return entries, _record(_object(top.get("signins"), "its sign-in record")), previous, False


def _parse_first(top: dict[str, Any]) -> Parsed:
    """The first format: every entry legacy, lock-outs per entry, failures pending."""
    users = _list(top, "users", "the file")
    entries = _entries(users, legacy_allowed=True, first=True)
    settled = {}
    for item, entry in zip(users, entries.values(), strict=True):
        locked = _time(item, "locked_until", f"the entry of {entry.username}", required=False)
        if locked is not None:
            settled[entry.username] = Standing(0, locked)
    lockout = _lockout(top.get("lockout") or {"attempts": 5, "minutes": 15})
    failures = _failures(_list(top, "pending_failures", "the file", required=False))
    return entries, SignInRecord(lockout, settled, failures), {}, True


def _entries(
    items: list[Any], *, legacy_allowed: bool, first: bool = False
) -> dict[str, WrappedKey]:
    entries: dict[str, WrappedKey] = {}
    for number, item in enumerate(items, 1):
        values = _object(item, f"user entry {number}")
        entry = _entry(values, f"user entry {number}", first)
        if entry.username in entries:
            raise Damaged(f"{entry.username} has two entries")
        entries[entry.username] = entry
    return entries


def _entry(values: dict[str, Any], where: str, first: bool) -> WrappedKey:
    username = _text(values, "username", where, NAME_CHARACTERS)
    where = f"the entry of {username}"
    cost = _cost(_object(values.get("kdf"), f"{where}'s key derivation"), where)
    kind = "legacy" if first else values.get("kind")
    if kind == "legacy":
        fields = {name: _raw(values, name, where, size) for name, size in LEGACY_FIELDS.items()}
        return LegacyKey(username, cost, fields["salt"], fields["wrapped"], fields["check"])
    if kind != "sealed":
        raise Damaged(f"{where} is of kind {kind!r}, not 'sealed'")
    fields = {name: _raw(values, name, where, size) for name, size in SEALED_FIELDS.items()}
    return SealedKey(username=username, cost=cost, **fields)


def entry_json(entry: WrappedKey) -> dict[str, Any]:
    kdf = {"name": "argon2id", **entry.cost.to_json()}
    names = LEGACY_FIELDS if isinstance(entry, LegacyKey) else SEALED_FIELDS
    kind = "legacy" if isinstance(entry, LegacyKey) else "sealed"
    raw = {name: _b64(getattr(entry, name)) for name in names}
    return {"username": entry.username, "kind": kind, "kdf": kdf, **raw}


def _cost(values: dict[str, Any], where: str) -> KdfCost:
    if values.get("name") != "argon2id":
        raise Damaged(f"{where} names key derivation {values.get('name')!r}, not argon2id")
    names = ("time_cost", "memory_kib", "parallelism")  # bounded before any derivation runs
    return KdfCost(*(_int(values, name, f"{where}'s key derivation", *KDF_BOUNDS[name])
                     for name in names))  # fmt: skip


def _record(values: dict[str, Any]) -> SignInRecord:
    settled_values = _object(values.get("settled", {}), "its settled sign-ins")
    settled = {}
    for name, item in settled_values.items():
        where = f"the settled sign-ins of {name[:NAME_CHARACTERS]!r}"
        standing = _object(item, where)
        count = _int(standing, "failures", where, 0, 1000)
        settled[name] = Standing(count, _time(standing, "locked_until", where, required=False))
    failures = _failures(_list(values, "failures", "its sign-in record", required=False))
    token = values.get("token", "")
    if not isinstance(token, str) or len(token) > NAME_CHARACTERS:
        raise Damaged(f"its sign-in record's token is {_kind(token)}, not a short text")
    return SignInRecord(_lockout(values.get("lockout")), settled, failures, token)


def _lockout(value: Any) -> LockoutPolicy:
    values = _object(value, "its lock-out policy")
    attempts, minutes = (SETTINGS_BY_KEY[k] for k in ("signin_attempts", "signin_lock_minutes"))
    where = "its lock-out policy"
    return LockoutPolicy(
        _int(values, "attempts", where, int(attempts.minimum), int(attempts.maximum)),
        _int(values, "minutes", where, int(minutes.minimum), int(minutes.maximum)),
    )


def _failures(items: list[Any]) -> list[Failure]:
    failures = []
    for number, item in enumerate(items, 1):
        where = f"failed sign-in {number}"
        values = _object(item, where)
        failures.append(
            Failure(
                _text(values, "username", where, NAME_CHARACTERS * 4),
                _time(values, "at", where),  # type: ignore[arg-type]
                _text(values, "reason", where, REASON_CHARACTERS),
            )
        )
    return failures


# Fields ---------------------------------------------------------------------------------------


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Damaged(f"{where} is {_kind(value)}, not an object")
    return value


def _list(values: dict[str, Any], name: str, where: str, required: bool = True) -> list[Any]:
    value = values.get(name, None if required else [])
    if not isinstance(value, list):
        raise Damaged(f"{where}'s {name!r} is {_kind(value)}, not a list")
    return value


def _text(values: dict[str, Any], name: str, where: str, longest: int) -> str:
    value = values.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= longest:
        raise Damaged(f"{where}'s {name!r} is {_kind(value)}, not a text of 1 to {longest}")
    return value


def _int(values: dict[str, Any], name: str, where: str, low: int, high: int) -> int:
    value = values.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Damaged(f"{where}'s {name!r} is {_kind(value)}, not a whole number {low}–{high}")
    return value


def _raw(values: dict[str, Any], name: str, where: str, size: int) -> bytes:
    value = values.get(name)
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)  # type: ignore[union-attr]
    except (AttributeError, UnicodeEncodeError, binascii.Error, ValueError):
        raise Damaged(f"{where}'s {name!r} is {_kind(value)}, not base64") from None
    if len(raw) != size:
        raise Damaged(f"{where}'s {name!r} is {len(raw)} bytes long, not {size}")
    return raw


def _time(values: dict[str, Any], name: str, where: str, required: bool = True) -> datetime | None:
    value = values.get(name)
    if value is None and not required:
        return None
    try:
        return from_storage(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Damaged(f"{where}'s {name!r} is {_kind(value)}, not a date and time") from None


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__.replace('dict', 'object')}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
