"""The main window: navigation, the pages still to come, the status bar, change refresh."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from missing_app.core.db import open_database
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import COMING, PAGES, MainWindow
from missing_app.gui.pages.base import Page


def test_navigation_lists_every_page_and_opens_them(window: MainWindow) -> None:
    names = [window.nav.item(row).text() for row in range(window.nav.count())]
    daily = [name for name, *_ in PAGES][:5]
    safeguards = ["Retention", "Audit log", "Users", "Backup & restore"]  # no accounts: all
    assert names == [*daily, "", "Insights", "Reports", "Data quality", "Settings", "",
                     *safeguards]  # fmt: skip
    assert "Reports" not in COMING
    for name in ("Insights", "Reports", "Settings"):
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


def test_opening_the_window_loads_no_heavy_library(tmp_path: Path) -> None:
    """Building the window and showing Today needs no pandas, numpy, matplotlib or Alembic
    (a current database is opened without Alembic); they load when Insights is first shown."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from missing_app.core.db import open_database\n"
        "from missing_app.gui.app import build_context, create_application\n"
        "from missing_app.gui.main_window import MainWindow\n"
        f"db = open_database({str(tmp_path / 'h.sqlite')!r})\n"
        "app = create_application()\n"
        "window = MainWindow(build_context(db, 'pcso'))\n"
        "window.show()\n"
        "app.processEvents()\n"
        "window.context.worker.stop()\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules}\n"
        "      & {'pandas', 'numpy', 'matplotlib', 'alembic'})))\n"
    )
    open_database(str(tmp_path / "h.sqlite")).close()  # created (and migrated) beforehand
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=environment, check=True, timeout=120)  # fmt: skip
    assert out.stdout.strip() == ""


def test_the_window_fits_a_1280_pixel_screen_on_every_page(window: MainWindow) -> None:
    """Many force laptops are 1280 or 1366 pixels wide: no page may push the window wider."""
    for name, *_ in PAGES:
        window.show_page(name)
        assert window.minimumSizeHint().width() <= 1200, name


def test_the_search_suggestions_read_at_the_window_s_size(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """Issue 11: the Ctrl+F suggestions were in small print, rows packed tight."""
    from datetime import date

    context.worker.records.create_child(
        "WIR123456", date(2010, 1, 1), first_name="Amy", last_name="Hill"
    )
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search, "Hil")
    popup = window.search.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    navigation = window.nav.font().pointSizeF()
    assert popup.font().pointSizeF() == navigation == window.search.font().pointSizeF()
    row = popup.visualRect(popup.model().index(0, 0))
    assert row.height() >= popup.fontMetrics().height() + 8


# Ctrl+Home and Ctrl+End: the rows of the page's table, wherever the focus is -----------------


def test_ctrl_end_from_the_navigation_goes_to_the_last_row_not_the_last_page(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    from datetime import date, timedelta

    from tests.conftest import NOW

    records = context.worker.records
    home = records.create_home("SC100001", "Oakview House").record.id
    for number in range(3):
        child = records.create_child(f"C{number}", date(2010, 1, 1), first_name=f"Amy{number}")
        records.add_placement(child.record.id, home, date(2024, 1, 1))
        records.record_missing(child.record.id, NOW - timedelta(days=number + 1))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)  # Today, Children, Episodes
    assert window.nav.currentItem().text() == "Episodes"
    page = window.current_page()
    table = page.table  # type: ignore[attr-defined]
    qtbot.keyClick(window.nav, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "Episodes"  # still on Episodes
    assert table.hasFocus() and table.currentIndex().row() == 2
    assert table.model().data(table.currentIndex().siblingAtColumn(1)) == "Amy2"  # the oldest
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentItem().text() == "Episodes"
    assert table.hasFocus() and table.currentIndex().row() == 0


def test_ctrl_end_on_today_goes_to_the_last_row_of_the_list_in_use(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    from datetime import date, timedelta

    from tests.conftest import NOW

    records = context.worker.records
    home = records.create_home("SC100001", "Oakview House").record.id
    for number in range(3):
        child = records.create_child(f"C{number}", date(2010, 1, 1), first_name=f"Ben{number}")
        records.add_placement(child.record.id, home, date(2024, 1, 1))
        episode = records.record_missing(child.record.id, NOW - timedelta(days=number + 2))
        records.record_return(episode.record.id, NOW - timedelta(hours=number + 1))
    for number in range(3, 5):  # two missing now: the list above the returns
        child = records.create_child(f"C{number}", date(2010, 1, 1), first_name=f"Ben{number}")
        records.add_placement(child.record.id, home, date(2024, 1, 1))
        records.record_missing(child.record.id, NOW - timedelta(hours=number))
    window.pages["Today"].refresh()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    today = window.current_page()
    missing, returns = today.missing.table, today.outstanding.table  # type: ignore[attr-defined]
    window.nav.setFocus()  # from the navigation: the first list of the page
    qtbot.keyClick(window.nav, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert missing.hasFocus() and missing.currentIndex().row() == 1
    assert window.nav.currentItem().text() == "Today"
    returns.setFocus()  # from a list: that list
    qtbot.keyClick(returns, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert returns.currentIndex().row() == 2 and returns.hasFocus()
    assert missing.currentIndex().row() == 1
    qtbot.keyClick(returns, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert returns.currentIndex().row() == 0


# The Account menu: Help and Quit for everyone ------------------------------------------------


def test_the_account_menu_by_keyboard_opens_help_with_the_shortcuts_and_first_steps(
    qtbot: QtBot, window: MainWindow
) -> None:
    from missing_app.gui.help import FIRST_STEPS, SHORTCUTS

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.search, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    assert [a.text() for a in menu.actions()] == ["&Help", "&Quit"]  # no accounts: no lock
    qtbot.keyClick(menu, Qt.Key.Key_H)
    qtbot.waitUntil(lambda: window.help_window is not None and window.help_window.isVisible())
    shown = window.help_window.text.toPlainText()  # type: ignore[union-attr]
    for keys, what in SHORTCUTS:
        assert keys in shown and what in shown
    assert all(step in shown for step, _how in FIRST_STEPS)
    assert "Ctrl+Home, Ctrl+End" in shown and "Ctrl+Q" in shown


def test_f1_opens_help_and_ctrl_q_quits(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.nav, Qt.Key.Key_F1)
    assert window.help_window is not None and window.help_window.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.nav, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible() and not window.signed_out
