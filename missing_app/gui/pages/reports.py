"""The Reports page: the monthly liaison pack for a month and a home, its pages shown before
it is saved, saved as PDF, workbook or CSV with the reason recorded in the audit log, and
every home's pack at once into a folder.

The pack is built, written and drawn off the GUI thread (gui/reader.py): a change of month,
home or option builds it again once the choosing pauses, and a newer pack replaces one still
being built. Saving goes through the write worker, as every audited change does; every
home's packs are written on a thread of their own (a batch can take minutes), with a
progress bar and a Cancel button (pages/reports_batch.py). The work itself is in
pages/reports_work.py, the pages' view in widgets/pdf_pages.py; what a person may have is the
core's decision.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from missing_app.core.errors import HomewardError
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.pages.base import Page
from missing_app.gui.pages.reports_batch import NEEDS_WHY, EveryHomeExport
from missing_app.gui.pages.reports_work import (
    FORMAT_FILTERS,
    FORMAT_NAMES,
    Access,
    PackChoice,
    Preview,
    build_preview,
    default_file,
    read_access,
    redraw,
    save_previewed,
)
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.pdf_pages import PagesView, page_image
from missing_app.gui.widgets.record_text import fit_combo

if TYPE_CHECKING:
    from missing_app.core.reports import Exported, Format, Month

log = logging.getLogger(__name__)

PANEL_WIDTH = 340
WHY_SAMPLE = "November liaison meeting, Oakview"
WHY_EXAMPLE = f'for example "{WHY_SAMPLE}"'


class _Stages(QObject):
    """Carries a build's stages from the reading thread to the page."""

    reached = Signal(object, str)  # the build's cancel flag (which build), the stage


