"""The command line with accounts: --user, passwords from the environment, roles, encryption."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.cli import main
from missing_app.core.db import open_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.errors import HomewardError
from missing_app.core.models import AuditEvent
from missing_app.core.security.keyring import keyring_path
from tests.conftest import write_csv
from tests.security_helpers import PASSWORD, world_file
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

NEW = "a brand new passphrase"
ROW = {
    "child_ref": "LA-CHILD-97310",
    "dob": "2010-03-04",
    "home_urn": "SC100001",
    "last_seen_at": "2025-11-01 21:30",
    "returned_at": "2025-11-02 08:00",
}


@pytest.fixture(autouse=True)
def no_passwords_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSING_APP_PASSWORD", raising=False)
    monkeypatch.delenv("MISSING_APP_NEW_PASSWORD", raising=False)


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run `missing-app ARGS` in this process: exit status, stdout, stderr."""

    def run(
        *args: str, password: str | None = PASSWORD, new: str | None = None
    ) -> tuple[int, str, str]:
        for name, value in (("MISSING_APP_PASSWORD", password), ("MISSING_APP_NEW_PASSWORD", new)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def world_db(tmp_path: Path) -> str:
    return world_file(str(tmp_path / "h.sqlite"))


def test_the_first_user_is_made_an_administrator_then_manages_the_rest(
    tmp_path: Path, cli: Cli
) -> None:
    db = ("--db", str(tmp_path / "h.sqlite"))
    code, _, err = cli(*db, "users", "add", "ada", "--role", "pcso", password=None, new=PASSWORD)
    assert code == 2 and "the first user must be an administrator" in err
    add_ada = ("users", "add", "ada", "--role", "administrator", "--display-name", "Ada Admin")
    code, out, _ = cli(*db, "--user", "ada", *add_ada, password=None, new=PASSWORD)
    assert code == 0 and out == "Added ada (administrator).\n"
    code, _, err = cli(*db, "--user", "ada", "users", "list", password="not her password")
    assert code == 1 and err.startswith("Wrong password for ada (4 more tries")
    code, _, err = cli(*db, "--user", "ada", "users", "list", password=None)
    assert code == 1 and "set MISSING_APP_PASSWORD, or run the command in a terminal" in err
    for name, role in (("kim", "analyst"), ("jones", "pcso")):
        code, _, err = cli(*db, "--user", "ada", "users", "add", name, "--role", role, new=PASSWORD)
        assert code == 0, err
    assert cli(*db, "--user", "ada", "users", "grant-names", "kim")[0] == 0
    code, out, _ = cli(*db, "--user", "ada", "users", "list")
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == ["USERNAME", "NAME", "ROLE", "STATE", "HOMES"]
    assert lines[1:] == [
        ["ada", "Ada", "Admin", "administrator", "active"],
        ["jones", "jones", "PCSO", "active"],
        ["kim", "kim", "analyst", "active,", "sees", "names"],
    ]
    code, _, err = cli(*db, "--user", "jones", "users", "remove", "kim")
    assert code == 1 and err == "jones (PCSO) cannot manage users; ask an administrator.\n"
    code, out, _ = cli(*db, "--user", "jones", "users", "passwd", "jones", new=NEW)  # their own
    assert code == 0 and out == "Password set for jones.\n"
    code, _, err = cli(*db, "--user", "jones", "users", "list", password=NEW)
    assert code == 1 and "cannot manage users" in err  # signed in with the new password
    code, out, _ = cli(*db, "--user", "ada", "users", "remove", "kim")
    assert code == 0 and "Removed kim" in out


def test_roles_limit_the_headless_commands(world_db: str, tmp_path: Path, cli: Cli) -> None:
    stats = ("--db", world_db, "stats", "--from", "2025-10-01", "--to", "2025-10-31", "--json")
    code, _, err = cli("--user", "pcso.jones", *stats)
    assert code == 1
    assert err == (
        "pcso.jones (PCSO) can have figures and reports only for their own homes (SC100001); "
        "ask a supervisor for the others.\n"
    )
    code, out, _ = cli("--user", "pcso.jones", *stats, "--home", "SC100001")
    assert code == 0 and '"episodes": 1' in out
    code, out, _ = cli("--user", "sgt.lee", *stats)
    assert code == 0 and '"episodes": 2' in out
    path = write_csv(tmp_path / "episodes.csv", [ROW])
    imported = ("--db", world_db, "import", "episodes", str(path))
    code, _, err = cli("--user", "analyst.kim", *imported)
    assert code == 1 and "analyst.kim (analyst) cannot import or generate records in bulk" in err
    code, _, err = cli("--user", "sgt.lee", *imported)
    assert code == 0, err
    db = open_database(world_db)
    with db.session() as session:
        who = session.scalar(select(AuditEvent.username).where(AuditEvent.action == "import"))
    db.close()
    assert who == "sgt.lee"


def test_a_database_without_accounts_needs_no_user_or_password(tmp_path: Path, cli: Cli) -> None:
    db = str(tmp_path / "h.sqlite")
    path = write_csv(tmp_path / "episodes.csv", [ROW])
    code, _, err = cli("--db", db, "import", "episodes", str(path), password=None)
    assert code == 0, err


def test_encrypt_converts_in_place_and_then_every_command_signs_in(
    tmp_path: Path, cli: Cli
) -> None:
    db = str(tmp_path / "h.sqlite")
    path = write_csv(tmp_path / "episodes.csv", [ROW])
    assert cli("--db", db, "import", "episodes", str(path), password=None)[0] == 0
    assert b"LA-CHILD-97310" in Path(db).read_bytes()  # closed: the log is in the file
    code, out, err = cli("--db", db, "--user", "ada", "encrypt", password=None, new=PASSWORD)
    assert code == 0, err
    assert "for ada (its first administrator)" in out and str(keyring_path(db)) in out
    assert is_encrypted(db) and b"LA-CHILD-97310" not in Path(db).read_bytes()
    stats = ("--db", db, "stats", "--from", "2025-11-01", "--to", "2025-11-30", "--json")
    code, _, err = cli("--user", "ada", *stats, password=None)
    assert code == 1 and "A password is needed" in err
    code, _, err = cli("--user", "bob", *stats)
    assert code == 1 and err.startswith("bob has no key to h.sqlite")
    code, out, err = cli("--user", "ada", *stats)
    assert code == 0 and '"episodes": 1' in out, err
    code, out, err = cli("--db", db, "--user", "ada", "encrypt")
    assert code == 0 and "already encrypted" in out, err
    assert "No plain copy of it was left beside it." in out


def test_an_encrypted_backup_needs_an_administrator_and_carries_its_keyring(
    tmp_path: Path, cli: Cli
) -> None:
    db = ("--db", str(tmp_path / "h.sqlite"))
    add_ada = ("users", "add", "ada", "--role", "administrator")
    assert cli(*db, "--user", "ada", *add_ada, password=None, new=PASSWORD)[0] == 0
    assert (
        cli(*db, "--user", "ada", "users", "add", "jones", "--role", "pcso", new=PASSWORD)[0] == 0
    )
    assert cli(*db, "--user", "ada", "encrypt")[0] == 0
    code, _, err = cli(*db, "--user", "ada", "users", "passwd", "jones", new=PASSWORD)
    assert code == 0, err  # jones had no key after encryption; now he has
    copy = tmp_path / "copy.sqlite"
    code, _, err = cli(*db, "--user", "jones", "backup", "--out", str(copy))
    assert code == 1 and "jones (PCSO) cannot make or restore backups" in err
    code, _, err = cli(*db, "--user", "ada", "backup", "--out", str(copy))
    assert code == 0, err
    assert is_encrypted(copy) and keyring_path(copy).is_file()
    stats = ("stats", "--from", "2025-11-01", "--to", "2025-11-30", "--home", "SC1")
    code, _, err = cli("--db", str(copy), "--user", "jones", *stats)
    assert code == 1 and "only for their own homes (none assigned yet)" in err  # it opened


def test_users_rekey_changes_the_key_for_every_user(tmp_path: Path, cli: Cli) -> None:
    from missing_app.core.security.signin import sign_in

    db = ("--db", str(tmp_path / "h.sqlite"))
    add_ada = ("users", "add", "ada", "--role", "administrator")
    assert cli(*db, "--user", "ada", *add_ada, password=None, new=PASSWORD)[0] == 0
    assert cli(*db, "--user", "ada", "encrypt")[0] == 0
    assert cli(*db, "--user", "ada", "users", "add", "jones", "--role", "pcso", new=NEW)[0] == 0
    old_key = sign_in(db[1], "ada", lambda: PASSWORD).key
    code, _, err = cli(*db, "--user", "jones", "users", "rekey", password=NEW)
    assert code == 1 and "jones (PCSO) cannot manage users" in err
    code, out, err = cli(*db, "--user", "ada", "users", "rekey")
    assert code == 0, err
    assert out == (
        f"{db[1]} has a new key, sealed for ada, jones; older copies of its key file no "
        "longer open it.\n"
    )
    assert old_key is not None
    with pytest.raises(HomewardError, match="does not open"):
        open_database(db[1], key=old_key)
    code, out, err = cli(*db, "--user", "jones", "stats", "--from", "2025-11-01", "--to",
                         "2025-11-30", "--home", "SC1", password=NEW)  # fmt: skip
    assert code == 1 and "only for their own homes" in err  # it opened with the new key
    signed = sign_in(db[1], "ada", lambda: PASSWORD)
    with signed.db.session() as session:
        why = session.scalar(select(AuditEvent.why).where(AuditEvent.action == "rekey"))
    signed.db.close()
    assert why == "key changed on demand"
