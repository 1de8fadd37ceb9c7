"""Regression: PySide6 6.12.0 on Python < 3.12 dies with `Fatal Python error: none_dealloc`
after a few thousand calls of Qt methods that return nothing. The dependency pin keeps us off
that release; this test makes tens of thousands of such calls so a bad pin cannot pass."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_tens_of_thousands_of_void_qt_calls(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    holder = QObject()
    for index in range(30_000):
        label.setText(str(index))  # returns None
        label.setEnabled(index % 2 == 0)  # returns None
        holder.setObjectName(f"o{index}")  # returns None
    assert label.text() == "29999" and holder.objectName() == "o29999"
