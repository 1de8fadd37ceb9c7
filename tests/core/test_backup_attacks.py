"""Issue 12: backups and restores under attack or careless use. A plain backup never makes
an encrypted database plain; a truncated or rubbish backup is refused in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from missing_app.core.db import BackupFailed, is_encrypted, open_database
from missing_app.core.db.backup import backup_database
from missing_app.core.db.restore import restore_database
from missing_app.core.records import Records
from tests.core.safety_world import digest, small_world

KEY = bytes(range(32))


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"), homes=1)
    db.close()
    return path


def test_a_plain_backup_cannot_make_an_encrypted_database_plain(
    plain: Path, tmp_path: Path
) -> None:
    backup = backup_database(plain, tmp_path / "plain-monday.sqlite")
    encrypted = tmp_path / "safe" / "homeward.sqlite"
    encrypted.parent.mkdir()
    db = open_database(str(encrypted), key=KEY)
    small_world(Records(db, "pcso.jones"), homes=2)
    db.close()
    before = digest(encrypted, KEY)
    with pytest.raises(BackupFailed, match="a plain backup cannot replace an encrypted database"):
        restore_database(backup, encrypted)
    with pytest.raises(BackupFailed, match="a plain backup cannot replace an encrypted database"):
        restore_database(backup, encrypted, key=KEY)
    assert is_encrypted(encrypted) and digest(encrypted, KEY) == before


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="half"),
        pytest.param(lambda data: data[:5000], id="first page and a bit"),
        pytest.param(lambda data: data[:100], id="header only"),
        pytest.param(lambda data: data[:100] + b"\x07" * (len(data) - 100), id="rubbish"),
    ],
)
def test_a_truncated_or_rubbish_backup_is_refused_in_one_sentence(
    plain: Path, tmp_path: Path, cut: object
) -> None:
    backup = backup_database(plain, tmp_path / "monday.sqlite")
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(cut(backup.read_bytes()))  # type: ignore[operator]
    before = plain.read_bytes()
    with pytest.raises(BackupFailed, match=f"The backup {broken} is damaged .*left as it was"):
        restore_database(broken, plain)
    assert plain.read_bytes() == before
    assert not plain.with_name("homeward.sqlite.restoring").exists()
