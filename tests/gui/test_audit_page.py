"""The Audit log page: the rows real use cases wrote, narrowed by user, action, child and
dates, the values before and after, the export read back, and no way to change the log."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QInputDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from missing_app.core import audit as audit_module
from missing_app.core.db import Database
from missing_app.core.models import AuditEvent
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.pages.audit import AuditPage
from tests.gui.accounts import context_as, nav_names, window_for
from tests.gui.conftest import wait_for_writes
from tests.security_helpers import build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, for the role tests

OCTOBER = datetime(2025, 10, 1, 10, 0, tzinfo=UTC)
NOVEMBER = datetime(2025, 11, 10, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Log:
    amy: int
    ben: int


def write_log(db: Database, monkeypatch: pytest.MonkeyPatch) -> Log:
    """In October pcso.jones adds a home and two children placed there; in November
    sgt.lee renames Amy and records Ben missing (the log's clock set to each month)."""
    monkeypatch.setattr(audit_module, "utc_now", lambda: OCTOBER)
    jones = Records(db, "pcso.jones", now=lambda: OCTOBER)
    home = jones.create_home("SC100001", "Oakview House").record.id
    amy = jones.create_child("A1", date(2010, 4, 1), first_name="Amy", last_name="Ash").record.id
    ben = jones.create_child("B2", date(2011, 5, 2), first_name="Ben", last_name="Birch").record.id
    jones.add_placement(amy, home, date(2025, 1, 1))
    jones.add_placement(ben, home, date(2025, 1, 1))
    monkeypatch.setattr(audit_module, "utc_now", lambda: NOVEMBER)
    lee = Records(db, "sgt.lee", now=lambda: NOVEMBER)
    lee.update_child(amy, last_name="Ashford")
    lee.record_missing(ben, datetime(2025, 11, 9, 21, tzinfo=UTC))
    return Log(amy, ben)


def column(page: AuditPage, key: str) -> list[str]:
    keys = [c.key for c in page.model.columns]
    return [page.model.index(row, keys.index(key)).data() for row in range(page.model.rowCount())]


@pytest.fixture
def page(
    qtbot: QtBot, context: AppContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[AuditPage, Log]:
    log = write_log(db, monkeypatch)
    made = AuditPage(context)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitUntil(lambda: not made.reader.waiting)  # the users and actions to choose from
    return made, log


def test_the_page_lists_every_row_the_use_cases_wrote_newest_first(
    page: tuple[AuditPage, Log], db: Database
) -> None:
    audit, _log = page
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(AuditEvent))
    assert audit.model.rowCount() == stored == 7
    assert column(audit, "username") == ["sgt.lee"] * 2 + ["pcso.jones"] * 5
    assert column(audit, "action") == ["Create", "Update"] + ["Create"] * 5
    assert column(audit, "entity") == [
        "Episode", "Child", "Placement", "Placement", "Child", "Child", "Home",
    ]  # fmt: skip
    assert column(audit, "at")[0] == "Mon 10/11/2025 10:00"
    assert audit.count.text() == "7 rows, newest first"


def test_filters_by_user_action_child_and_date_narrow_the_rows(
    qtbot: QtBot, page: tuple[AuditPage, Log]
) -> None:
    audit, log = page
    audit.user.setCurrentIndex(audit.user.findData("sgt.lee"))
    assert column(audit, "entity") == ["Episode", "Child"]
    audit.action.setCurrentIndex(audit.action.findData("update"))
    assert column(audit, "entity") == ["Child"]
    audit.user.setCurrentIndex(0)
    assert column(audit, "username") == ["sgt.lee"]  # still only updates
    audit.action.setCurrentIndex(0)

    qtbot.keyClicks(audit.child, "Amy")
    audit.child.search(audit.child.text())
    audit.child.choose("Amy Ashford · A1")
    assert audit.child.child_id == log.amy
    assert column(audit, "entity") == ["Child", "Placement", "Child"]  # her rows alone
    audit.child.clear()
    audit.child.textEdited.emit("")
    assert audit.model.rowCount() == 7

    audit.first_day.setDate(QDate(2025, 11, 1))
    assert column(audit, "username") == ["sgt.lee", "sgt.lee"]
    audit.first_day.setDate(audit.first_day.minimumDate())
    audit.last_day.setDate(QDate(2025, 10, 1))
    assert column(audit, "username") == ["pcso.jones"] * 5
    audit.first_day.setDate(QDate(2025, 10, 2))
    assert audit.model.rowCount() == 0 and audit.count.text() == "No rows match"


def test_a_selected_row_shows_the_values_before_and_after(
    page: tuple[AuditPage, Log],
) -> None:
    audit, _log = page
    audit.table.selectRow(1)  # sgt.lee's rename of Amy
    assert audit.detail_title.text().startswith("Update of Child ")
    assert "by sgt.lee, Mon 10/11/2025 10:00" in audit.detail_title.text()
    fields = {
        audit.values.item(row, 0).text(): (
            audit.values.item(row, 1).text(),
            audit.values.item(row, 2).text(),
        )
        for row in range(audit.values.rowCount())
    }
    assert fields["last_name"] == ("Ash", "Ashford")
    assert fields["first_name"] == ("Amy", "Amy")
    changed = audit.values.item(next(
        row for row in range(audit.values.rowCount())
        if audit.values.item(row, 0).text() == "last_name"
    ), 0)  # fmt: skip
    assert changed.font().bold()


def answer_export(monkeypatch: pytest.MonkeyPatch, out: Path, reason: str) -> Path:
    """Answer the export's save dialog with `out` and its reason question with `reason`."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (reason, True))
    return out


def test_the_export_writes_the_filtered_rows_and_is_itself_audited(
    qtbot: QtBot,
    page: tuple[AuditPage, Log],
    context: AppContext,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, _log = page
    out = answer_export(monkeypatch, tmp_path / "audit.csv", "ICO subject request")
    audit.user.setCurrentIndex(audit.user.findData("pcso.jones"))
    audit.export_button.click()
    wait_for_writes(qtbot, context)
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["entity"] for row in rows] == [
        "care_homes", "children", "children", "placements", "placements",
    ]  # fmt: skip
    assert {row["username"] for row in rows} == {"pcso.jones"}
    assert json.loads(rows[1]["after"])["first_name"] == "Amy"
    with db.session() as session:
        export = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert export.username == "pcso.jones" and export.why == "ICO subject request"
    assert json.loads(export.after or "")["rows"] == 5
    assert "Exported 5 rows to" in audit.count.text()


def test_an_export_without_a_reason_writes_nothing(
    page: tuple[AuditPage, Log],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit, _log = page
    out = answer_export(monkeypatch, tmp_path / "audit.csv", "  ")
    audit.export_button.click()
    assert not out.exists()
    assert "give the reason" in audit.message.text() and audit.message.isVisible()


def test_the_log_cannot_be_edited_from_the_page(page: tuple[AuditPage, Log]) -> None:
    audit, _log = page
    assert audit.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert audit.values.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    first = audit.model.index(0, 5)
    assert not audit.model.flags(first) & Qt.ItemFlag.ItemIsEditable
    assert not audit.model.setData(first, "changed")
    audit.table.selectRow(1)
    assert not audit.values.item(0, 2).flags() & Qt.ItemFlag.ItemIsEditable
    buttons = [button.text() for button in audit.findChildren(QPushButton)]
    assert buttons == ["&Export…"]


@pytest.mark.usefixtures("cheap_kdf")
def test_only_supervisors_and_administrators_see_the_log(qtbot: QtBot, db: Database) -> None:
    build_world(db)
    with context_as(db, "pcso.jones") as pcso:
        window = window_for(qtbot, pcso)
        assert "Audit log" not in nav_names(window)
        window.show_page("Audit log")  # the core refuses it anyway
        audit = window.current_page()
        assert isinstance(audit, AuditPage)
        assert (
            audit.denied.text() == "pcso.jones (PCSO) cannot read the audit log; ask a supervisor."
        )
        assert audit.denied.isVisible() and not audit.table.isVisible()
    with context_as(db, "sgt.lee") as supervisor:
        window = window_for(qtbot, supervisor)
        assert nav_names(window)[-3:] == ["", "Retention", "Audit log"]
        window.show_page("Audit log")
        audit = window.current_page()
        assert isinstance(audit, AuditPage)
        assert not audit.denied.isVisible() and audit.model.rowCount() > 0
