"""The sections of the pack's PDF after its cover: children over the repeat threshold, open
actions, returns, reporting practice, demand, the charts, every home, and notes.

Long tables stop at `PDF_ROWS` rows and say how many more the workbook holds, so a pack at
force scale stays a pack. Counts in per-home and per-child tables read <5 when suppressed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from missing_app.core.chart_data_practice import MEASURE_HEADINGS
from missing_app.core.reports.figures import return_figures
from missing_app.core.reports.formats import (
    DASH,
    count_text,
    day_text,
    moment_text,
    money_text,
    value_text,
)
from missing_app.core.reports.pack import MonthlyPack
from missing_app.core.reports.pdf_cover import comparison_table
from missing_app.core.reports.pdf_layout import (
    BOLD,
    INK,
    escape,
    keep_together,
    shade,
    styles,
    table,
)

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

PDF_ROWS = 100


def _heading(text: str) -> Flowable:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), styles().heading)


def _para(text: str, note: bool = False, lead: bool = False) -> Flowable:
    """A paragraph of the body, a note, or a `lead` that stays with what follows it."""
    from reportlab.platypus import Paragraph

    style = styles()
    return Paragraph(escape(text), style.note if note else style.lead if lead else style.body)


def _more(shown: int, total: int, sheet: str) -> str:
    """The sentence under a table cut at `shown` rows, or nothing when it holds them all."""
    if total <= shown:
        return ""
    return (
        f" The {shown:,} rows above are the first of {total:,}; the workbook's {sheet} sheet "
        "holds them all."
    )


def _note(text: str) -> Flowable:
    return _para(text.strip(), note=True)


def _count(pack: MonthlyPack, value: int | None) -> str:
    return count_text(value, pack.request.suppress_small)


def _pct(value: float | None) -> str:
    return value_text(value, "pct")


# Charts ------------------------------------------------------------------------------------


def episodes_charts(images: dict[str, Flowable]) -> list[Flowable]:
    found = [images[key] for key in ("monthly", "bands") if key in images]
    return [_heading("Episodes and repeats"), *found] if found else []


def time_of_day(images: dict[str, Flowable]) -> list[Flowable]:
    if "hour_weekday" not in images:
        return []
    return [_heading("When children were last seen"), images["hour_weekday"]]


# Children over the repeat threshold -----------------------------------------------------------


def threshold_children(pack: MonthlyPack) -> list[Flowable]:
    settings = pack.settings
    rule = f"{settings.repeat_threshold} or more episodes within {settings.repeat_window_days} days"
    crossed = pack.threshold_children
    story = [_heading("Children who crossed the repeat threshold")]
    if not crossed:
        return [*story, _para(f"No child reached {rule} with an episode in {pack.month.label}.")]
    where = "at any home" if pack.home is None else "at this home"
    story.append(
        _para(
            f"{len(crossed):,} {'child' if len(crossed) == 1 else 'children'} reached {rule} "
            f"(counting episodes at every home) with an episode {where} in {pack.month.label}. "
            "'This month' counts the month's episodes " + where + "; '90 days' counts episodes at "
            "every home in the 90 days to the end of the month.",
            lead=True,
        )
    )
    shown = crossed[:PDF_ROWS]
    force = pack.home is None
    header = ["Child", *(["Home"] if force else []), "This month", "90 days", "Last seen"]
    rows = [
        [
            child.child.text,
            *([child.homes] if force else []),
            _count(pack, child.episodes),
            _count(pack, child.episodes_90_days),
            moment_text(child.last_seen_at),
        ]
        for child in shown
    ]
    widths = (44, 62, 22, 20, 30) if force else (86, 30, 30, 32)
    right = (2, 3) if force else (1, 2)
    more = _more(len(shown), len(crossed), "Children")
    return [*story, table(header, rows, widths, right, note=_note(more) if more else None)]


# Open actions ------------------------------------------------------------------------------------


def open_actions(pack: MonthlyPack) -> list[Flowable]:
    force = pack.home is None
    story = [_heading("Open actions")]
    end = pack.month.last
    if not pack.actions:
        return [*story, _para(f"No action was open on {day_text(end)}.")]
    shown = pack.actions[:PDF_ROWS]
    header = [*(["Home"] if force else []), "Agreed", "Action", "Owner", "Due", "Status"]
    rows = [
        [
            *([a.home] if force else []),
            day_text(a.held_on),
            a.description,
            a.owner or DASH,
            day_text(a.due_on),
            _status(a.status(end)),
        ]
        for a in shown
    ]
    widths = (30, 20, 55, 25, 20, 28) if force else (22, 80, 30, 20, 26)
    note = _note(
        f"Every action agreed at a meeting by {day_text(end)} and not done by then, as the "
        "home's page listed it that day: overdue when its due date had passed; an action "
        "done since says when." + _more(len(shown), len(pack.actions), "Actions")
    )
    return [*story, table(header, rows, widths, note=note)]


def _status(text: str) -> Any:
    """An overdue action's status in bold, so it stands out in black and white too."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), styles().cell_bold) if text == "Overdue" else text


