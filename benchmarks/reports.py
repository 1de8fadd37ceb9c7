"""The monthly pack at demo scale: one home's PDF, and every home's with the force's, each
against drawing the same charts alone (their data and their pictures): the ratio is what
the pack costs beyond its charts."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from benchmarks.common import Result, best_of, stage, timed
from missing_app.core.db import Database, open_database
from missing_app.core.metrics import Settings, home_by_urn, stats
from missing_app.core.models import CareHome
from missing_app.core.reports import Month, PackRequest, build_pack, export_all_homes
from missing_app.core.reports.pack import pack_charts
from missing_app.core.reports.pdf import draw_chart, render_pdf
from missing_app.core.reports.preview import page_count

MONTH = Month(2026, 10)  # the last whole month of the demo made as of 1 Nov 2026


def _busiest_home(db: Database) -> tuple[int, str]:
    """The home with most episodes in the year to the month: the fullest pack."""
    with db.session() as session:
        figures = stats(session, date(2025, 11, 1), MONTH.last)
        home = max(figures["homes"], key=lambda entry: (entry["episodes"], entry["urn"]))
        return home_by_urn(session, home["urn"]).id, str(home["urn"])


def _one_pack(db: Database, urn: str | None) -> tuple[float, int]:
    """Seconds to gather and write one PDF, and its pages."""
    pdf, seconds = timed(lambda: render_pdf(build_pack(db, PackRequest(MONTH, urn), "bench")))
    return seconds, page_count(pdf)


def _charts_alone(db: Database, home_ids: list[int | None]) -> float:
    """Seconds to gather and draw, as the pack does, the charts of these packs."""

    def draw() -> None:
        with db.session() as session:
            settings = Settings.read(session)
            for home_id in home_ids:
                for spec in pack_charts(session, MONTH, home_id, settings, suppress=False):
                    draw_chart(spec)

    return timed(draw)[1]


def _every_home(db: Database) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        written, seconds = timed(
            lambda: export_all_homes(
                db, MONTH, "pdf", Path(folder), username="bench", why="benchmark"
            )
        )
    return seconds, len(written)


def run(demo: Path) -> list[Result]:
    import matplotlib  # noqa: F401  (imported once, as a running window would have it)
    import pandas  # noqa: F401

    db = open_database(str(demo))
    home_id, urn = _busiest_home(db)
    with stage(f"the monthly pack of {urn} for {MONTH.label} (best of 3)"):
        _one_pack(db, urn)  # fonts and caches warmed, as in a running window
        pack = best_of(3, lambda: _one_pack(db, urn)[0])
        pages = _one_pack(db, urn)[1]
        charts = best_of(3, lambda: _charts_alone(db, [home_id]))
    with db.session() as session:
        every_id: list[int | None] = [None, *session.scalars(select(CareHome.id))]
    with stage(f"every home's pack and the force's ({len(every_id):,} PDFs)"):
        batch, files = _every_home(db)
        all_charts = _charts_alone(db, every_id)
    db.close()
    return [
        Result(
            "report: one home's PDF", pack, "its charts alone", charts, note=f"{urn}, {pages} pages"
        ),
        Result(
            "report: every home's PDF and the force's",
            batch,
            "their charts alone",
            all_charts,
            note=f"{files:,} files, {batch / files:.2f} s each",
        ),
    ]
