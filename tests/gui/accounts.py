"""For the safeguard pages' tests: the window's context as one user of a world with accounts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.gui.app import build_context
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from tests.conftest import NOW


@contextmanager
def context_as(db: Database, username: str) -> Iterator[AppContext]:
    """The context of a window signed in as `username`, its clock fixed at NOW."""
    built = build_context(db, username)
    built.now = lambda: NOW
    built.worker.records.now = lambda: NOW
    try:
        yield built
    finally:
        built.worker.stop()


def window_for(qtbot: QtBot, context: AppContext) -> MainWindow:
    made = MainWindow(context)
    qtbot.addWidget(made)
    made.show()
    return made


def nav_names(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]
