"""Layout as a person meets it (issue 11): long record text elides instead of widening the
window, every page fits a 1280×800 screen, small tables do not scroll inside scrolling pages,
and keyboard focus can be seen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from missing_app.gui.main_window import MainWindow


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
