"""Rows of SQLite read as numpy columns, the fast way to the figures at force scale.

Fetching a million rows as Python tuples costs more than everything done with them, so each
column comes back as one comma-separated text (`group_concat`) that numpy parses at once.
Every row of one statement feeds every aggregate in the same order, so the columns line up.
Times stay exact: numpy reads the stored UTC text to the nanosecond, as pandas did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

INTEGER = "integer"
TIME = "time"  # stored UTC text, or NULL (read as NaT)
DATE = "date"  # a calendar date, or NULL (NaT)
NO_TIME = "NaT"


def read_columns(
    raw: Any, source: str, fields: Mapping[str, tuple[str, str]], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The `fields` (name: (SQL expression, INTEGER, TIME or DATE)) of the rows `source`
    selects (the SQL after SELECT: FROM, joins and WHERE), as numpy arrays by name."""
    parts = [_aggregate(expression, kind) for expression, kind in fields.values()]
    row = raw.execute(f"SELECT COUNT(*), {', '.join(parts)} {source}", params).fetchone()
    count, texts = int(row[0]), row[1:]
    return {
        name: _parse(text, kind, count)
        for (name, (_, kind)), text in zip(fields.items(), texts, strict=True)
    }


def _aggregate(expression: str, kind: str) -> str:
    if kind in (TIME, DATE):
        return f"group_concat(COALESCE({expression}, '{NO_TIME}'), ',')"
    return f"group_concat(COALESCE({expression}, 0), ',')"


def _parse(text: str | None, kind: str, count: int) -> Any:
    import numpy as np

    if kind in (TIME, DATE):
        unit = "datetime64[ns]" if kind == TIME else "datetime64[D]"
        values = np.array(text.split(",") if text else [], dtype=unit)
    else:
        values = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)
    if len(values) != count:
        raise ValueError(f"read {len(values)} values of a column of {count} rows")
    return values


# The rows behind the figures of one period --------------------------------------------------

# Every character Python's str.strip() removes: a police reference of nothing but these is
# no reference (the figures have always read references that way).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A reference that starts with a printable ASCII character is not blank: only the others
# need trimming (TRIM of every row costs an eighth of the whole read).
HAS_REFERENCE = """CASE WHEN e.police_ref IS NULL THEN 0
    WHEN unicode(e.police_ref) BETWEEN 33 AND 126 THEN 1
    ELSE TRIM(e.police_ref, :blank) != '' END"""
RETURN_FIELDS = {
    "home_id": ("e.home_id", INTEGER),
    "safe_and_well": ("e.safe_and_well_at IS NOT NULL", INTEGER),
    "returned_at": ("e.returned_at", TIME),
    "rhi_offered_at": ("r.offered_at", TIME),
    "rhi_completed_at": ("r.completed_at", TIME),
}
EPISODE_FIELDS = {
    "id": ("e.id", INTEGER),
    "child_id": ("e.child_id", INTEGER),
    "missing": ("e.type = 'missing'", INTEGER),
    "police_ref": (HAS_REFERENCE, INTEGER),
    "last_seen_at": ("e.last_seen_at", TIME),
    "reported_at": ("e.reported_at", TIME),
    **RETURN_FIELDS,
}
INTERVIEW = "LEFT JOIN return_interviews r ON r.episode_id = e.id"
WITH_INTERVIEW = f"FROM missing_episodes e {INTERVIEW}"


def episodes_in(raw: Any, start: str, end: str, home_id: int | None) -> dict[str, Any]:
    """Episodes last seen in [start, end) (stored UTC text), optionally of one home, with
    what `returns_in` reads too."""
    home = "" if home_id is None else " AND e.home_id = :home"
    source = f"{WITH_INTERVIEW} WHERE e.last_seen_at >= :start AND e.last_seen_at < :end{home}"
    params = {"start": start, "end": end, "home": home_id, "blank": WHITESPACE}
    return read_columns(raw, source, EPISODE_FIELDS, params)


def returns_in(
    raw: Any, start: str, end: str, home_id: int | None, episodes: Mapping[str, Any]
) -> dict[str, Any]:
    """Episodes returned in [start, end), with their return interview's times: those of
    `episodes` (the period's, from `episodes_in`), and the others read by their ids, which
    the index of returns holds (the rows are not read twice)."""
    import numpy as np

    home = "" if home_id is None else " AND e.home_id = :home"
    source = f"FROM missing_episodes e WHERE e.returned_at >= :start AND e.returned_at < :end{home}"
    params = {"start": start, "end": end, "home": home_id}
    returned = read_columns(raw, source, {"id": ("e.id", INTEGER)}, params)["id"]
    others = returned[~np.isin(returned, episodes["id"], assume_unique=True)]
    source = f"FROM json_each(:ids) i JOIN missing_episodes e ON e.id = i.value {INTERVIEW}"
    earlier = read_columns(raw, source, RETURN_FIELDS, {"ids": json.dumps(others.tolist())})
    within = np.isin(episodes["id"], returned, assume_unique=True)
    return {name: np.concatenate([earlier[name], episodes[name][within]]) for name in earlier}


def seen_between(
    raw: Any, start: str, end: str, children: Sequence[int] | None = None
) -> dict[str, Any]:
    """`child_id` and `last_seen_at` of the episodes (any home) last seen in [start, end),
    of the given children only (by their index of episodes) or of every child."""
    fields = {"child_id": ("e.child_id", INTEGER), "last_seen_at": ("e.last_seen_at", TIME)}
    params = {"start": start, "end": end, "children": json.dumps(list(children or []))}
    if children is None:
        source = "FROM missing_episodes e WHERE e.last_seen_at >= :start AND e.last_seen_at < :end"
    else:
        source = (
            "FROM json_each(:children) c JOIN missing_episodes e ON e.child_id = c.value "
            "AND e.last_seen_at >= :start AND e.last_seen_at < :end"
        )
    return read_columns(raw, source, fields, params)
