from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.core.records import Records
from missing_app.core.times import parse_datetime
from missing_app.gui.app import create_application
from missing_app.gui.main_window import MainWindow
from tests.conftest import NOW


def tile_texts(window: MainWindow) -> dict[str, str]:
    labels = window.findChildren(QLabel)
    values = [label for label in labels if label.objectName() == "tileValue"]
    return {value.parent().label.text(): value.text() for value in values}  # type: ignore[attr-defined]


def test_the_window_shows_the_database_and_its_figures(
    qtbot: QtBot, db: Database, records: Records
) -> None:
    create_application()
    home = records.create_home("SC100001", "Oakview House", beds=4).record
    child = records.create_child("C1", date(2010, 1, 1)).record
    records.add_placement(child.id, home.id, date(2025, 1, 1))
    records.record_missing(child.id, parse_datetime("2025-11-14 22:00"))
    window = MainWindow(db, now=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    texts = tile_texts(window)
    assert texts["Care homes"] == "1" and texts["Children"] == "1"
    assert texts["Episodes"] == "1" and texts["Missing now"] == "1"
    assert texts["Episodes in the last 30 days"] == "1"
    assert str(db.path) in window.statusBar().currentMessage()
    assert window.windowTitle() == "Homeward"
