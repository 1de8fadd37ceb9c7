"""For the safeguard pages' tests: the window's context as one user of a world with accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from missing_app.core.db import Database
from missing_app.gui.app import build_context
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from tests.conftest import NOW

PageT = TypeVar("PageT", bound=QWidget)


def clocked_context(db: Database, username: str) -> AppContext:
    """The context of a window signed in as `username`, its clock fixed at NOW (the caller
    stops its worker)."""
    built = build_context(db, username)
    built.now = lambda: NOW
    built.worker.records.now = lambda: NOW
    return built


@contextmanager
def context_as(db: Database, username: str) -> Iterator[AppContext]:
    """The context of a window signed in as `username`, its clock fixed at NOW."""
    built = clocked_context(db, username)
    try:
        yield built
    finally:
        built.worker.stop()


@contextmanager
def page_as(
    qtbot: QtBot, db: Database, username: str, make_page: Callable[[AppContext], PageT]
) -> Iterator[PageT]:
    """One page on its own, shown to `username` (its context open until the block ends)."""
    with context_as(db, username) as context:
        page = make_page(context)
        qtbot.addWidget(page)
        page.show()
        yield page


def window_for(qtbot: QtBot, context: AppContext) -> MainWindow:
    made = MainWindow(context)
    qtbot.addWidget(made)
    made.show()
    return made


def window_as(qtbot: QtBot, db: Database, username: str) -> MainWindow:
    """The window shown as `username` signed in, its clock fixed at NOW (stop its worker)."""
    return window_for(qtbot, clocked_context(db, username))


def nav_names(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]
