"""The Backup & restore page (administrators): the backups folder and what it holds, a backup
made now, and a restore.

A backup is the core's online copy, checked before it takes its name, so it is taken while
the window stays open (off the GUI thread, with progress and a way to stop it).

A restore replaces the database file, so the window cannot keep using it. The page chooses
the simplest honest course: first the core checks the backup in full on a scratch copy
beside the database (restoring it there: the key opens it, SQLite's integrity check passes,
its schema is known, and an older schema upgrades), while the window and the database stay
as they were; a backup that fails is refused then, with the core's message. Only when the
copy checks out does the window let go of the database, the core restore it (checking it
again, keeping the replaced file as `<file>.before-restore-<time>`), and Homeward start
again on the restored file, so that sign-in, accounts and every page read it afresh.

Both are audited by the core (`core/backups.py`): the backup in the database once the copy is
in place, the restore in the restored database.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
)

from missing_app.core.backups import restore_backup, take_backup
from missing_app.core.db.restore import Restored, restore_database
from missing_app.core.db.rotation import Backup, backup_folder, backup_name, backups_of, keyring_of
from missing_app.core.errors import HomewardError
from missing_app.core.security.access import Permission
from missing_app.gui.context import AppContext
from missing_app.gui.long_task import Cancelled, LongTask, Progress
from missing_app.gui.pages.guarded import GuardedPage, banner, show_message
from missing_app.gui.reader import reading_pool
from missing_app.gui.widgets.tables import RowsTable, count_label, table_item

log = logging.getLogger(__name__)

HEADINGS = ("Taken", "Kind", "Size", "File")


def kind_text(backup: Backup) -> str:
    """`Daily (automatic)`, `Before upgrade 0002 → 0004`, or `Made by hand`."""
    if backup.daily:
        return "Daily (automatic)"
    if backup.before_migration:
        old, _, new = backup.reason.removeprefix("before-").partition("-to-")
        return f"Before upgrade {old} → {new}"
    return "Made by hand" if not backup.reason else backup.reason.replace("-", " ").capitalize()


def size_text(size: int) -> str:
    """`812 KB`, `38.2 MB`, `1.4 GB`."""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1):,} KB"
    if size < 1024**3:
        return f"{size / 1024**2:,.1f} MB"
    return f"{size / 1024**3:,.1f} GB"


def check_backup(backup: Path, database: Path, key: bytes | None) -> Restored:
    """Restore `backup` to a scratch copy beside `database`: the core's full check of it,
    the database untouched (the copy goes with its folder)."""
    with tempfile.TemporaryDirectory(prefix=".homeward-check-", dir=database.parent) as folder:
        return restore_database(backup, Path(folder) / database.name, key)


def restart_application(database: Path) -> None:
    """Start Homeward again on `database`, then end this one."""
    frozen = getattr(sys, "frozen", False)
    arguments = ["--db", str(database)] if frozen else ["-m", "missing_app", "--db", str(database)]
    started, _pid = QProcess.startDetached(sys.executable, arguments)
    if not started:
        log.error("could not start Homeward again on %s", database)
        QMessageBox.information(None, "Homeward", "Homeward closes now: open it again.")
    QApplication.quit()


class BackupsPage(GuardedPage):
    title = "Backup & restore"
    permission = Permission.BACKUP
    entities = frozenset()

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Homeward backs the database up by itself: once a day (the newest 7 kept) and "
            "before every upgrade (the newest 5). Backups made here are kept until you delete "
            "them. Keep a copy of the folder somewhere safe, away from this laptop.",
        )
        self.task: LongTask | None = None
        self.restart: Callable[[Path], None] = restart_application
        self.body.addLayout(self._folder_row())
        self.body.addLayout(self._buttons())
        self.message = banner()
        self.body.addWidget(self.message)
        self.table = RowsTable(HEADINGS, stretch=3)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.opened.connect(lambda _row: self.restore_selected())
        self.body.addWidget(self.table)
        self.body.addStretch(1)
        self.refresh()

    @property
    def database(self) -> Path | None:
        path = self.context.db.path
        return None if path is None else path.resolve()

    def _folder_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.folder = QLabel("")
        self.folder.setObjectName("sectionTitle")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton("Open &folder")
        self.open_folder.setToolTip("Show the backups folder in the file manager")
        self.open_folder.clicked.connect(self._show_folder)
        row.addWidget(self.folder, 1)
        row.addWidget(self.open_folder)
        return row

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.backup_button = QPushButton("&Back up now")
        self.backup_button.setToolTip("Copy the database into the backups folder, checked")
        self.restore_button = QPushButton("&Restore this backup…")
        self.restore_button.setToolTip("Replace the database with the selected backup")
        self.file_button = QPushButton("Restore from a f&ile…")
        self.file_button.setToolTip("Replace the database with a backup kept elsewhere")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.hide()
        self.note = count_label()
        self.note.setWordWrap(True)
        self.backup_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button.clicked.connect(self.restore_from_file)
        self.cancel_button.clicked.connect(self._cancel)
        for widget in (self.backup_button, self.restore_button, self.file_button,
                       self.progress, self.cancel_button):  # fmt: skip
            row.addWidget(widget)
        row.addWidget(self.note, 1)
        return row

    # Reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.allowed():
            return
        database = self.database
        if database is None:
            self.refuse("Backups are made of a database file; this database is not one.")
            return
        folder = backup_folder(database)
        self.folder.setText(f"Backups folder: {folder}")
        self.folder.setToolTip(str(folder))
        self.open_folder.setEnabled(folder.is_dir())
        self.backups = sorted(backups_of(database), reverse=True)
        self.table.fill([self._row(backup) for backup in self.backups], most=12)
        if not self.backups:
            self.note.setText("No backups yet in this folder.")
        self._enable()

    @staticmethod
    def _row(backup: Backup) -> list[Any]:
        try:
            size = size_text(backup.path.stat().st_size)
        except OSError:
            size = "?"
        name = backup.path.name
        if keyring_of(backup.path).is_file():
            name += "  (encrypted; its keys beside it)"
        return [
            table_item(f"{backup.taken:%a %d/%m/%Y %H:%M}", str(backup.path)),
            table_item(kind_text(backup)),
            table_item(size),
            table_item(name),
        ]

    def selected(self) -> Path | None:
        row = self.table.currentRow()
        if not self.table.selectedItems() or row < 0:
            return None
        key = self.table.key(row)
        return None if key is None else Path(str(key))

    def _enable(self) -> None:
        idle = self.task is None
        self.backup_button.setEnabled(idle)
        self.file_button.setEnabled(idle)
        self.restore_button.setEnabled(idle and self.selected() is not None)

    def _show_folder(self) -> None:
        if self.database is not None:
            folder = backup_folder(self.database)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # Backing up -------------------------------------------------------------------------

    def back_up(self) -> None:
        """Copy the database into the backups folder now, off the GUI thread."""
        database = self.database
        if database is None or self.task is not None or not self.allowed():
            return
        now = self.context.now()
        out = backup_folder(database) / backup_name(database, now)
        db, username = self.context.db, self.context.username

        def work(progress: Progress) -> Path:
            return take_backup(db, out, username, progress=progress, now=now)

        show_message(self.message, "")
        self.note.setText("Backing up…")
        self._start(LongTask(work, self), self._backed_up, self._not_backed_up, stoppable=True)

    def _start(
        self,
        task: LongTask,
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
        *,
        stoppable: bool,
    ) -> None:
        self.task = task
        task.progressed.connect(self._progressed)
        task.succeeded.connect(lambda result: self._finish(on_done, result))
        task.failed.connect(lambda error: self._finish(on_error, error))
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setVisible(stoppable)
        self._enable()
        task.start()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finish(self, then: Callable[[Any], None], value: Any) -> None:
        if self.task is not None:
            self.task.wait()
            self.task.deleteLater()
        self.task = None
        self.progress.hide()
        self.cancel_button.hide()
        self._enable()
        then(value)

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.note.setText("Stopping…")

    def _backed_up(self, written: Path) -> None:
        self.refresh()
        self.note.setText(f"Backed up and checked: {written.name}.")

    def _not_backed_up(self, error: Exception) -> None:
        self.refresh()
        if isinstance(error, Cancelled):
            self.note.setText("The backup was stopped; nothing was kept.")
            return
        self.note.setText("")
        if not isinstance(error, (HomewardError, OSError)):
            raise error
        show_message(self.message, f"No backup was made: {error}")

    # Restoring --------------------------------------------------------------------------

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is not None:
            self.restore(backup)

    def restore_from_file(self) -> None:
        start = "" if self.database is None else str(backup_folder(self.database))
        chosen, _kind = QFileDialog.getOpenFileName(
            self, "Restore from a backup", start, "Homeward backups (*.sqlite);;All files (*)"
        )
        if chosen:
            self.restore(Path(chosen))

    def restore(self, backup: Path) -> None:
        """Check `backup` in full, then (if it passes and it is confirmed) restore it."""
        database = self.database
        if database is None or self.task is not None or not self.allowed():
            return
        if self.context.worker.pending:
            show_message(self.message, "A change is still being saved; restore once it is.")
            return
        if not self._confirm(backup, database):
            return
        show_message(self.message, "")
        self.note.setText(f"Checking {backup.name} (the database is not touched)…")
        key = self.context.db.key
        self._start(
            LongTask(lambda _progress: check_backup(backup, database, key), self),
            lambda checked: self._checked(backup, checked),
            lambda error: self._refused(backup, error),
            stoppable=False,
        )

    def _confirm(self, backup: Path, database: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Restore a backup",
            f"Replace the database with the backup {backup.name}?\n\n"
            "Every change made since that backup will no longer be in the database. The "
            f"current file is kept beside it as {database.name}.before-restore-<time>.\n\n"
            "The backup is checked first. Then Homeward closes the database, restores it and "
            "starts again on it: you will sign in again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _refused(self, backup: Path, error: Exception) -> None:
        self.note.setText("")
        if not isinstance(error, (HomewardError, OSError)):
            raise error
        show_message(self.message, f"{backup.name} was not restored: {error}")

    def _checked(self, backup: Path, checked: Restored) -> None:
        """The backup passed on a copy: let go of the database, restore, start again."""
        database = self.database
        assert database is not None
        upgraded = " (it will be upgraded to this version's schema)" if checked.upgraded else ""
        self.note.setText(f"{backup.name} checks out{upgraded}. Restoring…")
        self.waiting = QProgressDialog(f"Restoring {backup.name}…", "", 0, 0, self)
        self.waiting.setCancelButton(None)
        self.waiting.setWindowTitle("Restoring")
        self.waiting.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.waiting.setMinimumDuration(0)
        self.waiting.show()
        key, username = self.context.db.key, self.context.username
        self.context.worker.stop()  # the last save finishes; none runs on the file after
        reading_pool().waitForDone(10_000)  # no read is left on the file being replaced
        self.context.db.close()
        self._start(
            LongTask(lambda _progress: restore_backup(backup, database, username, key), self),
            self._restored,
            lambda error: self._restore_failed(database, error),
            stoppable=False,
        )

    def _restored(self, restored: Restored) -> None:
        self.waiting.close()
        kept = f"\n\nThe database it replaced is kept as {restored.kept.name}." if (
            restored.kept is not None
        ) else ""  # fmt: skip
        QMessageBox.information(
            self,
            "Restored",
            f"The database now holds the backup {restored.backup.name}.{kept}\n\n"
            "Homeward will now start again on it.",
        )
        self.restart(restored.database)

    def _restore_failed(self, database: Path, error: Exception) -> None:
        self.waiting.close()
        log.error("the restore failed", exc_info=error)
        QMessageBox.warning(
            self,
            "Not restored",
            f"The backup was not restored: {error}\n\nThe database was left as it was. "
            "Homeward will now start again on it.",
        )
        self.restart(database)
