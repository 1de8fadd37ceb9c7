"""The Reports page's "Every home at once": the force-wide pack and one per home written into
a folder on a thread of their own, with a progress bar and a Cancel button.

A batch of many homes takes minutes, so it runs apart from the write worker (each file's
audit row is a short transaction of its own) and other records can be saved meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.errors import HomewardError
from missing_app.gui.context import AppContext
from missing_app.gui.pages.reports_work import FORMAT_NAMES, Batch, export_every_home

if TYPE_CHECKING:
    from missing_app.core.reports import Exported, Month, Progress

    # What the page has chosen: (month, why, names, small counts suppressed), or None.
    BatchOptions = Callable[[], tuple[Month, str, bool, bool] | None]

log = logging.getLogger(__name__)

NEEDS_WHY = "Say why first: the audit log records who exported which pack, and why."
NOT_EVERY_HOME = "Every home's pack is for those who see every home: ask a supervisor"


class EveryHomeExport(QWidget):
    """Choose a format and a folder; write every home's pack there, or cancel part way."""

    started = Signal()
    finished = Signal(str, object)  # what was written, in words; the folder
    failed = Signal(str)  # why not, in words

    def __init__(self, context: AppContext, options: BatchOptions) -> None:
        super().__init__()
        self.context, self.options = context, options
        self.folder = Path.home()
        self.run = BatchRun(self)
        self._allowed = (False, False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Every home at once")
        heading.setObjectName("panelTitle")
        note = QLabel(
            "The force-wide pack and one per home, with the options above, into a folder."
        )
        note.setObjectName("pageSubtitle")
        note.setWordWrap(True)
        column.addWidget(heading)
        column.addWidget(note)
        column.addLayout(self._start_row())
        column.addLayout(self._progress_row())
        self.stage = QLabel("")
        self.stage.setObjectName("fieldHint")
        self.stage.setWordWrap(True)
        column.addWidget(self.stage)
        self.run.progressed.connect(self._progressed)
        self.run.finished.connect(self._done)
        self.run.failed.connect(self._not_done)
        self._show_running(False)

    def _start_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.format = QComboBox()
        for format, name in FORMAT_NAMES.items():
            self.format.addItem(name, format)
        self.button = QPushButton("Export all homes…")
        self.button.clicked.connect(self.start)
        row.addWidget(self.format)
        row.addWidget(self.button, 1)
        return row

    def _progress_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        return row

    @property
    def running(self) -> bool:
        return self.run.running

    def allow(self, why: bool, every_home: bool) -> None:
        """Offer the export when a reason is given and this person sees every home."""
        self._allowed = (why, every_home)
        self.button.setEnabled(why and every_home and not self.running)
        self.button.setToolTip(
            NEEDS_WHY if not why else NOT_EVERY_HOME if not every_home
            else "Choose a folder for the force-wide pack and one per home"
        )  # fmt: skip

    def start(self) -> None:
        """Ask for a folder, then write every home's pack and the force-wide one into it."""
        chosen = self.options()
        if chosen is None or self.running:
            return
        month, why, names, suppress = chosen
        folder = QFileDialog.getExistingDirectory(
            self, "Export every home's pack into…", str(self.folder)
        )
        if not folder:
            return
        self.folder = Path(folder)
        batch = Batch(month, self.format.currentData(), self.folder, why, names, suppress)
        db, actor, now = self.context.db, self.context.who, self.context.now()
        self.progress.setRange(0, 0)
        self.stage.setText(f"Starting the packs of {batch.month.label}…")
        self.run.start(
            lambda progress, cancel: export_every_home(
                db, actor, batch, now=now, progress=progress, cancel=cancel
            )
        )
        self._show_running(True)
        self.started.emit()

    def cancel(self) -> None:
        self.run.cancel()
        self.cancel_button.setEnabled(False)
        self.stage.setText("Cancelling after the file being written…")

    def _progressed(self, stage: str, done: int, total: int) -> None:
        from missing_app.core.reports.pack import FORCE_WIDE

        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if done < total and not self.run.cancelled.is_set():
            which = "the force-wide pack" if stage == FORCE_WIDE else f"{stage}'s pack"
            self.stage.setText(f"Writing {which} ({done + 1:,} of {total:,})…")

    def _done(self, written: list[Exported]) -> None:
        self._show_running(False)
        files = f"{len(written):,} file{'' if len(written) == 1 else 's'}"
        self.finished.emit(
            f"Wrote {files} into {self.folder}, each recorded in the audit log.", self.folder
        )

    def _not_done(self, error: Exception) -> None:
        from missing_app.core.reports import Cancelled

        self._show_running(False)
        if isinstance(error, Cancelled):  # not a failure: what was written is said
            self.finished.emit(str(error), self.folder)
            return
        if not isinstance(error, HomewardError):
            log.error("the packs were not all written", exc_info=error)
        self.failed.emit(f"The packs were not all written: {error}")

    def _show_running(self, running: bool) -> None:
        for widget in (self.progress, self.cancel_button, self.stage):
            widget.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.format.setEnabled(not running)
        self.allow(*self._allowed)


# The thread --------------------------------------------------------------------------------


class BatchRun(QObject):
    """Runs one batch on the batch thread; its progress and its end come back by signal."""

    progressed = Signal(str, int, int)
    finished = Signal(object)  # the result
    failed = Signal(object)  # the exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancelled = threading.Event()
        self.running = False
        self.finished.connect(self._ended)  # first: the page's slots see running False
        self.failed.connect(self._ended)

    def start(self, work: Callable[[Progress, threading.Event], Any]) -> None:
        """Run `work(progress, cancel)` off the GUI thread; its end comes back by signal."""
        self.cancelled = threading.Event()
        self.running = True
        batch_pool().start(_BatchJob(self, work, self.cancelled))

    def cancel(self) -> None:
        self.cancelled.set()

    def _ended(self, _result: object) -> None:
        self.running = False


class _BatchJob(QRunnable):
    def __init__(
        self,
        run: BatchRun,
        work: Callable[[Progress, threading.Event], Any],
        cancel: threading.Event,
    ) -> None:
        super().__init__()
        self.batch, self.work, self.cancel = run, work, cancel

    def run(self) -> None:
        _running.add(self.cancel)
        try:
            self._run()
        finally:
            _running.discard(self.cancel)

    def _run(self) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            with suppress(RuntimeError):  # the page was closed: nobody is watching
                self.batch.progressed.emit(stage, done, total)

        try:
            result = self.work(progress, self.cancel)
        except Exception as error:  # handed back to the GUI thread, shown there
            with suppress(RuntimeError):
                self.batch.failed.emit(error)
        else:
            with suppress(RuntimeError):
                self.batch.finished.emit(result)


_pool: QThreadPool | None = None
_running: set[threading.Event] = set()


def batch_pool() -> QThreadPool:
    """One thread for batches, stopped (cancelled and waited for) when the application quits."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(stop_batches)
    return _pool


def stop_batches() -> None:
    """Cancel every batch under way and wait for its thread (before the database closes)."""
    for cancel in list(_running):
        cancel.set()
    batch_pool().waitForDone(60_000)
