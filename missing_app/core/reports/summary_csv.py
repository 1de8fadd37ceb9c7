"""The pack as CSV: the per-home summary table, one row per home, for other systems.

Columns are named as the keys of `stats --json` (a home's `demand` spread into columns);
numbers are written as `stats` gives them (percentages 0-100, money in pounds), blank when
there is no value, and `<5` for a small count when suppressed.
"""

from __future__ import annotations

import csv
import io

from missing_app.core.reports.figures import HOME_COLUMNS, home_rows
from missing_app.core.reports.formats import SUPPRESSED, is_small
from missing_app.core.reports.pack import MonthlyPack

HEADER = ("month", *(column.name for column in HOME_COLUMNS))


def render_summary_csv(pack: MonthlyPack) -> bytes:
    """The per-home table as UTF-8 CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    suppress = pack.request.suppress_small
    for row in home_rows(pack):
        cells = [pack.month.key]
        for column in HOME_COLUMNS:
            value = row[column.name]
            if suppress and column.small_count and is_small(value):
                cells.append(SUPPRESSED)
            else:
                cells.append("" if value is None else str(value))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")
