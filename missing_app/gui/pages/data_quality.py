"""The Data quality page: Homeward's own records against the Department's 903 rules for one
collection year, each failure opening the record to correct, and the export of the year's
Missing table for the council's return.

The checks load pandas and take seconds at force scale, so they run off the GUI thread
(gui/reader.py), again whenever the records change; the export runs on the write worker, as
every audited change does. What a person may see and export is the core's decision
(core/queries/data_quality.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
)

from missing_app.core.errors import HomewardError
from missing_app.core.exchange.ssda903.exporter import Exported, ExportRefused
from missing_app.core.exchange.ssda903.rulebook import RULES
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.queries.data_quality import QualityReport, QualityRow
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.models.windowed import ROW_ID_ROLE
from missing_app.gui.pages.base import Page
from missing_app.gui.reader import Reader
from missing_app.gui.widgets.tables import count_label, open_on_enter, prepare_table

log = logging.getLogger(__name__)

HEADINGS = ("Rule", "Child", "Started", "What is wrong")
SAMPLES = ("INT13", "Logan Cunningham · WIR9151260", "Wed 30/11/2025")
CODES_NAMED = 4  # rule codes the summary names before "…"
RULE_ORDER = {code: rank for rank, code in enumerate(RULES)}
Index = QModelIndex | QPersistentModelIndex


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def summary_text(report: QualityReport) -> str:
    """`12 failures in 9 records: 574 ×5, 581 ×4 …`, or blank when there are none."""
    counts = report.counts()
    if not counts:
        return ""
    named = ", ".join(f"{code} ×{count:,}" for code, count in counts[:CODES_NAMED])
    more = " …" if len(counts) > CODES_NAMED else ""
    failures, records = plural(len(report.rows), "failure"), plural(report.records, "record")
    return f"{failures} in {records}: {named}{more}"


def all_clear_text(report: QualityReport) -> tuple[str, str]:
    """The empty state's headline and the line under it."""
    year = report.year
    whose = "the records of your homes" if report.limited else "Homeward's records"
    dates = f"1 April {year.start.year} to 31 March {year.end.year}"
    if report.episodes == 0:
        return f"Nothing to check for {year}", f"No missing or absent episodes from {dates}."
    return (
        f"No failures: {whose} for {year} pass the Department's checks",
        f"{plural(report.episodes, 'episode')} from {dates}, checked against the "
        f"{len(RULES)} rules on missing periods that the council's 903 return must meet.",
    )


def _sort_key(row: QualityRow, column: int) -> tuple[str | int, int]:
    """The value a column sorts by; the line of `export 903` (the file's order) breaks ties."""
    started = row.started.toordinal() if row.started else 0
    keys = (RULE_ORDER[row.code], row.child.casefold(), started, row.failure.message)
    return keys[column], row.failure.line


