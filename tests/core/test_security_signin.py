"""Signing in to plain and encrypted databases: passwords, lock-out, audit, key wrapping."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.core.db import open_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.db.errors import DatabaseLocked
from missing_app.core.models import AuditEvent, Child
from missing_app.core.records import Records
from missing_app.core.security import keyring as keys
from missing_app.core.security.encryption import (
    create_encrypted_database,
    encrypt_existing_database,
)
from missing_app.core.security.errors import AccountLocked, SignInFailed
from missing_app.core.security.signin import SignedIn, confirm_password, sign_in
from missing_app.core.security.users import Users
from tests.conftest import NOW
from tests.security_helpers import PASSWORD, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

NEW_PASSWORD = "a different long phrase"


def never_asked() -> str:
    raise AssertionError("the password should not have been asked for")


def clock(start: datetime = NOW) -> list[datetime]:
    """A clock the test moves: `now[0]`."""
    return [start]


def audit_rows(signed: SignedIn) -> list[tuple[str, str, str | None]]:
    with signed.db.session() as session:
        rows = session.execute(
            select(AuditEvent.username, AuditEvent.action, AuditEvent.why)
            .where(AuditEvent.entity == "users", AuditEvent.action.like("signin%"))
            .order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


# Plain databases ----------------------------------------------------------------------------


def test_a_plain_database_without_accounts_opens_without_a_password(tmp_path: Path) -> None:
    signed = sign_in(str(tmp_path / "h.sqlite"), "pcso.jones", never_asked)
    assert signed.actor.role is None and signed.key is None
    signed.db.close()


def test_a_plain_database_with_accounts_checks_the_password(tmp_path: Path) -> None:
    target = str(tmp_path / "h.sqlite")
    db = open_database(target)
    build_world(db)
    db.close()
    signed = sign_in(target, "pcso.jones", lambda: PASSWORD)
    assert signed.actor.role == "pcso" and signed.actor.home_ids == {1}
    with pytest.raises(SignInFailed, match=r"^Wrong password for pcso.jones \(4 more tries"):
        sign_in(target, "pcso.jones", lambda: "not it at all")
    with pytest.raises(SignInFailed, match=r"pcso\.jonse is not a user of this database"):
        sign_in(target, "pcso.jonse", lambda: PASSWORD)
    assert audit_rows(signed) == [
        ("pcso.jones", "signin", None),
        ("pcso.jones", "signin_failed", "wrong password"),
        ("pcso.jonse", "signin_failed", "not a user"),
    ]
    signed.db.close()


def test_five_failures_lock_the_account_for_fifteen_minutes(tmp_path: Path) -> None:
    target = str(tmp_path / "h.sqlite")
    db = open_database(target)
    build_world(db)
    db.close()
    now = clock()
    for attempt in range(4):
        with pytest.raises(SignInFailed) as failed:
            sign_in(target, "sgt.lee", lambda: "wrong guess here", now=lambda: now[0])
        assert not isinstance(failed.value, AccountLocked), attempt
    with pytest.raises(AccountLocked) as locked:
        sign_in(target, "sgt.lee", lambda: "wrong guess here", now=lambda: now[0])
    assert str(locked.value) == (
        "Wrong password for sgt.lee: after 5 failed sign-ins the account is locked for "
        "15 minutes, until 12:15."
    )
    now[0] += timedelta(minutes=14)
    with pytest.raises(AccountLocked, match="try again after 12:15"):
        sign_in(target, "sgt.lee", lambda: PASSWORD, now=lambda: now[0])  # right, but locked
    now[0] += timedelta(minutes=1)
    signed = sign_in(target, "sgt.lee", lambda: PASSWORD, now=lambda: now[0])
    assert signed.actor.role == "supervisor"
    reasons = [why for user, action, why in audit_rows(signed) if user == "sgt.lee"]
    assert reasons == ["wrong password"] * 5 + ["account locked", None]
    signed.db.close()


def test_the_lock_out_follows_the_settings(tmp_path: Path) -> None:
    target = str(tmp_path / "h.sqlite")
    db = open_database(target)
    build_world(db)
    Records(db, "sgt.lee").set_setting("signin_attempts", 2)
    Records(db, "sgt.lee").set_setting("signin_lock_minutes", 60)
    db.close()
    with pytest.raises(SignInFailed, match=r"1 more try before the account locks for 60 minutes"):
        sign_in(target, "pcso.jones", lambda: "wrong guess here", now=lambda: NOW)
    with pytest.raises(AccountLocked, match="locked for 60 minutes, until 13:00"):
        sign_in(target, "pcso.jones", lambda: "wrong guess here", now=lambda: NOW)


def test_an_administrator_unlocks_by_setting_a_new_password(tmp_path: Path) -> None:
    target = str(tmp_path / "h.sqlite")
    db = open_database(target)
    build_world(db)
    db.close()
    for _ in range(5):
        with pytest.raises(SignInFailed):
            sign_in(target, "pcso.smith", lambda: "wrong guess here", now=lambda: NOW)
    admin = sign_in(target, "admin.ada", lambda: PASSWORD)
    Users(admin.db, "admin.ada").set_password("pcso.smith", NEW_PASSWORD)
    admin.db.close()
    sign_in(target, "pcso.smith", lambda: NEW_PASSWORD, now=lambda: NOW).db.close()


def test_confirm_password_on_a_plain_database(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "h.sqlite"))
    build_world(db)
    signed = SignedIn(db, sign_in(str(db.path), "pcso.jones", lambda: PASSWORD).actor)
    confirm_password(signed, PASSWORD)
    with pytest.raises(SignInFailed, match="Wrong password"):
        confirm_password(signed, "nope nope nope")
    assert audit_rows(signed)[-2:] == [
        ("pcso.jones", "signin", "window unlocked"),
        ("pcso.jones", "signin_failed", "wrong password"),
    ]
    db.close()


# Users ----------------------------------------------------------------------------------------


def test_the_first_user_is_an_administrator_and_rules_hold(tmp_path: Path) -> None:
    from missing_app.core.errors import ValidationError
    from missing_app.core.security.errors import PermissionDenied

    db = open_database(str(tmp_path / "h.sqlite"))
    users = Users(db, "pcso.first")
    with pytest.raises(ValidationError, match="the first user must be an administrator"):
        users.add_user("pcso.first", "First", "pcso", PASSWORD)
    with pytest.raises(ValidationError, match="at least 10 characters"):
        users.add_user("admin.ada", "Ada", "administrator", "short")
    with pytest.raises(ValidationError, match="lower-case letters"):
        users.add_user("Ada Admin", "Ada", "administrator", PASSWORD)
    Users(db, "admin.ada").add_user("admin.ada", "Ada", "administrator", PASSWORD)
    ada = Users(db, "admin.ada")
    with pytest.raises(ValidationError, match=r"admin\.ada is already a user"):
        ada.add_user("admin.ada", "Ada", "administrator", PASSWORD)
    with pytest.raises(PermissionDenied, match=r"admin\.bob is not a user of this database"):
        Users(db, "admin.bob").remove_user("admin.ada")
    ada.add_user("admin.bob", "Bob", "administrator", PASSWORD)
    with pytest.raises(PermissionDenied, match="cannot remove yourself"):
        ada.remove_user("admin.ada")
    Users(db, "admin.bob").remove_user("admin.ada")
    listed = {a.username: a for a in Users(db, "admin.bob").list_users()}
    assert listed["admin.ada"].active is False and listed["admin.ada"].can_sign_in is False
    assert listed["admin.bob"].role_label == "administrator"
    with db.session() as session:
        after = [
            json.loads(e.after or "{}")
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity == "users").order_by(AuditEvent.id)
            )
        ]
    assert all("password_hash" not in values for values in after)
    assert after[-1]["active"] is False
    db.close()


def test_a_demo_officer_becomes_an_account_by_getting_a_password(tmp_path: Path) -> None:
    from missing_app.core.errors import ValidationError
    from missing_app.core.models import User

    db = open_database(str(tmp_path / "h.sqlite"))
    with db.transaction() as session:
        session.add(
            User(username="demo.sgt", display_name="Sgt", role="supervisor", created_at=NOW)
        )
    with pytest.raises(ValidationError, match="first user must be an administrator"):
        Users(db, "demo.sgt").set_password("demo.sgt", PASSWORD)
    Users(db, "admin.ada").add_user("admin.ada", "Ada", "administrator", PASSWORD)
    Users(db, "admin.ada").set_password("demo.sgt", PASSWORD)
    assert sign_in(str(db.path), "demo.sgt", lambda: PASSWORD).actor.role == "supervisor"
    db.close()


# Encrypted databases --------------------------------------------------------------------------


@pytest.fixture
def encrypted(tmp_path: Path) -> str:
    target = str(tmp_path / "secret.sqlite")
    signed = create_encrypted_database(target, "admin.ada", "Ada Admin", PASSWORD, lambda: NOW)
    records = Records(signed.db, "admin.ada", now=lambda: NOW)
    records.create_child("C1", date(2010, 4, 1), first_name="Zebedee", last_name="Quill")
    Users(signed.db, "admin.ada").add_user("pcso.jones", "PCSO Jones", "pcso", PASSWORD)
    signed.db.close()
    return target


def child_names(signed: SignedIn) -> list[str]:
    with signed.db.session() as session:
        return [c.display_name for c in session.scalars(select(Child))]


def test_a_created_database_is_encrypted_and_its_key_kept_only_wrapped(encrypted: str) -> None:
    path = Path(encrypted)
    assert is_encrypted(path)
    assert b"Zebedee" not in path.read_bytes()
    with pytest.raises(DatabaseLocked, match="is encrypted; sign in to open it"):
        open_database(encrypted)
    signed = sign_in(encrypted, "pcso.jones", lambda: PASSWORD)
    assert child_names(signed) == ["Zebedee Quill"]
    key = signed.key
    assert key is not None and len(key) == 32
    keyring_text = keys.keyring_path(path).read_text()
    assert key.hex() not in keyring_text
    import base64

    assert base64.b64encode(key).decode() not in keyring_text
    assert set(json.loads(keyring_text)["users"][0]) >= {"salt", "kdf", "private", "sealed"}
    assert oct(keys.keyring_path(path).stat().st_mode & 0o777) == "0o600"
    signed.db.close()


def test_a_wrong_password_is_told_from_the_check_value_and_locks(encrypted: str) -> None:
    now = clock()
    for _ in range(4):
        with pytest.raises(SignInFailed, match=r"Wrong password for pcso\.jones"):
            sign_in(encrypted, "pcso.jones", lambda: "wrong guess here", now=lambda: now[0])
    with pytest.raises(AccountLocked, match="until 12:15"):
        sign_in(encrypted, "pcso.jones", lambda: "wrong guess here", now=lambda: now[0])
    with pytest.raises(AccountLocked):
        sign_in(encrypted, "pcso.jones", lambda: PASSWORD, now=lambda: now[0])
    with pytest.raises(SignInFailed, match=r"pcso\.nobody has no key"):
        sign_in(encrypted, "pcso.nobody", lambda: PASSWORD, now=lambda: now[0])
    keyring = keys.load_keyring(encrypted)
    assert keyring.locked_until("pcso.jones") == now[0] + timedelta(minutes=15)
    assert len(keyring.record.failures) == 7
    now[0] += timedelta(minutes=15)
    signed = sign_in(encrypted, "pcso.jones", lambda: PASSWORD, now=lambda: now[0])
    rows = audit_rows(signed)
    assert rows[-8:] == [
        *[("pcso.jones", "signin_failed", "wrong password")] * 5,
        ("pcso.jones", "signin_failed", "account locked"),
        ("pcso.nobody", "signin_failed", "not a user"),
        ("pcso.jones", "signin", None),
    ]
    with signed.db.session() as session:
        failed_at = session.scalars(
            select(AuditEvent.at).where(AuditEvent.action == "signin_failed")
        ).first()
    assert failed_at == NOW  # the time of the failure, not of the sign-in that logged it
    after = keys.load_keyring(encrypted)
    assert after.record.failures == [] and after.record.standing("pcso.jones").failures == 0
    assert after.locked_until("pcso.jones") is None
    signed.db.close()


def test_changing_a_password_rewraps_only_that_users_key(encrypted: str) -> None:
    before = keys.load_keyring(encrypted).entries
    signed = sign_in(encrypted, "pcso.jones", lambda: PASSWORD)
    key = signed.key
    Users(signed.db, "pcso.jones").set_password("pcso.jones", NEW_PASSWORD)  # their own
    signed.db.close()
    after = keys.load_keyring(encrypted).entries
    assert after["admin.ada"] == before["admin.ada"]
    assert after["pcso.jones"].salt != before["pcso.jones"].salt
    assert keys.open_entry(after["pcso.jones"], NEW_PASSWORD) == key
    with pytest.raises(SignInFailed, match="Wrong password"):
        sign_in(encrypted, "pcso.jones", lambda: PASSWORD)
    again = sign_in(encrypted, "pcso.jones", lambda: NEW_PASSWORD)
    assert child_names(again) == ["Zebedee Quill"] and again.key == key
    again.db.close()


def test_adding_a_user_keeps_the_key_and_removing_one_changes_it(encrypted: str) -> None:
    admin = sign_in(encrypted, "admin.ada", lambda: PASSWORD)
    users = Users(admin.db, "admin.ada")
    original = admin.key
    users.add_user("analyst.kim", "Kim", "analyst", PASSWORD)
    assert admin.key == original
    assert users.remove_user("pcso.jones") == ()  # nobody left without a key
    assert admin.key != original and child_names(admin) == ["Zebedee Quill"]
    assert {a.username: a.can_sign_in for a in users.list_users()} == {
        "admin.ada": True,
        "analyst.kim": True,
        "pcso.jones": False,
    }
    admin.db.close()
    assert set(keys.load_keyring(encrypted).entries) == {"admin.ada", "analyst.kim"}
    kim = sign_in(encrypted, "analyst.kim", lambda: PASSWORD)
    assert child_names(kim) == ["Zebedee Quill"]
    kim.db.close()
    with pytest.raises(SignInFailed, match=r"pcso\.jones has no key"):
        sign_in(encrypted, "pcso.jones", lambda: PASSWORD)


def test_a_copy_needs_its_keyring_and_a_password(encrypted: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(encrypted, copy)
    with pytest.raises(keys.KeyringError, match=r"its key file copy.sqlite.keys is missing"):
        sign_in(str(copy), "admin.ada", lambda: PASSWORD)
    assert keys.copy_keyring(encrypted, copy) == keys.keyring_path(copy)
    signed = sign_in(str(copy), "admin.ada", lambda: PASSWORD)
    assert child_names(signed) == ["Zebedee Quill"]
    signed.db.close()
    assert keys.copy_keyring(tmp_path / "plain.sqlite", tmp_path / "other.sqlite") is None


def test_a_damaged_keyring_says_so(encrypted: str) -> None:
    keys.keyring_path(encrypted).write_text("{not json")
    with pytest.raises(keys.KeyringError, match="cannot be read"):
        sign_in(encrypted, "admin.ada", lambda: PASSWORD)


def test_confirm_password_on_an_encrypted_database(encrypted: str) -> None:
    signed = sign_in(encrypted, "pcso.jones", lambda: PASSWORD)
    confirm_password(signed, PASSWORD)
    with pytest.raises(SignInFailed, match="4 more tries"):
        confirm_password(signed, "wrong guess here")
    assert audit_rows(signed)[-2:] == [
        ("pcso.jones", "signin", "window unlocked"),
        ("pcso.jones", "signin_failed", "wrong password"),
    ]
    signed.db.close()


def test_encrypting_a_plain_database_in_place(tmp_path: Path) -> None:
    target = str(tmp_path / "h.sqlite")
    records = Records(open_database(target), "someone", now=lambda: NOW)
    records.create_child("C1", date(2010, 4, 1), first_name="Zebedee")
    records.db.close()
    done = encrypt_existing_database(target, "admin.ada", PASSWORD, "Ada Admin")
    assert done.created_administrator and done.without_key == ()
    assert is_encrypted(target) and b"Zebedee" not in Path(target).read_bytes()
    signed = sign_in(target, "admin.ada", lambda: PASSWORD)
    assert child_names(signed) == ["Zebedee"] and signed.actor.role == "administrator"
    with signed.db.session() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "encrypt"))
    signed.db.close()


def test_encrypting_needs_an_administrator_and_says_who_needs_a_new_password(
    tmp_path: Path,
) -> None:
    from missing_app.core.security.errors import PermissionDenied

    target = str(tmp_path / "h.sqlite")
    db = open_database(target)
    build_world(db)
    db.close()
    with pytest.raises(PermissionDenied, match=r"sgt\.lee \(supervisor\) cannot manage users"):
        encrypt_existing_database(target, "sgt.lee", PASSWORD)
    assert not is_encrypted(target) and not keys.has_keyring(target)
    with pytest.raises(SignInFailed, match="Wrong password"):
        encrypt_existing_database(target, "admin.ada", "wrong guess here")
    done = encrypt_existing_database(target, "admin.ada", PASSWORD)
    assert not done.created_administrator
    assert done.without_key == ("analyst.kim", "pcso.jones", "pcso.smith", "sgt.lee")
    with pytest.raises(SignInFailed, match=r"sgt\.lee has no key"):
        sign_in(target, "sgt.lee", lambda: PASSWORD)
    admin = sign_in(target, "admin.ada", lambda: PASSWORD)
    Users(admin.db, "admin.ada").set_password("sgt.lee", NEW_PASSWORD)
    admin.db.close()
    assert sign_in(target, "sgt.lee", lambda: NEW_PASSWORD).actor.role == "supervisor"


def test_passwords_and_keys_are_memory_hard_by_default() -> None:
    """The real cost (64 MiB, 3 passes, 2 lanes), whatever the tests' cheap one."""
    from missing_app.core.security import passwords

    assert passwords.KdfCost() == passwords.KdfCost(3, 65536, 2)
    started = datetime.now(UTC)
    stored = passwords._hasher(passwords.KdfCost()).hash(PASSWORD)
    assert "$argon2id$" in stored and "m=65536,t=3,p=2" in stored
    key = passwords.derive_key(PASSWORD, b"0123456789abcdef", passwords.KdfCost())
    assert len(key) == 32
    assert key == passwords.derive_key(PASSWORD, b"0123456789abcdef", passwords.KdfCost())
    assert datetime.now(UTC) - started < timedelta(seconds=5)
