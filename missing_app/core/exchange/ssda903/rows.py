"""The rows of a 903 return as Homeward's nouns: children with their dates of birth (Header,
Missing), stays in homes from the Episodes table, and missing periods, each remembering the
file and line it came from. Every cell that cannot be read is reported, not skipped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from missing_app.core.errors import Problem
from missing_app.core.exchange.ssda903.tables import LINE, Table903

# `SEX`: 1/2 up to 2023-24, M/F/U from 2024-25; both are read whatever the year.
SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
EPISODE_TYPES = {"M": "missing", "A": "absent"}
# A placement without an Ofsted URN (foster carers, say) is returned with this in `URN`.
NO_URN = frozenset({"", "XXXXXXX"})


@dataclass(frozen=True)
class Source:
    """Where a row came from."""

    file: str
    line: int


@dataclass(frozen=True)
class ChildRow:
    ref: str
    dob: date | None
    sex: str | None
    ethnicity: str | None
    source: Source


@dataclass(frozen=True)
class StayRow:
    """A child's time in one home: one Episodes row, or a run of them with the same URN."""

    ref: str
    urn: str
    place: str
    start: date
    end: date | None
    source: Source


@dataclass(frozen=True)
class PeriodRow:
    """One row of the Missing table."""

    ref: str
    dob: date | None
    type: str
    start: date
    end: date | None
    source: Source


class RowReader:
    """Reads the three tables' rows, gathering every problem with a cell."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.without_urn: list[Source] = []
        self._dates: dict[str, date | None] = {"": None}

    def _problem(self, source: Source, column: str, message: str) -> None:
        self.problems.append(Problem(column, message, file=source.file, line=source.line))

    def _rows(self, table: Table903, *columns: str) -> Iterator[tuple[Source, list[str]]]:
        frame = table.frame
        for line, *values in zip(frame[LINE], *(frame[c] for c in columns), strict=True):
            yield Source(table.path, int(line)), values

    def _required(self, source: Source, column: str, value: str) -> bool:
        if value == "":
            self._problem(source, column, "a value is required")
            return False
        return True

    def _date(self, source: Source, column: str, text: str) -> date | None:
        """The date, or None when blank or unreadable (reported)."""
        if text in self._dates:
            return self._dates[text]
        try:
            day = datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            self._problem(source, column, f"'{text}' is not a date (use dd/mm/YYYY)")
            return None
        self._dates[text] = day
        return day

    def children(self, table: Table903) -> list[ChildRow]:
        """The Header table's children."""
        found = []
        for source, (ref, sex, dob, ethnic) in self._rows(table, "CHILD", "SEX", "DOB", "ETHNIC"):
            code = SEX_CODES.get(sex.upper()) if sex else None
            if sex and code is None:
                message = f"'{sex}' is not a sex code (1 or 2 up to 2023-24; M, F or U after)"
                self._problem(source, "SEX", message)
            birth = self._date(source, "DOB", dob)  # needed only for a child not yet recorded
            if self._required(source, "CHILD", ref):
                found.append(ChildRow(ref, birth, code, ethnic or None, source))
        return found

    def stays(self, table: Table903) -> list[StayRow]:
        """The Episodes table's rows with a home (URN), a run of rows in one home as one."""
        found = []
        columns = ("CHILD", "DECOM", "DEC", "URN", "PLACE")
        for source, (ref, decom, dec, urn, place) in self._rows(table, *columns):
            start = (
                self._date(source, "DECOM", decom)
                if self._required(source, "DECOM", decom)
                else None
            )
            end = self._date(source, "DEC", dec)
            if start is not None and end is not None and end < start:
                self._problem(source, "DEC", f"{end:%d/%m/%Y} is before DECOM {start:%d/%m/%Y}")
                continue
            if not self._required(source, "CHILD", ref) or start is None:
                continue
            if urn.upper() in NO_URN:
                self.without_urn.append(source)
                continue
            found.append(StayRow(ref, urn, place.upper(), start, end, source))
        return _joined(found)

    def periods(self, table: Table903) -> list[PeriodRow]:
        """The Missing table's periods."""
        found = []
        columns = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
        for source, (ref, dob, kind, first, last) in self._rows(table, *columns):
            birth = self._date(source, "DOB", dob)
            episode_type = EPISODE_TYPES.get(kind.upper())
            if episode_type is None and self._required(source, "MISSING", kind):
                message = f"'{kind}' is not M (missing) or A (away without authorisation)"
                self._problem(source, "MISSING", message)
            has_start = self._required(source, "MIS_START", first)
            start = self._date(source, "MIS_START", first) if has_start else None
            end = self._date(source, "MIS_END", last)
            if self._required(source, "CHILD", ref) and episode_type and start is not None:
                found.append(PeriodRow(ref, birth, episode_type, start, end, source))
        return found


def _joined(stays: list[StayRow]) -> list[StayRow]:
    """Join a child's consecutive rows in one home (a change of legal status, say, starts a
    new Episodes row on the day the last ended) into one stay."""
    joined: list[StayRow] = []
    for stay in sorted(stays, key=lambda s: (s.ref, s.start)):
        last = joined[-1] if joined else None
        if last is not None and (last.ref, last.urn, last.end) == (stay.ref, stay.urn, stay.start):
            joined[-1] = replace(last, end=stay.end)
        else:
            joined.append(stay)
    return joined


def covering(stays: list[tuple[str, date, date | None]], day: date) -> str | None:
    """The home (URN) a child lived in on `day`: the stay running that day, else the stay
    that ended that day (a 903 period may start on the day its placement ended)."""
    for urn, start, end in stays:
        if start <= day and (end is None or day < end):
            return urn
    return next((urn for urn, _start, end in stays if end == day), None)


def place_name(place: str, urn: str) -> str:
    """A name for a home first met in a 903 return, from its placement type."""
    kinds = {
        "K1": "Secure children's home",
        "K2": "Children's home",
        "K3": "Supported accommodation",
    }
    return f"{kinds.get(place, 'Home')} {urn}"
