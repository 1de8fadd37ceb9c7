"""QApplication start-up, the error hook, and the main window."""

from __future__ import annotations

import getpass
import logging
import sys
from importlib import resources
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from missing_app.config import APP_NAME
from missing_app.core.db import Database
from missing_app.core.models import User
from missing_app.core.records import Records
from missing_app.core.security.access import Actor, resolve_actor
from missing_app.gui.context import AppContext
from missing_app.gui.tasks import WriteWorker

if TYPE_CHECKING:
    from missing_app.core.security.signin import SignedIn

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
    show the main window until it is closed; after Sign out, the sign-in window again."""
    app = create_application()
    signed_out = False
    while True:
        signed = _sign_in(target)
        if signed is None:
            return 0 if signed_out else 1
        sys.excepthook = _report_unexpected
        code, signed_out = _window_until_closed(app, signed)
        if not signed_out:
            return code


def _sign_in(target: str) -> SignedIn | None:
    from missing_app.gui.opening import open_for_window

    return open_for_window(target)


def _window_until_closed(app: QApplication, signed: SignedIn) -> tuple[int, bool]:
    """Run one signed-in window: (the exit code, whether it closed by Sign out)."""
    from missing_app.gui.daily_backup import DailyBackup
    from missing_app.gui.main_window import MainWindow

    context = build_context(signed.db, actor=signed.actor)
    window = MainWindow(context)
    window.show()
    backup = DailyBackup(signed.db, window, username=context.username)
    backup.start()
    code = app.exec()
    context.worker.stop()
    backup.wait()
    signed.db.close()
    signed_out = window.signed_out
    window.deleteLater()  # its idle lock stops watching the application with it
    return code, signed_out
