"""Background reading: a function of a fresh Session, run off the GUI thread, its result back
on the GUI thread by signal.

Writes go through the one write worker (tasks.py); reads that may take seconds at force
scale (figures, charts) come here instead. Each `Reader` keeps only its latest request: a
result that a newer request has replaced is dropped, and the replaced request's SQL is
interrupted so it stops using a thread the new one needs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot
from sqlalchemy.orm import Session

from missing_app.core.db import Database

log = logging.getLogger(__name__)

THREADS = 2  # one for the latest request, one for a replaced request winding down
CHECK_EVERY = 20_000  # SQLite steps between looks at whether a request was replaced

_pool: QThreadPool | None = None
_quitting = threading.Event()


def reading_pool() -> QThreadPool:
    """The threads every Reader shares: stopped and waited for when the application quits."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(THREADS)
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(_stop_reading)
    return _pool


def _stop_reading() -> None:
    """Interrupt every read under way and wait for the threads (before the database closes)."""
    _quitting.set()
    reading_pool().waitForDone(10_000)


@dataclass
class Request:
    """One call of `Reader.read`: its number, its callbacks, and whether it was replaced."""

    number: int
    work: Callable[[Session], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None] | None
    replaced: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: Exception | None = None


@contextmanager
def interruptible(session: Session, request: Request) -> Iterator[None]:
    """Abort the session's SQLite statements once `request` is replaced."""
    raw = session.connection().connection.dbapi_connection
    watch = getattr(raw, "set_progress_handler", None)
    if watch is None:  # not SQLite: the request runs to its end and is dropped then
        yield
        return
    watch(lambda: 1 if request.replaced.is_set() or _quitting.is_set() else 0, CHECK_EVERY)
    try:
        yield
    finally:
        watch(None, 0)


class _Relay(QObject):
    """Carries a finished request from a pool thread to the GUI thread."""

    finished = Signal(object)


class _Job(QRunnable):
    def __init__(self, db: Database, request: Request, relay: _Relay) -> None:
        super().__init__()
        self.db, self.request, self.relay = db, request, relay

    def run(self) -> None:
        request = self.request
        if not request.replaced.is_set():
            try:
                with self.db.session() as session, interruptible(session, request):
                    request.result = request.work(session)
            except Exception as exc:  # handed back to the GUI thread, shown there
                request.error = exc
        with suppress(RuntimeError):  # the reader was deleted meanwhile: nobody is waiting
            self.relay.finished.emit(request)


class Reader(QObject):
    """Runs reads on the shared pool; only the latest request's result comes back."""

    busy = Signal(bool)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.latest: Request | None = None
        self._numbers = 0
        # Kept by every job too, so a job can still report after its reader is gone.
        self._relay = _Relay()
        self._relay.finished.connect(self._finished)

    def read(
        self,
        work: Callable[[Session], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> Request:
        """Run `work(session)` off the GUI thread, then `on_done(result)` here, unless a newer
        read replaces it first. Errors go to `on_error` (or the log)."""
        self._replace()
        self._numbers += 1
        request = Request(self._numbers, work, on_done, on_error)
        self.latest = request
        reading_pool().start(_Job(self.db, request, self._relay))
        self.busy.emit(True)
        return request

    def cancel(self) -> None:
        """Drop the request under way (its result will not be shown)."""
        if self._replace():
            self.busy.emit(False)

    def _replace(self) -> bool:
        if self.latest is None:
            return False
        self.latest.replaced.set()
        self.latest = None
        return True

    @property
    def waiting(self) -> bool:
        """Whether the latest request is still under way."""
        return self.latest is not None

    @Slot(object)
    def _finished(self, request: Request) -> None:
        if request is not self.latest:
            return
        self.latest = None
        self.busy.emit(False)
        if request.error is None:
            request.on_done(request.result)
        elif request.on_error is not None:
            request.on_error(request.error)
        else:
            log.error("a read failed", exc_info=request.error)
