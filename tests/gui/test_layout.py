"""Layout as a person meets it (issue 11): long record text elides instead of widening the
window, every page fits a 1280×800 screen, small tables do not scroll inside scrolling pages,
and keyboard focus can be seen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from missing_app.core.records import Records
from missing_app.core.records.meetings import NewAction
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import FRAME_ALLOWANCE, PAGES, MainWindow
from tests.conftest import NOW

HOUR = timedelta(hours=1)
# A surname of about 340 characters with no space to wrap at: the worst a record can hold.
SURNAME = "-".join(["Featherstonehaugh"] * 19)
SCREEN = (1280, 800)


@pytest.fixture
def long_named(records: Records) -> dict[str, int]:
    """A child with that surname, placed at a home, missing now after an earlier episode,
    and the home's liaison meeting with an action open."""
    home = records.create_home("SC100001", "Oakview House").record.id
    child = records.create_child(
        "WIR123456", date(2010, 1, 1), first_name="Amy", last_name=SURNAME
    ).record.id
    records.add_placement(child, home, date(2024, 1, 1))
    earlier = records.record_missing(child, NOW - 80 * HOUR, police_ref="MP25/000001").record.id
    records.record_return(earlier, NOW - 75 * HOUR)
    records.record_missing(child, NOW - 26 * HOUR, risk="high")
    records.record_meeting(
        home, date(2025, 10, 20), actions=[NewAction(f"Ask {SURNAME}'s social worker", "Me")]
    )
    return {"home": home, "child": child}


def every_view(window: MainWindow, ids: dict[str, int]) -> list[tuple[str, Callable[[], None]]]:
    views: list[tuple[str, Callable[[], None]]] = [
        (name, lambda name=name: window.show_page(name)) for name, *_ in PAGES
    ]
    views.append(("child", lambda: window.open_child(ids["child"])))
    views.append(("home", lambda: window.open_home(ids["home"])))
    return views


def pixels_of(widget: QWidget, colour: str) -> int:
    """How many pixels of `colour` (give or take antialiasing) the widget shows."""
    image = widget.grab().toImage()
    wanted = QColor(colour)
    found = 0
    for y in range(0, image.height()):
        for x in range(0, image.width()):
            pixel = image.pixelColor(x, y)
            near = abs(pixel.red() - wanted.red()) + abs(pixel.green() - wanted.green())
            found += near + abs(pixel.blue() - wanted.blue()) < 30
    return found


def test_keyboard_focus_shows_plainly_on_the_navigation_and_buttons(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Issue 11: the focus ring on the navigation was barely visible."""
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.search, Qt.Key.Key_Tab)
    assert window.nav.hasFocus()
    ring = pixels_of(window.nav, "#ffc845")
    assert ring > 200  # a 2-pixel ring around the current item
    qtbot.keyClick(window.nav, Qt.Key.Key_Tab)
    assert not window.nav.hasFocus() and pixels_of(window.nav, "#ffc845") == 0
    window.show_page("Children")
    button = window.current_page().findChild(QPushButton)
    assert button is not None
    before = pixels_of(button, "#1f5fa8")
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus)
    assert pixels_of(button, "#1f5fa8") > before + 2 * (button.width() + button.height())


def test_a_340_character_surname_never_widens_the_window(
    qtbot: QtBot, long_named: dict[str, int], window: MainWindow
) -> None:
    """Issue 11: a long surname widened the window to 1,979 px for good. Shown on every page
    it appears on (and in the search's suggestions), the window still fits 1280 px, and can
    be made 1280 px wide again."""
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search, "Feather")
    qtbot.waitUntil(window.search.completer().popup().isVisible, timeout=2000)
    qtbot.keyClick(window.search.completer().popup(), Qt.Key.Key_Escape)
    for name, show in every_view(window, long_named):
        show()
        qtbot.wait(10)
        assert window.minimumSizeHint().width() <= SCREEN[0], name
    window.resize(*SCREEN)
    qtbot.waitUntil(lambda: window.width() == SCREEN[0])
    page = window.current_page()  # the home page, whose children list names the child
    assert page.width() < SCREEN[0]
    window.open_child(long_named["child"])
    title = window.current_page().name_label  # type: ignore[attr-defined]
    assert title.text() == f"Amy {SURNAME}" and title.toolTip() == title.text()
    assert title.width() < SCREEN[0]  # shortened with "…" to the room it has


def test_today_s_missing_now_keeps_its_width_beside_a_long_surname(
    qtbot: QtBot, long_named: dict[str, int], window: MainWindow
) -> None:
    """Issue 11: Today's "Missing now" list became a squashed box; its columns give way
    (the name ends in "…") and the whole name is the cell's tooltip."""
    window.resize(*SCREEN)
    window.show_page("Today")
    missing = window.current_page().missing  # type: ignore[attr-defined]
    assert missing.table.isVisible()
    assert missing.table.width() > SCREEN[0] // 2
    header = missing.table.horizontalHeader()
    # nothing scrolls sideways
    qtbot.waitUntil(lambda: header.length() <= missing.table.viewport().width() + 1)


def test_every_page_fits_a_1280_by_800_screen(
    qtbot: QtBot, context: AppContext, long_named: dict[str, int]
) -> None:
    """Issue 11: at 1280×800 the status bar fell off the screen. The window opens no taller
    than the screen leaves room for (title bar and taskbar), and no page needs more."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    room = window.screen().availableGeometry()
    assert window.height() + FRAME_ALLOWANCE <= room.height()
    for name, show in every_view(window, long_named):
        show()
        needed = window.minimumSizeHint()
        assert needed.width() <= SCREEN[0] and needed.height() <= SCREEN[1] - FRAME_ALLOWANCE, name
