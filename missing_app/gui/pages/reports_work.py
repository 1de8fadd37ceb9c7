"""What the Reports page asks for, and the work that answers it off the GUI thread.

Plain functions (as Orange3's `run`) that the page hands to its reader or to a batch thread:
who may have which packs (`read_access`), a pack built, written as PDF and drawn page by page
(`build_preview`), and every home's pack written into a folder (`export_every_home`). The
monthly pack's modules load pandas, reportlab and matplotlib, so they are imported inside
these functions, on the worker's thread, never when the window opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missing_app.core.db import Database
from missing_app.core.models import MissingEpisode
from missing_app.core.queries.areas import HomeChoice, home_choices
from missing_app.core.security.access import (
    Actor,
    Permission,
    can_see_names,
    require_report,
)
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.times import local_date

if TYPE_CHECKING:
    from missing_app.core.reports import Exported, Format, Month, MonthlyPack, Progress
    from missing_app.core.reports.preview import PagePreview

MONTHS_AT_LEAST = 13  # months offered even with few records: this one and the year before
NAMES_REFUSED = "may not see children's names; the pack shows their codes instead."
FORMAT_NAMES: dict[str, str] = {"pdf": "PDF", "xlsx": "Workbook", "csv": "CSV"}
FORMAT_FILTERS: dict[str, str] = {
    "pdf": "PDF document (*.pdf)",
    "xlsx": "Excel workbook (*.xlsx)",
    "csv": "CSV file (*.csv)",
}


@dataclass(frozen=True)
class Access:
    """The packs this person may have: which homes, the force-wide pack, children's names."""

    who: str  # 'pcso.jones (PCSO)'
    homes: list[HomeChoice]
    every_home: bool  # the force-wide pack, and every home's at once
    names: bool
    months: list[Month]  # newest first
    refusal: str | None = None  # why no pack at all, in words


@dataclass(frozen=True)
class PackChoice:
    """One pack as the page's pickers describe it."""

    month: Month
    home: HomeChoice | None  # None: every home (the force-wide pack)
    names: bool = False
    suppress_small: bool = False

    @property
    def urn(self) -> str | None:
        return None if self.home is None else self.home.urn

    @property
    def label(self) -> str:
        """'Oak House (SC100001), October 2025' or 'All homes, October 2025'."""
        where = "All homes" if self.home is None else self.home.label
        return f"{where}, {self.month.label}"


@dataclass(frozen=True)
class Preview:
    """A pack built and written as PDF, and its pages drawn `width` pixels wide."""

    choice: PackChoice
    pack: MonthlyPack
    pdf: bytes
    pages: list[PagePreview]

    @property
    def width(self) -> int:
        return self.pages[0].width if self.pages else 0


# Who may have which packs -----------------------------------------------------------------


def read_access(session: Session, actor: Actor, today: date) -> Access:
    """The homes and months offered to `actor`, and whether names and every home are."""
    from missing_app.core.reports.month import Month

    months = months_offered(_first_month(session, Month), Month.of(today))
    if not actor.may(Permission.REPORT):
        cannot = f"{actor.label} cannot {Permission.REPORT.value}; ask a supervisor."
        return Access(actor.label, [], False, False, months, cannot)
    homes = home_choices(session, actor=actor)
    scope = actor.home_scope
    if scope is not None:
        homes = [home for home in homes if home.id in scope]
    refusal: str | None = None
    if scope is not None and not homes:
        refusal = f"{actor.label} has no homes assigned yet; ask a supervisor."
    return Access(actor.label, homes, scope is None, can_see_names(actor), months, refusal)


def _first_month(session: Session, month_type: type[Month]) -> Month | None:
    """The month of the earliest episode (London dates), or None without episodes."""
    from missing_app.core.times import parse_datetime

    first = session.scalar(select(func.min(MissingEpisode.last_seen_at)))
    if first is None:
        return None
    moment = first if isinstance(first, datetime) else parse_datetime(str(first))
    return month_type.of(local_date(moment))


def months_offered(first: Month | None, current: Month) -> list[Month]:
    """Every month from the first episode's (at least a year back) to `current`, newest first."""
    months = [current]
    while len(months) < MONTHS_AT_LEAST or (first is not None and months[-1] > first):
        months.append(months[-1].previous())
    return months


def check_access(session: Session, actor: Actor, urn: str | None, names: bool) -> None:
    """Refuse (PermissionDenied) a pack of a home, or names, this person may not have."""
    require_report(session, actor, urn)
    if names and not can_see_names(actor):
        raise PermissionDenied(f"{actor.label} {NAMES_REFUSED}")


# The preview --------------------------------------------------------------------------------


def build_preview(
    session: Session,
    db: Database,
    actor: Actor,
    choice: PackChoice,
    width: int,
    *,
    now: datetime,
    progress: Progress | None = None,
    cancel: Any = None,
) -> Preview:
    """Build the pack chosen, write it as PDF and draw its pages `width` pixels wide."""
    from missing_app.core.reports import PackRequest, render
    from missing_app.core.reports.pack import gather_pack
    from missing_app.core.reports.preview import render_pages
    from missing_app.core.reports.pseudonyms import Pseudonyms, pseudonym_secret

    check_access(session, actor, choice.urn, choice.names)
    request = PackRequest(choice.month, choice.urn, choice.names, choice.suppress_small)
    pseudonyms = Pseudonyms(pseudonym_secret(db, actor.username))
    pack = gather_pack(
        session, request, pseudonyms, actor.username, now=now, progress=progress, cancel=cancel
    )
    pdf = render(pack, "pdf", progress=progress, cancel=cancel)
    pages = render_pages(pdf, width, progress=progress, cancel=cancel)
    return Preview(choice, pack, pdf, pages)


def redraw(preview: Preview, width: int) -> Preview:
    """The same pack's pages drawn at a new width (the window was made wider)."""
    from missing_app.core.reports.preview import render_pages

    return Preview(preview.choice, preview.pack, preview.pdf, render_pages(preview.pdf, width))


def save_previewed(
    db: Database, preview: Preview, format: Format, path: Path, why: str
) -> Exported:
    """Write exactly the pack previewed (the PDF as drawn) and record the export."""
    from missing_app.core.reports import save_pack

    content = preview.pdf if format == "pdf" else None
    return save_pack(db, preview.pack, format, path, why=why, content=content)


def default_file(choice: PackChoice, format: Format) -> str:
    """'2025-10-SC100001-oak-house.pdf' or '2025-10-all-homes.xlsx'."""
    from missing_app.core.reports.export import file_name

    name = "" if choice.home is None else choice.home.name
    return file_name(choice.month, format, choice.urn, name)


# Every home at once -------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Every home's pack and the force-wide one, into one folder."""

    month: Month
    format: Format
    folder: Path
    why: str
    names: bool = False
    suppress_small: bool = False


def export_every_home(
    db: Database,
    actor: Actor,
    batch: Batch,
    *,
    now: datetime,
    progress: Progress | None = None,
    cancel: Any = None,
) -> list[Exported]:
    """Write every home's pack and the force-wide one into the batch's folder, each audited."""
    from missing_app.core.reports import export_all_homes

    with db.session() as session:
        check_access(session, actor, None, batch.names)
    return export_all_homes(
        db, batch.month, batch.format, batch.folder, username=actor.username, why=batch.why,
        names=batch.names, suppress_small=batch.suppress_small, now=now, progress=progress,
        cancel=cancel,
    )  # fmt: skip
