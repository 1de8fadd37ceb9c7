"""Background work: one worker thread for every database write, results back by signal.

Each write is a small function of `Records` (one use case, one transaction). The worker runs
them one at a time, off the GUI thread, and reports which tables changed so that pages
refresh from the change, never by polling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from missing_app.core.records import Records

log = logging.getLogger(__name__)


@dataclass
class WriteJob:
    work: Callable[[Records], Any]
    entities: frozenset[str]
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[Exception], None] | None = None
    result: Any = None
    error: Exception | None = field(default=None)


class _Runner(QObject):
    finished = Signal(object)

    def __init__(self, records: Records) -> None:
        super().__init__()
        self.records = records

    @Slot(object)
    def run(self, job: WriteJob) -> None:
        try:
            job.result = job.work(self.records)
        except Exception as exc:  # handed back to the GUI thread, shown there
            job.error = exc
        self.finished.emit(job)


class WriteWorker(QObject):
    """Runs writes in order on one thread; `changed` carries the tables each write touched."""

    changed = Signal(object)  # frozenset[str] of table names
    busy = Signal(bool)
    _submit = Signal(object)

    def __init__(self, records: Records, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records = records
        self.pending = 0
        self._thread = QThread()
        self._thread.setObjectName("homeward-writes")
        self._runner = _Runner(records)
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._runner.finished.connect(self._finished)
        self._thread.start()
        application = QCoreApplication.instance()
        if application is not None:
            # However the application ends, let the last write finish and the thread stop.
            application.aboutToQuit.connect(self.stop)

    def submit(
        self,
        work: Callable[[Records], Any],
        entities: Iterable[str],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run `work(records)` on the write thread; then `on_done(result)` here, or `on_error`."""
        self.pending += 1
        if self.pending == 1:
            self.busy.emit(True)
        self._submit.emit(WriteJob(work, frozenset(entities), on_done, on_error))

    @Slot(object)
    def _finished(self, job: WriteJob) -> None:
        self.pending -= 1
        if self.pending == 0:
            self.busy.emit(False)
        if job.error is not None:
            if job.on_error is None:
                log.error("a write failed", exc_info=job.error)
                raise job.error
            job.on_error(job.error)
            return
        if job.on_done is not None:
            job.on_done(job.result)
        self.changed.emit(job.entities)

    def stop(self) -> None:
        """Finish the write in progress, then stop the thread (safe to call twice)."""
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
