"""QApplication start-up, the error hook, and the main window."""

from __future__ import annotations

import getpass
import logging
import sys
from importlib import resources
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from missing_app.config import APP_NAME
from missing_app.core.db import Database
from missing_app.core.errors import HomewardError
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.tasks import WriteWorker

log = logging.getLogger(__name__)


def stylesheet() -> str:
    return (resources.files("missing_app.resources") / "style.qss").read_text(encoding="utf-8")


def _report_unexpected(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """Anything unexpected goes to the log and one dialog, never a silent failure."""
    log.error("unexpected error", exc_info=(kind, error, trace))
    QMessageBox.critical(
        None,
        APP_NAME,
        f"Something went wrong and was not saved:\n\n{error}\n\nDetails are in the log.",
    )


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setStyleSheet(stylesheet())
    return app


def build_context(db: Database, username: str | None = None) -> AppContext:
    """The database, its one write worker and the user, as every page and form gets them."""
    user = username or getpass.getuser()
    return AppContext(db=db, worker=WriteWorker(Records(db, user)), username=user)


def run_application(target: str) -> int:
    """Open the database at `target` and show the main window until it is closed."""
    from missing_app.core.db import open_database
    from missing_app.gui.main_window import MainWindow

    app = create_application()
    try:
        db = open_database(target)
    except HomewardError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    sys.excepthook = _report_unexpected
    context = build_context(db)
    window = MainWindow(context)
    window.show()
    code = app.exec()
    context.worker.stop()
    db.close()
    return code
