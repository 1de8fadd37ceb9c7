"""Reading a CSV table against a column specification, every problem with file and line."""

from __future__ import annotations

import _csv
import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from missing_app.core.errors import Problem


@dataclass(frozen=True)
class Column:
    """One column a file may have: how to read it, and whether a value is required."""

    name: str
    parse: Callable[[str], Any]
    required: bool = False


class Row(NamedTuple):
    """One data row: its line in the file (the header is line 1) and its parsed values.

    Every column of the specification appears in `values`: None for a blank cell or a
    column the file does not have.
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
    except IsADirectoryError:
        problems.append(Problem("file", "is a folder, not a CSV file", file=name, line=0))
    except OSError as exc:
        problems.append(Problem("file", f"cannot be read ({exc.strerror})", file=name, line=0))
    except UnicodeDecodeError as exc:
        where = f"(byte {exc.start})"
        problems.append(Problem("file", f"is not UTF-8 text {where}", file=name, line=0))
    except csv.Error as exc:
        problems.append(Problem("file", f"is not a readable CSV file ({exc})", file=name, line=0))
    return Table(name, [], problems, ())


def _read(
    name: str,
    reader: _csv.Reader,
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
    parsers = [_ColumnParser(columns[key], positions[key]) for key in positions]
    absent = [key for key in columns if key not in positions]
    rows: list[Row] = []
    for lines, records in _chunks(reader, len(names)):
        rows.extend(_parse_chunk(name, lines, records, parsers, absent, problems))
        if progress is not None:
            progress(len(rows))
    return Table(name, rows, problems, tuple(positions))


def _chunks(
    reader: _csv.Reader, width: int, size: int = 50_000
) -> Iterator[tuple[list[int], list[list[str]]]]:
    """Non-blank records in chunks, padded to the header's width, with the line each starts on."""
    lines: list[int] = []
    records: list[list[str]] = []
    line_num = reader.line_num
    for record in reader:
        line, line_num = line_num + 1, reader.line_num
        if "".join(record).strip():
            if len(record) < width:
                record.extend([""] * (width - len(record)))
            lines.append(line)
            records.append(record)
            if len(records) == size:
                yield lines, records
                lines, records = [], []
    if records:
        yield lines, records


class _Unreadable:
    """A cell that did not parse, with the reason."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _ColumnParser:
    """Parses one column a chunk at a time, remembering values that repeat (codes, dates)."""

    def __init__(self, column: Column, index: int) -> None:
        self.column = column
        self.index = index
        self.memo: dict[str, Any] = {"": None}

    def parse(self, cells: tuple[str, ...]) -> list[Any]:
        if len(self.memo) > 200_000:
            self.memo = {"": None}
        memo = self.memo
        return [memo[cell] if cell in memo else self._parse(cell) for cell in cells]

    def _parse(self, cell: str) -> Any:
        text = cell.strip()
        try:
            value = self.column.parse(text) if text else None
        except ValueError as exc:
            value = _Unreadable(str(exc))
        self.memo[cell] = value
        return value

    def check(
        self, name: str, lines: list[int], values: list[Any], problems: list[Problem]
    ) -> None:
        """Report blanks in a required column and cells that did not parse; blank those."""
        column = self.column.name
        for position, value in enumerate(values):
            if value is None:
                if self.column.required:
                    line = lines[position]
                    problems.append(Problem(column, "a value is required", file=name, line=line))
            elif type(value) is _Unreadable:
                problems.append(Problem(column, value.message, file=name, line=lines[position]))
                values[position] = None


def _parse_chunk(
    name: str,
    lines: list[int],
    records: list[list[str]],
    parsers: list[_ColumnParser],
    absent: list[str],
    problems: list[Problem],
) -> list[Row]:
    found: list[Problem] = []
    columns = []
    cells = list(zip(*records, strict=False))
    for parser in parsers:
        values = parser.parse(cells[parser.index])
        parser.check(name, lines, values, found)
        columns.append(values)
    found.sort(key=lambda problem: problem.line or 0)  # by line, columns in file order
    problems.extend(found)
    keys = [parser.column.name for parser in parsers] + absent
    columns.extend([None] * len(lines) for _ in absent)
    return [
        Row(line, dict(zip(keys, values, strict=True)))
        for line, values in zip(lines, zip(*columns, strict=True), strict=True)
    ]


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
