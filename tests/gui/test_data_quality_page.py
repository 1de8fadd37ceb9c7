"""The Data quality page: Homeward's own records against the 903 rules, each failure opening
the record to correct, the list following changes, and the export of the Missing table."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.exchange.ssda903.own_records import RecordFailure
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.models import AuditEvent, Placement
from missing_app.core.queries.data_quality import QualityReport, QualityRow
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.data_quality import DataQualityPage, summary_text
from tests.gui.conftest import wait_for_writes
from tests.gui.test_episodes_page import Navigator
from tests.security_helpers import as_user, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, for the PCSO test

CLEAR = "No failures: Homeward's records for 2025-26 pass the Department's checks"


@dataclass(frozen=True)
class World:
    amy: int  # placed 1 May to 1 September 2025, missing since 20 August: fails 575 and 577
    ben: int  # placed since January 2025, missing and back in July: passes
    amy_episode: int
    ben_episode: int


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def clean_child(records: Records, home_id: int) -> tuple[int, int]:
    ben = records.create_child("B2", date(2011, 5, 2), first_name="Ben", last_name="Cole").record
    records.add_placement(ben.id, home_id, date(2025, 1, 1))
    episode = records.record_missing(ben.id, utc(2025, 7, 1, 21)).record
    records.record_return(episode.id, utc(2025, 7, 2, 9))
    return ben.id, episode.id


def build(records: Records) -> World:
    home = records.create_home("SC100001", "Oakview House").record
    amy = records.create_child("A1", date(2010, 4, 1), first_name="Amy", last_name="Shaw").record
    records.add_placement(amy.id, home.id, date(2025, 5, 1), date(2025, 9, 1))
    amy_episode = records.record_missing(amy.id, utc(2025, 8, 20, 21)).record
    ben, ben_episode = clean_child(records, home.id)
    return World(amy.id, ben, amy_episode.id, ben_episode)


def make_page(qtbot: QtBot, context: AppContext) -> DataQualityPage:
    page = DataQualityPage(context)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_for_check(qtbot, page)
    return page


def wait_for_check(qtbot: QtBot, page: DataQualityPage, after: object = None) -> None:
    """Wait for a check of the records to arrive (a newer one than `after`)."""
    qtbot.waitUntil(
        lambda: page.report is not None and page.report is not after and not page.reader.waiting,
        timeout=10_000,
    )


def open_in_window(qtbot: QtBot, window: MainWindow) -> DataQualityPage:
    """Show the page in the window and wait for its check of the records."""
    window.show_page("Data quality")
    page = window.current_page()
    assert isinstance(page, DataQualityPage)
    wait_for_check(qtbot, page)
    return page


def press_return_on_first_row(qtbot: QtBot, page: DataQualityPage, column: int) -> None:
    """Put the keyboard on the table's first row (at `column`) and press Return."""
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, column))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)


