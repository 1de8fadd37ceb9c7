"""`missing-app export 903`: the Missing table of one collection year, for the council to
load into its return: `missing.csv` with the Department's columns and dd/mm/YYYY dates.

It runs the Department's checks on the rows it is about to write first (with Header and
Episodes tables derived from Homeward's children and placements) and refuses, listing the
failures, unless forced. Only the Missing table is written: the council's own Header and
Episodes tables are the record of who is looked after and where; Homeward's placements
cover only the homes its officers work with, so tables derived from them would be wrong
for every child placed elsewhere. Every export is written to the audit log.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.db.files import create_private
from missing_app.core.errors import HomewardError, Problem, Severity, ValidationError
from missing_app.core.exchange.ssda903.own_records import (
    MISSING_COLUMNS,
    RecordFailure,
    check_return,
    own_return,
)
from missing_app.core.exchange.ssda903.years import CollectionYear

log = logging.getLogger(__name__)

FILE_NAME = "missing.csv"


class ExportRefused(ValidationError):
    """The year's records fail the Department's checks; nothing was written."""

    def __init__(self, failures: list[RecordFailure]) -> None:
        self.failures = failures
        super().__init__([as_problem(failure) for failure in failures])


def as_problem(failure: RecordFailure, severity: Severity = "error") -> Problem:
    """The failure as a problem of the file being written, naming the episode to correct."""
    where = f"{failure.code} child {failure.child_ref} (episode {failure.episode_id})"
    return Problem(where, failure.message, severity, file=FILE_NAME, line=failure.line)


@dataclass
class Exported:
    """What an export wrote."""

    path: Path
    rows: int
    failures: list[RecordFailure] = field(default_factory=list)  # written anyway (forced)


def export_903(
    db: Database,
    year: CollectionYear,
    out_dir: str | Path,
    *,
    force: bool = False,
    username: str = "export",
    why: str | None = None,
    recipient: str | None = None,
) -> Exported:
    """Check the year's records, then write `missing.csv` into `out_dir`, or raise ExportRefused."""
    with db.session() as session:
        own = own_return(session, year)
    failures = check_return(own)
    if failures and not force:
        raise ExportRefused(failures)
    target = Path(out_dir) / FILE_NAME
    with db.transaction() as session:
        _write(own.missing, target)
        after = {
            "format": "SSDA903 Missing",
            "year": year.label,
            "file": str(target.resolve()),
            "rows": len(own.missing),
            "failures": len(failures),
            "forced": bool(failures),
        }
        log_event(
            session,
            username,
            "export",
            "missing_episodes",
            after=after,
            why=why,
            recipient=recipient,
        )
    log.info("exported %s rows of %s to %s", len(own.missing), year, target)
    return Exported(target, len(own.missing), failures)


def _write(missing: Any, target: Path) -> None:
    """Write the rows beside the target, then put the file in its place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        create_private(partial)
        missing.to_csv(partial, columns=list(MISSING_COLUMNS), index=False, lineterminator="\r\n")
        os.replace(partial, target)
    except OSError as exc:
        raise HomewardError(f"{target} cannot be written ({exc.strerror or exc})") from exc
