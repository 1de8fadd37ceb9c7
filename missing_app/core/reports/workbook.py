"""The pack as an Excel workbook: sheets Summary, Homes, Children, Episodes and Actions.

Figures are stored as numbers (percentages 0-100 shown with a % sign, money in pounds),
dates and times as dates in UK time, each sheet with a frozen, filtered header row and
columns sized to their contents. A suppressed small count is the text `<5`. Every sheet
prints with OFFICIAL-SENSITIVE at the top and bottom.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from missing_app.core.reports.figures import (
    HOME_COLUMNS,
    all_figures,
    hidden,
    hidden_text,
    home_rows,
)
from missing_app.core.reports.formats import SUPPRESSED, is_small, moment_text
from missing_app.core.reports.pack import MonthlyPack
from missing_app.core.reports.pdf_layout import MARKING
from missing_app.core.times import local

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

NUMBER_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "decimal": "0.00",
    "tenths": "0.0",
    "pct": '0.0"%"',
    "hours": "0.00",
    "minutes": "0.0",
    "money": '"£"#,##0.00;-"£"#,##0.00',
    "ratio": "0.000",
    "rate": "0.000",
    "date": "d mmm yyyy",
    "moment": "d mmm yyyy hh:mm",
}
HEADER_FILL = "E4E4E4"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, column headings, their formats (a Kind, 'date', 'moment' or
    None for text) and rows."""

    name: str
    headings: Sequence[str]
    formats: Sequence[str | None]
    rows: Sequence[Sequence[Any]]


def render_workbook(pack: MonthlyPack) -> bytes:
    """The workbook's bytes (.xlsx), written row by row (a force's month has many)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = (
        summary_sheet(pack),
        homes_sheet(pack),
        children_sheet(pack),
        episodes_sheet(pack),
        actions_sheet(pack),
    )
    for sheet in sheets:
        after = about_rows(pack) if sheet.name == "Summary" else []
        _write_sheet(book.create_sheet(sheet.name), sheet, after)
    book.properties.title = f"Monthly liaison pack: {pack.scope}, {pack.month.label}"
    book.properties.creator = pack.generated_by
    book.properties.subject = MARKING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The sheets' contents ------------------------------------------------------------------------


def _small(pack: MonthlyPack, value: Any, small_count: bool) -> Any:
    """`value`, or '<5' when it is a small count of a per-home or per-child table."""
    if pack.request.suppress_small and small_count and is_small(value):
        return SUPPRESSED
    return value


def summary_sheet(pack: MonthlyPack) -> Sheet:
    month = pack.month
    headings = ("Figure", "Key", month.label, month.previous().label, month.year_before().label)
    rows, formats = [], []
    one_home = pack.home is not None
    months = (pack.figures, pack.previous, pack.year_before)
    for spec in all_figures(pack.settings):
        values = [
            hidden_text(pack, spec) if hidden(pack, spec, figures) else figures[spec.key]
            for figures in months
        ]
        rows.append([spec.label, spec.key, *values])
        formats.append(spec.kind)
    for band in pack.figures["bands"]:
        values = [
            figures["bands"][band] for figures in (pack.figures, pack.previous, pack.year_before)
        ]
        label = f"Children with {band} episode{'' if band == '1' else 's'}"
        rows.append([label, f"bands.{band}", *(_small(pack, v, one_home) for v in values)])
        formats.append("count")
    return _RowFormats("Summary", headings, [None, None, "row", "row", "row"], rows, formats)


@dataclass(frozen=True)
class _RowFormats(Sheet):
    """A sheet whose number format goes by row (the Summary's figures), where a column's
    format is 'row'."""

    row_formats: Sequence[str] = ()


def homes_sheet(pack: MonthlyPack) -> Sheet:
    formats = [
        ("date" if column.name == "engagement_start" else column.kind) for column in HOME_COLUMNS
    ]
    rows = []
    for row in home_rows(pack):
        cells = []
        for column in HOME_COLUMNS:
            value = row[column.name]
            if column.name == "engagement_start" and value is not None:
                value = date.fromisoformat(value)
            cells.append(_small(pack, value, column.small_count))
        rows.append(cells)
    return Sheet("Homes", [column.heading for column in HOME_COLUMNS], formats, rows)


def _names(pack: MonthlyPack) -> tuple[list[str], list[str | None]]:
    if pack.request.names:
        return ["Child", "Name", "Local reference"], [None, None, None]
    return ["Child"], [None]


def _label_cells(pack: MonthlyPack, label: Any) -> list[Any]:
    return [label.code, label.name, label.local_ref] if pack.request.names else [label.code]


def children_sheet(pack: MonthlyPack) -> Sheet:
    headings, formats = _names(pack)
    where = "all homes" if pack.home is None else "this home"
    headings += [
        "Homes this month",
        f"Episodes this month ({where})",
        "Episodes in the 90 days to the month's end (all homes)",
        "Crossed the repeat threshold",
        "Last seen this month",
    ]
    formats += [None, "count", "count", None, "moment"]
    rows = [
        [
            *_label_cells(pack, child.child),
            child.homes,
            _small(pack, child.episodes, True),
            _small(pack, child.episodes_90_days, True),
            "Yes" if child.crossed else "No",
            _local(child.last_seen_at),
        ]
        for child in pack.children
    ]
    return Sheet("Children", headings, formats, rows)


def episodes_sheet(pack: MonthlyPack) -> Sheet:
    label_headings, label_formats = _names(pack)
    reference = "Police reference" if pack.request.names else "Police reference recorded"
    headings = [
        "Episode",
        *label_headings,
        "Home URN",
        "Home",
        "Type",
        "Risk",
        "Last seen",
        "Reported",
        reference,
        "Returned",
        "Hours away",
        "Safe-and-well check",
        "RHI offered",
        "RHI completed",
        "RHI declined",
    ]
    formats: list[str | None] = [
        None,
        *label_formats,
        None,
        None,
        None,
        None,
        "moment",
        "moment",
        None,
        "moment",
        "hours",
        "moment",
        "moment",
        "moment",
        None,
    ]
    rows = []
    for e in pack.episodes:
        police = e.police_ref if pack.request.names else ("Yes" if e.has_police_ref else "No")
        rows.append(
            [
                e.episode_id,
                *_label_cells(pack, e.child),
                e.home_urn,
                e.home,
                e.type,
                (e.risk or "").replace("_", " ") or None,
                _local(e.last_seen_at),
                _local(e.reported_at),
                police,
                _local(e.returned_at),
                e.hours_away,
                _local(e.safe_and_well_at),
                _local(e.rhi_offered_at),
                _local(e.rhi_completed_at),
                "Yes" if e.rhi_declined else "No",
            ]
        )
    return Sheet("Episodes", headings, formats, rows)


def actions_sheet(pack: MonthlyPack) -> Sheet:
    headings = [
        "Home URN",
        "Home",
        "Meeting",
        "Action",
        "Owner",
        "Due",
        "Done",
        f"Status at the end of {pack.month.label}",
    ]
    formats = [None, None, "date", None, None, "date", "date", None]
    rows = [
        [
            a.home_urn,
            a.home,
            a.held_on,
            a.description,
            a.owner,
            a.due_on,
            a.done_on,
            a.status(pack.month.last),
        ]
        for a in pack.actions
    ]
    return Sheet("Actions", headings, formats, rows)


def _local(moment: datetime | None) -> datetime | None:
    """UK wall-clock time without a zone: Excel has none."""
    return None if moment is None else local(moment).replace(tzinfo=None)


# Writing -----------------------------------------------------------------------------------


def _write_sheet(sheet: Worksheet, content: Sheet, after: list[tuple[str, str]]) -> None:
    """Write one sheet: sized columns, a bold frozen header, numbers in their formats, and
    `after`'s (label, text) lines below a blank row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    _size_columns(sheet, content)
    _print_setup(sheet)
    sheet.freeze_panes = "A2"
    if content.rows:
        sheet.auto_filter.ref = f"A1:{_column(len(content.headings))}{len(content.rows) + 1}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    wrap, right = Alignment(wrap_text=True, vertical="top"), Alignment(horizontal="right")
    header = []
    for heading in content.headings:
        cell = WriteOnlyCell(sheet, heading)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        header.append(cell)
    sheet.append(header)
    for index, row in enumerate(content.rows):
        cells = []
        for column, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value)
            kind = _format_of(content, index, column)
            if value == SUPPRESSED:
                cell.alignment = right
            elif kind is not None and value is not None and not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS[kind]
            cells.append(cell)
        sheet.append(cells)
    if after:
        sheet.append([])
    for label, text in after:
        cell = WriteOnlyCell(sheet, label)
        cell.font = bold
        sheet.append([cell, text])


