"""The Department's checks on the Missing table, as FORMATS.md words them (Data to Insight's
implementation, the validator councils use), over whole columns at once.

Codes are compared ignoring case; a date that does not parse as dd/mm/YYYY counts as blank
(1004 and 1005 are the rules that say a date is not valid). A row failing several rules
gives one `Failure` per rule, in line order and then in the order of the table. This module
loads numpy and pandas: import it inside the functions that check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from missing_app.core.exchange.ssda903.rulebook import RULES, Failure, unchecked_rules
from missing_app.core.exchange.ssda903.tables import LINE
from missing_app.core.exchange.ssda903.years import CollectionYear

CODES = ("M", "A")
Array = Any  # a numpy array: numpy's own types add nothing readable here


def check_missing(
    missing: pd.DataFrame,
    year: CollectionYear,
    *,
    header: pd.DataFrame | None = None,
    episodes: pd.DataFrame | None = None,
) -> list[Failure]:
    """Every failure of the Missing frame, with the Header and Episodes frames when given."""
    if len(missing) == 0:
        return []
    return _Check(missing, year, header, episodes).failures()


def latest_start_year(missing: pd.DataFrame) -> CollectionYear | None:
    """The collection year holding the latest valid MIS_START, or None when there is none."""
    starts = dates(missing["MIS_START"])
    starts = starts[~np.isnat(starts)]
    if len(starts) == 0:
        return None
    return CollectionYear.containing(_as_date(starts.max()))


def dates(values: pd.Series) -> Array:
    """Text as numpy days: NaT where blank or not a dd/mm/YYYY date (each text parsed once)."""
    codes, texts = pd.factorize(values)
    parsed = pd.to_datetime(texts, format="%d/%m/%Y", errors="coerce").to_numpy()
    days = np.append(parsed.astype("datetime64[D]"), np.datetime64("NaT", "D"))
    return days[codes]


def upper_codes(values: pd.Series) -> tuple[Array, Array]:
    """Codes for the text ignoring case, and the distinct upper-case texts they number."""
    codes, texts = pd.factorize(values)
    upper_codes, upper = pd.factorize(pd.Index(texts).str.upper())
    return upper_codes[codes], upper


def _as_date(day: Any) -> date:
    value = np.datetime64(day, "D").astype(object)
    assert isinstance(value, date)
    return value


def _day(day: Any) -> str:
    """A numpy day as dd/mm/YYYY, or 'blank'."""
    if np.isnat(day):
        return "blank"
    iso = str(np.datetime64(day, "D"))
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _sortable(days: Array) -> Array:
    """Days as integers for sorting, a blank after every date."""
    return np.where(np.isnat(days), np.iinfo(np.int64).max, days.astype("int64"))


def _pairs(left: Array, right: Array) -> tuple[Array, Array]:
    """Every pair of positions (i, j) where left[i] == right[j]."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    low = np.searchsorted(ordered, left, "left")
    counts = np.searchsorted(ordered, left, "right") - low
    lefts = np.repeat(np.arange(len(left)), counts)
    shift = np.repeat(low - (np.cumsum(counts) - counts), counts)
    return lefts, order[np.arange(len(lefts)) + shift]


def _first(rows: Array, others: Array) -> dict[int, int]:
    """For each row, the first of the other positions paired with it."""
    return dict(zip(rows[::-1].tolist(), others[::-1].tolist(), strict=True))


