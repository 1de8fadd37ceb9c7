"""The Audit log page says plainly, above everything, when the log's hash chain is broken."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.gui.context import AppContext
from missing_app.gui.pages.audit import AuditPage
from tests.gui.test_audit_page import write_log


def shown(qtbot: QtBot, context: AppContext) -> AuditPage:
    page = AuditPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitUntil(lambda: not page.reader.waiting)
    return page


def test_an_untouched_log_shows_no_warning(
    qtbot: QtBot, context: AppContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(db, monkeypatch)
    assert not shown(qtbot, context).tampered.isVisible()


def test_a_row_edited_behind_homeward_s_back_is_said_plainly(
    qtbot: QtBot,
    context: AppContext,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    write_log(db, monkeypatch)
    assert db.path is not None
    with closing(sqlite3.connect(db.path)) as connection, connection:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("UPDATE audit_events SET username = 'nobody' WHERE id = 6")
    page = shown(qtbot, context)
    page.grab().save(str(tmp_path / "tampered.png"))
    assert page.tampered.isVisible()
    text = page.tampered.text()
    assert text.startswith("The audit log has been tampered with:")
    assert "the guards that keep the audit log from being changed were removed" in text
    assert "audit row 6 was changed" in text
