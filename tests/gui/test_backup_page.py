"""The Backup & restore page: a backup made now that the core verifies, a backup stopped
half way leaving nothing, a damaged backup refused with the database unchanged, and a good
one restored, the window then starting again on it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database, is_encrypted, open_database
from missing_app.core.db.restore import restore_database
from missing_app.core.db.rotation import backup_folder, keyring_of
from missing_app.core.models import AuditEvent, CareHome
from missing_app.core.records import Records
from missing_app.core.security.encryption import create_encrypted_database
from missing_app.core.security.signin import sign_in
from missing_app.gui.context import AppContext
from missing_app.gui.long_task import Cancelled, LongTask, Progress
from missing_app.gui.pages import backups as backups_module
from missing_app.gui.pages.backups import BackupsPage, kind_text, size_text
from tests.core.safety_world import Digest, digest, small_world
from tests.gui.accounts import context_as, page_as
from tests.security_helpers import PASSWORD, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, for the role test


@pytest.fixture
def page(qtbot: QtBot, context: AppContext, records: Records) -> BackupsPage:
    small_world(records)
    made = BackupsPage(context)
    made.restarted: list[Path] = []  # type: ignore[misc]
    made.restart = made.restarted.append  # type: ignore[attr-defined]
    qtbot.addWidget(made)
    made.show()
    return made


def records_of(path: Path) -> Digest:
    """The digest of every table but the audit log (a backup or restore adds to it)."""
    return {table: rows for table, rows in digest(path).items() if table != "audit_events"}


def audited(db: Database) -> list[tuple[str, str, str, str]]:
    """The backups and restores in the database's audit log: (who, action, file, when)."""
    with db.session() as session:
        query = select(AuditEvent).where(
            AuditEvent.entity == "database", AuditEvent.action.in_(("backup", "restore"))
        )
        return [
            (e.username, e.action, json.loads(e.after or "{}")["file"], f"{e.at:%Y-%m-%d %H:%M:%S}")
            for e in session.scalars(query.order_by(AuditEvent.id))
        ]


def settle(qtbot: QtBot, page: BackupsPage) -> None:
    qtbot.waitUntil(lambda: page.task is None, timeout=20_000)


def back_up(qtbot: QtBot, page: BackupsPage) -> Path:
    page.backup_button.click()
    settle(qtbot, page)
    assert page.backups, page.message.text()
    return page.backups[0].path


def damage(path: Path) -> None:
    """Overwrite the first page of the children table with rubbish, as a failing disk might."""
    connection = sqlite3.connect(path)
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'children'")
    page = root.fetchone()[0]
    connection.close()
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * 4096)
        handle.write(b"\xff" * 4096)


def test_back_up_now_writes_a_backup_the_core_verifies(
    qtbot: QtBot, page: BackupsPage, db: Database, tmp_path: Path
) -> None:
    assert db.path is not None
    written = back_up(qtbot, page)
    assert written.parent == backup_folder(db.path.resolve())
    assert written.name == "homeward-20251115-120000.sqlite"  # London time, made by hand
    assert sorted(p.name for p in written.parent.iterdir()) == [written.name]  # nothing partial
    checked = restore_database(written, tmp_path / "check" / "homeward.sqlite")
    assert not checked.upgraded
    assert records_of(checked.database) == records_of(db.path)
    assert audited(db) == [("pcso.jones", "backup", str(written), "2025-11-15 12:00:00")]
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "Sat 15/11/2025 12:00"
    assert page.table.item(0, 1).text() == "Made by hand"
    assert page.note.text() == f"Backed up and checked: {written.name}."