class _Check:
    """The Missing table's columns parsed once, and one method per rule."""

    def __init__(
        self,
        missing: pd.DataFrame,
        year: CollectionYear,
        header: pd.DataFrame | None,
        episodes: pd.DataFrame | None,
    ) -> None:
        self.year = year
        self.size = len(missing)
        self.child = missing["CHILD"].to_numpy()
        self.line = missing[LINE].to_numpy()
        type_codes, types = upper_codes(missing["MISSING"])
        self.type = np.asarray(types, dtype=object)[type_codes]
        self.start_text = missing["MIS_START"].to_numpy()
        self.end_text = missing["MIS_END"].to_numpy()
        self.start = dates(missing["MIS_START"])
        self.end = dates(missing["MIS_END"])
        self.dob = dates(missing["DOB"])
        frames = [frame for frame in (missing, header, episodes) if frame is not None]
        children = pd.concat([frame["CHILD"] for frame in frames], ignore_index=True)
        keys, _ = upper_codes(children)
        bounds = np.cumsum([0] + [len(frame) for frame in frames])
        self.key = keys[: self.size]
        self.header = None if header is None else _Header(header, keys[bounds[1] : bounds[2]])
        self.episodes = None if episodes is None else _Episodes(episodes, keys[bounds[-2] :])
        self.notes: dict[str, dict[int, int]] = {}  # what a rule found, for its messages

    def failures(self) -> list[Failure]:
        skipped = unchecked_rules(
            header=self.header is not None, episodes=self.episodes is not None
        )
        codes = list(RULES)
        found: list[Array] = []
        ranks: list[Array] = []
        for position, code in enumerate(codes):
            if code not in skipped:
                failing = np.flatnonzero(getattr(self, "rule_" + code.lower())())
                found.append(failing)
                ranks.append(np.full(len(failing), position))
        row, rank = np.concatenate(found), np.concatenate(ranks)
        order = np.lexsort((rank, self.line[row]))
        return [self._failure(codes[rank[i]], int(row[i])) for i in order]

    def _failure(self, code: str, row: int) -> Failure:
        message = self.message(code, row)
        return Failure(code, str(self.child[row]), int(self.line[row]), message, row)

    # Rules on the row alone ------------------------------------------------------------

    def rule_1004(self) -> Array:
        return np.isnat(self.start)

    def rule_1005(self) -> Array:
        return (self.end_text != "") & np.isnat(self.end)

    def rule_1006(self) -> Array:
        return (self.type != "") & ~np.isin(self.type, CODES)

    def rule_564(self) -> Array:
        return np.isin(self.type, CODES) & np.isnat(self.start)

    def rule_565(self) -> Array:
        return ~np.isnat(self.start) & (self.type == "")

    def rule_566(self) -> Array:
        return ~np.isnat(self.end) & (self.type == "")

    def rule_567(self) -> Array:
        return self.start > self.end

    def rule_570(self) -> Array:
        return self.start > np.datetime64(self.year.end)

    def rule_571(self) -> Array:
        first, last = np.datetime64(self.year.start), np.datetime64(self.year.end)
        return (self.end < first) | (self.end > last)

    def rule_586(self) -> Array:
        return ~np.isnat(self.start) & (self.start <= self.dob)

    # Rules across a child's rows -------------------------------------------------------

    def rule_574(self) -> Array:
        """Ordered by end (a blank end counts as the start), then start: the later of two
        neighbours fails when the earlier has no end or ends after the later starts."""
        filled = np.where(np.isnat(self.end), self.start, self.end)
        order = np.lexsort((_sortable(self.start), _sortable(filled), self.key))
        earlier, later = order[:-1], order[1:]
        clash = (self.key[later] == self.key[earlier]) & (
            np.isnat(self.end[earlier]) | (self.start[later] < self.end[earlier])
        )
        self.notes["574"] = _first(later[clash], earlier[clash])
        mask = np.zeros(self.size, dtype=bool)
        mask[later[clash]] = True
        return mask

    def rule_575(self) -> Array:
        row, ep = self._episode_pairs
        episodes = self.episodes
        assert episodes is not None
        start, decom, dec = self.start[row], episodes.start[ep], episodes.end[ep]
        hit = np.isnat(self.end[row]) & ~np.isnat(dec) & (decom <= start) & (start <= dec)
        self.notes["575"] = _first(row[hit], ep[hit])
        return self._count(row[hit]) > 0

    def rule_577(self) -> Array:
        row, period = self._period_pairs
        start, end = self.start[row], self.end[row]
        began, ended = self._care.start[period], self._care.end[period]
        is_open = np.isnat(end)
        outside = (
            (is_open & ~np.isnat(ended))
            | (is_open & (start < began))
            | (end > ended)
            | (end < began)
        )
        counts = self._count(row)
        return ~np.isnat(self.start) & (counts > 0) & (self._count(row[outside]) == counts)

    def rule_578(self) -> Array:
        row, period = self._period_pairs
        start, began, ended = self.start[row], self._care.start[period], self._care.end[period]
        outside = (start < began) | ((start > ended) & ~np.isnat(ended))
        counts = self._count(row)
        return (counts > 0) & (self._count(row[outside]) == counts)

    def rule_581(self) -> Array:
        row, ep = self._episode_pairs
        episodes = self.episodes
        assert episodes is not None
        start, decom, dec = self.start[row], episodes.start[ep], episodes.end[ep]
        within = (decom <= start) & ((start <= dec) | np.isnat(dec))
        return (self._count(row) > 0) & (self._count(row[within]) == 0)

    def rule_int04(self) -> Array:
        assert self.header is not None
        return ~np.isin(self.key, self.header.key)

    def rule_int13(self) -> Array:
        assert self.header is not None
        row, other = _pairs(self.key, self.header.key)
        mine, theirs = self.dob[row], self.header.dob[other]
        differs = ~np.isnat(mine) & ~np.isnat(theirs) & (mine != theirs)
        self.notes["INT13"] = _first(row[differs], other[differs])
        return self._count(row[differs]) > 0

    def _count(self, rows: Array) -> Array:
        """How many times each row of the Missing table appears in `rows`."""
        return np.bincount(rows, minlength=self.size)

    @cached_property
    def _episode_pairs(self) -> tuple[Array, Array]:
        assert self.episodes is not None
        return _pairs(self.key, self.episodes.key)

    @cached_property
    def _care(self) -> _Periods:
        assert self.episodes is not None
        return self.episodes.periods_of_care()

    @cached_property
    def _period_pairs(self) -> tuple[Array, Array]:
        return _pairs(self.key, self._care.key)

    # Messages --------------------------------------------------------------------------

    def message(self, code: str, row: int) -> str:
        """Say what is wrong with this row, with its values."""
        start, end, kind = _day(self.start[row]), _day(self.end[row]), self.type[row]
        if code == "1004":
            raw = self.start_text[row]
            if raw == "":
                return "MIS_START is blank"
            return f"MIS_START '{raw}' is not a valid date (use dd/mm/YYYY)"
        if code == "1005":
            return f"MIS_END '{self.end_text[row]}' is not a valid date (use dd/mm/YYYY)"
        if code == "1006":
            return f"MISSING '{kind}' is not M (missing) or A (away without authorisation)"
        if code == "564":
            return f"MISSING is {kind} but MIS_START is blank or not a date"
        if code in ("565", "566"):
            column, value = ("MIS_START", start) if code == "565" else ("MIS_END", end)
            return f"{column} {value} is given but MISSING is blank (use M or A)"
        if code == "567":
            return f"MIS_START {start} is after MIS_END {end}"
        if code == "570":
            return f"MIS_START {start} is after the end of {self.year} ({self.year.end:%d/%m/%Y})"
        if code == "571":
            first, last = f"{self.year.start:%d/%m/%Y}", f"{self.year.end:%d/%m/%Y}"
            return f"MIS_END {end} is outside {self.year} ({first} to {last})"
        if code == "586":
            return f"MIS_START {start} is on or before the date of birth {_day(self.dob[row])}"
        return self._child_message(code, row, start, end)

    def _child_message(self, code: str, row: int, start: str, end: str) -> str:
        if code == "574":
            earlier = self.notes["574"][row]
            line, ended = int(self.line[earlier]), self.end[earlier]
            if np.isnat(ended):
                return f"starts {start} while the period on line {line} is still open"
            return f"starts {start}, before the period on line {line} ended ({_day(ended)})"
        if code == "575":
            assert self.episodes is not None
            ep = self.notes["575"][row]
            began, ended = _day(self.episodes.start[ep]), _day(self.episodes.end[ep])
            where = f"Episodes line {self.episodes.line[ep]}"
            return f"MIS_END is blank, but the episode from {began} ended {ended} ({where})"
        if code in ("577", "578"):
            periods = self._care.describe(self.key[row])
            what = f"the period {start} to {'open' if end == 'blank' else end}"
            if code == "578":
                what = f"MIS_START {start}"
            return f"{what} is outside the child's periods of care ({periods})"
        if code == "581":
            return f"MIS_START {start} is within none of the child's Episodes rows"
        if code == "INT04":
            return f"child {self.child[row]} is not in the Header table"
        assert self.header is not None
        theirs = self.header.dob[self.notes["INT13"][row]]
        return f"DOB {_day(self.dob[row])} differs from {_day(theirs)} in the Header table"


