"""`missing-app backup` and `restore` on a plain database with accounts: the user signs in
(the password checked, as for an encrypted one), and only administrators may."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.cli import main
from missing_app.core.db import open_database
from missing_app.core.db.cipher import is_encrypted
from missing_app.core.models import AuditEvent
from tests.security_helpers import PASSWORD, world_file
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
    password: str | None = PASSWORD,
) -> tuple[int, str, str]:  # fmt: skip
    if password is None:
        monkeypatch.delenv("MISSING_APP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("MISSING_APP_PASSWORD", password)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def audit_rows(target: str, action: str) -> list[tuple[str, str | None]]:
    db = open_database(target)
    try:
        with db.session() as session:
            query = select(AuditEvent.username, AuditEvent.why).where(AuditEvent.action == action)
            return [(who, why) for who, why in session.execute(query)]
    finally:
        db.close()


@pytest.fixture
def world_db(tmp_path: Path) -> str:
    target = world_file(str(tmp_path / "h.sqlite"))
    assert not is_encrypted(target)
    return target


def test_a_backup_of_a_plain_database_with_accounts_signs_in_an_administrator(
    world_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    copy = tmp_path / "copy.sqlite"
    backup = ("--db", world_db, "backup", "--out", str(copy))
    code, _, err = run(monkeypatch, capsys, "--user", "admin.ada", *backup, password="guess")
    assert code == 1 and err.startswith("Wrong password for admin.ada")
    code, _, err = run(monkeypatch, capsys, "--user", "admin.ada", *backup, password=None)
    assert code == 1 and "set MISSING_APP_PASSWORD, or run the command in a terminal" in err
    code, _, err = run(monkeypatch, capsys, "--user", "pcso.jones", *backup)
    assert code == 1 and "pcso.jones (PCSO) cannot make or restore backups" in err
    assert not copy.exists()
    assert audit_rows(world_db, "backup") == []
    code, out, err = run(monkeypatch, capsys, "--user", "admin.ada", *backup)
    assert code == 0, err
    assert out.startswith("Backed up ") and copy.is_file()
    assert [who for who, _ in audit_rows(world_db, "backup")] == ["admin.ada"]


def test_a_restore_over_a_plain_database_with_accounts_signs_in_an_administrator(
    world_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    copy = tmp_path / "copy.sqlite"
    code, _, err = run(
        monkeypatch, capsys, "--db", world_db, "--user", "admin.ada", "backup", "--out", str(copy)
    )
    assert code == 0, err
    restore = ("--db", world_db, "restore", str(copy))
    code, _, err = run(monkeypatch, capsys, "--user", "sgt.lee", *restore)
    assert code == 1 and "sgt.lee (supervisor) cannot make or restore backups" in err
    code, _, err = run(monkeypatch, capsys, "--user", "admin.ada", *restore, password="guess")
    assert code == 1 and err.startswith("Wrong password for admin.ada")
    assert audit_rows(world_db, "restore") == []
    code, out, err = run(monkeypatch, capsys, "--user", "admin.ada", *restore)
    assert code == 0, err
    assert out.startswith(f"Restored {world_db}")
    assert [who for who, _ in audit_rows(world_db, "restore")] == ["admin.ada"]


def test_a_plain_database_without_accounts_backs_up_without_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(tmp_path / "h.sqlite")
    open_database(target).close()
    copy = tmp_path / "copy.sqlite"
    backup = ("--db", target, "--user", "anyone", "backup", "--out", str(copy))
    code, _, err = run(monkeypatch, capsys, *backup, password=None)
    assert code == 0, err
    assert [who for who, _ in audit_rows(target, "backup")] == ["anyone"]
