"""The collection year of the return: 1 April to 31 March, written `2024-25`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_LABEL = re.compile(r"(\d{4})-(\d{2})")
# `SEX` is 1/2 up to 2023-24 and M/F/U from 2024-25.
LETTER_SEX_FROM = 2024


@dataclass(frozen=True, order=True)
class CollectionYear:
    """One collection year, named by the year it starts in."""

    first_year: int

    @classmethod
    def parse(cls, text: str) -> CollectionYear:
        """Read `2024-25`, or raise ValueError saying what is expected."""
        found = _LABEL.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"'{text}' is not a collection year (use YYYY-YY, as 2024-25)")
        first, second = int(found.group(1)), int(found.group(2))
        if (first + 1) % 100 != second:
            raise ValueError(
                f"'{text}' is not a collection year ({first}-{(first + 1) % 100:02d}?)"
            )
        return cls(first)

    @classmethod
    def containing(cls, day: date) -> CollectionYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.first_year}-{(self.first_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.first_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.first_year + 1, 3, 31)

    @property
    def letter_sex_codes(self) -> bool:
        """Whether the year codes `SEX` as M/F/U (from 2024-25) rather than 1/2."""
        return self.first_year >= LETTER_SEX_FROM

    def __str__(self) -> str:
        return self.label
