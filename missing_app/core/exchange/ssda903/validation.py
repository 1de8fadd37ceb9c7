"""`missing-app validate 903`: the Department's checks on a council's 903 files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from missing_app.core.errors import Problem, ValidationError
from missing_app.core.exchange.ssda903.rulebook import Failure, unchecked_rules
from missing_app.core.exchange.ssda903.tables import (
    EPISODES,
    HEADER,
    MISSING,
    Progress,
    read_return,
)
from missing_app.core.exchange.ssda903.years import CollectionYear


@dataclass
class Validation:
    """The failures of one Missing table, and what could not be checked."""

    year: CollectionYear
    missing_path: str
    rows: int
    failures: list[Failure]
    unchecked: tuple[str, ...] = ()
    warnings: list[Problem] = field(default_factory=list)


def validate_files(
    paths: Iterable[str | Path],
    year: CollectionYear | None = None,
    progress: Progress | None = None,
) -> Validation:
    """Check the Missing table among the files against the rules for `year` (by default the
    collection year of its latest MIS_START); raise ValidationError when a file cannot be read."""
    from missing_app.core.exchange.ssda903.checks import check_missing, latest_start_year

    given = [str(path) for path in paths]
    found = read_return(given, progress)
    if found.has_errors:
        raise ValidationError(found.problems)
    missing = found.tables.get(MISSING)
    if missing is None:
        message = "no Missing table among the files (a CSV file with a MIS_START column)"
        raise ValidationError([Problem("file", message, file=", ".join(given), line=0)])
    year = year or latest_start_year(missing.frame)
    if year is None:
        message = "no MIS_START is a date, so the collection year is not known: give --year"
        raise ValidationError([Problem("MIS_START", message, file=missing.path, line=0)])
    header, episodes = found.frame(HEADER), found.frame(EPISODES)
    if progress is not None:
        progress("checking", len(missing.frame), 0)
    failures = check_missing(missing.frame, year, header=header, episodes=episodes)
    unchecked = unchecked_rules(header=header is not None, episodes=episodes is not None)
    return Validation(year, missing.path, len(missing.frame), failures, unchecked, found.problems)
