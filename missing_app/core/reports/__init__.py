"""The monthly liaison pack (FORMATS.md, The monthly pack): PDF, workbook and CSV.

For a window's Reports page, all of it safe on a worker thread and none of it Qt:

- `build_pack(db, PackRequest(month, urn, names, suppress_small), username, progress=,
  cancel=)` gathers one pack (`MonthlyPack`);
- `render(pack, "pdf", progress=, cancel=)` gives a file's bytes, and
  `preview.render_pages(pdf_bytes, width)` pictures of its pages as raw RGBA bytes;
- `save_pack(db, pack, format, path, why=, content=)` writes a pack already built (and
  rendered) and records the export; `export_pack` builds, writes and records in one call;
- `export_all_homes(db, month, format, folder, username=, why=, progress=, cancel=)` writes
  the force-wide pack and one per home.

`progress(stage, done, total)` is called as work goes; setting `cancel` (anything with
`is_set()`, such as a `threading.Event`) stops the work with `Cancelled`.
"""

from __future__ import annotations

from missing_app.core.reports.export import (
    FORMATS,
    Exported,
    Format,
    export_all_homes,
    export_pack,
    render,
    save_pack,
)
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack import MonthlyPack, PackRequest, build_pack
from missing_app.core.reports.progress import CancelFlag, Cancelled, Progress

__all__ = [
    "FORMATS",
    "CancelFlag",
    "Cancelled",
    "Exported",
    "Format",
    "Month",
    "MonthlyPack",
    "PackRequest",
    "Progress",
    "build_pack",
    "export_all_homes",
    "export_pack",
    "render",
    "save_pack",
]
