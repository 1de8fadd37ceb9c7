"""The window by role: a PCSO's lists hold their homes' records only, and an analyst's rows
open records, never forms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTableView
from pytestqt.qtbot import QtBot

from missing_app.core.records import NewAction
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.children import ChildrenPage
from missing_app.gui.pages.home import HomePage
from missing_app.gui.pages.today import TodayPage
from tests.gui.accounts import context_as, window_for
from tests.security_helpers import World, as_user, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")


@pytest.fixture
def world(db: Any) -> World:
    built = build_world(db)
    due = [NewAction("Search the park first", due_on=date(2025, 11, 14))]
    as_user(db, "admin.ada").record_meeting(built.oak, date(2025, 11, 1), due)
    return built


def column_texts(view: QTableView, heading: str) -> list[str]:
    model = view.model()
    column = next(
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal)
        == heading
    )  # fmt: skip
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def open_forms(window: MainWindow) -> list[QDialog]:
    return [dialog for dialog in window.findChildren(QDialog) if dialog.isVisible()]


def test_the_children_page_of_a_pcso_lists_their_children_only(qtbot: QtBot, world: World) -> None:
    for username, names in (
        ("pcso.jones", ["Amy Ash"]),
        ("pcso.smith", ["Ben Birch"]),
        ("sgt.lee", ["Amy Ash", "Ben Birch"]),
    ):
        with context_as(world.db, username) as context:
            page = ChildrenPage(context)
            qtbot.addWidget(page)
            assert column_texts(page.table, "Name") == names, username
            assert page.count.text() == f"{len(names)} {'child' if len(names) == 1 else 'children'}"


def press_enter_on_first_row(qtbot: QtBot, view: QTableView) -> None:
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)


def test_an_analysts_today_rows_open_the_child_not_a_form(qtbot: QtBot, world: World) -> None:
    with context_as(world.db, "analyst.kim") as context:
        window = window_for(qtbot, context)
        window.show_page("Today")
        page = window.current_page()
        assert isinstance(page, TodayPage)
        assert [label for label, _ in page.missing.menu] == ["Open the child's page"]
        assert [label for label, _ in page.outstanding.menu] == ["Open the child's page"]
        press_enter_on_first_row(qtbot, page.missing.table)
        assert open_forms(window) == []
        assert type(window.current_page()).__name__ == "ChildPage"


def test_a_pcsos_today_rows_still_open_the_forms(qtbot: QtBot, world: World) -> None:
    with context_as(world.db, "pcso.jones") as context:
        window = window_for(qtbot, context)
        window.show_page("Today")
        page = window.current_page()
        assert isinstance(page, TodayPage)
        assert [label for label, _ in page.missing.menu] == [
            "Record the return…", "Open the child's page",
        ]  # fmt: skip
        press_enter_on_first_row(qtbot, page.missing.table)
        assert [type(form).__name__ for form in open_forms(window)] == ["RecordReturnDialog"]
        for form in open_forms(window):
            form.reject()


def test_an_analyst_cannot_tick_or_open_actions_on_a_home_page(qtbot: QtBot, world: World) -> None:
    with context_as(world.db, "analyst.kim") as context:
        page = HomePage(context, world.oak)
        qtbot.addWidget(page)
        page.show()
        done = page.actions_table.item(0, 0)
        assert done is not None and page.actions_table.item(0, 1).text() == "Search the park first"
        assert not done.flags() & Qt.ItemFlag.ItemIsUserCheckable
        assert page.actions_part.title.text() == "Open actions (1, 1 overdue)"
        press_enter_on_first_row(qtbot, page.actions_table)
        assert page.dialog is None
    with context_as(world.db, "pcso.jones") as context:
        page = HomePage(context, world.oak)
        qtbot.addWidget(page)
        done = page.actions_table.item(0, 0)
        assert done is not None and done.flags() & Qt.ItemFlag.ItemIsUserCheckable


def test_a_pcso_opening_another_home_is_told_it_is_not_theirs(qtbot: QtBot, world: World) -> None:
    with context_as(world.db, "pcso.jones") as context:
        page = HomePage(context, world.elm)
        qtbot.addWidget(page)
        assert page.name.text() == "Not one of your homes"
        assert "cannot see records of Elm Lodge (SC100002)" in page.facts.text()
        assert page.details is None