# After the return --------------------------------------------------------------------------------


def after_return(pack: MonthlyPack, images: dict[str, Flowable]) -> list[Flowable]:
    window = f"{pack.settings.rhi_window_hours:g} hours"
    story = [
        _heading("After the return: safe-and-well checks and return interviews"),
        comparison_table(
            pack,
            return_figures(pack.settings),
            _note(
                "Counted over the returns of the month (by the date of return). Statutory "
                "guidance asks that every child who returns is offered an independent return "
                f"interview within {window}."
            ),
        ),
    ]
    if "rhi" in images:
        story.append(images["rhi"])
    return story


# Reporting practice ---------------------------------------------------------------------------


def reporting_practice(pack: MonthlyPack) -> list[Flowable]:
    rows = pack.scorecard.rows
    story = [_heading("Reporting practice")]
    if not rows:
        return [*story, _para(f"No episodes in {pack.month.label}: nothing to score.")]
    body: list[list[Any]] = []
    fills: list[tuple[Any, ...]] = []
    for y, row in enumerate(rows, start=1):
        body.append([f"{row.name} ({_count(pack, row.episodes)})"])
        for x, value in enumerate(row.values, start=1):
            minutes = x == 2  # a time is not better or worse on a 0-100 scale: not shaded
            fill, ink = ("#ffffff", INK) if value is None or minutes else shade(value)
            body[-1].append(_coloured(value_text(value, "minutes" if minutes else "pct"), ink))
            fills.append(("BACKGROUND", (x, y), (x, y), fill))
    widths = (32, 16, 18, *([16] * (len(MEASURE_HEADINGS) - 2)))
    header = ["Home (episodes)", *MEASURE_HEADINGS]
    shown = (
        ""
        if pack.scorecard.homes_in_period <= len(rows)
        else (
            f" The {len(rows) - 1} homes with most episodes are shown, of "
            f"{pack.scorecard.homes_in_period:,}."
        )
    )
    note = _note(
        "Police ref: % of the month's episodes with a police reference. Time to report: "
        "median from last seen to the report. The other columns: % of the PCSO's checks of "
        "the month's episodes that answered yes (– where none answered); darker is higher." + shown
    )
    right = tuple(range(1, len(header)))
    story.append(table(header, body, widths, right=right, extra=fills, note=note))
    return story


def _coloured(text: str, ink: str) -> Flowable:
    """A right-aligned cell in `ink`: white on a dark shade, near-black on a light one."""
    from reportlab.platypus import Paragraph

    return Paragraph(f"<font color='{ink}'>{escape(text)}</font>", styles().cell_right)


# Demand before and after engagement ---------------------------------------------------------------


def demand(pack: MonthlyPack, images: dict[str, Flowable]) -> list[Flowable]:
    story = [_heading("Demand before and after PCSO engagement")]
    engaged = [home for home in pack.figures["homes"] if home["demand"] is not None]
    if pack.home is None:
        story += _demand_homes(pack, engaged)
    else:
        story += _demand_home(pack, engaged)
    story += [images[key] for key in ("demand", "demand_run") if key in images]
    return story


def _demand_note(pack: MonthlyPack, more: str = "") -> Flowable:
    cost = money_text(pack.settings.unit_cost)
    return _note(
        "Episodes per 1,000 child-days (the days children were placed at the home), in "
        f"the {pack.settings.demand_window_days:,} days before the engagement start and from "
        "it to the end of the month. Rate ratio: after ÷ before, under 1 when episodes fell. "
        f"Cost avoided: episodes avoided × {cost} per investigation." + more
    )


def _ratio_text(found: dict[str, Any]) -> str:
    ratio, ci95 = found["rate_ratio"], found["ci95"]
    if ratio is None:
        return DASH
    interval = "" if ci95 is None else f" ({ci95[0]:.3f}–{ci95[1]:.3f})"
    return f"{ratio:.3f}{interval}"


def _demand_home(pack: MonthlyPack, engaged: list[dict[str, Any]]) -> list[Flowable]:
    if not engaged:
        return [
            _para(
                f"The home has no engagement start on or before the end of "
                f"{pack.month.label}: there is nothing to compare yet."
            )
        ]
    found = engaged[0]["demand"]
    pre, post = found["pre"], found["post"]
    start = date.fromisoformat(found["engagement_start"])
    days = pack.settings.demand_window_days
    post_last = min(start + timedelta(days=days - 1), pack.month.last)
    before = f"{day_text(start - timedelta(days=days))} to {day_text(start - timedelta(1))}"
    rows = [
        ["Dates", before, f"{day_text(start)} to {day_text(post_last)}"],
        ["Episodes", _count(pack, pre["episodes"]), _count(pack, post["episodes"])],
        ["Child-days", count_text(pre["child_days"]), count_text(post["child_days"])],
        [
            "Episodes per 1,000 child-days",
            value_text(pre["rate_per_1000"], "rate"),
            value_text(post["rate_per_1000"], "rate"),
        ],
        ["Rate ratio, after ÷ before (95% interval)", _ratio_text(found), ""],
        ["Episodes avoided", value_text(found["episodes_avoided"], "tenths"), ""],
        ["Cost avoided", money_text(found["cost_avoided"]), ""],
    ]
    spans = [("SPAN", (1, row), (2, row)) for row in (5, 6, 7)]
    header = ["Engagement", "Before", "After"]
    return [table(header, rows, (70, 54, 54), (1, 2), spans, note=_demand_note(pack))]


