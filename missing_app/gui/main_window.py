"""The main window: navigation, pages, the child search (Ctrl+F), and the status bar."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from missing_app.config import APP_NAME
from missing_app.core.queries.search import ChildMatch, search_children
from missing_app.core.security.access import Permission
from missing_app.gui.context import AppContext
from missing_app.gui.pages.base import ComingPage, Page
from missing_app.gui.roles import apply_role, audit_view, guard_names
from missing_app.gui.widgets.tables import go_to_row

log = logging.getLogger(__name__)

# Navigation: (name, module, class) of each page, in the order shown.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("Today", "missing_app.gui.pages.today", "TodayPage"),
    ("Children", "missing_app.gui.pages.children", "ChildrenPage"),
    ("Episodes", "missing_app.gui.pages.episodes", "EpisodesPage"),
    ("Homes", "missing_app.gui.pages.homes", "HomesPage"),
    ("Meetings & actions", "missing_app.gui.pages.meetings", "MeetingsPage"),
    ("Insights", "missing_app.gui.pages.insights", "InsightsPage"),
    ("Reports", "missing_app.gui.pages.reports", "ReportsPage"),
    ("Data quality", "missing_app.gui.pages.data_quality", "DataQualityPage"),
    ("Settings", "missing_app.gui.pages.settings", "SettingsPage"),
    ("Retention", "missing_app.gui.pages.retention", "RetentionPage"),
    ("Audit log", "missing_app.gui.pages.audit", "AuditPage"),
    ("Users", "missing_app.gui.pages.users", "UsersPage"),
    ("Backup & restore", "missing_app.gui.pages.backups", "BackupsPage"),
)
# Pages for some roles only: the navigation shows them to those whose role allows this.
PAGE_NEEDS = {
    "Retention": Permission.ERASE,
    "Audit log": Permission.AUDIT,
    "Users": Permission.USERS,
    "Backup & restore": Permission.BACKUP,
}
FRAME_ALLOWANCE = 60  # pixels of title bar and taskbar around the window
COMING: dict[str, str] = {}  # pages still to come: name -> what they will show
CHILD_PAGE = ("missing_app.gui.pages.child", "ChildPage")
HOME_PAGE = ("missing_app.gui.pages.home", "HomePage")


def _load(module: str, name: str) -> Callable[..., Page]:
    factory: Callable[..., Page] = getattr(importlib.import_module(module), name)
    return factory


def main_table(page: QWidget) -> QAbstractItemView | None:
    """The list Ctrl+Home and Ctrl+End move in: the one holding the focus on this page, else
    the page's `table`, else its first list shown."""
    focused = QApplication.focusWidget()
    while focused is not None and page.isAncestorOf(focused):
        if isinstance(focused, QAbstractItemView):
            return focused
        focused = focused.parentWidget()
    named = getattr(page, "table", None)
    if isinstance(named, QAbstractItemView) and named.isVisible():
        return named
    shown = [view for view in page.findChildren(QAbstractItemView) if view.isVisible()]
    return shown[0] if shown else None


