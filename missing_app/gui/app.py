"""QApplication start-up, the error hook, and the main window."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from missing_app.config import APP_NAME
from missing_app.core.errors import HomewardError

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
    window = MainWindow(db)
    window.show()
    code = app.exec()
    db.close()
    return code