def table(page: DataQualityPage) -> list[tuple[str, ...]]:
    """What the table shows, row by row."""
    model = page.model
    return [
        tuple(model.data(model.index(row, column)) for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def read_back(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_the_page_lists_exactly_the_failing_episode(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = make_page(qtbot, context)
    assert page.year.currentText() == "2025-26"  # the clock's year: 15 November 2025
    assert table(page) == [
        ("575", "Amy Shaw · A1", "Wed 20/08/2025",
         "MIS_END is blank, but the placement from 01/05/2025 ended 01/09/2025"),
        ("577", "Amy Shaw · A1", "Wed 20/08/2025",
         "the period 20/08/2025 to open is outside the child's periods of care "
         "(01/05/2025 to 01/09/2025)"),
    ]  # fmt: skip
    assert page.summary.text() == "2 failures in 1 record: 575 ×1, 577 ×1"
    assert page.body.currentWidget() is page.table
    tip = page.model.data(page.model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("575: The placement the child went missing from has ended")


def test_a_rule_chosen_shows_its_failures_alone(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = make_page(qtbot, context)
    rules = [page.rule.itemText(i) for i in range(page.rule.count())]
    assert rules[0] == "Every rule (2)"
    assert rules[1:] == [
        "575 ×1: The placement the child went missing from has ended but the period has no end",
        "577 ×1: The period lies outside every period of care of the child",
    ]
    page.rule.setCurrentIndex(2)
    assert [row[0] for row in table(page)] == ["577"]
    before = page.report
    page.refresh()  # as after a change to the records: the rule chosen stays
    wait_for_check(qtbot, page, after=before)
    assert page.rule.currentData() == "577" and [row[0] for row in table(page)] == ["577"]
    page.rule.setCurrentIndex(0)
    assert [row[0] for row in table(page)] == ["575", "577"]


def test_enter_and_double_click_open_the_episode(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    world = build(records)
    context.navigator = navigator = Navigator()
    page = make_page(qtbot, context)
    press_return_on_first_row(qtbot, page, column=1)
    assert navigator.opened == [("episode", world.amy_episode)]
    second = page.table.visualRect(page.model.index(1, 1)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert navigator.opened == [("episode", world.amy_episode)] * 2


def test_a_failure_about_the_child_opens_the_child(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    """Rule 586: the period starts before the date of birth, so the birth date is suspect."""
    home = records.create_home("SC100001", "Oakview House").record
    cara = records.create_child("C3", date(2025, 6, 1), first_name="Cara").record
    records.add_placement(cara.id, home.id, date(2025, 6, 1))
    episode = records.record_missing(cara.id, utc(2025, 8, 1, 12)).record
    records.record_return(episode.id, utc(2025, 8, 1, 18))
    records.update_child(cara.id, dob=date(2025, 9, 1))  # typed wrongly after the episode
    context.navigator = navigator = Navigator()
    page = make_page(qtbot, context)
    assert [row[0] for row in table(page)] == ["586"]
    page.open_row(0)
    assert navigator.opened == [("child", cara.id)]


def test_in_the_window_a_row_opens_the_episode_on_its_childs_page(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    world = build(records)
    page = open_in_window(qtbot, window)
    press_return_on_first_row(qtbot, page, column=0)
    child_page = window.current_page()
    assert type(child_page).__name__ == "ChildPage"
    assert (child_page.child_id, child_page.selected_episode) == (world.amy, world.amy_episode)  # type: ignore[attr-defined]


def test_correcting_the_record_takes_its_row_away(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    world = build(records)
    page = open_in_window(qtbot, window)
    assert len(table(page)) == 2
    before = page.report
    context.worker.submit(
        lambda r: r.record_return(world.amy_episode, utc(2025, 8, 21, 9)), {"missing_episodes"}
    )
    wait_for_writes(qtbot, context)
    wait_for_check(qtbot, page, after=before)
    assert table(page) == []
    assert page.body.currentIndex() == 1 and page.clear_title.text() == CLEAR
    assert page.summary.text() == ""


def test_clean_records_show_the_all_clear(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    clean_child(records, home.id)
    page = make_page(qtbot, context)
    assert page.body.currentIndex() == 1 and page.clear_title.isVisible()
    assert page.clear_title.text() == CLEAR
    assert page.clear_detail.text() == (
        "1 episode from 1 April 2025 to 31 March 2026, checked against the 17 rules on "
        "missing periods that the council's 903 return must meet."
    )
    assert not page.table.isVisible()
    assert page.rule.count() == 1 and page.rule.itemText(0) == "Every rule (0)"
    before = page.report
    page.year.setCurrentText("2024-25")  # a year without episodes
    wait_for_check(qtbot, page, after=before)
    assert page.clear_title.text() == "Nothing to check for 2024-25"
    assert page.year.currentText() == "2024-25"  # the choice stays when the years are refilled


def test_the_years_go_back_to_the_first_episode(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    old = records.create_child("D4", date(2008, 1, 1)).record
    records.add_placement(old.id, home.id, date(2021, 1, 1))
    records.record_return(records.record_missing(old.id, utc(2022, 2, 1, 12)).record.id,
                          utc(2022, 2, 1, 18))  # fmt: skip
    page = make_page(qtbot, context)
    years = [page.year.itemText(i) for i in range(page.year.count())]
    assert years == ["2025-26", "2024-25", "2023-24", "2022-23", "2021-22"]
    assert page.year.currentText() == "2025-26"


def choose_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def export_audits(db: Database) -> list[dict[str, object]]:
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export"))
        return [{"user": e.username, **json.loads(e.after or "{}")} for e in events]


def test_export_writes_the_missing_table_into_the_folder_chosen(
    qtbot: QtBot,
    context: AppContext,
    records: Records,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = records.create_home("SC100001", "Oakview House").record
    clean_child(records, home.id)
    page = make_page(qtbot, context)
    choose_folder(monkeypatch, tmp_path / "out")
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert not page.export_button.isEnabled()  # until the export is done
    wait_for_writes(qtbot, context)
    target = tmp_path / "out" / "missing.csv"
    assert read_back(target) == [
        ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
        ["B2", "02/05/2011", "M", "01/07/2025", "02/07/2025"],
    ]
    assert asked == []  # nothing failed: nothing to ask
    assert page.note.text() == f"Wrote 1 row to {target}."
    assert page.export_button.isEnabled()
    audits = export_audits(db)
    assert [(a["user"], a["year"], a["rows"], a["forced"]) for a in audits] == [
        ("pcso.jones", "2025-26", 1, False)
    ]


def test_an_export_with_failures_asks_before_writing_them(
    qtbot: QtBot,
    context: AppContext,
    records: Records,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(records)
    page = make_page(qtbot, context)
    choose_folder(monkeypatch, tmp_path)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    page.export()
    wait_for_writes(qtbot, context)
    assert len(asked) == 1 and "have 2 failures of the Department's checks" in asked[0]
    assert not (tmp_path / "missing.csv").exists() and export_audits(db) == []
    assert page.note.text() == "Nothing was exported."
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    page.export()
    wait_for_writes(qtbot, context)
    qtbot.waitUntil(lambda: (tmp_path / "missing.csv").exists())
    wait_for_writes(qtbot, context)  # the forced export, submitted after the answer
    assert read_back(tmp_path / "missing.csv")[1:] == [
        ["A1", "01/04/2010", "M", "20/08/2025", ""],
        ["B2", "02/05/2011", "M", "01/07/2025", "02/07/2025"],
    ]
    assert page.note.text() == (
        f"Wrote 2 rows to {tmp_path / 'missing.csv'}, 2 failures of the checks included."
    )
    assert [(a["forced"], a["failures"]) for a in export_audits(db)] == [(True, 2)]


def test_the_summary_names_the_commonest_rules_first() -> None:
    found = [("574", 5), ("581", 4), ("577", 1), ("575", 1), ("586", 1)]
    rows = [
        QualityRow(RecordFailure(code, "", "C1", 1, episode, 2), "C1", None)
        for episode, (code, count) in enumerate(found)
        for _ in range(count)
    ]
    report = QualityReport(CollectionYear(2024), 40, rows, CollectionYear(2024), False, True)
    assert summary_text(report) == "12 failures in 5 records: 574 ×5, 581 ×4, 575 ×1, 577 ×1 …"


@pytest.mark.usefixtures("cheap_kdf")
def test_a_pcso_sees_their_homes_failures_and_cannot_export(
    qtbot: QtBot, context: AppContext, db: Database
) -> None:
    """In a database with accounts, pcso.jones (the context's user) has Oakview alone."""
    world = build_world(db)
    admin = as_user(db, "admin.ada")
    with db.session() as session:
        placements = list(session.scalars(select(Placement.id)))
    for placement_id in placements:  # both children's placements end; both episodes open
        admin.update_placement(placement_id, end=date(2025, 10, 15))
    page = make_page(qtbot, context)
    assert {row[1] for row in table(page)} == {"Amy Ash · C1"}
    assert page.summary.text() == "2 failures in 1 record: 575 ×1, 577 ×1"
    assert not page.export_button.isEnabled()
    assert world.amy in {row.failure.child_id for row in page.model.rows}