class ChildSearch(QLineEdit):
    """Type two letters of a name, a reference or a police reference; pick the child."""

    def __init__(self, context: AppContext, on_pick: Callable[[int], None]) -> None:
        super().__init__()
        self.context = context
        self.on_pick = on_pick
        self.matches: dict[str, ChildMatch] = {}
        self.setPlaceholderText("Find a child: name, reference or police reference  (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setObjectName("childSearch")
        self.model = QStringListModel()
        completer = QCompleter(self.model, self)
        completer.popup().setObjectName("childSuggestions")  # style.qss: the window's size
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated.connect(self._picked)
        self.setCompleter(completer)
        # Search once typing pauses, not on every key.
        self.pause = QTimer(self, singleShot=True, interval=200)
        self.pause.timeout.connect(lambda: self.search(self.text()))
        self.textEdited.connect(lambda _text: self.pause.start())
        self.returnPressed.connect(self._first)

    def search(self, text: str) -> list[ChildMatch]:
        with self.context.db.session() as session:
            found = search_children(session, text, actor=self.context.who)
        if not self.context.names_visible:  # names hidden: found by reference only
            found = [match for match in found if match.matched != "name"]
        self.matches = {self._label(match): match for match in found}
        self.model.setStringList(list(self.matches))
        if found:
            self.completer().complete()
        return found

    def _label(self, match: ChildMatch) -> str:
        extra = "" if match.matched in ("name", "reference") else f"  (police ref {match.matched})"
        if not self.context.names_visible:  # an analyst without the grant: references only
            return f"{match.local_ref}{extra}"
        return f"{match.name} · {match.local_ref}{extra}"

    def _picked(self, label: str) -> None:
        match = self.matches.get(label)
        if match is not None:
            self.clear()
            self.on_pick(match.child_id)

    def _first(self) -> None:
        if self.pause.isActive():
            self.pause.stop()
            self.search(self.text())
        if self.matches:
            self._picked(next(iter(self.matches)))


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        context.navigator = self
        self.setWindowTitle(APP_NAME)
        # 1280×800, or less on a smaller screen: the title bar and taskbar need room too.
        room = self.screen().availableGeometry()
        self.resize(min(1280, room.width()), min(800, room.height() - FRAME_ALLOWANCE))
        self.pages: dict[str, Page] = {}
        self.search = ChildSearch(context, self.open_child)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.stack = QStackedWidget()
        self._layout()
        self._shortcuts()
        self._status()
        self.signed_out = False  # closed by Sign out: the application asks who signs in next
        self.help_window: QWidget | None = None
        self.idle_lock = self._idle_lock()
        self._account_menu()
        self.name_guard = guard_names(self, context)
        context.worker.changed.connect(self.records_changed)
        self.nav.currentTextChanged.connect(self.show_page)
        self.nav.setCurrentRow(0)

    def _layout(self) -> None:
        for name, *_ in PAGES[:5]:
            self.nav.addItem(QListWidgetItem(name))
        self.nav.addItem(QListWidgetItem(""))  # a gap between daily work and the figures
        self.nav.item(self.nav.count() - 1).setFlags(Qt.ItemFlag.NoItemFlags)
        for name in ("Insights", "Reports", "Data quality", "Settings"):
            self.nav.addItem(QListWidgetItem(name))
        self._guarded_pages()
        self.nav.setFixedWidth(190)
        top = QHBoxLayout()
        title = QLabel(APP_NAME)
        title.setObjectName("appTitle")
        top.addWidget(title)
        top.addSpacing(24)
        top.addWidget(self.search, 1)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

    def _guarded_pages(self) -> None:
        """Retention, the audit log, users and backups: only for the roles they serve."""
        allowed = [name for name, need in PAGE_NEEDS.items() if self.context.may(need)]
        if allowed:
            self.nav.addItem(QListWidgetItem(""))  # a gap before the safeguards
            self.nav.item(self.nav.count() - 1).setFlags(Qt.ItemFlag.NoItemFlags)
        for name in allowed:
            self.nav.addItem(QListWidgetItem(name))

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_search)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.record_missing)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.record_return)
        # The whole window's, not the focused list's: from the navigation too, Ctrl+End goes to
        # the last row of the page's table, not to the last page.
        QShortcut(QKeySequence("Ctrl+Home"), self, activated=lambda: self.go_to_row(last=False))
        QShortcut(QKeySequence("Ctrl+End"), self, activated=lambda: self.go_to_row(last=True))

    def _status(self) -> None:
        db = self.context.db
        where = db.path.name if db.path is not None else db.url
        where += " (encrypted)" if db.encrypted else ""
        who = self.context.username
        if self.context.has_accounts:
            from missing_app.gui.idle_lock import signed_in_label

            who = f"{signed_in_label(self.context)}, user {who}"
        self.status_text = QLabel(f"Database: {where}   ·   Signed in as {who}")
        self.status_text.setToolTip(str(db.path or db.url))
        self.busy = QLabel("")
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)
        self.context.worker.busy.connect(lambda on: self.busy.setText("Saving…" if on else ""))

    def _idle_lock(self) -> Any:
        """The idle lock: only when someone signed in with a password."""
        if not self.context.has_accounts:
            return None
        from missing_app.gui.idle_lock import IdleLock

        return IdleLock(self, self.context)

    def _account_menu(self) -> None:
        """Lock now and Sign out (signed in with a password), Help and Quit (everyone)."""
        menu = self.menuBar().addMenu("&Account")
        if self.idle_lock is not None:
            from missing_app.gui.idle_lock import LOCK_KEY

            lock = menu.addAction("&Lock now", self.idle_lock.lock)
            lock.setShortcut(LOCK_KEY)  # the lock watches for it too, so it works from forms
            menu.addAction("&Sign out", self.sign_out)
            menu.addSeparator()
        menu.addAction("&Help", QKeySequence("F1"), self.show_help)
        menu.addAction("&Quit", QKeySequence("Ctrl+Q"), self.close)

    def show_help(self) -> None:
        """The Help window: shortcuts and first steps, beside the window, one at a time."""
        from missing_app.gui.help import HelpWindow

        if self.help_window is None:
            self.help_window = HelpWindow(self)
        self.help_window.show()
        self.help_window.raise_()
        self.help_window.activateWindow()

    def sign_out(self) -> None:
        """Close every form and the window, for the sign-in window to come back; a form that
        keeps its unsaved changes (the person chose Cancel) stops the sign-out."""
        for widget in QApplication.topLevelWidgets():
            if widget is not self and widget.isVisible():
                widget.close()
        if any(w is not self and w.isVisible() for w in QApplication.topLevelWidgets()):
            return
        log.info("signed out")
        self.signed_out = True
        self.close()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # Pages ------------------------------------------------------------------------------

    def page(self, name: str) -> Page:
        """The named page, made on first use."""
        if name not in self.pages:
            spec = {page: (module, cls) for page, module, cls in PAGES}.get(name)
            if spec is not None:
                made = _load(*spec)(self.context)
            else:
                made = ComingPage(self.context, name, COMING.get(name, ""))
            apply_role(made, self.context)
            self.pages[name] = made
            self.stack.addWidget(made)
        return self.pages[name]

    def show_page(self, name: str) -> None:
        if not name:
            return
        page = self.page(name)
        if page.stale:
            page.stale = False
            page.refresh()
        self.stack.setCurrentWidget(page)
        items = self.nav.findItems(name, Qt.MatchFlag.MatchExactly)
        if items and self.nav.currentItem() is not items[0]:
            self.nav.setCurrentItem(items[0])

    def _detail(self, key: str, spec: tuple[str, str], record_id: int) -> Page:
        old = self.pages.pop(key, None)
        page = _load(*spec)(self.context, record_id)
        apply_role(page, self.context)
        self.pages[key] = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.nav.clearSelection()
        return page

    def open_child(self, child_id: int) -> None:
        self._detail("child", CHILD_PAGE, child_id)

    def open_home(self, home_id: int) -> None:
        self._detail("home", HOME_PAGE, home_id)

    def open_episode(self, episode_id: int) -> None:
        """An episode is shown on its child's page, selected."""
        from missing_app.core.models import MissingEpisode

        with self.context.db.session() as session:
            episode = session.get(MissingEpisode, episode_id)
            child_id = None if episode is None else episode.child_id
        if child_id is not None:
            audit_view(self.context, "missing_episodes", episode_id)
            page: Any = self._detail("child", CHILD_PAGE, child_id)
            if hasattr(page, "select_episode"):
                page.select_episode(episode_id)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def go_to_row(self, last: bool) -> None:
        """The first or last row of the page's main table (Ctrl+Home, Ctrl+End)."""
        view = main_table(self.current_page())
        if view is not None:
            go_to_row(view, last)

    # Forms ------------------------------------------------------------------------------

    def record_missing(self, child_id: int | None = None) -> None:
        from missing_app.gui.dialogs.episode import RecordMissingDialog

        if not self.context.may(Permission.WRITE):
            return
        self._open_form(RecordMissingDialog(self.context, child_id=child_id, parent=self))

    def record_return(self, episode_id: int | None = None) -> None:
        from missing_app.gui.dialogs.episode import RecordReturnDialog

        if not self.context.may(Permission.WRITE):
            return
        page: Any = self.current_page()  # a child's or a home's page: their episode first
        near = {"child_id": page.child_id} if page is self.pages.get("child") else {}
        near = {"home_id": page.home_id} if page is self.pages.get("home") else near
        form = RecordReturnDialog(self.context, episode_id=episode_id, parent=self, **near)
        self._open_form(form)

    def _open_form(self, form: QWidget) -> None:
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()  # type: ignore[attr-defined]

    # Changes ----------------------------------------------------------------------------

    def records_changed(self, entities: frozenset[str]) -> None:
        """Refresh the page in view now, and mark the others to refresh when next shown."""
        current = self.stack.currentWidget()
        for page in self.pages.values():
            if page.entities & entities:
                if page is current:
                    page.refresh()
                else:
                    page.stale = True