def test_a_backup_stopped_half_way_leaves_nothing_behind(
    qtbot: QtBot, page: BackupsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()  # the copy's first step waits until Stop is clicked
    real = backups_module.take_backup

    def held(db: Database, out: Path, username: str, progress: Progress, **audit: Any) -> Path:
        def step(done: int, total: int) -> None:
            gate.wait(10)
            progress(done, total)

        return real(db, out, username, progress=step, **audit)

    monkeypatch.setattr(backups_module, "take_backup", held)
    page.backup_button.click()
    assert page.cancel_button.isVisible() and not page.backup_button.isEnabled()
    page.cancel_button.click()
    gate.set()
    settle(qtbot, page)
    assert page.note.text() == "The backup was stopped; nothing was kept."
    assert page.backups == []
    assert audited(page.context.db) == []  # nothing kept, nothing audited
    folder = backup_folder(page.context.db.path.resolve())  # type: ignore[union-attr]
    assert not folder.exists() or list(folder.iterdir()) == []
    assert page.backup_button.isEnabled()


def test_a_damaged_backup_is_refused_and_the_database_is_unchanged(
    qtbot: QtBot,
    page: BackupsPage,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert db.path is not None
    damaged = tmp_path / "elsewhere" / "monday.sqlite"
    damaged.parent.mkdir()
    shutil.copyfile(back_up(qtbot, page), damaged)
    damage(damaged)
    before = digest(db.path)
    page.restore(damaged)
    settle(qtbot, page)
    assert page.message.isVisible()
    assert page.message.text().startswith(f"monday.sqlite was not restored: The backup {damaged}")
    assert "is damaged" in page.message.text()
    assert page.restarted == []  # type: ignore[attr-defined]
    assert digest(db.path) == before
    with db.session() as session:  # the window goes on using it
        assert session.query(CareHome).count() == 2
    assert not list(db.path.parent.glob("*.before-restore-*"))
    assert not list(db.path.parent.glob(".homeward-check-*"))  # the scratch copy is gone


def test_a_file_that_is_no_backup_is_refused_in_the_page(
    qtbot: QtBot, page: BackupsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    notes = tmp_path / "notes.sqlite"
    notes.write_text("shopping: milk, bread")
    page.restore(notes)
    settle(qtbot, page)
    assert "is not a Homeward backup" in page.message.text()


def test_restore_needs_a_yes(
    qtbot: QtBot, page: BackupsPage, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = back_up(qtbot, page)
    page.table.selectRow(0)
    page.restore_button.click()  # the conftest answers every question with "discard"
    assert page.task is None and page.restarted == []  # type: ignore[attr-defined]
    assert written.exists()


def test_a_good_backup_is_restored_and_homeward_starts_again_on_it(
    qtbot: QtBot,
    page: BackupsPage,
    db: Database,
    records: Records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert db.path is not None
    path = db.path.resolve()
    back_up(qtbot, page)
    records.create_home("SC999999", "Added after the backup", beds=2)
    page.table.selectRow(0)
    page.restore_button.click()
    qtbot.waitUntil(lambda: page.restarted != [], timeout=20_000)  # type: ignore[attr-defined]
    assert page.restarted == [path]  # type: ignore[attr-defined]
    reopened = open_database(str(path))
    try:
        with reopened.session() as session:
            urns = sorted(home.urn for home in session.query(CareHome))
    finally:
        reopened.close()
    assert urns == ["SC100000", "SC100001"]
    reopened = open_database(str(path))
    try:  # the log is not rewound: the backup's own row, written after it, is kept
        assert [row[:3] for row in audited(reopened)] == [
            ("pcso.jones", "backup", str(page.backups[0].path)),
            ("pcso.jones", "restore", str(page.backups[0].path)),
        ]
    finally:
        reopened.close()
    kept = list(path.parent.glob("homeward.sqlite.before-restore-*"))
    assert len(kept) == 1 and "SC999999" in {
        row[0] for row in sqlite3.connect(kept[0]).execute("SELECT urn FROM care_homes")
    }


def test_a_long_task_stops_at_the_next_step_once_cancelled(qtbot: QtBot) -> None:
    def work(progress: Progress) -> int:
        for step in range(1_000_000):
            progress(step, 1_000_000)
        return 0

    task = LongTask(work)
    task.progressed.connect(lambda done, _total: task.cancel() if done == 3 else None)
    with qtbot.waitSignal(task.failed, timeout=10_000) as failed:
        task.start()
    task.wait()
    assert isinstance(failed.args[0], Cancelled)


def test_kinds_and_sizes_read_as_people_say_them() -> None:
    from datetime import datetime

    from missing_app.core.db.rotation import Backup

    def kind(reason: str) -> str:
        return kind_text(Backup(datetime(2025, 11, 15), Path("x.sqlite"), reason))

    assert kind("") == "Made by hand"
    assert kind("daily") == "Daily (automatic)"
    assert kind("before-0002-to-0004") == "Before upgrade 0002 → 0004"
    assert [size_text(n) for n in (900, 812 * 1024, 38_200_000, 3 * 1024**3)] == [
        "1 KB", "812 KB", "36.4 MB", "3.0 GB",
    ]  # fmt: skip


@pytest.mark.usefixtures("cheap_kdf")
def test_a_supervisor_is_refused_in_the_core_s_words(qtbot: QtBot, db: Database) -> None:
    build_world(db)
    with page_as(qtbot, db, "sgt.lee", BackupsPage) as page:
        assert page.denied.text() == (
            "sgt.lee (supervisor) cannot make or restore backups; ask an administrator."
        )
        assert not page.backup_button.isVisible()


@pytest.mark.usefixtures("cheap_kdf")
def test_an_encrypted_database_held_by_the_window_is_backed_up_and_restored_with_its_key(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    path = tmp_path / "secret.sqlite"
    create_encrypted_database(str(path), "admin.ada", "Ada Admin", PASSWORD).db.close()
    signed = sign_in(str(path), "admin.ada", lambda: PASSWORD, exclusive=True)  # as the window
    try:
        Records(signed.db, "admin.ada").create_home("SC100001", "Oakview House")
        with context_as(signed.db, "admin.ada") as admin:
            page = BackupsPage(admin)
            restarted: list[Path] = []
            page.restart = restarted.append
            qtbot.addWidget(page)
            written = back_up(qtbot, page)
            assert is_encrypted(written) and keyring_of(written).is_file()
            Records(signed.db, "admin.ada").create_home("SC100002", "Elm Lodge")
            page.restore(written)
            qtbot.waitUntil(lambda: restarted != [], timeout=20_000)
            assert page.message.text() == ""
    finally:
        signed.db.close()
    again = sign_in(str(path), "admin.ada", lambda: PASSWORD)
    try:
        with again.db.session() as session:
            assert [home.urn for home in session.query(CareHome)] == ["SC100001"]
    finally:
        again.db.close()