def _demand_homes(pack: MonthlyPack, engaged: list[dict[str, Any]]) -> list[Flowable]:
    if not engaged:
        return [_para(f"No home had an engagement start by the end of {pack.month.label}.")]
    shown = sorted(engaged, key=lambda home: (home["name"], home["urn"]))[:PDF_ROWS]
    rows = [
        [
            home["name"],
            day_text(date.fromisoformat(home["demand"]["engagement_start"])),
            value_text(home["demand"]["pre"]["rate_per_1000"], "rate"),
            value_text(home["demand"]["post"]["rate_per_1000"], "rate"),
            _ratio_text(home["demand"]),
            value_text(home["demand"]["episodes_avoided"], "tenths"),
            money_text(home["demand"]["cost_avoided"]),
        ]
        for home in shown
    ]
    avoided = sum(h["demand"]["episodes_avoided"] or 0.0 for h in engaged)
    cost = sum(h["demand"]["cost_avoided"] or 0.0 for h in engaged)
    rows.append(
        [
            f"All {len(engaged):,} engaged homes (sum)",
            "",
            "",
            "",
            "",
            value_text(avoided, "tenths"),
            money_text(cost),
        ]
    )
    header = [
        "Home",
        "Engaged",
        "Rate before",
        "Rate after",
        "Rate ratio (95% interval)",
        "Episodes avoided",
        "Cost avoided",
    ]
    bold = [
        ("FONTNAME", (0, len(rows)), (-1, len(rows)), BOLD),
        ("LINEABOVE", (0, len(rows)), (-1, len(rows)), 0.8, INK),
    ]
    note = _demand_note(pack, _more(len(shown), len(engaged), "Homes"))
    widths = (40, 22, 17, 17, 37, 19, 26)
    return [table(header, rows, widths, right=(2, 3, 4, 5, 6), extra=bold, note=note)]


# Every home --------------------------------------------------------------------------------------


def homes(pack: MonthlyPack) -> list[Flowable]:
    entries = sorted(pack.figures["homes"], key=lambda h: (-h["episodes"], h["urn"]))
    story = [_heading("Homes")]
    if not entries:
        return [*story, _para(f"No home had an episode in {pack.month.label}.")]
    window = f"{pack.settings.rhi_window_hours:g} h"
    shown = entries[:PDF_ROWS]
    header = [
        "URN",
        "Home",
        "Episodes",
        "Children",
        "Repeat children",
        "Police ref",
        f"RHI done in {window}",
        "Cost avoided",
    ]
    rows = [
        [
            h["urn"],
            h["name"],
            _count(pack, h["episodes"]),
            _count(pack, h["children"]),
            _count(pack, h["repeat_children"]),
            _pct(h["police_ref_pct"]),
            _pct(h["rhi_completed_72h_pct"]),
            DASH if h["demand"] is None else money_text(h["demand"]["cost_avoided"]),
        ]
        for h in shown
    ]
    note = _note(
        "Homes with an episode in the month or an engagement start, most episodes "
        "first; each as if the pack were for that home alone."
        + _more(len(shown), len(entries), "Homes")
    )
    widths = (19, 44, 17, 17, 17, 17, 21, 26)
    return [*story, table(header, rows, widths, right=(2, 3, 4, 5, 6, 7), note=note)]


# About the figures -----------------------------------------------------------------------------


def about(pack: MonthlyPack) -> list[Flowable]:
    settings = pack.settings
    lines = [
        "Every figure follows Homeward's definitions and equals what 'missing-app stats' prints "
        f"for {pack.month.first} to {pack.month.last}"
        + ("" if pack.home is None else f" and home {pack.home.urn}")
        + ".",
        "Times are UK time. An episode belongs to the month its child was last seen in; a "
        "return, to the month of the return.",
        f"Repeat threshold: {settings.repeat_threshold} episodes within "
        f"{settings.repeat_window_days} days, counting episodes at every home.",
        f"Estimated cost: {money_text(settings.unit_cost)} per missing-person investigation "
        "(Shalev Greene & Pakes 2012, a medium-risk case at 2012 prices).",
    ]
    if not pack.request.names:
        lines.append(
            "Children appear by pseudonymous code. A child has the same code in every "
            "pack made from these records; the code cannot be turned back into the "
            "child without them."
        )
        lines.append("Actions are shown as they were recorded: keep children's names out of them.")
    if pack.request.suppress_small:
        lines.append(
            "Counts from 1 to 4 in per-home and per-child tables read <5, as the "
            "Department for Education publishes them."
        )
    return [keep_together([_heading("About these figures"), *(_note(line) for line in lines)])]
