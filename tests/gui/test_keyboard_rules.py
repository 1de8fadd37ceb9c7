"""Two keyboard rules every page keeps, checked on every page so a new one keeps them too:
Tab leaves a list (no keyboard trap), and no two Alt+letter keys on a page (with the menu bar)
are the same letter."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.assessment import AssessmentDialog
from missing_app.gui.main_window import MainWindow
from missing_app.gui.reader import Reader
from tests.conftest import NOW

MNEMONIC = re.compile(r"&([^&\s])")


def world(context: AppContext) -> tuple[int, int]:
    """A home with a child placed there, one episode back: every list on the pages has rows."""
    records = context.worker.records
    home = records.create_home("SC100001", "Oakview House").record.id
    child = records.create_child("C1", date(2010, 3, 4), first_name="Amy", last_name="Hill")
    records.add_placement(child.record.id, home, date(2024, 1, 1))
    episode = records.record_missing(child.record.id, NOW - timedelta(days=2))
    records.record_return(episode.record.id, NOW - timedelta(days=1))
    return home, child.record.id


def quiet(qtbot: QtBot, page: QWidget) -> None:
    """Wait until the page's reads off the GUI thread are done (one page's at a time)."""
    for reader in page.findChildren(Reader):
        qtbot.waitUntil(lambda reader=reader: not reader.waiting, timeout=30_000)


def every_page(
    qtbot: QtBot, window: MainWindow, home: int, child: int
) -> list[tuple[str, QWidget]]:
    """Each page of the navigation, then a home's page and a child's page, shown in turn."""
    names = [window.nav.item(row).text() for row in range(window.nav.count())]
    shown: list[tuple[str, QWidget]] = []
    for name in filter(None, names):
        window.show_page(name)
        quiet(qtbot, window.current_page())
        shown.append((name, window.current_page()))
    window.open_home(home)
    shown.append(("a home", window.current_page()))
    window.open_child(child)
    shown.append(("a child", window.current_page()))
    return shown


def letters(page: QWidget, window: MainWindow) -> Counter[str]:
    """The Alt+letter keys live while `page` is shown: its buttons and labels, and the menus."""
    texts = [action.text() for action in window.menuBar().actions()]
    for widget in page.findChildren(QWidget):
        if not widget.isVisibleTo(page):
            continue
        if isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and widget.buddy()):
            texts.append(widget.text())  # type: ignore[attr-defined]
    return Counter(m.group(1).lower() for text in texts for m in MNEMONIC.finditer(text))


@pytest.fixture
def pages(qtbot: QtBot, window: MainWindow, context: AppContext) -> list[tuple[str, QWidget]]:
    home, child = world(context)
    return every_page(qtbot, window, home, child)


def test_no_list_on_any_page_keeps_tab_for_itself(pages: list[tuple[str, QWidget]]) -> None:
    trapping = [
        f"{name}: {type(view).__name__}"
        for name, page in pages
        for view in page.findChildren(QAbstractItemView)
        if view.tabKeyNavigation()
    ]
    assert not trapping


def test_no_two_alt_keys_on_a_page_share_a_letter(
    pages: list[tuple[str, QWidget]], window: MainWindow
) -> None:
    clashes = {
        name: [letter for letter, count in letters(page, window).items() if count > 1]
        for name, page in pages
    }
    assert not {name: found for name, found in clashes.items() if found}


def test_tab_walks_out_of_a_home_s_lists_to_the_next(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    home, _child = world(context)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.open_home(home)
    page = window.current_page()
    lists = [page.children_table, page.episodes]  # type: ignore[attr-defined]
    assert not page.actions_table.isVisible()  # type: ignore[attr-defined] # (no action yet)
    lists[0].setFocus()
    for following in lists[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is following


def test_alt_s_on_a_home_assesses_the_episode_chosen_and_alt_a_opens_the_account_menu(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    home, _child = world(context)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.open_home(home)
    page = window.current_page()
    page.episodes.setFocus()  # type: ignore[attr-defined]
    assert QApplication.focusWidget() is page.episodes  # type: ignore[attr-defined]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)

    def forms() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, AssessmentDialog)]

    qtbot.waitUntil(lambda: len(forms()) == 1 and forms()[0].isVisible(), timeout=2000)
    forms()[0].reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(page.episodes, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # type: ignore[attr-defined]
    account = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(account.isVisible, timeout=2000)
    account.hide()
