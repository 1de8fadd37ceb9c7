"""The core's own exceptions, worded for the person who has to act on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) with one field of one record or file line."""

    field: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file is not None else ""
        prefix = "" if self.is_error else "warning: "
        return f"{where}{self.field}: {prefix}{self.message}"


class HomewardError(Exception):
    """A failure the user can understand and act on."""


class NotFound(HomewardError):
    """The record asked for does not exist."""


class ValidationError(HomewardError):
    """Input broke the rules; nothing was saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [str(p) for p in self.problems if p.is_error]
        shown = "; ".join(errors[:3]) or "invalid input"
        more = f" (and {len(errors) - 3:,} more)" if len(errors) > 3 else ""
        super().__init__(shown + more)


class MigrationError(HomewardError):
    """The database could not be brought to the current schema; it was left as it was."""