class _Header:
    def __init__(self, frame: pd.DataFrame, key: Array) -> None:
        self.key = key
        self.dob = dates(frame["DOB"])


class _Episodes:
    def __init__(self, frame: pd.DataFrame, key: Array) -> None:
        self.key = key
        self.line = frame[LINE].to_numpy()
        self.start = dates(frame["DECOM"])
        self.end = dates(frame["DEC"])

    def periods_of_care(self) -> _Periods:
        """Runs of a child's rows in DECOM order, each starting on or before the day the
        previous one ended (or while it is open); rows without a valid DECOM are left out."""
        dated = np.flatnonzero(~np.isnat(self.start))
        order = dated[np.lexsort((_sortable(self.start[dated]), self.key[dated]))]
        key, start, end = self.key[order], self.start[order], self.end[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (key[1:] != key[:-1]) | (start[1:] > end[:-1])
        first = np.flatnonzero(new)
        last = np.append(first[1:], len(order))[: len(first)] - 1
        return _Periods(key[first], start[first], end[last])


@dataclass
class _Periods:
    """Periods of care: the child's key, first DECOM and last DEC (NaT while open)."""

    key: Array
    start: Array
    end: Array

    def describe(self, key: int) -> str:
        found = np.flatnonzero(self.key == key)
        spans = [
            f"{_day(self.start[i])} to {'now' if np.isnat(self.end[i]) else _day(self.end[i])}"
            for i in found[:3]
        ]
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        return "; ".join(spans) + more
