"""The SSDA903 commands: `import 903`, `validate 903` and `export 903` (DESIGN.md).

Exit status as for every command: 0 on success, 2 on bad input (files that cannot be
imported, rows that fail the Department's checks, an export refused), 1 on anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from missing_app.core.exchange.ssda903.years import CollectionYear

if TYPE_CHECKING:
    from missing_app.core.exchange.ssda903.rulebook import Failure

BAD_INPUT = 2
FILES_HELP = "the Header, Episodes and Missing tables as CSV files, folders of them, or the XML"


def _year(text: str) -> CollectionYear:
    try:
        return CollectionYear.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_import_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`import 903 FILE_OR_DIR...`."""
    ssda903 = kinds.add_parser("903", help="a council's SSDA903 return (FORMATS.md)")
    ssda903.add_argument("files", nargs="+", metavar="FILE_OR_DIR", help=FILES_HELP)


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`validate 903 FILE_OR_DIR... [--year] [--json]` and `export 903 --year --out`."""
    validate = commands.add_parser("validate", help="the Department's checks on a 903 return")
    kinds = validate.add_subparsers(dest="kind", metavar="KIND", required=True)
    files = kinds.add_parser("903", help="the Missing table against the DfE's rules")
    files.add_argument("files", nargs="+", metavar="FILE_OR_DIR", help=FILES_HELP)
    files.add_argument(
        "--year",
        type=_year,
        metavar="YYYY-YY",
        help="the collection year, as 2024-25 (default: the year of the latest MIS_START)",
    )
    files.add_argument("--json", action="store_true", help="the failures as a JSON list")
    export = commands.add_parser("export", help="write records for another system")
    kinds = export.add_subparsers(dest="kind", metavar="KIND", required=True)
    missing = kinds.add_parser("903", help="the 903 Missing table of one collection year")
    missing.add_argument("--year", type=_year, required=True, metavar="YYYY-YY")
    missing.add_argument("--out", required=True, metavar="DIR", help="folder for missing.csv")
    missing.add_argument(
        "--force", action="store_true", help="write even when the records fail the DfE's checks"
    )
    missing.add_argument("--why", metavar="TEXT", help="the reason, for the audit log")
    missing.add_argument("--recipient", metavar="TEXT", help="who it is for, for the audit log")


def run_import(args: argparse.Namespace, target: str) -> int:
    from missing_app import cli_users
    from missing_app.cli import _open, run_import_reporting
    from missing_app.core.exchange.ssda903.importer import import_903

    db = _open(target, exclusive=True)
    return run_import_reporting(
        ", ".join(args.files),
        lambda progress: import_903(
            db, args.files, username=cli_users.acting_user(), progress=progress
        ),
    )


def run_validate(args: argparse.Namespace, target: str) -> int:
    """Print every failure (or the JSON list); exit 2 when there is any."""
    from missing_app.cli import _end_progress, _progress
    from missing_app.core.exchange.ssda903.validation import validate_files

    progress = _progress()
    try:
        result = validate_files(args.files, args.year, progress)
    finally:
        _end_progress(progress)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if args.json:
        print(json.dumps([failure.as_json() for failure in result.failures], indent=2))
    else:
        for failure in result.failures:
            print(f"{result.missing_path}:{failure}")
    if result.unchecked:
        print(
            f"Not checked without the Header or Episodes table: {', '.join(result.unchecked)}.",
            file=sys.stderr,
        )
    print(_summary(result.failures, result.rows, result.missing_path, result.year), file=sys.stderr)
    return BAD_INPUT if result.failures else 0


def _summary(failures: Sequence[Failure], rows: int, path: str, year: CollectionYear) -> str:
    where = f"{rows:,} Missing rows of {path} against {year}"
    if not failures:
        return f"No failures: {where}."
    from missing_app.core.exchange.ssda903.rulebook import RULES

    counts = Counter(failure.code for failure in failures)
    codes = sorted(counts, key=list(RULES).index)
    by_code = ", ".join(f"{code} x{counts[code]}" for code in codes)
    return f"{len(failures):,} failure(s) in {where}: {by_code}."


def run_export(args: argparse.Namespace, target: str) -> int:
    """Write the year's Missing table (every home's episodes: a PCSO limited to their own
    homes is refused, as for a report of all homes)."""
    from missing_app import cli_users
    from missing_app.cli import _open
    from missing_app.core.exchange.ssda903.exporter import ExportRefused, as_problem, export_903
    from missing_app.core.security.access import require_report

    db = _open(target)
    with db.session() as session:
        require_report(session, cli_users.acting_actor(), None)
    try:
        exported = export_903(
            db,
            args.year,
            args.out,
            force=args.force,
            username=cli_users.acting_user(),
            why=args.why,
            recipient=args.recipient,
        )
    except ExportRefused as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"Nothing was exported: {len(exc.failures):,} failure(s) of the Department's "
            "checks. Correct the records, or use --force to export them as they are.",
            file=sys.stderr,
        )
        return BAD_INPUT
    for failure in exported.failures:
        print(as_problem(failure, "warning"), file=sys.stderr)
    forced = f" ({len(exported.failures):,} failing the checks)" if exported.failures else ""
    print(f"Wrote {exported.rows:,} rows of {args.year} to {exported.path}{forced}.")
    return 0