class FailuresModel(QAbstractTableModel):
    """The failures of one rule (or all), in memory: a year holds a few hundred at most."""

    def __init__(self) -> None:
        super().__init__()
        self.every: list[QualityRow] = []
        self.rows: list[QualityRow] = []
        self.code: str | None = None
        self.order = (0, Qt.SortOrder.AscendingOrder)

    def show(self, rows: list[QualityRow], code: str | None) -> None:
        """Show the rows failing rule `code` (None: every rule), in the current order."""
        self.beginResetModel()
        self.every, self.code = rows, code
        self.rows = [row for row in rows if code is None or row.code == code]
        self._arrange()
        self.endResetModel()

    def row(self, position: int) -> QualityRow:
        return self.rows[position]

    def _arrange(self) -> None:
        column, order = self.order
        self.rows.sort(
            key=lambda row: _sort_key(row, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    # Qt's model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADINGS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            opens = "the child's record" if row.opens_child else "the episode"
            return f"{row.code}: {row.failure.rule}.\nEnter or a double-click opens {opens}."
        if role == ROW_ID_ROLE:
            return index.row()  # the row's position: a row opens a child or an episode
        return None

    @staticmethod
    def _text(row: QualityRow, column: int) -> str:
        if column == 0:
            return row.code
        if column == 1:
            return row.child
        if column == 2:
            return "" if row.started is None else f"{row.started:%a %d/%m/%Y}"
        return row.failure.message

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return HEADINGS[section] if 0 <= section < len(HEADINGS) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADINGS):
            return
        self.beginResetModel()
        self.order = (column, order)
        self._arrange()
        self.endResetModel()


class DataQualityPage(Page):
    title = "Data quality"
    entities = frozenset({"missing_episodes", "children", "placements", "care_homes", "users"})

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.reader = Reader(context.db, self)
        self.report: QualityReport | None = None
        self.export_folder = str(Path.home())
        layout = self.page_layout(
            "Homeward's own records checked as the council's SSDA903 return will be, against "
            "the Department for Education's rules on missing periods. Enter or a double-click "
            "opens the record to correct; the list follows every change."
        )
        layout.addLayout(self._pickers())
        layout.addLayout(self._summary_row())
        self.banner = QLabel("")
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.body = QStackedWidget()
        self.body.addWidget(self._table())
        self.body.addWidget(self._all_clear())
        layout.addWidget(self.body, 1)
        self.reader.busy.connect(self._busy)
        self.load()

    # Widgets ----------------------------------------------------------------------------

    def _pickers(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.year = QComboBox()
        self.year.setToolTip("The collection year: 1 April to 31 March")
        current = CollectionYear.containing(local_date(self.context.now()))
        self._fill_years(CollectionYear(current.first_year - 1), current)
        self.rule = QComboBox()
        self.rule.setMinimumContentsLength(34)
        self.rule.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.rule.addItem("Every rule", None)
        self.export_button = QPushButton("Export 903…")
        self.export_button.setToolTip(
            "Write the year's Missing table (missing.csv) for the council's 903 return"
        )
        for text, widget in (("Collection &year", self.year), ("&Rule", self.rule)):
            caption = QLabel(text)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.export_button)
        self.year.currentIndexChanged.connect(lambda _index: self.load())
        self.rule.currentIndexChanged.connect(lambda _index: self._filter())
        self.export_button.clicked.connect(self.export)
        return row

    def _summary_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.summary = QLabel("")
        self.summary.setObjectName("sectionTitle")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # no steps to count: it shows the checks are running
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.note = count_label()
        self.note.setWordWrap(True)
        row.addWidget(self.summary)
        row.addWidget(self.progress)
        row.addWidget(self.note, 1)
        return row

    def _table(self) -> QTableView:
        self.model = FailuresModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, SAMPLES)
        heading = self.table.fontMetrics().horizontalAdvance(HEADINGS[0])
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), heading + 40))  # the arrow
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        open_on_enter(self.table, self.open_row)
        return self.table

    def _all_clear(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("allClear")
        column = QVBoxLayout(frame)
        column.setContentsMargins(20, 18, 20, 18)
        self.clear_title = QLabel("")
        self.clear_title.setObjectName("allClearTitle")
        self.clear_title.setWordWrap(True)
        self.clear_detail = QLabel("")
        self.clear_detail.setWordWrap(True)
        column.addWidget(self.clear_title)
        column.addWidget(self.clear_detail)
        holder = QFrame()
        outer = QVBoxLayout(holder)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.addWidget(frame)
        outer.addStretch(1)
        return holder

    def _fill_years(self, first: CollectionYear, last: CollectionYear) -> None:
        """Offer the years from `last` back to `first`, keeping the year chosen."""
        chosen = self.year.currentText()
        self.year.blockSignals(True)
        self.year.clear()
        for start in range(last.first_year, first.first_year - 1, -1):
            self.year.addItem(CollectionYear(start).label, CollectionYear(start))
        self.year.setCurrentIndex(max(self.year.findText(chosen), 0))
        self.year.blockSignals(False)

    def _fill_rules(self, report: QualityReport) -> None:
        """One choice per rule failed, with its count; the rule chosen stays if still failed."""
        chosen = self.rule.currentData()
        self.rule.blockSignals(True)
        self.rule.clear()
        self.rule.addItem(f"Every rule ({len(report.rows):,})", None)
        for code, count in sorted(report.counts(), key=lambda item: RULE_ORDER[item[0]]):
            self.rule.addItem(f"{code} ×{count:,}: {RULES[code]}", code)
            self.rule.setItemData(self.rule.count() - 1, RULES[code], Qt.ItemDataRole.ToolTipRole)
        self.rule.setCurrentIndex(max(self.rule.findData(chosen), 0))
        self.rule.view().setMinimumWidth(self.rule.view().sizeHintForColumn(0) + 24)
        self.rule.blockSignals(False)

    # Reading ----------------------------------------------------------------------------

    def chosen_year(self) -> CollectionYear:
        year = self.year.currentData()
        assert isinstance(year, CollectionYear)
        return year

    def load(self) -> None:
        """Check the chosen year's records, off the GUI thread (replacing any check running)."""
        from missing_app.core.queries.data_quality import read_quality

        year, username = self.chosen_year(), self.context.username
        self.summary.setText(f"Checking the records of {year}…")
        self.reader.read(lambda session: read_quality(session, username, year), self.show_report,
                         self._failed)  # fmt: skip

    def refresh(self) -> None:
        self.load()

    def show_report(self, report: QualityReport) -> None:
        self.report = report
        self.banner.hide()
        current = self._current_year()
        # Last year's return is made in the spring: always offered, episodes or none.
        first = min(report.first_year, CollectionYear(current.first_year - 1))
        self._fill_years(first, max(report.year, current))
        self._fill_rules(report)
        self.rule.setEnabled(bool(report.rows))
        self.model.show(report.rows, self.rule.currentData())
        self.summary.setText(summary_text(report))
        headline, detail = all_clear_text(report)
        self.clear_title.setText(headline)
        self.clear_detail.setText(detail)
        self.body.setCurrentIndex(0 if report.rows else 1)
        self._allow_export()

    def _current_year(self) -> CollectionYear:
        return CollectionYear.containing(local_date(self.context.now()))

    def _filter(self) -> None:
        if self.report is not None:
            self.model.show(self.report.rows, self.rule.currentData())

    def _failed(self, error: Exception) -> None:
        log.error("the records could not be checked", exc_info=error)
        self.summary.setText("")
        self.banner.setText(f"The records could not be checked: {error}")
        self.banner.show()

    def _busy(self, _on: bool = False) -> None:
        self.progress.setVisible(self.reader.waiting)

    def open_row(self, position: int) -> None:
        """Open the record that a row's failure asks to correct."""
        navigator = self.context.navigator
        if navigator is None or not 0 <= position < self.model.rowCount():
            return
        failure = self.model.row(position)
        if failure.opens_child:
            navigator.open_child(failure.failure.child_id)
        else:
            navigator.open_episode(failure.failure.episode_id)

    # Export -----------------------------------------------------------------------------

    def _allow_export(self, working: bool = False) -> None:
        allowed = self.report is None or self.report.may_export
        self.export_button.setEnabled(allowed and not working)
        if not allowed:
            self.export_button.setToolTip(
                "The 903 return holds every home's episodes: a supervisor or an analyst exports it"
            )

    def export(self) -> None:
        """Ask for a folder, then check and write the chosen year's Missing table there."""
        folder = QFileDialog.getExistingDirectory(
            self, "Export the 903 Missing table into…", self.export_folder
        )
        if folder:
            self.export_folder = folder
            self._export(self.chosen_year(), folder, force=False)

    def _export(self, year: CollectionYear, folder: str, *, force: bool) -> None:
        from missing_app.core.queries.data_quality import export_year

        self._allow_export(working=True)
        self.note.setText(f"Checking and writing the Missing table of {year}…")
        self.context.worker.submit(
            lambda records: export_year(records.db, records.username, year, folder, force=force),
            {"audit_events"},
            self._exported,
            lambda error: self._not_exported(error, year, folder),
        )

    def _exported(self, exported: Exported) -> None:
        self._allow_export()
        forced = exported.failures
        anyway = f", {plural(len(forced), 'failure')} of the checks included" if forced else ""
        self.note.setText(f"Wrote {plural(exported.rows, 'row')} to {exported.path}{anyway}.")

    def _not_exported(self, error: Exception, year: CollectionYear, folder: str) -> None:
        self._allow_export()
        if isinstance(error, ExportRefused):
            if self._export_anyway(error, year):
                self._export(year, folder, force=True)
                return
            self.note.setText("Nothing was exported.")
            return
        if not isinstance(error, HomewardError):
            raise error
        self.note.setText("")
        self.banner.setText(f"Nothing was exported: {error}")
        self.banner.show()

    def _export_anyway(self, refused: ExportRefused, year: CollectionYear) -> bool:
        failures = plural(len(refused.failures), "failure")
        answer = QMessageBox.question(
            self,
            "Export anyway?",
            f"The records of {year} have {failures} of the Department's checks: the council's "
            "validator will list the same failures.\n\n"
            "Export the Missing table as it is?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
