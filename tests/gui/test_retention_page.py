"""The Retention page: the children past the period (hand-worked dates), the period changed
and the list following it, and an erasure asked for, confirmed, done and audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.models import AuditEvent, Child, MissingEpisode, Setting
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.pages.retention import EraseDialog, RetentionPage
from tests.gui.accounts import page_as
from tests.gui.conftest import wait_for_writes
from tests.security_helpers import build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, for the role test


@dataclass(frozen=True)
class World:
    left: int  # born 1 May 2000, left care 30 June 2015 (aged 15): due 30 June 2021
    adult: int  # born 10 January 2001, still placed: 18 on 10 January 2019, due 2025
    young: int  # born 1 December 2010, still placed: nowhere near


def build(records: Records) -> World:
    home = records.create_home("SC100001", "Oakview House").record.id

    def child(ref: str, first: str, dob: date, start: date, end: date | None) -> int:
        made = records.create_child(ref, dob, first_name=first, last_name="Stone").record.id
        records.add_placement(made, home, start, end)
        return made

    left = child("L1", "Lara", date(2000, 5, 1), date(2014, 1, 1), date(2015, 6, 30))
    adult = child("A2", "Adam", date(2001, 1, 10), date(2016, 1, 1), None)
    young = child("Y3", "Yusuf", date(2010, 12, 1), date(2020, 1, 1), None)
    records.record_missing(left, datetime(2015, 3, 1, 21, tzinfo=UTC))
    return World(left, adult, young)


@pytest.fixture
def world(records: Records) -> World:
    return build(records)


@pytest.fixture
def page(qtbot: QtBot, context: AppContext, world: World) -> RetentionPage:
    made = RetentionPage(context)
    qtbot.addWidget(made)
    made.show()
    loaded(qtbot, made)
    return made


def loaded(qtbot: QtBot, page: RetentionPage) -> None:
    """Wait for the list, read off the GUI thread."""
    qtbot.waitUntil(lambda: not page.reader.waiting, timeout=5000)


def rows(page: RetentionPage) -> list[list[str]]:
    table = page.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def test_the_list_holds_the_children_past_six_years_longest_overdue_first(
    page: RetentionPage,
) -> None:
    assert page.setting.editor.value() == 6
    assert rows(page) == [
        ["Lara Stone", "L1", "01/05/2000", "30/06/2015", "30/06/2015", "30/06/2021", "1",
         "01/03/2015"],
        ["Adam Stone", "A2", "10/01/2001", "Still in care", "10/01/2019", "10/01/2025", "0", ""],
    ]  # fmt: skip
    assert page.count.text() == "2 children past the 6 years on 15/11/2025, longest overdue first"
    assert not page.erase_button.isEnabled()


def test_a_longer_period_saved_is_audited_and_the_list_follows_it(
    qtbot: QtBot, page: RetentionPage, context: AppContext, db: Database
) -> None:
    page.setting.editor.setValue(7)  # Adam is due on 10 January 2026
    assert page.save_button.isEnabled()
    page.save_button.click()
    wait_for_writes(qtbot, context)
    loaded(qtbot, page)
    assert [row[0] for row in rows(page)] == ["Lara Stone"]
    assert page.count.text().startswith("1 child past the 7 years")
    with db.session() as session:
        assert json.loads(session.get_one(Setting, "retention_years").value) == 7
        assert session.scalars(select(AuditEvent.id).where(AuditEvent.entity == "settings")).all()


def test_the_erase_dialog_needs_a_reason_and_a_confirmation(
    qtbot: QtBot, page: RetentionPage
) -> None:
    dialog = EraseDialog(page.due[0], page)
    qtbot.addWidget(dialog)
    assert "Lara Stone" in dialog.findChild(type(page.count)).text()
    assert not dialog.erase_button.isEnabled()
    dialog.why.setText("retention review 2025")
    assert not dialog.erase_button.isEnabled()
    dialog.sure.setChecked(True)
    assert dialog.erase_button.isEnabled()
    dialog.why.setText("   ")
    assert not dialog.erase_button.isEnabled()


def test_delete_erases_the_child_and_the_audit_log_keeps_why(
    qtbot: QtBot,
    page: RetentionPage,
    context: AppContext,
    db: Database,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def answer(dialog: EraseDialog) -> int:
        dialog.why.setText("retention review 2025: no open concerns")
        dialog.sure.setChecked(True)
        assert dialog.erase_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(page, "ask", answer)
    page.table.selectRow(0)
    assert page.erase_button.isEnabled()
    page.erase_button.click()
    wait_for_writes(qtbot, context)
    loaded(qtbot, page)
    with db.session() as session:
        assert session.get(Child, world.left) is None
        assert session.get(Child, world.adult) is not None
        assert not session.scalars(
            select(MissingEpisode.id).where(MissingEpisode.child_id == world.left)
        ).all()
        erased = session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert erased.entity_id == world.left and erased.username == "pcso.jones"
    assert erased.why == "retention review 2025: no open concerns"
    assert json.loads(erased.after or "")["counts"]["missing_episodes"] == 1
    assert [row[0] for row in rows(page)] == ["Adam Stone"]
    assert page.note.text() == "Erased Lara Stone (L1): 3 records."  # child, placement, episode


def test_cancelling_the_dialog_erases_nothing(
    page: RetentionPage, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page, "ask", lambda dialog: QDialog.DialogCode.Rejected)
    page.table.selectRow(0)
    page.erase_button.click()
    assert page.context.worker.pending == 0
    with db.session() as session:
        assert session.get(Child, world.left) is not None


@pytest.mark.usefixtures("cheap_kdf")
def test_a_pcso_is_refused_in_the_core_s_words(qtbot: QtBot, db: Database) -> None:
    build_world(db)
    with page_as(qtbot, db, "pcso.jones", RetentionPage) as page:
        assert not page.reader.waiting  # refused before anything is read
        assert page.denied.text() == (
            "pcso.jones (PCSO) cannot delete records past their retention date; ask a supervisor."
        )
        assert not page.table.isVisible() and not page.erase_button.isVisible()
