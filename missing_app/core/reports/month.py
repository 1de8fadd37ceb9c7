"""A calendar month of London dates, as `report --month YYYY-MM` names it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from missing_app.core.errors import Problem, ValidationError

_PATTERN = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month: London dates `first` to `last`, both inclusive."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read 'YYYY-MM'; anything else is a ValidationError on the field `month`."""
        found = _PATTERN.fullmatch(text.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise ValidationError([Problem("month", f"'{text}' is not a month (use YYYY-MM)")])
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last(self) -> date:
        following = Month(self.year + self.number // 12, self.number % 12 + 1)
        return following.first - timedelta(days=1)

    @property
    def key(self) -> str:
        """'2025-10'."""
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def label(self) -> str:
        """'October 2025'."""
        return f"{self.first:%B %Y}"

    @property
    def short(self) -> str:
        """'Oct 2025'."""
        return f"{self.first:%b %Y}"

    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def year_before(self) -> Month:
        return Month(self.year - 1, self.number)
