"""The first page of the pack's PDF: the cover block (home, month, meeting, who made it),
five figures in large type, and the headline figures against the month before and the
same month a year earlier. `comparison_table` serves the later sections too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from missing_app.core.reports.figures import (
    FigureSpec,
    all_figures,
    hidden,
    hidden_text,
    volume_figures,
)
from missing_app.core.reports.formats import (
    DASH,
    change_text,
    day_text,
    moment_text,
    value_text,
)
from missing_app.core.reports.pack import MonthlyPack
from missing_app.core.reports.pdf_layout import INK, MM, escape, styles, table

if TYPE_CHECKING:
    from reportlab.platypus import Flowable


# Figures with their changes ----------------------------------------------------------------


def figure_cells(pack: MonthlyPack, spec: FigureSpec, name_months: bool = False) -> list[str]:
    """[this month, month before, change, a year before, change] of one figure; a change
    next to a suppressed value is not given, since it would tell what was hidden. With
    `name_months` a change names the month it is on ('2 fewer than Oct 2026 (better)')."""
    months = (pack.figures, pack.previous, pack.year_before)
    now, before, year = (figures[spec.key] for figures in months)
    hide = [hidden(pack, spec, figures) for figures in months]
    texts = [
        hidden_text(pack, spec) if hide[i] else value_text(value, spec.kind)
        for i, value in enumerate((now, before, year))
    ]
    changes = [
        DASH
        if hide[0] or hide[i]
        else change_text(now, then, spec.kind, spec.better, month.short if name_months else "")
        for i, then, month in (
            (1, before, pack.month.previous()),
            (2, year, pack.month.year_before()),
        )
    ]
    return [texts[0], texts[1], changes[0], texts[2], changes[1]]


def comparison_header(pack: MonthlyPack, first: str) -> list[str]:
    month = pack.month
    return [
        first,
        month.short,
        month.previous().short,
        "Change",
        month.year_before().short,
        "Change",
    ]


COMPARISON_WIDTHS = (50, 20, 20, 34, 20, 34)


def comparison_table(
    pack: MonthlyPack, specs: tuple[FigureSpec, ...], note: Flowable | None = None
) -> Flowable:
    from reportlab.platypus import Paragraph

    right = styles().cell_right
    rows: list[list[Any]] = []
    for spec in specs:
        cells: list[Any] = [spec.label, *figure_cells(pack, spec)]
        for change in (3, 5):  # a change in words may take two lines: it wraps
            cells[change] = Paragraph(escape(cells[change]), right)
        rows.append(cells)
    header = comparison_header(pack, "Figure")
    return table(header, rows, COMPARISON_WIDTHS, right=(1, 2, 3, 4, 5), note=note)


# The cover ------------------------------------------------------------------------------------


def cover(pack: MonthlyPack) -> list[Flowable]:
    from reportlab.platypus import Paragraph, Spacer

    style = styles()
    month = pack.month
    span = f"{month.first.day} to {month.last.day} {month.first:%B %Y}"
    return [
        Paragraph("Monthly liaison pack", style.title),
        Paragraph(escape(pack.scope), style.subtitle),
        Paragraph(
            f"{escape(month.label)} <font color='#555555'>({span}, UK time)</font>", style.body
        ),
        Spacer(0, 2 * MM),
        _facts_table(cover_facts(pack)),
        Spacer(0, 4 * MM),
        tiles(pack),
    ]


def cover_facts(pack: MonthlyPack) -> list[tuple[str, str]]:
    """(label, text) lines of the cover block."""
    facts = _home_facts(pack) if pack.home is not None else _force_facts(pack)
    shown = (
        "by name and local reference"
        if pack.request.names
        else "by pseudonymous code, the same in every pack from these records"
    )
    if pack.request.suppress_small:
        shown += "; counts from 1 to 4 in per-home and per-child tables read <5"
    return [
        *facts,
        ("Children", f"Shown {shown}"),
        ("Prepared", f"{moment_text(pack.generated_at)} by {pack.generated_by}"),
    ]


def _home_facts(pack: MonthlyPack) -> list[tuple[str, str]]:
    home = pack.home
    assert home is not None
    beds = "" if home.beds is None else f" · {home.beds} beds"
    run_by = " · ".join(p for p in (home.provider, home.local_authority) if p) or DASH
    engaged = (
        f"since {day_text(home.engagement_start)}"
        if home.engagement_start
        else "no engagement start recorded"
    )
    return [
        ("Home", f"{home.name} · URN {home.urn}{beds}"),
        ("Provider", run_by),
        ("PCSO", f"{home.pcso or 'none assigned'} · {engaged}"),
        ("Meeting", _meeting_text(pack)),
    ]


def _meeting_text(pack: MonthlyPack) -> str:
    parts = []
    if pack.next_meeting is not None:
        parts.append(f"For the meeting of {day_text(pack.next_meeting)}.")
    meeting = pack.last_meeting
    if meeting is None:
        parts.append(f"No meeting recorded by the end of {pack.month.label}.")
    else:
        with_whom = f" with {meeting.attendees}" if meeting.attendees else ""
        count = len(pack.actions)
        parts.append(
            f"Last meeting {day_text(meeting.held_on)}{with_whom}; {count:,} "
            f"action{'' if count == 1 else 's'} open at the end of the month."
        )
    return " ".join(parts)


def _force_facts(pack: MonthlyPack) -> list[tuple[str, str]]:
    active = sum(1 for home in pack.figures["homes"] if home["episodes"])
    meetings, met = pack.meetings_in_month
    return [
        (
            "Homes",
            f"Every home: {pack.homes_in_database:,} in the records, {active:,} with an "
            f"episode in {pack.month.label}",
        ),
        ("Meetings", f"{meetings:,} liaison meetings with {met:,} homes in {pack.month.label}"),
        (
            "Actions",
            f"{len(pack.actions):,} open at the end of the month, from any meeting",
        ),
    ]


def _facts_table(facts: list[tuple[str, str]]) -> Flowable:
    from reportlab.platypus import Paragraph, Table, TableStyle

    style = styles()
    rows = [
        [Paragraph(escape(label), style.cell_bold), Paragraph(escape(text), style.cell)]
        for label, text in facts
    ]
    found = Table(rows, colWidths=[24 * MM, 154 * MM], hAlign="LEFT")
    found.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return found


def tile_captions(pack: MonthlyPack) -> dict[str, str]:
    """The five figures of the cover, in large type: key and caption."""
    return {
        "episodes": "Episodes",
        "children": "Children who went missing or absent",
        "triggered_children": "Children who crossed the repeat threshold",
        "rhi_completed_72h_pct": f"RHI completed within {pack.settings.rhi_window_hours:g} hours",
        "cost_estimate": "Estimated cost of the episodes",
    }


TILE_WIDTH = 178 / 5 * MM
TILE_PADDING = 4


def tiles(pack: MonthlyPack) -> Flowable:
    """Five figures in large type, each with its change on the month before and the year:
    a row of captions, a row of values and a row of changes, boxed by column."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    style = styles()
    specs = {spec.key: spec for spec in all_figures(pack.settings)}
    captions, values, changes = [], [], []
    for key, caption in tile_captions(pack).items():
        now, _, on_month, _, on_year = figure_cells(pack, specs[key], name_months=True)
        captions.append(Paragraph(escape(caption), style.tile_caption))
        width = TILE_WIDTH - 2 * TILE_PADDING
        values.append(_fitted([now], width, style.tile_value))
        # Changes in words wrap rather than shrink: they must stay readable.
        lines = "<br/>".join(escape(line) for line in (on_month, on_year))
        changes.append(Paragraph(lines, style.tile_change))
    found = Table([captions, values, changes], colWidths=[TILE_WIDTH] * 5, hAlign="LEFT")
    found.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, "#777777"),
                ("LINEAFTER", (0, 0), (-2, -1), 0.6, "#777777"),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), TILE_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), TILE_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return found


def _fitted(lines: list[str], width: float, base: Any) -> Flowable:
    """`lines` in the style `base`, made smaller until the longest fits `width`."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    size = base.fontSize
    while size > 5 and max(stringWidth(line, base.fontName, size) for line in lines) > width:
        size -= 0.25
    fitted = ParagraphStyle(f"{base.name}_fitted", base, fontSize=size)
    return Paragraph("<br/>".join(escape(line) for line in lines), fitted)


def headline(pack: MonthlyPack) -> list[Flowable]:
    from reportlab.platypus import Paragraph

    style = styles()
    note = Paragraph(
        "Episodes are counted in the month the child was last seen (UK time). Each change is "
        "on the month before or on the same month a year earlier, and says whether it is "
        "better or worse where one way is; – means no value (nothing to count from).",
        style.note,
    )
    return [
        Paragraph("Headline figures", style.heading),
        comparison_table(pack, volume_figures(pack.settings), note),
    ]
