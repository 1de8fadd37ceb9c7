"""The monthly pack as a PDF: A4, OFFICIAL-SENSITIVE on every page, numbered pages; the
cover and headline figures (`pdf_cover`), then the sections and charts (`pdf_sections`).

`render_pdf` returns the document's bytes (for a preview or a file); it reports progress
chart by chart and stops when the cancel flag is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from missing_app.core.chart_drill import ChartSpec, chart_figure
from missing_app.core.reports import pdf_sections as sections
from missing_app.core.reports.formats import moment_text
from missing_app.core.reports.pack import MonthlyPack
from missing_app.core.reports.pdf_cover import cover, headline
from missing_app.core.reports.pdf_layout import PageFurniture, chart_image, write_document
from missing_app.core.reports.progress import CancelFlag, Progress, check, report

if TYPE_CHECKING:
    from reportlab.platypus import Flowable


# Charts drawn less tall than on screen (inches), so that a page holds two.
SHORTER = {"bands": 4.4, "hour_weekday": 5.0}


def render_pdf(
    pack: MonthlyPack, *, progress: Progress | None = None, cancel: CancelFlag | None = None
) -> bytes:
    """The pack as a PDF document."""
    images = _chart_images(pack, progress, cancel)
    story = [*cover(pack), *headline(pack)]
    story += sections.episodes_charts(images)
    story += sections.threshold_children(pack)
    story += sections.open_actions(pack)
    story += sections.after_return(pack, images)
    story += sections.reporting_practice(pack)
    story += sections.demand(pack, images)
    story += sections.time_of_day(images)
    if pack.home is None:
        story += sections.homes(pack)
    story += sections.about(pack)
    check(cancel)
    total = len(pack.charts) + 1
    report(progress, "Laying out the pages", total - 1, total)
    title = f"Monthly liaison pack: {pack.scope}, {pack.month.label}"
    document = write_document(story, furniture(pack), title, pack.generated_by)
    report(progress, "Done", total, total)
    return document


def furniture(pack: MonthlyPack) -> PageFurniture:
    """The running title and footer of the pack's pages."""
    return PageFurniture(
        f"Homeward monthly liaison pack · {pack.month.label}",
        pack.scope,
        f"Generated {moment_text(pack.generated_at)} by {pack.generated_by}",
    )


def _chart_images(
    pack: MonthlyPack, progress: Progress | None, cancel: CancelFlag | None
) -> dict[str, Flowable]:
    """Each chart of the pack drawn as an image, by key."""
    images = {}
    total = len(pack.charts) + 1
    for done, spec in enumerate(pack.charts):
        check(cancel)
        report(progress, f"Drawing the chart: {spec.title}", done, total)
        images[spec.key] = draw_chart(spec)
    return images


def draw_chart(spec: ChartSpec) -> Flowable:
    """One chart as the pack places it: an image the width of the page's text."""
    figure = chart_figure(spec)
    if spec.key in SHORTER:
        figure.set_size_inches(figure.get_size_inches()[0], SHORTER[spec.key])
    return chart_image(figure)
