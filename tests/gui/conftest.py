"""GUI fixtures: an application context on a fresh database, with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.gui.app import build_context, create_application
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never block on a modal question (a test that asks patches its own answer)."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)


@pytest.fixture
def context(db: Database) -> Iterator[AppContext]:
    create_application()
    built = build_context(db, "pcso.jones")
    built.now = lambda: NOW
    built.worker.records.now = lambda: NOW
    yield built
    built.worker.stop()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> MainWindow:
    made = MainWindow(context)
    qtbot.addWidget(made)
    made.show()
    return made


def wait_for_writes(qtbot: QtBot, context: AppContext) -> None:
    """Wait until the write worker has finished everything submitted."""
    qtbot.waitUntil(lambda: context.worker.pending == 0, timeout=5000)
