"""The Episodes page: filters, sorting by a heading click, Enter to open, a fast last row."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.core.db.bulk import insert_columns
from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.queries.episodes import EPISODE_COLUMNS
from missing_app.core.records import Records
from missing_app.core.times import local_midnight, parse_datetime
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.episodes import COLUMNS, EpisodesPage
from tests.core.test_queries_homes import build
from tests.gui.conftest import wait_for_writes


class Navigator:
    """Stands in for the main window: remembers what was opened."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int]] = []

    def open_child(self, child_id: int) -> None:
        self.opened.append(("child", child_id))

    def open_home(self, home_id: int) -> None:
        self.opened.append(("home", home_id))

    def open_episode(self, episode_id: int) -> None:
        self.opened.append(("episode", episode_id))

    def show_page(self, name: str) -> None:
        self.opened.append(("page", 0))

    def record_missing(self, child_id: int | None = None) -> None: ...
    def record_return(self, episode_id: int | None = None) -> None: ...


def make_page(qtbot: QtBot, context: AppContext) -> EpisodesPage:
    page = EpisodesPage(context)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


def column(page: EpisodesPage, title: str) -> list[str]:
    """The texts of one column, top to bottom."""
    index = [c.title for c in COLUMNS].index(title)
    model = page.model
    return [model.data(model.index(row, index)) for row in range(model.rowCount())]


def test_the_columns_follow_the_listing() -> None:
    assert tuple(c.key for c in COLUMNS) == EPISODE_COLUMNS


def test_the_episodes_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, context: AppContext, records: Records
) -> None:
    build(records)
    page = make_page(qtbot, context)
    qtmodeltester.check(page.model)


