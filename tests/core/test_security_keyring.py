"""The keyring under attack (issue 12): entries bound to their users, a record of failed
sign-ins that counts every attempt and shows when it is reset, a key that changes when a
user is removed, and damaged files refused in one sentence."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from missing_app.core.db import open_database
from missing_app.core.errors import HomewardError
from missing_app.core.models import AuditEvent
from missing_app.core.security import keyring as keys
from missing_app.core.security import passwords
from missing_app.core.security.anchor import ALTERED
from missing_app.core.security.encryption import create_encrypted_database
from missing_app.core.security.errors import AccountLocked, SignInFailed
from missing_app.core.security.signin import sign_in
from missing_app.core.security.users import Users
from tests.conftest import NOW
from tests.security_helpers import CHEAP, PASSWORD
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

JONES = "jones own long phrase"


@pytest.fixture
def encrypted(tmp_path: Path) -> str:
    """An encrypted database: admin.ada (PASSWORD) and pcso.jones (JONES)."""
    target = str(tmp_path / "secret.sqlite")
    signed = create_encrypted_database(target, "admin.ada", "Ada Admin", PASSWORD, lambda: NOW)
    Users(signed.db, "admin.ada").add_user("pcso.jones", "PCSO Jones", "pcso", JONES)
    signed.db.close()
    return target


def edit_keyring(target: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = keys.keyring_path(target)
    values = json.loads(path.read_text())
    change(values)
    path.write_text(json.dumps(values))


def entry_of(values: dict[str, Any], username: str) -> dict[str, Any]:
    return next(item for item in values["users"] if item["username"] == username)


def audit(target: str, password: str = PASSWORD) -> list[tuple[str, str, str | None]]:
    signed = sign_in(target, "admin.ada", lambda: password)
    with signed.db.session() as session:
        rows = session.execute(
            select(AuditEvent.username, AuditEvent.action, AuditEvent.why).order_by(AuditEvent.id)
        )
        found = [tuple(row) for row in rows]
    signed.db.close()
    return found  # type: ignore[return-value]


# 1. Entries bound to their users ---------------------------------------------------------


def test_an_entry_copied_onto_the_administrators_does_not_sign_in_as_them(encrypted: str) -> None:
    def copy_jones_onto_ada(values: dict[str, Any]) -> None:
        forged = dict(entry_of(values, "pcso.jones"), username="admin.ada")
        values["users"] = [forged, entry_of(values, "pcso.jones")]

    edit_keyring(encrypted, copy_jones_onto_ada)
    with pytest.raises(SignInFailed, match=r"Wrong password for admin\.ada"):
        sign_in(encrypted, "admin.ada", lambda: JONES)


def test_a_flipped_bit_is_refused_never_a_wrong_key(encrypted: str) -> None:
    def flip(values: dict[str, Any]) -> None:
        entry = entry_of(values, "admin.ada")
        name = "sealed" if "sealed" in entry else "wrapped"
        raw = bytearray(base64.b64decode(entry[name]))
        raw[3] ^= 0x10
        entry[name] = base64.b64encode(bytes(raw)).decode()

    edit_keyring(encrypted, flip)
    with pytest.raises(SignInFailed, match=r"Wrong password for admin\.ada"):
        sign_in(encrypted, "admin.ada", lambda: PASSWORD)
    sign_in(encrypted, "pcso.jones", lambda: JONES).db.close()  # the others are untouched


def first_format(username: str, key: bytes, password: str) -> dict[str, Any]:
    """An entry as the first keyring format wrote it (XOR with argon2id, HMAC check)."""
    salt = b"0123456789abcdef"
    kek = passwords.derive_key(password, salt, CHEAP)
    return {
        "username": username,
        "salt": base64.b64encode(salt).decode(),
        "kdf": {"name": "argon2id", "time_cost": 1, "memory_kib": 1024, "parallelism": 1},
        "wrapped": base64.b64encode(bytes(a ^ b for a, b in zip(key, kek, strict=True))).decode(),
        "check": base64.b64encode(hmac.new(kek, b"homeward-key-check", hashlib.sha256).digest())
        .decode(),
        "failures": 0,
        "locked_until": None,
    }  # fmt: skip


def write_first_format(target: str, key: bytes, *entries: dict[str, Any]) -> None:
    keys.keyring_path(target).write_text(
        json.dumps({"format": 1, "users": list(entries), "lockout": {"attempts": 5, "minutes": 15},
                    "pending_failures": []})
    )  # fmt: skip


def test_a_keyring_of_the_first_format_is_converted_at_sign_in(encrypted: str) -> None:
    key = sign_in(encrypted, "admin.ada", lambda: PASSWORD).key
    assert key is not None
    ada, jones = first_format("admin.ada", key, PASSWORD), first_format("pcso.jones", key, JONES)
    write_first_format(encrypted, key, ada, jones)
    sign_in(encrypted, "admin.ada", lambda: PASSWORD).db.close()
    values = json.loads(keys.keyring_path(encrypted).read_text())
    assert values["format"] == 2
    assert entry_of(values, "admin.ada")["kind"] == "sealed"
    assert entry_of(values, "pcso.jones")["kind"] == "legacy"  # until jones signs in
    sign_in(encrypted, "pcso.jones", lambda: JONES).db.close()
    values = json.loads(keys.keyring_path(encrypted).read_text())
    assert entry_of(values, "pcso.jones")["kind"] == "sealed"
    sign_in(encrypted, "pcso.jones", lambda: JONES).db.close()


def test_a_first_format_entry_copied_onto_the_administrator_is_refused(encrypted: str) -> None:
    key = sign_in(encrypted, "admin.ada", lambda: PASSWORD).key
    assert key is not None
    forged = first_format("admin.ada", key, JONES)  # jones's password, under ada's name
    write_first_format(encrypted, key, forged, first_format("pcso.jones", key, JONES))
    with pytest.raises(SignInFailed, match=r"entry for admin\.ada is not theirs"):
        sign_in(encrypted, "admin.ada", lambda: JONES)


def test_absurd_key_derivation_costs_are_refused_before_deriving() -> None:
    with pytest.raises(ValueError, match="memory_kib"):
        passwords.derive_key(PASSWORD, b"0123456789abcdef", passwords.KdfCost(1, 2**40, 1))


# 2. The lock-out under attack ----------------------------------------------------------------


def test_ten_wrong_passwords_at_once_lock_the_account(
    encrypted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = passwords.derive_key

    def as_slow_as_a_laptop(*args: Any) -> bytes:
        time.sleep(0.05)  # every attempt is under way before the first is counted
        return real(*args)

    monkeypatch.setattr(passwords, "derive_key", as_slow_as_a_laptop)
    start = threading.Barrier(10)
    said: list[str] = []

    def guess() -> None:
        start.wait()
        try:
            sign_in(encrypted, "pcso.jones", lambda: "a wrong guess", now=lambda: NOW)
        except SignInFailed as failed:
            said.append(str(failed))

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tries = sorted(text.split("(")[1].split(" before")[0] for text in said if "more tr" in text)
    assert tries == ["1 more try", "2 more tries", "3 more tries", "4 more tries"]
    assert sum("after 5 failed sign-ins the account is locked" in text for text in said) == 1
    assert sum("try again after 12:15" in text for text in said) == 5
    with pytest.raises(AccountLocked):
        sign_in(encrypted, "pcso.jones", lambda: JONES, now=lambda: NOW)


def test_a_lock_out_wiped_from_the_file_shows_in_the_audit_log(encrypted: str) -> None:
    for _ in range(5):
        with pytest.raises(SignInFailed):
            sign_in(encrypted, "pcso.jones", lambda: "a wrong guess", now=lambda: NOW)
    sign_in(encrypted, "admin.ada", lambda: PASSWORD, now=lambda: NOW).db.close()

    def wipe(values: dict[str, Any]) -> None:
        if "signins" in values:
            values["signins"]["settled"], values["signins"]["failures"] = {}, []
        for item in values["users"]:
            item["failures"], item["locked_until"] = 0, None
        values["pending_failures"] = []

    edit_keyring(encrypted, wipe)
    sign_in(encrypted, "pcso.jones", lambda: JONES, now=lambda: NOW).db.close()
    rows = audit(encrypted)
    assert ("pcso.jones", "tamper", ALTERED) in rows
    assert rows.count(("pcso.jones", "signin_failed", "wrong password")) == 5


# 3. A new key when a user is removed ---------------------------------------------------------


def test_a_removed_users_old_entry_opens_nothing_current(encrypted: str) -> None:
    old_values = json.loads(keys.keyring_path(encrypted).read_text())
    admin = sign_in(encrypted, "admin.ada", lambda: PASSWORD)
    old_key = admin.key
    Users(admin.db, "admin.ada").remove_user("pcso.jones")
    admin.db.close()
    assert old_key is not None
    with pytest.raises(HomewardError, match="does not open"):
        open_database(encrypted, key=old_key)

    def put_jones_back(values: dict[str, Any]) -> None:
        values["users"].append(entry_of(old_values, "pcso.jones"))

    edit_keyring(encrypted, put_jones_back)
    with pytest.raises(HomewardError):
        sign_in(encrypted, "pcso.jones", lambda: JONES).db.close()
    sign_in(encrypted, "admin.ada", lambda: PASSWORD).db.close()


# 4. Damaged keyrings -------------------------------------------------------------------------


def shorten(name: str) -> Callable[[dict[str, Any]], None]:
    def change(values: dict[str, Any]) -> None:
        entry_of(values, "admin.ada")[name] = base64.b64encode(b"abcd").decode()

    return change


def set_kdf(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(values: dict[str, Any]) -> None:
        entry_of(values, "admin.ada")["kdf"][name] = value

    return change


def set_field(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(values: dict[str, Any]) -> None:
        entry_of(values, "admin.ada")[name] = value

    return change


def drop_field(name: str) -> Callable[[dict[str, Any]], None]:
    def change(values: dict[str, Any]) -> None:
        del entry_of(values, "admin.ada")[name]

    return change


DAMAGE = {
    "short salt": (shorten("salt"), "'salt' is 4 bytes long, not 16"),
    "absurd passes": (set_kdf("time_cost", 2**40), "'time_cost' is 1099511627776"),
    "absurd lanes": (set_kdf("parallelism", 10**6), "'parallelism' is 1000000"),
    "salt a number": (set_field("salt", 12345), "'salt' is 12345, not base64"),
    "no key derivation": (drop_field("kdf"), "key derivation is missing, not an object"),
    "lock-out a text": (lambda v: v.update(lockout="x", signins="x"), "not an object"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_keyring_is_refused_in_one_sentence_naming_it(encrypted: str, case: str) -> None:
    change, detail = DAMAGE[case]
    edit_keyring(encrypted, change)
    with pytest.raises(keys.KeyringError) as refused:
        sign_in(encrypted, "admin.ada", lambda: PASSWORD)
    message = str(refused.value)
    assert f"The key file {keys.keyring_path(encrypted)} cannot be read" in message
    assert detail in message and "\n" not in message


@pytest.mark.parametrize("content", [b"{not json", b"\x89PNG\r\n\x1a\n", b"[]", b"null"])
def test_a_keyring_that_is_not_one_is_refused(encrypted: str, content: bytes) -> None:
    keys.keyring_path(encrypted).write_bytes(content)
    with pytest.raises(keys.KeyringError, match=r"secret\.sqlite\.keys cannot be read"):
        sign_in(encrypted, "admin.ada", lambda: PASSWORD)


CRASH = """
import os, sys
from missing_app.core.security import passwords, rekey
from missing_app.core.security.passwords import KdfCost
from missing_app.core.security.signin import sign_in
from missing_app.core.security.users import Users

