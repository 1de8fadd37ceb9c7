"""The main window: navigation, the pages still to come, the status bar, change refresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from missing_app.gui.context import AppContext
from missing_app.gui.main_window import COMING, PAGES, MainWindow
from missing_app.gui.pages.base import ComingPage, Page


def test_navigation_lists_every_page_and_opens_them(window: MainWindow) -> None:
    names = [window.nav.item(row).text() for row in range(window.nav.count())]
    daily = [name for name, *_ in PAGES][:5]
    assert names == [*daily, "", "Insights", "Reports", "Settings"]
    window.show_page("Reports")
    page = window.current_page()
    assert isinstance(page, ComingPage) and page.title == "Reports" and "Reports" in COMING
    for name in ("Insights", "Settings"):
        window.show_page(name)
        assert type(window.current_page()).__name__ == f"{name}Page"


def test_the_status_bar_shows_the_database_and_the_user(
    window: MainWindow, context: AppContext
) -> None:
    assert context.db.path is not None
    text = window.status_text.text()
    assert context.db.path.name in text and "pcso.jones" in text


class Counting(Page):
    entities = frozenset({"care_homes"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_a_write_refreshes_the_page_in_view_and_marks_the_others(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    shown, hidden = Counting(context), Counting(context)
    for key, page in (("shown", shown), ("hidden", hidden)):
        window.pages[key] = page
        window.stack.addWidget(page)
    window.stack.setCurrentWidget(shown)
    with qtbot.waitSignal(context.worker.changed, timeout=5000):
        context.worker.submit(lambda r: r.create_home("SC1", "Oakview"), ["care_homes"])
    assert shown.refreshed == 1 and hidden.refreshed == 0 and hidden.stale


def test_typing_in_the_search_box_finds_a_child_once_typing_pauses(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    from datetime import date

    records = context.worker.records
    child = records.create_child(
        "WIR123456", date(2010, 1, 1), first_name="Amy", last_name="Hill"
    ).record
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search, "wir12")
    assert window.search.matches == {}  # not yet: typing has not paused
    qtbot.waitUntil(lambda: bool(window.search.matches), timeout=2000)
    assert list(window.search.matches) == ["Amy Hill · WIR123456"]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    page = window.current_page()
    assert type(page).__name__ == "ChildPage" and page.child_id == child.id  # type: ignore[attr-defined]
