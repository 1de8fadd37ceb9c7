"""Columns of demo rows kept as numpy arrays until written, a chunk at a time.

A million episodes as Python strings and ints would take about a gigabyte; as arrays they
take a tenth of that, and each chunk becomes plain Python values just before `executemany`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def _blank(values: npt.NDArray[Any], present: BoolArray | None) -> list[Any]:
    """The values as a list, with None where not present."""
    if present is not None:
        values = values.astype(object)
        values[~present] = None
    result: list[Any] = values.tolist()
    return result


def _part(present: BoolArray | None, start: int, stop: int) -> BoolArray | None:
    return None if present is None else present[start:stop]


@dataclass
class Plain:
    """Numbers (or ready-made objects) as they are; 0/1 for flags."""

    values: npt.NDArray[Any]
    present: BoolArray | None = None

    def __len__(self) -> int:
        return int(self.values.size)

    def rows(self, start: int, stop: int) -> list[Any]:
        return _blank(self.values[start:stop], _part(self.present, start, stop))


@dataclass
class Stamps:
    """Unix seconds written as the UTC storage text of `times.to_storage`."""

    seconds: IntArray
    present: BoolArray | None = None

    def __len__(self) -> int:
        return int(self.seconds.size)

    def rows(self, start: int, stop: int) -> list[Any]:
        moments = self.seconds[start:stop].astype("datetime64[s]")
        text = np.datetime_as_string(moments, unit="s").astype("U19")
        text.view("U1").reshape(-1, 19)[:, 10] = " "  # ISO 'T' to the stored space
        return _blank(text, _part(self.present, start, stop))

    def count_missing(self) -> int:
        return 0 if self.present is None else int((~self.present).sum())


@dataclass
class Options:
    """One of a few strings, chosen by index."""

    options: list[str]
    index: IntArray
    present: BoolArray | None = None

    def __len__(self) -> int:
        return int(self.index.size)

    def rows(self, start: int, stop: int) -> list[Any]:
        chosen = np.array(self.options, dtype=object)[self.index[start:stop]]
        return _blank(chosen, _part(self.present, start, stop))


@dataclass
class PoliceRefs:
    """Force log numbers, 'MPyy/nnnnnn'."""

    year: IntArray
    number: IntArray
    present: BoolArray

    def __len__(self) -> int:
        return int(self.year.size)

    def rows(self, start: int, stop: int) -> list[Any]:
        years = (self.year[start:stop] % 100).tolist()
        numbers = self.number[start:stop].tolist()
        present = self.present[start:stop].tolist()
        return [
            f"MP{year:02d}/{number:06d}" if kept else None
            for year, number, kept in zip(years, numbers, present, strict=True)
        ]


Column = Plain | Stamps | Options | PoliceRefs
Columns = dict[str, Column]