class ReportsPage(Page):
    title = "Reports"
    entities = frozenset(
        {"missing_episodes", "return_interviews", "reporting_assessments", "placements",
         "care_homes", "children", "liaison_meetings", "actions", "settings", "users"}
    )  # fmt: skip

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.access_reader = Reader(context.db, self)
        self.builder = Reader(context.db, self)
        self.drawing = Reader(context.db, self)
        self.stages = _Stages(self)
        self.access: Access | None = None
        self.preview: Preview | None = None
        self.building = threading.Event()  # set when the build under way is replaced
        self.saving = False
        self.folder = Path.home()  # where the last file went: the dialogs open there
        layout = self.page_layout(
            "The monthly liaison pack for a month and a home: its pages as they will print, "
            "then saved as a PDF, a workbook or a CSV file. Every pack saved is recorded in "
            "the audit log with who made it, which month and home, and why."
        )
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self._panel())
        body.addLayout(self._preview_column(), 1)
        layout.addLayout(body, 1)
        self._connect()
        self._allow_export()
        application = QCoreApplication.instance()
        if application is not None:  # a build under way stops at its next step on quitting
            application.aboutToQuit.connect(self._stop_building)
        self.refresh()

    # Widgets ----------------------------------------------------------------------------

    def _panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("reportPanel")
        panel.setFixedWidth(PANEL_WIDTH)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        self.month = QComboBox()
        self.home = fit_combo(QComboBox(), 20)
        self.home.setEditable(True)
        self.home.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.names = QCheckBox("Children's &names instead of codes")
        self.suppress = QCheckBox("Counts of 1 to 4 shown as <&5")
        self.suppress.setToolTip(
            "In the tables of homes and children, as the Department publishes figures; "
            "a home's charts of counts are left out"
        )
        for text, widget in (("&Month", self.month), ("&Home", self.home)):
            _caption(column, text, widget)
            column.addWidget(widget)
        column.addWidget(self.names)
        column.addWidget(self.suppress)
        column.addSpacing(6)
        self.why = QLineEdit()
        self.why.setPlaceholderText(WHY_SAMPLE)
        self.why.setClearButtonEnabled(True)
        _caption(column, "&Why is it being exported?", self.why)
        column.addWidget(self.why)
        self.why_hint = QLabel("")
        self.why_hint.setObjectName("fieldHint")
        self.why_hint.setWordWrap(True)
        column.addWidget(self.why_hint)
        column.addLayout(self._save_buttons())
        column.addWidget(_rule())
        self.every_home = EveryHomeExport(self.context, self.batch_options)
        column.addWidget(self.every_home)
        column.addWidget(_rule())
        column.addLayout(self._outcome())
        column.addStretch(1)
        return panel

    def _save_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_buttons: dict[str, QPushButton] = {}
        for format, name in FORMAT_NAMES.items():
            button = QPushButton(f"{name}…")
            button.setObjectName("saveButton")
            button.clicked.connect(lambda _checked=False, chosen=format: self.export(chosen))
            self.save_buttons[format] = button
            row.addWidget(button)
        return row

    def _outcome(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton("Open the folder")
        self.open_folder.hide()
        self.banner = QLabel("")
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        column.addWidget(self.status)
        column.addWidget(self.open_folder, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.banner)
        return column

    def _preview_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        header = QHBoxLayout()
        self.scope = QLabel("")
        self.scope.setObjectName("sectionTitle")
        self.page_number = QLabel("")
        self.page_number.setObjectName("pageSubtitle")
        header.addWidget(self.scope, 1)
        header.addWidget(self.page_number)
        column.addLayout(header)
        self.pages = PagesView()
        column.addWidget(self.pages, 1)
        return column

    def _connect(self) -> None:
        # Choosing changes the pack: build it once the choosing pauses, not at every step.
        self.settle = QTimer(self, singleShot=True, interval=300)
        self.settle.timeout.connect(self.load)
        self.month.currentIndexChanged.connect(self._chosen)
        self.home.currentIndexChanged.connect(self._chosen)
        self.names.toggled.connect(self._chosen)
        self.suppress.toggled.connect(self._chosen)
        self.why.textChanged.connect(self._allow_export)
        self.stages.reached.connect(self._stage)
        self.pages.page_changed.connect(self._page_shown)
        self.pages.widened.connect(self._redraw)
        self.every_home.started.connect(self._batch_started)
        self.every_home.finished.connect(self._batch_ended)
        self.every_home.failed.connect(self._batch_failed)
        self.open_folder.clicked.connect(self.show_folder)
        QShortcut(QKeySequence("F5"), self, self.refresh,
                  Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip

    # Who may have which packs -----------------------------------------------------------

    def refresh(self) -> None:
        """Read again who may have which packs, then build the pack chosen again."""
        actor, today = self.context.who, local_date(self.context.now())
        self.access_reader.read(
            lambda session: read_access(session, actor, today), self._access_read,
            self._not_read,
        )  # fmt: skip

    def _access_read(self, access: Access) -> None:
        self.access = access
        self._fill_months(access)
        self._fill_homes(access)
        self.names.setEnabled(access.names)
        self.names.setToolTip(
            "Names and local references are a disclosure: say why below"
            if access.names
            else f"{access.who} may not see children's names: the pack shows their codes"
        )
        if not access.names:
            self.names.setChecked(False)
        if access.refusal is not None:
            self.pages.show_note(access.refusal)
        self.load()

    def _fill_months(self, access: Access) -> None:
        """The months offered, newest first; the last whole month chosen at first."""
        chosen = self.month.currentData()
        self.month.blockSignals(True)
        self.month.clear()
        for number, month in enumerate(access.months):
            self.month.addItem(month.label + (" (so far)" if number == 0 else ""), month)
        at = access.months.index(chosen) if chosen in access.months else -1
        self.month.setCurrentIndex(at if at >= 0 else min(1, self.month.count() - 1))
        self.month.blockSignals(False)

    def _fill_homes(self, access: Access) -> None:
        """Every home (all of them first) or only this person's, keeping the home chosen."""
        chosen = self.home.currentData()
        self.home.blockSignals(True)
        self.home.clear()
        if access.every_home:
            self.home.addItem("All homes (the force-wide pack)", None)
        for home in access.homes:
            self.home.addItem(home.label, home)
            if chosen is not None and home.id == chosen.id:
                self.home.setCurrentIndex(self.home.count() - 1)
        completer = QCompleter(self.home.model(), self.home)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.home.setCompleter(completer)
        self.home.blockSignals(False)

    def _not_read(self, error: Exception) -> None:
        log.error("the homes could not be read", exc_info=error)
        self.pages.show_note(f"The homes could not be read: {error}")

    # The preview --------------------------------------------------------------------------

    def chosen(self) -> PackChoice | None:
        month = self.month.currentData()
        if month is None or self.home.currentIndex() < 0:
            return None
        home = self.home.currentData()
        return PackChoice(month, home, self.names.isChecked(), self.suppress.isChecked())

    def _chosen(self, *_args: Any) -> None:
        self.settle.start()

    def load(self) -> None:
        """Build the pack chosen off the GUI thread, replacing any build under way."""
        self.settle.stop()
        choice = self.chosen()
        if self.access is None or self.access.refusal is not None or choice is None:
            return
        self.building.set()  # the build under way stops at its next step
        self.building = cancel = threading.Event()
        self.preview = None
        self._allow_export()
        self.scope.setText(choice.label)
        self.page_number.setText("")
        self.pages.show_note(f"Making the pack: {choice.label}…", working=True)
        db, actor, now = self.context.db, self.context.who, self.context.now()
        width = min(max(self.pages.wanted_width(), 800), 2400)
        emit = self.stages.reached.emit

        def build(session: Any) -> Preview:
            def progress(stage: str, _done: int, _total: int) -> None:
                emit(cancel, stage)

            return build_preview(session, db, actor, choice, width, now=now,
                                 progress=progress, cancel=cancel)  # fmt: skip

        self.builder.read(build, self._built, self._not_built)

    def _stop_building(self) -> None:
        self.building.set()

    def _stage(self, cancel: object, stage: str) -> None:
        if cancel is self.building and self.pages.working:
            self.pages.set_note(f"Making the pack: {self.scope.text()}…\n{stage}…")

    def _built(self, preview: Preview) -> None:
        self.preview = preview
        self.pages.show_pages([page_image(p.width, p.height, p.rgba) for p in preview.pages])
        self._allow_export()

    def _not_built(self, error: Exception) -> None:
        if not isinstance(error, HomewardError):
            log.error("the pack could not be made", exc_info=error)
        self.pages.show_note(f"The pack could not be made: {error}")
        self.page_number.setText("")

    def _page_shown(self, number: int, pages: int) -> None:
        self.page_number.setText(f"Page {number} of {pages}" if pages else "")

    def _redraw(self, width: int) -> None:
        """Draw the pages again, sharper, for a view made wider than they were drawn."""
        preview = self.preview
        if preview is None or self.drawing.waiting:
            return
        wanted = min(width, 2400)
        if wanted > preview.width:
            self.drawing.read(lambda _session: redraw(preview, wanted), self._redrawn)

    def _redrawn(self, preview: Preview) -> None:
        if self.preview is not None and preview.choice == self.preview.choice:
            self.preview = preview
            images = [page_image(p.width, p.height, p.rgba) for p in preview.pages]
            self.pages.show_pages(images, keep_place=True)

    # Saving -------------------------------------------------------------------------------

    def reason(self) -> str:
        return self.why.text().strip()

    def _allow_export(self, *_args: Any) -> None:
        """Saving needs a reason and the pack shown; every home's packs need a reason."""
        why = bool(self.reason())
        ready = self.preview is not None and not self.saving
        self.why_hint.setText(
            "Recorded in the audit log with your name, the pack and its month."
            if why
            else f"Needed before a pack is saved: {WHY_EXAMPLE}."
        )
        for format, button in self.save_buttons.items():
            button.setEnabled(why and ready)
            button.setToolTip(
                NEEDS_WHY if not why
                else "Wait for the pack to be made: it is saved as shown" if not ready
                else f"Save the pack shown as a {FORMAT_FILTERS[format].split(' (')[0]}"
            )  # fmt: skip
        self.every_home.allow(why, self.access is not None and self.access.every_home)

    def export(self, format: Format) -> None:
        """Ask where, then save the pack shown in `format` and record why."""
        preview, why = self.preview, self.reason()
        if preview is None or not why:
            return
        suggested = str(self.folder / default_file(preview.choice, format))
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Save the pack as {FORMAT_NAMES[format]}", suggested, FORMAT_FILTERS[format]
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{format}":
            target = target.with_name(f"{target.name}.{format}")
        self.saving = True
        self._allow_export()
        self.banner.hide()
        self.status.setText(f"Saving {target.name}…")
        self.context.worker.submit(
            lambda records: save_previewed(records.db, preview, format, target, why),
            {"audit_events"}, self._saved, self._not_saved,
        )  # fmt: skip

    def _saved(self, exported: Exported) -> None:
        self.saving = False
        self._allow_export()
        self.folder = exported.path.parent
        self.status.setText(
            f"Saved {exported.scope}, {exported.month.label} ({exported.size:,} bytes) to "
            f"{exported.path}, and recorded it in the audit log."
        )
        self.open_folder.show()

    def _not_saved(self, error: Exception) -> None:
        self.saving = False
        self._allow_export()
        self.status.setText("")
        self._failed("Nothing was saved", error)

    def _failed(self, what: str, error: Exception) -> None:
        if not isinstance(error, HomewardError):
            log.error(what, exc_info=error)
        self.banner.setText(f"{what}: {error}")
        self.banner.show()

    def show_folder(self) -> None:
        """Open the folder of the last file saved in the computer's file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # Every home at once -------------------------------------------------------------------

    def batch_options(self) -> tuple[Month, str, bool, bool] | None:
        """The month, the reason and the options every home's packs are made with."""
        month, why = self.month.currentData(), self.reason()
        if month is None or not why:
            return None
        return month, why, self.names.isChecked(), self.suppress.isChecked()

    def _batch_started(self) -> None:
        self.banner.hide()
        self.status.setText("")
        self.open_folder.hide()

    def _batch_ended(self, text: str, folder: Path) -> None:
        self.folder = folder
        self.status.setText(text)
        self.open_folder.show()

    def _batch_failed(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()


def _caption(column: QVBoxLayout, text: str, buddy: Any) -> None:
    caption = QLabel(text)
    caption.setObjectName("fieldCaption")
    caption.setBuddy(buddy)
    column.addWidget(caption)


def _rule() -> QFrame:
    line = QFrame()
    line.setObjectName("panelRule")  # a thin line: style.qss
    return line
