"""Reading a 903 return: the Header, Episodes and Missing tables from CSV files, folders of
them, or the XML form, as frames of text that remember the line each row came from.

Cells are kept as written (stripped; blank is ""): the Department's checks decide what a
bad date or code means, and the import parses what it needs. A CSV file's table is known by
its columns (a `MIS_START` column is the Missing table), else by its name (`missing.csv`).
"""

from __future__ import annotations

import csv
import logging
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from missing_app.core.errors import Problem

log = logging.getLogger(__name__)

HEADER, EPISODES, MISSING = "Header", "Episodes", "Missing"
COLUMNS: dict[str, tuple[str, ...]] = {
    HEADER: ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    EPISODES: (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    MISSING: ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
}  # fmt: skip
REQUIRED: dict[str, tuple[str, ...]] = {
    HEADER: ("CHILD", "DOB"),
    EPISODES: ("CHILD", "DECOM", "DEC"),
    MISSING: COLUMNS[MISSING],
}
# The columns Homeward reads; the others are not loaded (a file needs only REQUIRED).
USED: dict[str, tuple[str, ...]] = {
    HEADER: ("CHILD", "SEX", "DOB", "ETHNIC"),
    EPISODES: ("CHILD", "DECOM", "DEC", "PLACE", "URN"),
    MISSING: COLUMNS[MISSING],
}
DATE_COLUMNS = frozenset({"DOB", "MC_DOB", "DECOM", "DEC", "MIS_START", "MIS_END"})
LINE = "_line"  # the frame column holding each row's line (XML: element position + 1)
# The XML names two fields differently from the CSV tables.
XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}

Progress = Callable[[str, int, int], None]


@dataclass
class Table903:
    """One table of the return: where it came from, and its rows as text."""

    name: str
    path: str
    frame: Any  # pandas DataFrame: the table's USED columns as stripped text, and LINE


@dataclass
class Return903:
    """The tables found in the files given, and what was wrong with the files themselves."""

    tables: dict[str, Table903] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def frame(self, name: str) -> Any:
        """The table's frame, or None when the files did not include it."""
        table = self.tables.get(name)
        return None if table is None else table.frame

    def path(self, name: str) -> str | None:
        table = self.tables.get(name)
        return None if table is None else table.path

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    def add(self, table: Table903) -> None:
        earlier = self.tables.get(table.name)
        if earlier is not None:
            message = f"a second {table.name} table (the first is {earlier.path})"
            self.problems.append(Problem("file", message, file=table.path, line=0))
            return
        self.tables[table.name] = table


def read_return(paths: Iterable[str | Path], progress: Progress | None = None) -> Return903:
    """Read every table in the files and folders given, collecting problems with the files."""
    given = list(paths)
    found = Return903()
    for path in _expand(given, found.problems):
        if progress is not None:
            progress(f"reading {path.name}", 0, 0)
        if path.suffix.lower() == ".xml":
            _read_xml(path, found)
        else:
            _read_csv(path, found)
    if not found.tables and not found.has_errors:
        message = "no Header, Episodes or Missing table among the files given"
        found.problems.append(Problem("file", message, file=", ".join(map(str, given)), line=0))
    return found


def _expand(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    """The files to read: each file given, and the CSV and XML files in each folder given."""
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            inside = sorted(
                p for p in given.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xml")
            )
            if not inside:
                problems.append(
                    Problem("file", "the folder has no CSV or XML files", file=str(given), line=0)
                )
            files.extend(inside)
        elif given.exists():
            files.append(given)
        else:
            problems.append(Problem("file", "the file does not exist", file=str(given), line=0))
    return files


# CSV -------------------------------------------------------------------------------------


def _read_csv(path: Path, found: Return903) -> None:
    name = str(path)
    try:
        titles = _titles(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        found.problems.append(Problem("file", _unreadable(exc), file=name, line=0))
        return
    if titles is None:
        found.problems.append(
            Problem("file", "the file is empty (no header row)", file=name, line=1)
        )
        return
    table = _which_table(path, titles)
    if table is None:
        message = "not a Header, Episodes or Missing table: ignored"
        found.problems.append(Problem("file", message, "warning", file=name, line=1))
        return
    if not _check_titles(name, table, titles, found.problems):
        return
    frame = _frame_from_csv(path, table, titles, found.problems)
    if frame is not None:
        found.add(Table903(table, name, _tidy(frame, table)))


def _titles(path: Path) -> list[str] | None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), None)
    return None if first is None else [cell.strip().upper() for cell in first]


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"is not UTF-8 text (byte {exc.start})"
    if isinstance(exc, csv.Error):
        return f"is not a readable CSV file ({exc})"
    return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"


def _which_table(path: Path, titles: Sequence[str]) -> str | None:
    """Which table a file holds: by its columns, else by its name."""
    names = set(titles)
    if "MIS_START" in names or "MIS_END" in names:
        return MISSING
    if "DECOM" in names:
        return EPISODES
    if "SEX" in names and "CHILD" in names:
        return HEADER
    stem = path.stem.lower()
    return next((table for table in COLUMNS if table.lower() in stem), None)


