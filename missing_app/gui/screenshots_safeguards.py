"""The safeguard pages for `make screenshots`: retention, the audit log, users, backups.

They change the demo database (a child past retention, a few audited changes at a fixed
time, accounts with passwords, a backup), so they are taken after every other page. The
window's user, `pcso.demo`, becomes the first administrator so that every page still opens.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from missing_app.core.db.backup import auto_backup
from missing_app.core.models import CareHome
from missing_app.core.queries.audit_log import AuditFilter, export_audit_log
from missing_app.core.records import Records
from missing_app.core.security.signin import sign_in
from missing_app.core.security.users import Users
from missing_app.gui.main_window import MainWindow

DEMO_PASSWORD = "demo password, not for real use"
SERGEANT = "demo.sergeant"


@contextmanager
def audit_clock(moment: datetime) -> Iterator[None]:
    """Audit rows written meanwhile are stamped `moment` (so the pictures stay the same)."""
    with mock.patch("missing_app.core.audit.utc_now", lambda: moment):
        yield


def take_safeguards(
    app: QApplication, window: MainWindow, out: Path, shoot: Callable[[QWidget, Path], Path]
) -> list[Path]:
    """Pictures of the Retention, Audit log, Users and Backup & restore pages."""
    context = window.context
    noon = context.now()
    with audit_clock(noon - timedelta(days=2, hours=3)):
        _left_long_ago(Records(context.db, SERGEANT, lambda: noon))
    with audit_clock(noon - timedelta(hours=2)):
        _accounts(window)
    _sergeant_reviews(window, noon - timedelta(hours=1))
    return [
        _retention(app, window, out, shoot),
        _audit(app, window, out, shoot),
        _users(window, out, shoot),
        _backups(app, window, out, shoot),
    ]


def _left_long_ago(records: Records) -> None:
    """A young woman who left care at 17 in 2018: her records are past six years."""
    with records.db.session() as session:
        home_id = session.scalars(select(CareHome.id).order_by(CareHome.id).limit(1)).one()
    child = records.create_child(
        "WIR2004117", date(2001, 2, 11), first_name="Chloe", last_name="Marsh"
    ).record
    records.add_placement(child.id, home_id, date(2016, 9, 1), date(2018, 7, 31))
    records.update_child(child.id, social_worker="Leaving care team (closed)")


def _accounts(window: MainWindow) -> None:
    """The window's user as the first administrator; two officers and an analyst."""
    admin = window.context.username
    users = Users(window.context.db, admin)
    users.add_user(admin, "Demo Administrator", "administrator", DEMO_PASSWORD)
    for username in ("demo.pcso001", "demo.pcso002", SERGEANT):
        users.set_password(username, DEMO_PASSWORD)
    users.add_user("analyst.rees", "Morgan Rees", "analyst", DEMO_PASSWORD)
    users.remove_user("demo.pcso004")


def _sergeant_reviews(window: MainWindow, moment: datetime) -> None:
    """The sergeant signs in and exports their part of the log for a review."""
    db = window.context.db
    assert db.path is not None
    signed = sign_in(str(db.path), SERGEANT, lambda: DEMO_PASSWORD, now=lambda: moment)
    signed.db.close()
    export_audit_log(
        db, SERGEANT, AuditFilter(username=SERGEANT), db.path.parent / "audit-review.csv",
        "quarterly review of record changes", now=lambda: moment + timedelta(minutes=5),
    )  # fmt: skip


def _retention(
    app: QApplication, window: MainWindow, out: Path, shoot: Callable[[QWidget, Path], Path]
) -> Path:
    window.show_page("Retention")
    page: Any = window.current_page()
    _wait(app, lambda: not page.reader.waiting)
    page.table.selectRow(0)
    return shoot(window, out / "retention.png")


def _audit(
    app: QApplication, window: MainWindow, out: Path, shoot: Callable[[QWidget, Path], Path]
) -> Path:
    """The audit log of the sergeant's work, their change to a child selected."""
    window.show_page("Audit log")
    page: Any = window.current_page()
    page.refresh()
    _wait(app, lambda: not page.reader.waiting)
    page.user.setCurrentIndex(page.user.findData(SERGEANT))
    for row in range(page.model.rowCount()):
        if page.model.value(row, "action") == "update":
            page.table.selectRow(row)
            break
    return shoot(window, out / "audit.png")


def _users(window: MainWindow, out: Path, shoot: Callable[[QWidget, Path], Path]) -> Path:
    window.show_page("Users")
    page: Any = window.current_page()
    page.refresh()
    page.select("analyst.rees")
    return shoot(window, out / "users.png")


def _backups(
    app: QApplication, window: MainWindow, out: Path, shoot: Callable[[QWidget, Path], Path]
) -> Path:
    """This morning's automatic backup, one made with the page's own button, then the page
    as it lists them."""
    noon = window.context.now()
    auto_backup(window.context.db, now=noon - timedelta(hours=4))  # as at start-up
    window.show_page("Backup & restore")
    page: Any = window.current_page()
    page.back_up()
    _wait(app, lambda: page.task is None)
    page.table.selectRow(0)
    return shoot(window, out / "backups.png")


def _wait(app: QApplication, ready: Callable[[], bool], seconds: float = 60) -> None:
    """Let the window work (reads and backups run off its thread) until `ready()`."""
    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
