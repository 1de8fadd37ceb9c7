"""Typing into the date and date-time fields as a person does: select all, type over it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from missing_app.gui.widgets.fields import TypedEntry


def retype(qtbot: QtBot, field: TypedEntry, text: str) -> None:  # type: ignore[type-arg]
    """Ctrl+A, then `text` over the whole value (Delete when `text` is blank)."""
    field.entry.setFocus()
    qtbot.keyClick(field.entry, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(field.entry, text)
    else:
        qtbot.keyClick(field.entry, Qt.Key.Key_Delete)
    assert field.entry.text() == text
