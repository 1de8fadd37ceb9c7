"""Pictures of a PDF's pages, for a window to show before the pack is saved.

pypdfium2 draws each page into raw RGBA bytes (alpha always 255, rows top to bottom, no
padding), which a window turns into an image (for Qt, `QImage(data, width, height,
width * 4, QImage.Format.Format_RGBA8888)`); nothing here knows about Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from missing_app.core.reports.progress import CancelFlag, Progress, check, report


@dataclass(frozen=True)
class PagePreview:
    """One page drawn `width` x `height` pixels: 4 bytes (R, G, B, A) per pixel."""

    number: int  # from 1
    width: int
    height: int
    rgba: bytes


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def render_pages(
    pdf: bytes,
    width: int = 800,
    pages: Sequence[int] | None = None,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> list[PagePreview]:
    """The pages numbered in `pages` (from 1; all when None), each `width` pixels wide."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        wanted = list(pages) if pages is not None else list(range(1, len(document) + 1))
        previews = []
        for done, number in enumerate(wanted):
            check(cancel)
            report(progress, f"Drawing page {number}", done, len(wanted))
            previews.append(_render(document, number, width))
        report(progress, "Pages drawn", len(wanted), len(wanted))
        return previews
    finally:
        document.close()


def _render(document: object, number: int, width: int) -> PagePreview:
    page = document[number - 1]  # type: ignore[index]
    scale = width / page.get_width()
    bitmap = page.render(
        scale=scale, fill_color=(255, 255, 255, 255), prefer_bgrx=True, rev_byteorder=True
    )
    row = bitmap.width * 4
    data = bytes(bitmap.buffer)
    if bitmap.stride != row:  # drop any padding at the end of each row
        data = b"".join(
            data[y * bitmap.stride : y * bitmap.stride + row] for y in range(bitmap.height)
        )
    page.close()
    return PagePreview(number, bitmap.width, bitmap.height, data)