def test_every_episode_most_recent_first(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = make_page(qtbot, context)
    assert page.count.text() == "6 episodes"
    assert column(page, "Last seen")[0] == "Fri 14/11/2025 22:00"
    assert column(page, "Child")[:2] == ["Amy Hill", "Amy Hill"]
    assert column(page, "Returned")[0] == "Still missing"
    risk = [c.title for c in COLUMNS].index("Risk")
    brush = page.model.data(page.model.index(0, risk), Qt.ItemDataRole.ForegroundRole)
    assert column(page, "Risk")[0] == "High" and brush.color() == QColor("#b42318")


def test_filters_show_the_right_rows(qtbot: QtBot, context: AppContext, records: Records) -> None:
    built = build(records)
    page = make_page(qtbot, context)
    page.home.set_home_id(built.birch)
    assert column(page, "Child") == ["Ben Lee"] and page.count.text() == "1 episode"
    page.home.set_home_id(None)
    page.type.setCurrentText("Absent")
    assert column(page, "Last seen") == ["Sun 01/06/2025 21:00"]
    page.type.setCurrentIndex(0)
    page.risk.setCurrentText("Medium")
    assert column(page, "Police ref") == ["MP1", ""]
    page.risk.setCurrentIndex(0)
    qtbot.mouseClick(page.open_only, Qt.MouseButton.LeftButton)
    assert column(page, "Police ref") == ["MP2"]
    page.open_only.setChecked(False)
    page.period.setCurrentText("Last 30 days")  # from Fri 17/10/2025
    assert page.first_day.text() == "17/10/2025" and page.last_day.text() == "15/11/2025"
    assert column(page, "Child") == ["Amy Hill", "Amy Hill", "Ben Lee"]
    page.first_day.setDate(page.first_day.date().fromString("01/10/2025", "dd/MM/yyyy"))
    page.last_day.setDate(page.last_day.date().fromString("31/10/2025", "dd/MM/yyyy"))
    assert page.period.currentText() == "Chosen dates"
    assert column(page, "Last seen") == ["Wed 01/10/2025 19:00"]
    page.period.setCurrentText("All time")
    assert page.first_day.text() == "any" and page.count.text() == "6 episodes"
    page.risk.setCurrentText("High")
    page.type.setCurrentText("Absent")
    assert page.count.text() == "No episodes match these filters"


def test_an_empty_table_says_how_to_fill_it(qtbot: QtBot, context: AppContext) -> None:
    page = make_page(qtbot, context)
    assert page.count.text() == (
        "No episodes yet: record one with Ctrl+N, or import them (Help, F1, says how)."
    )


def test_a_heading_click_sorts_in_sql(qtbot: QtBot, context: AppContext, records: Records) -> None:
    build(records)
    page = make_page(qtbot, context)
    header = page.table.horizontalHeader()
    home = [c.title for c in COLUMNS].index("Home")

    def click_heading() -> None:
        at = QPoint(header.sectionViewportPosition(home) + 10, header.height() // 2)
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)

    click_heading()
    assert page.model.order.key == "home"
    assert column(page, "Home")[0] == "Birch Lodge"
    click_heading()
    assert column(page, "Home")[0] == "Oakview House" and column(page, "Home")[-1] == "Birch Lodge"


def test_enter_and_double_click_open_the_episode(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    navigator = Navigator()
    context.navigator = navigator
    page = make_page(qtbot, context)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 1))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert navigator.opened == [("episode", built.amy_open)]
    second = page.table.visualRect(page.model.index(1, 1)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert len(navigator.opened) == 2 and navigator.opened[-1] == ("episode", built.amy_assessed)


def many_episodes(db: Database, count: int) -> None:
    """`count` episodes of 100 children at one home, an hour apart, written in one go."""
    start = local_midnight(date(2015, 1, 1))
    with db.transaction() as session:
        connection = session.connection()
        insert_columns(connection, CareHome, {"urn": ["SC1"], "name": ["Oakview"]})
        insert_columns(connection, Child, {
            "local_ref": [f"C{n:03d}" for n in range(100)],
            "first_name": [f"Child{n:03d}" for n in range(100)],
            "dob": [date(2010, 1, 1)] * 100,
        })  # fmt: skip
        insert_columns(connection, MissingEpisode, {
            "child_id": [1 + n % 100 for n in range(count)],
            "home_id": [1] * count,
            "type": ["missing"] * count,
            "last_seen_at": [start + timedelta(hours=n) for n in range(count)],
            "returned_at": [start + timedelta(hours=n, minutes=30) for n in range(count)],
            "police_ref": [f"MP{n:06d}" for n in range(count)],
        })  # fmt: skip


def test_a_hundred_thousand_episodes_open_at_once_and_jump_to_the_last(
    qtbot: QtBot, context: AppContext, db: Database
) -> None:
    many_episodes(db, 100_000)
    began = time.perf_counter()
    page = make_page(qtbot, context)
    qtbot.waitExposed(page)
    assert time.perf_counter() - began < 1.0
    assert page.count.text() == "100,000 episodes"
    began = time.perf_counter()
    page.jump_to_last()
    qtbot.wait(10)
    assert time.perf_counter() - began < 0.5
    last = page.table.currentIndex()
    assert last.row() == 99_999
    assert column_value(page, last.row(), "Police ref") == "MP000000"  # the oldest, at the end
    assert page.table.viewport().rect().contains(page.table.visualRect(last).center())
    assert len(page.model.pages) <= 3  # read the first and last pages, nothing between
    page.table.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert page.table.currentIndex().row() == 99_999


def column_value(page: EpisodesPage, row: int, title: str) -> str:
    index = [c.title for c in COLUMNS].index(title)
    return str(page.model.data(page.model.index(row, index)))


def test_a_recorded_episode_appears_in_the_table(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    built = build(records)
    records.record_return(built.amy_open, parse_datetime("2025-11-15 08:00"))
    window.show_page("Episodes")
    page = window.pages["Episodes"]
    assert isinstance(page, EpisodesPage) and page.count.text() == "6 episodes"
    context.worker.submit(
        lambda r: r.record_missing(built.ben, parse_datetime("2025-11-15 10:30"), risk="low"),
        ["missing_episodes"],
    )
    wait_for_writes(qtbot, context)
    qtbot.waitUntil(lambda: page.count.text() == "7 episodes", timeout=3000)
    assert column(page, "Child")[0] == "Ben Lee"
    assert column(page, "Home")[0] == "Birch Lodge"  # from his placement that day
    assert column(page, "Returned")[0] == "Still missing"
