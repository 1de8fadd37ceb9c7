"""A council's homes one by one on the Insights page: each home's own figures, with their
change on the period before, in a table sorted by any column; Enter on a row shows that home.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from missing_app.core.queries.areas import HomeChoice
from missing_app.gui.models.windowed import RIGHT, ROW_ID_ROLE
from missing_app.gui.widgets.tables import open_on_enter, prepare_table
from missing_app.gui.widgets.tiles import COUNT, PERCENT, change_amount, change_text, figure_text

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole

COUNCIL_COLUMNS = (
    ("episodes", "Episodes", COUNT),
    ("children", "Children", COUNT),
    ("repeat_children", "Repeat children", COUNT),
    ("police_ref_pct", "Police reference", PERCENT),
    ("rhi_completed_72h_pct", "RHI completed in time", PERCENT),
)


# The widest usual value of each column: widths from the font, not from every row.
COUNCIL_SAMPLES = ("Willowbank Cottage", "SC1000000", "1,234  (+1,234)", "1,234  (+1,234)",
                   "1,234  (+1,234)", "100.0%  (+100.0 pts)")  # fmt: skip


@dataclass(frozen=True)
class HomeRow:
    """One home's entry of `stats()["homes"]` now and in the period before (None: absent)."""

    home_id: int | None
    urn: str
    name: str
    now: dict[str, Any]
    before: dict[str, Any] | None

    def figure(self, key: str) -> float | None:
        value: float | None = self.now.get(key)
        return value

    def cell(self, key: str, kind: str) -> str:
        before = None if self.before is None else self.before.get(key)
        change = change_amount(kind, self.figure(key), before, points="pts")
        return figure_text(kind, self.figure(key)) + (f"  ({change})" if change else "")


def council_rows(
    council_homes: list[HomeChoice], now: dict[str, Any], before: dict[str, Any] | None
) -> list[HomeRow]:
    """The council's homes with an episode in either period, most episodes first. A home
    missing from a period's `homes` had no episode in it: its counts are 0 there."""
    ids = {home.urn: home.id for home in council_homes}
    empty = {key: 0 for key, _, kind in COUNCIL_COLUMNS if kind == COUNT}
    current = {entry["urn"]: entry for entry in now["homes"] if entry["urn"] in ids}
    earlier = {e["urn"]: e for e in (before or {}).get("homes", []) if e["urn"] in ids}
    rows = []
    for urn in current.keys() | earlier.keys():
        entry = current.get(urn, empty)
        previous = None if before is None else earlier.get(urn, empty)
        if entry["episodes"] or (previous or empty)["episodes"]:
            name = (current.get(urn) or earlier[urn])["name"]
            rows.append(HomeRow(ids[urn], urn, name, entry, previous))
    return sorted(rows, key=lambda row: (-(row.figure("episodes") or 0), row.name, row.urn))


class CouncilModel(QAbstractTableModel):
    """A council's homes with their figures and changes; sorted in Python (a few hundred)."""

    HEADINGS = ("Home", "URN", *(title for _, title, _ in COUNCIL_COLUMNS))

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HomeRow] = []

    def show_rows(self, rows: list[HomeRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return self.HEADINGS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == DISPLAY:
            if column < 2:
                return row.name if column == 0 else row.urn
            key, _, kind = COUNCIL_COLUMNS[column - 2]
            return row.cell(key, kind)
        if role == ROW_ID_ROLE:
            return row.home_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(RIGHT.value)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        def key(row: HomeRow) -> Any:
            if column < 2:
                return row.name if column == 0 else row.urn
            value = row.figure(COUNCIL_COLUMNS[column - 2][0])
            return -1.0 if value is None else value

        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class CouncilHomes(QWidget):
    """The figures of a council's homes, one row each: Enter on a row shows that home."""

    def __init__(self, pick_home: Callable[[int], object]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setObjectName("sectionTitle")
        self.summary.setWordWrap(True)
        self.note = QLabel(
            "Each home with an episode in this period or the one before, with its own "
            "figures, as for that home alone; the change on the period before is in brackets. "
            "Children are not added up for the council, since a child who went missing from "
            "two homes counts at each. Enter or a double-click shows a home's figures and charts."
        )
        self.note.setObjectName("pageSubtitle")
        self.note.setWordWrap(True)
        self.model = CouncilModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        prepare_table(self.table, COUNCIL_SAMPLES)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setMinimumHeight(420)
        self.opener = open_on_enter(self.table, pick_home)
        for widget in (self.summary, self.note, self.table):
            layout.addWidget(widget)

    def waiting(self, council: str) -> None:
        self.summary.setText(f"The homes of {council}: working out their figures…")
        self.model.show_rows([])

    def show_homes(
        self,
        council: str,
        now: dict[str, Any],
        before: dict[str, Any] | None,
        days: int,
        homes: list[HomeChoice],
    ) -> None:
        rows = council_rows([home for home in homes if home.council == council], now, before)
        self.model.show_rows(rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        total = sum(row.figure("episodes") or 0 for row in rows)
        text = f"{council}: {total:,} episodes at {len(rows):,} homes"
        if before is not None:
            earlier = sum((row.before or {}).get("episodes", 0) for row in rows)
            text += f" ({change_text(COUNT, total, earlier, days)})"
        self.summary.setText(text)
