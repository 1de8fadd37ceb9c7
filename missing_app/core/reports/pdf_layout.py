"""The look of the pack's PDF: A4 pages marked OFFICIAL-SENSITIVE top and bottom, page
numbers, paragraph and table styles, and charts placed as images.

reportlab and matplotlib are imported inside the functions, so importing this module costs
nothing until a pack is written. Text is set in DejaVu Sans (shipped with matplotlib, so
the charts and the text match) because it has the arrows and signs the pack uses.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable

MARKING = "OFFICIAL-SENSITIVE"
FONT, BOLD = "HomewardSans", "HomewardSans-Bold"
MM = 72 / 25.4  # points in a millimetre
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
SIDE, TOP, BOTTOM = 16 * MM, 22 * MM, 20 * MM
FRAME_WIDTH = PAGE_WIDTH - 2 * SIDE
FRAME_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM
INK, GREY, RULE, HEADER_FILL, STRIPE = "#111111", "#555555", "#9a9a9a", "#e4e4e4", "#f4f4f4"
ACCENT = "#08306b"  # the charts' dark blue: prints as near black
CHART_DPI = 150
CELL_PADDING = 2.5  # points either side of a table cell's text


@cache
def register_fonts() -> None:
    """Make DejaVu Sans (regular and bold) known to reportlab, once."""
    from pathlib import Path

    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


# Styles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    title: Any
    subtitle: Any
    heading: Any
    body: Any
    lead: Any  # a paragraph that introduces what follows: kept on its page
    note: Any
    cell: Any
    cell_bold: Any
    cell_right: Any
    head: Any
    head_right: Any
    tile_caption: Any
    tile_value: Any
    tile_change: Any


@cache
def styles() -> Styles:
    """The paragraph styles of the pack."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12.5, textColor=INK)
    cell = ParagraphStyle("cell", body, fontSize=8, leading=10)
    head = ParagraphStyle("head", cell, fontName=BOLD, fontSize=7.5, leading=9.5)
    return Styles(
        title=ParagraphStyle(
            "title", body, fontName=BOLD, fontSize=21, leading=25, textColor=ACCENT
        ),
        subtitle=ParagraphStyle("subtitle", body, fontSize=13, leading=17, spaceAfter=2),
        heading=ParagraphStyle(
            "heading",
            body,
            fontName=BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=5,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        body=ParagraphStyle("para", body, spaceAfter=5),
        lead=ParagraphStyle("lead", body, spaceAfter=5, keepWithNext=1),
        note=ParagraphStyle(
            "note", body, fontSize=7.5, leading=10, textColor=GREY, spaceBefore=3, spaceAfter=3
        ),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", cell, fontName=BOLD),
        cell_right=ParagraphStyle("cell_right", cell, alignment=TA_RIGHT),
        head=head,
        head_right=ParagraphStyle("head_right", head, alignment=TA_RIGHT),
        tile_caption=ParagraphStyle(
            "tile_caption", cell, fontSize=7.5, leading=9.5, textColor=GREY, alignment=TA_CENTER
        ),
        tile_value=ParagraphStyle(
            "tile_value", body, fontName=BOLD, fontSize=17, leading=21, alignment=TA_CENTER
        ),
        tile_change=ParagraphStyle(
            "tile_change", cell, fontSize=7, leading=9, textColor=GREY, alignment=TA_CENTER
        ),
    )


def escape(text: str) -> str:
    """Text safe inside a reportlab Paragraph (its markup is a little XML)."""
    from xml.sax.saxutils import escape as xml_escape

    return xml_escape(text)


def keep_together(flowables: list[Flowable]) -> Flowable:
    """Flowables laid out on one page (the next, when they do not fit on this one): a
    heading and its notes are never parted."""
    from reportlab.platypus import KeepTogether

    return KeepTogether(flowables)


# Pages: marking, running title, page numbers -------------------------------------------------


@dataclass(frozen=True)
class PageFurniture:
    """What every page carries besides its content."""

    running_title: str  # 'Monthly liaison pack · October 2025'
    scope: str
    generated: str  # 'Generated 21 Nov 2026 20:15 by pcso.jones'

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * MM, MARKING)
        canvas.drawCentredString(PAGE_WIDTH / 2, 7 * MM, MARKING)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        top = PAGE_HEIGHT - 16 * MM
        canvas.drawString(SIDE, top, self.running_title)
        canvas.drawRightString(PAGE_WIDTH - SIDE, top, self.scope)
        canvas.drawString(SIDE, 13 * MM, self.generated)
        canvas.drawRightString(PAGE_WIDTH - SIDE, 13 * MM, f"Page {page} of {pages}")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(SIDE, top - 2 * MM, PAGE_WIDTH - SIDE, top - 2 * MM)
        canvas.line(SIDE, 16 * MM, PAGE_WIDTH - SIDE, 16 * MM)
        canvas.restoreState()


