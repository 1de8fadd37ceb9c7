"""Reading a CSV table against a column specification, every problem with file and line."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missing_app.core.errors import Problem


@dataclass(frozen=True)
class Column:
    """One column a file may have: how to read it, and whether a value is required."""

    name: str
    parse: Callable[[str], Any]
    required: bool = False


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file (the header is line 1) and its parsed values.

    Only the columns the file has appear in `values`; a blank cell is None.
    """

    line: int
    values: dict[str, Any]


def text(value: str) -> str:
    return value


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a whole number") from None


@dataclass
class Table:
    """A CSV file read against its columns: the good rows and everything wrong or odd."""

    path: str
    rows: list[Row]
    problems: list[Problem]
    columns: tuple[str, ...]


def read_table(
    path: str | Path,
    columns: Mapping[str, Column],
    progress: Callable[[int], None] | None = None,
) -> Table:
    """Read every row, collecting problems rather than stopping at the first."""
    name = str(path)
    problems: list[Problem] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _read(name, csv.reader(handle), columns, problems, progress)
    except FileNotFoundError:
        problems.append(Problem("file", "the file does not exist", file=name, line=0))
    except UnicodeDecodeError as exc:
        where = f"(byte {exc.start})"
        problems.append(Problem("file", f"is not UTF-8 text {where}", file=name, line=0))
    except csv.Error as exc:
        problems.append(Problem("file", f"is not a readable CSV file ({exc})", file=name, line=0))
    return Table(name, [], problems, ())


def _read(
    name: str,
    reader: Iterator[list[str]],
    columns: Mapping[str, Column],
    problems: list[Problem],
    progress: Callable[[int], None] | None,
) -> Table:
    header = next(reader, None)
    if header is None:
        problems.append(Problem("file", "the file is empty (no header row)", file=name, line=1))
        return Table(name, [], problems, ())
    names = [cell.strip().lower() for cell in header]
    positions = _positions(name, names, columns, problems)
    if any(p.is_error for p in problems):
        return Table(name, [], problems, tuple(positions))
    rows: list[Row] = []
    wanted = [(positions[key], columns[key]) for key in positions]
    line_num = getattr(reader, "line_num", 0)
    for record in reader:
        line, line_num = line_num + 1, getattr(reader, "line_num", line_num + 1)
        if not any(cell.strip() for cell in record):
            continue
        rows.append(Row(line, _parse_row(name, line, record, wanted, problems)))
        if progress is not None and len(rows) % 5000 == 0:
            progress(len(rows))
    return Table(name, rows, problems, tuple(positions))


def _positions(
    name: str, names: list[str], columns: Mapping[str, Column], problems: list[Problem]
) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(names):
        if title in positions:
            problems.append(Problem(title, "the column appears twice", file=name, line=1))
        elif title in columns:
            positions[title] = index
    for column in columns.values():
        if column.required and column.name not in positions:
            problems.append(Problem(column.name, "the column is missing", file=name, line=1))
    unknown = [title for title in names if title and title not in columns]
    if unknown:
        message = "unknown columns ignored: " + ", ".join(unknown)
        problems.append(Problem("header", message, "warning", file=name, line=1))
    return positions


def _parse_row(
    name: str,
    line: int,
    record: list[str],
    wanted: list[tuple[int, Column]],
    problems: list[Problem],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index, column in wanted:
        cell = record[index].strip() if index < len(record) else ""
        if not cell:
            values[column.name] = None
            if column.required:
                problems.append(Problem(column.name, "a value is required", file=name, line=line))
            continue
        try:
            values[column.name] = column.parse(cell)
        except ValueError as exc:
            values[column.name] = None
            problems.append(Problem(column.name, str(exc), file=name, line=line))
    return values
