"""Long work that is not a record change (a backup, a restore): its own thread, its progress
and its result back on the GUI thread by signal, and a way to stop it between two steps.

Record changes go through the one write worker (tasks.py); a backup only reads the file and a
restore replaces it, each taking seconds to minutes on a large database, so they run here,
one at a time, with a progress bar the page shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from missing_app.core.errors import HomewardError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # steps done, steps in all (0: not known)


class Cancelled(HomewardError):
    """The person stopped the work: nothing it would have made was kept."""


class LongTask(QThread):
    """Runs `work(progress)` on its own thread; `succeeded(result)` or `failed(error)` after.

    `progress(done, total)` reports a step, and raises Cancelled once `cancel` was asked, so
    work that reports often stops soon after (and cleans up as it does for any error).
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self._stop = threading.Event()

    def run(self) -> None:
        try:
            result = self.work(self._report)
        except Exception as exc:  # handed back to the GUI thread, shown there
            log.info("a long task stopped: %s", exc)
            self.failed.emit(exc)
            return
        self.succeeded.emit(result)

    def _report(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise Cancelled("Stopped before the end; nothing was kept.")
        self.progressed.emit(done, total)

    def cancel(self) -> None:
        """Stop at the next step reported."""
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()