passwords.COST = KdfCost(1, 1024, 1)
real, when = rekey.rekey_file, sys.argv[2]

def crash(path, old_key, new_key):
    if when == "after the file was replaced":
        real(path, old_key, new_key)
    os._exit(9)  # the power goes: nothing is cleaned up

rekey.rekey_file = crash
signed = sign_in(sys.argv[1], "admin.ada", lambda: sys.argv[3])
Users(signed.db, "admin.ada").rekey()
"""


@pytest.mark.parametrize("when", ["before the file was replaced", "after the file was replaced"])
def test_a_change_of_key_cut_short_by_a_crash_is_finished_at_the_next_sign_in(
    encrypted: str, when: str
) -> None:
    import subprocess
    import sys

    old_key = sign_in(encrypted, "admin.ada", lambda: PASSWORD).key
    ran = subprocess.run(
        [sys.executable, "-c", CRASH, encrypted, when, PASSWORD], capture_output=True, text=True
    )
    assert ran.returncode == 9, ran.stderr
    assert json.loads(keys.keyring_path(encrypted).read_text())["previous"]  # cut short
    jones = sign_in(encrypted, "pcso.jones", lambda: JONES)
    assert jones.key != old_key and jones.actor.role == "pcso"
    jones.db.close()
    assert "previous" not in json.loads(keys.keyring_path(encrypted).read_text())
    assert old_key is not None
    with pytest.raises(HomewardError, match="does not open"):
        open_database(encrypted, key=old_key)
    sign_in(encrypted, "admin.ada", lambda: PASSWORD).db.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=3),
    max_leaves=8,
)  # fmt: skip


def paths_in(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as a path of keys and indexes."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_in(item, (*path, index))
    return found


@given(data=st.data())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_damage_to_a_keyring_is_refused_in_one_sentence(
    encrypted: str, data: st.DataObject
) -> None:
    """One field replaced by any JSON value, or removed: refused, or signed in; no traceback."""
    path = keys.keyring_path(encrypted)
    original = ORIGINALS.setdefault(encrypted, path.read_text())  # each example starts whole
    values = json.loads(original)
    where = data.draw(st.sampled_from(paths_in(values)[1:]))
    parent = values
    for step in where[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and data.draw(st.booleans()):
        del parent[where[-1]]
    else:
        parent[where[-1]] = data.draw(JSON_VALUES)
    path.write_text(json.dumps(values))
    try:
        sign_in(encrypted, "admin.ada", lambda: PASSWORD, now=lambda: NOW).db.close()
    except HomewardError as refused:
        assert "\n" not in str(refused)


ORIGINALS: dict[str, str] = {}


GUESS = """
import sys, time
from missing_app.core.security import passwords
from missing_app.core.security.errors import SignInFailed
from missing_app.core.security.signin import sign_in

real = passwords.derive_key
passwords.derive_key = lambda *args: (time.sleep(0.2), real(*args))[1]
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # every process guesses at the same moment
try:
    sign_in(sys.argv[1], "pcso.jones", lambda: "a wrong guess")
except SignInFailed as failed:
    print(failed)
"""


def test_wrong_passwords_from_several_programs_at_once_are_all_counted(encrypted: str) -> None:
    import subprocess
    import sys

    at = str(time.time() + 5)  # after every program has started
    programs = [
        subprocess.Popen([sys.executable, "-c", GUESS, encrypted, at], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        for _ in range(6)
    ]  # fmt: skip
    said = [program.communicate(timeout=60)[0] for program in programs]
    assert sum("more tr" in text for text in said) == 4, said
    assert sum("the account is locked for 15 minutes" in text for text in said) == 1, said
    keyring = keys.load_keyring(encrypted)
    assert len(keyring.record.failures) == 6 and keyring.locked_until("pcso.jones") is not None