def _print_setup(sheet: Worksheet) -> None:
    """Landscape, one page wide, the header row on every page, marked top and bottom."""
    sheet.oddHeader.center.text = MARKING
    sheet.oddFooter.center.text = MARKING
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _column(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _format_of(content: Sheet, row: int, column: int) -> str | None:
    kind = content.formats[column]
    if kind == "row" and isinstance(content, _RowFormats):
        return content.row_formats[row]
    return kind


def _size_columns(sheet: Worksheet, content: Sheet) -> None:
    """Each column as wide as its longest value (headings wrap), within 8 to 60 characters."""
    for column, heading in enumerate(content.headings):
        widest = max((len(word) for word in str(heading).split()), default=8)
        for row in content.rows:
            widest = max(widest, _shown_width(row[column]))
        sheet.column_dimensions[_column(column + 1)].width = min(max(widest + 2, 8), 60)


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 17
    if isinstance(value, date):
        return 11
    if isinstance(value, float):
        return len(f"{value:,.2f}") + 1
    if isinstance(value, int):
        return len(f"{value:,}")
    return len(str(value))


def about_rows(pack: MonthlyPack) -> list[tuple[str, str]]:
    """Below the Summary's figures: what the pack covers, when and by whom it was made."""
    shown = (
        "by name and local reference"
        if pack.request.names
        else "by pseudonymous code, the same in every pack from these records"
    )
    lines = [
        ("About this pack", MARKING),
        ("Scope", pack.scope),
        ("Month", f"{pack.month.label} ({pack.month.first} to {pack.month.last}, UK time)"),
        ("Prepared", f"{moment_text(pack.generated_at)} by {pack.generated_by}"),
        ("Children", shown),
    ]
    if pack.request.suppress_small:
        lines.append(
            ("Small numbers", "counts from 1 to 4 in per-home and per-child tables read <5")
        )
    return lines
