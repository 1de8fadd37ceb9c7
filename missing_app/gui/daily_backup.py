"""The day's automatic backup, taken at start-up off the window's thread.

The core's `take_daily_backup` copies the database (once a day), gives the copy SQLite's
full integrity check, prunes the older ones and audits it under the signed-in user. It reads
through its own connection, so the window stays usable meanwhile; a failure, above all a
damaged database, is shown in a message that does not block the window.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from missing_app.core.db import Database
from missing_app.core.errors import HomewardError

log = logging.getLogger(__name__)


class DailyBackup(QObject):
    """Runs `take_daily_backup` once on its own thread; `taken` or `failed` says how it went."""

    taken = Signal(object)  # the new backup's Path, or None when today's was already taken
    failed = Signal(str)

    def __init__(self, db: Database, window: QMainWindow | None = None, *, username: str) -> None:
        super().__init__(window)
        self.db = db
        self.username = username  # the signed-in user, for the audit row
        self.window = window
        self.runner = threading.Thread(target=self._run, name="homeward-daily-backup")
        self.taken.connect(self._show_taken)
        self.failed.connect(self._show_failed)

    def start(self) -> None:
        self.runner.start()

    def wait(self, seconds: float | None = None) -> None:
        """Let a backup in progress finish (the window has closed; the file stays open)."""
        if self.runner.is_alive():
            self.runner.join(seconds)

    def _run(self) -> None:
        from missing_app.core.backups import take_daily_backup

        try:
            taken = take_daily_backup(self.db, self.username)
        except HomewardError as exc:
            log.error("the daily backup failed: %s", exc)
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a thread's error would otherwise vanish
            log.exception("the daily backup failed")
            self.failed.emit(f"The daily backup failed: {exc}")
            return
        self.taken.emit(taken)

    def _show_taken(self, path: Path | None) -> None:
        if path is not None and self.window is not None:
            self.window.statusBar().showMessage(f"Today's backup: {path.name}", 10000)

    def _show_failed(self, message: str) -> None:
        if self.window is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The daily backup failed",
            message,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setInformativeText(
            "The earlier backups are kept as they were. Homeward stays open; show this "
            "message to whoever looks after your backups."
        )
        box.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.message = box