def numbered_canvas(furniture: PageFurniture) -> type[Canvas]:
    """A canvas class that holds each page back until the last, to write 'Page n of m'."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                furniture.draw(self, number, len(self._held))
                super().showPage()
            super().save()

    return NumberedCanvas


def write_document(
    story: list[Flowable], furniture: PageFurniture, title: str, author: str
) -> bytes:
    """Lay out `story` on A4 pages and return the PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        author=author,
        subject=MARKING,
        creator="Homeward",
    )
    document.build(story, canvasmaker=numbered_canvas(furniture))
    return out.getvalue()


# Tables --------------------------------------------------------------------------------------


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    right: Sequence[int] = (),
    extra: Sequence[tuple[Any, ...]] = (),
    note: Flowable | None = None,
) -> Flowable:
    """A table whose header repeats on every page it runs to; rows never split.

    `widths` are millimetres; columns in `right` are right-aligned (numbers). Strings become
    wrapping paragraphs; flowables are placed as they are. `extra` adds TableStyle commands.
    A `note` is set under the last row and never parted from it by a page break.
    """
    from reportlab.platypus import LongTable, Paragraph

    style = styles()
    heads = [
        Paragraph(escape(text), style.head_right if i in right else style.head)
        for i, text in enumerate(header)
    ]
    body = [
        [
            (number_cell(value, widths[i]) if i in right else Paragraph(escape(value), style.cell))
            if isinstance(value, str)
            else value
            for i, value in enumerate(row)
        ]
        for row in rows
    ]
    if note is not None:
        body.append([note, *([""] * (len(header) - 1))])
    found = LongTable(
        [heads, *body],
        colWidths=[w * MM for w in widths],
        repeatRows=1,
        splitByRow=1,
        hAlign="LEFT",
    )
    found.setStyle(table_style(len(rows), extra, noted=note is not None))
    return found


def number_cell(text: str, width_mm: float) -> Flowable:
    """A right-aligned number on one line: in smaller type if the column is too narrow for
    it, never broken in two."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    style = styles().cell_right
    room = width_mm * MM - 2 * CELL_PADDING - 0.5
    size = style.fontSize
    while size > 6 and stringWidth(text, FONT, size) > room:
        size -= 0.25
    if size != style.fontSize:
        style = ParagraphStyle("cell_right_small", style, fontSize=size)
    return Paragraph(escape(text), style)


def table_style(rows: int, extra: Sequence[tuple[Any, ...]] = (), noted: bool = False) -> Any:
    """The look of a table of `rows` rows; `noted`: one more row, a note across the table,
    kept on the page of the last row (NOSPLIT), so that it is never left alone."""
    from reportlab.platypus import TableStyle

    last = -2 if noted else -1
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, last), 0.25, "#c8c8c8"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if rows:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last), ["#ffffff", STRIPE]))
    if noted:
        commands += [
            ("SPAN", (0, -1), (-1, -1)),
            ("NOSPLIT", (0, -2), (-1, -1)),
            ("LEFTPADDING", (0, -1), (-1, -1), 0),
        ]
    return TableStyle([*commands, *extra])


# Charts --------------------------------------------------------------------------------------


def chart_image(figure: Figure, width_mm: float = FRAME_WIDTH / MM) -> Flowable:
    """A matplotlib Figure as a PNG at 150 dpi, `width_mm` wide (less if it would be taller
    than a page)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from reportlab.platypus import Image

    FigureCanvasAgg(figure)
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=CHART_DPI, facecolor="white")
    inches_wide, inches_high = figure.get_size_inches()
    width = width_mm * MM
    height = width * inches_high / inches_wide
    if height > FRAME_HEIGHT - 30 * MM:
        height = FRAME_HEIGHT - 30 * MM
        width = height * inches_wide / inches_high
    png.seek(0)
    return Image(png, width=width, height=height)


def shade(percent: float) -> tuple[str, str]:
    """(fill, text colour) for a percentage: white at 0 to the charts' dark blue at 100, so
    that darker always means higher, in colour or grey."""
    light, dark = (255, 255, 255), (8, 48, 107)
    mix = max(0.0, min(1.0, percent / 100))
    rgb = [round(a + (b - a) * mix) for a, b in zip(light, dark, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if percent > 55 else INK)
