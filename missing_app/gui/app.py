"""QApplication start-up, the error hook, and the main window."""

from __future__ import annotations

import getpass
import logging
import sys
from importlib import resources
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from missing_app.config import APP_NAME
from missing_app.core.db import Database
from missing_app.core.models import User
from missing_app.core.records import Records
from missing_app.core.security.access import Actor, resolve_actor
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


def build_context(
    db: Database, username: str | None = None, actor: Actor | None = None
) -> AppContext:
    """The database, its one write worker and who signed in, as every page and form gets them.

    Without `actor` the user's role is read from the database (none when it has no accounts).
    """
    user = actor.username if actor is not None else username or getpass.getuser()
    with db.session() as session:
        who = actor or resolve_actor(session, user)
        name = session.scalar(select(User.display_name).where(User.username == user))
    context = AppContext(db=db, worker=WriteWorker(Records(db, user)), username=user)
    context.actor, context.display_name = who, (name or "") if who.role else ""
    return context


def run_application(target: str) -> int:
    """Sign in to the database at `target` (creating it encrypted on the first start) and
    show the main window until it is closed."""
    from missing_app.gui.daily_backup import DailyBackup
    from missing_app.gui.main_window import MainWindow
    from missing_app.gui.opening import open_for_window

    app = create_application()
    signed = open_for_window(target)
    if signed is None:
        return 1
    sys.excepthook = _report_unexpected
    context = build_context(signed.db, actor=signed.actor)
    window = MainWindow(context)
    window.show()
    backup = DailyBackup(signed.db, window, username=context.username)
    backup.start()
    code = app.exec()
    context.worker.stop()
    backup.wait()
    signed.db.close()
    return code
