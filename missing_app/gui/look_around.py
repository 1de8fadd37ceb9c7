"""Look around on demo data: a demo database beside the real one, in a window of its own.

As `make demo` does: the demo file (config.demo_database) is filled once by the `demo`
command, then opened by a second Homeward process. Both run outside this window, so it
never waits and the real database is never touched.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from missing_app.config import demo_database

log = logging.getLogger(__name__)


def homeward(*arguments: str) -> list[str]:
    """The arguments that run this Homeward's command line with this Python."""
    return ["-m", "missing_app", *arguments]


class DemoLauncher(QObject):
    """Fills the demo database if it is new, then opens it in its own window."""

    status = Signal(str)  # what is happening, in a few words, for the button's page

    def __init__(
        self,
        demo_path: Callable[[], str] = demo_database,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.demo_path = demo_path
        self.filling: QProcess | None = None

    def start(self) -> None:
        path = self.demo_path()
        if Path(path).exists():
            self._open(path)
            return
        self.status.emit("Preparing the demo database (a few seconds)…")
        self.filling = QProcess(self)
        self.filling.finished.connect(lambda code, _status: self._filled(path, code))
        self.filling.start(sys.executable, homeward("--db", path, "demo", "--scale", "small"))

    def _filled(self, path: str, code: int) -> None:
        if code != 0:
            log.error("demo database not made: %s", self.filling and self.filling.readAll())
            self.status.emit("The demo database could not be made; the log says why.")
            return
        self._open(path)

    def _open(self, path: str) -> None:
        started, _pid = QProcess.startDetached(sys.executable, homeward("--db", path))
        if started:
            self.status.emit(f"The demo opens in its own window ({path}).")
        else:
            self.status.emit("The demo window could not be started.")