def _check_titles(name: str, table: str, titles: Sequence[str], problems: list[Problem]) -> bool:
    """Report repeated and missing columns; whether the file can be read."""
    before = len(problems)
    seen: set[str] = set()
    for title in titles:
        if title and title in seen:
            problems.append(Problem(title, "the column appears twice", file=name, line=1))
        seen.add(title)
    for column in REQUIRED[table]:
        if column not in seen:
            message = f"the column is missing (a {table} table has {', '.join(COLUMNS[table])})"
            problems.append(Problem(column, message, file=name, line=1))
    return len(problems) == before


def _frame_from_csv(path: Path, table: str, titles: list[str], problems: list[Problem]) -> Any:
    import pandas as pd

    name = str(path)
    wanted = [index for index, title in enumerate(titles) if title in USED[table]]
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            usecols=wanted,
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+), saw (\d+)", str(exc))
        line = int(found.group(1)) if found else 0
        cells = f"{found.group(2)} cells" if found else "more cells"
        message = f"the row has {cells}; the header has {len(titles)}"
        problems.append(Problem("file", message, file=name, line=line))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem("file", _unreadable(exc), file=name, line=0))
        return None
    frame.columns = [titles[index] for index in wanted]
    with open(path, "rb") as handle:
        content = handle.read()
    frame[LINE] = _lines(path, content, len(frame))
    frame.attrs["padded"] = _padded(content)
    return frame


def _padded(content: bytes) -> bool:
    """Whether some cell may have a space or tab at either end: only then strip every cell
    (a 903 table of codes and dates usually has no space at all, and a scan for one byte is
    far quicker than stripping every cell)."""
    return b" " in content or b"\t" in content


def _lines(path: Path, content: bytes, rows: int) -> Any:
    """The line each record starts on (the header is line 1), allowing for quoted newlines."""
    import numpy as np

    if content.count(b"\n") in (rows, rows + 1):
        return np.arange(2, rows + 2)
    starts: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        line_num = reader.line_num
        for _record in reader:
            starts.append(line_num + 1)
            line_num = reader.line_num
    return np.array(starts[:rows])


def _tidy(frame: Any, table: str) -> Any:
    """The table's columns as stripped text (absent columns blank), without blank rows."""
    import pandas as pd

    padded = frame.attrs.get("padded", True)
    tidy = pd.DataFrame(index=frame.index)
    for column in USED[table]:
        if column in frame.columns:
            values = frame[column]
            if values.dtype != object:
                values = values.astype(str)
            tidy[column] = values.str.strip() if padded else values
        else:
            tidy[column] = ""
    tidy[LINE] = frame[LINE].to_numpy()
    maybe = tidy[tidy["CHILD"].to_numpy() == ""]  # a blank line has no CHILD, first of all
    blank = maybe.index[(maybe[list(USED[table])] == "").all(axis=1)]
    if len(blank):
        tidy = tidy.drop(index=blank)
    return tidy.reset_index(drop=True)


# XML -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _read_xml(path: Path, found: Return903) -> None:
    name = str(path)
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        found.problems.append(Problem("file", f"is not readable XML ({exc})", file=name, line=line))
        return
    except OSError as exc:
        found.problems.append(Problem("file", _unreadable(exc), file=name, line=0))
        return
    rows: dict[str, list[dict[str, str]]] = {HEADER: [], EPISODES: [], MISSING: []}
    for child in _child_elements(root):
        _child_rows(child, rows)
    if not rows[HEADER]:
        message = "has no children (no element holding a HEADER or EPISODE)"
        found.problems.append(Problem("file", message, file=name, line=0))
        return
    for table, records in rows.items():
        found.add(Table903(table, name, _frame_from_records(table, records)))


def _child_elements(root: ElementTree.Element) -> list[ElementTree.Element]:
    """The elements that stand for one child: each holds a HEADER or EPISODE element."""
    return [
        element
        for element in root.iter()
        if element.find("HEADER") is not None or element.find("EPISODE") is not None
    ]


def _fields(element: ElementTree.Element | None) -> dict[str, str]:
    """The element's leaf children as CSV columns (CHILDID is CHILD, PL is PLACE)."""
    if element is None:
        return {}
    fields = {}
    for item in element:
        if len(item) == 0:
            tag = XML_NAMES.get(item.tag, item.tag)
            fields[tag] = _csv_text(tag, item.text)
    return fields


def _csv_text(column: str, text: str | None) -> str:
    value = (text or "").strip()
    if column in DATE_COLUMNS:
        iso = _ISO_DATE.fullmatch(value)
        if iso is not None:  # xs:date, as XML schemas write dates
            return f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}"
    return value


def _child_rows(child: ElementTree.Element, rows: dict[str, list[dict[str, str]]]) -> None:
    header = _fields(child.find("HEADER"))
    own = _fields(child)
    ref = own.get("CHILD") or header.get("CHILD", "")
    rows[HEADER].append({**own, **header, "CHILD": ref})
    for episode in child.iter("EPISODE"):
        rows[EPISODES].append({**_fields(episode), "CHILD": ref})
    for period in child.iter("AMISSING"):
        rows[MISSING].append({**_fields(period), "CHILD": ref, "DOB": header.get("DOB", "")})


def _frame_from_records(table: str, records: list[dict[str, str]]) -> Any:
    import numpy as np
    import pandas as pd

    columns = USED[table]
    frame = pd.DataFrame(
        {column: [record.get(column, "") for record in records] for column in columns},
        dtype=object,
    )
    frame[LINE] = np.arange(2, len(records) + 2)
    return frame
