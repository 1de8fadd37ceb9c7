"""What the window hides for a role (the core refuses it anyway, whatever asks), and the
audit of who looked at which child or episode.

- Record buttons (record missing, edit, new…) for those who may not change records
  (analysts), and "New home" for those who may not add homes (PCSOs).
- Settings are read-only for those who may not change them (PCSOs, analysts).
- Children's names for analysts without the grant: the columns headed "Name" or "Child"
  are hidden from every table (the reference column stays), kept hidden when the table
  reloads.

The main window applies this to each page as it is made.

Views (DPA 2018 s.62, consultation): opening a child's page or an episode writes an audit
row through the write worker, so the page never waits for it.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QTableView, QWidget

from missing_app.core.errors import HomewardError
from missing_app.core.security.access import Permission
from missing_app.gui.context import AppContext

log = logging.getLogger(__name__)

# The buttons of each page that change records, and what they need.
BUTTONS: dict[str, tuple[tuple[str, Permission], ...]] = {
    "TodayPage": (("missing_button", Permission.WRITE), ("return_button", Permission.WRITE)),
    "ChildrenPage": (("new_child", Permission.WRITE),),
    "ChildPage": tuple(
        (name, Permission.WRITE)
        for name in (
            "record_missing_button",
            "record_return_button",
            "edit_child_button",
            "edit_profile_button",
            "add_placement_button",
        )
    ),
    "HomesPage": (("new_home", Permission.MANAGE_HOMES),),
    "HomePage": (
        ("edit_button", Permission.WRITE),
        ("meeting_button", Permission.WRITE),
        ("assess_button", Permission.WRITE),
    ),
    "MeetingsPage": (
        ("done_button", Permission.WRITE),
        ("edit_button", Permission.WRITE),
        ("new_button", Permission.WRITE),
    ),
}
NAME_HEADINGS = frozenset({"Name", "Child"})
GUARDED = "homewardNamesHidden"  # a table's property once its name columns are kept hidden


def apply_role(page: QWidget, context: AppContext) -> None:
    """Hide what the signed-in role cannot do or see on this page."""
    for name, need in BUTTONS.get(type(page).__name__, ()):
        button = getattr(page, name, None)
        if isinstance(button, QWidget) and not context.may(need):
            button.hide()
    if type(page).__name__ == "SettingsPage" and not context.may(Permission.SETTINGS):
        settings_read_only(page)
    if not context.names_visible:
        hide_names(page)


def hide_names(widget: QWidget) -> None:
    """Keep the name columns of every table in `widget` hidden."""
    for table in widget.findChildren(QTableView):
        if not table.property(GUARDED):
            NameColumns(table)


class NameGuard(QObject):
    """For those who may not see names: the tables of every window that opens (the episodes
    behind a chart, say) hide them too. Installed only for them."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        application = QApplication.instance()
        assert application is not None
        application.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        shown = event.type() == QEvent.Type.Show
        if shown and isinstance(watched, QWidget) and watched.isWindow() and self._ours(watched):
            hide_names(watched)
        return False

    def _ours(self, widget: QWidget | None) -> bool:
        """Whether the window opened from this main window (another's is its own business)."""
        while widget is not None:
            if widget is self.window:
                return True
            widget = widget.parentWidget()
        return False


def guard_names(window: QWidget, context: AppContext) -> NameGuard | None:
    """A NameGuard when the signed-in user may not see names, else None."""
    return None if context.names_visible else NameGuard(window)


def settings_read_only(page: QWidget) -> None:
    """Settings shown, not changed: no editing, no Save, no Restore default."""
    for editor in page.findChildren(QAbstractSpinBox):
        editor.setReadOnly(True)
        editor.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    for row in getattr(page, "rows", ()):
        row.restore.hide()
    save = getattr(page, "save_button", None)
    if isinstance(save, QWidget):
        save.hide()
    status = getattr(page, "status", None)
    if status is not None:
        status.setText("Only a supervisor or an administrator can change settings.")


class NameColumns(QObject):
    """Keeps a table's name columns hidden, whenever its model resets or is replaced."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.watched: QObject | None = None
        table.setProperty(GUARDED, True)
        self.hide_names()

    def hide_names(self, *_: object) -> None:
        """(A slot of this object, not a lambda: it goes when the table goes.)"""
        if not shiboken6.isValid(self.table):
            return
        model = self.table.model()
        if model is None:
            return
        if model is not self.watched:
            self.watched = model
            for signal in (model.modelReset, model.headerDataChanged, model.columnsInserted):
                signal.connect(self.hide_names)
        for column in range(model.columnCount()):
            heading = model.headerData(column, Qt.Orientation.Horizontal)
            if str(heading) in NAME_HEADINGS:
                self.table.setColumnHidden(column, True)


def audit_view(context: AppContext, entity: str, record_id: int) -> None:
    """Audit that the signed-in user opened this record ("children", "missing_episodes")."""
    context.worker.submit(
        lambda records: records.record_view(entity, record_id), (), on_error=_view_not_audited
    )


def _view_not_audited(error: Exception) -> None:
    """A record gone, or not the user's to see (the page says so): nothing to audit."""
    if not isinstance(error, HomewardError):
        raise error
    log.info("view not audited: %s", error)
