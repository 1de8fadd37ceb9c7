"""The command line: the window by default, sub-commands for headless work (DESIGN.md).

Exit status: 0 on success, 2 on bad input or arguments, 1 on anything else.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from missing_app import __version__, cli_903, cli_report, cli_safety, cli_users
from missing_app.config import default_database
from missing_app.core.errors import HomewardError, ValidationError

if TYPE_CHECKING:
    from missing_app.core.db import Database

log = logging.getLogger(__name__)

BAD_INPUT = 2
FAILURE = 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="missing-app",
        description="Homeward: missing-from-care work for PCSOs. Without a command, opens the "
        "application.",
    )
    parser.add_argument("--db", metavar="PATH_OR_URL", help="database file or SQLAlchemy URL")
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="who signs in (default: your login name); the password comes from "
        "MISSING_APP_PASSWORD or is asked for",
    )
    parser.add_argument("--version", action="version", version=f"Homeward {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="fill an empty database with realistic demo data")
    demo.add_argument("--scale", choices=("small", "force"), default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the demo's today")

    imports = commands.add_parser("import", help="import records from files")
    kinds = imports.add_subparsers(dest="kind", metavar="KIND", required=True)
    episodes = kinds.add_parser("episodes", help="the generic episodes CSV (FORMATS.md)")
    episodes.add_argument("file", metavar="FILE.csv")
    episodes.add_argument("--homes", metavar="FILE.csv")
    episodes.add_argument("--placements", metavar="FILE.csv")
    cli_903.add_import_parser(kinds)
    stats = commands.add_parser("stats", help="the figures of a period (METRICS.md)")
    stats.add_argument("--from", dest="first", type=_date, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--to", dest="last", type=_date, required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--home", metavar="URN", help="one home's figures")
    stats.add_argument("--json", action="store_true", help="the figures as JSON")
    cli_903.add_parsers(commands)
    cli_safety.add_parsers(commands)
    cli_users.add_parsers(commands)
    cli_report.add_report_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    target = args.db or default_database()
    if args.command is None:
        from missing_app.gui.app import run_application

        return run_application(target)
    handlers: dict[str, Callable[[argparse.Namespace, str], int]] = {
        "demo": _demo,
        "import": _import,
        "stats": _stats,
        "validate": cli_903.run_validate,
        "export": cli_903.run_export,
        "backup": cli_users.with_key(cli_safety.run_backup),
        "restore": cli_users.with_key(cli_safety.run_restore),
        "check": cli_users.with_key(cli_safety.run_check),
        "encrypt": cli_users.run_encrypt,
        "users": cli_users.run_users,
        "report": cli_report.run_report,
    }
    cli_users.begin(args.user, args.command)
    try:
        return handlers[args.command](args, target)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return BAD_INPUT
    except HomewardError as exc:
        print(exc, file=sys.stderr)
        return FAILURE
    except KeyboardInterrupt:
        print("Stopped; nothing was saved by the unfinished step.", file=sys.stderr)
        return FAILURE
    finally:
        cli_users.finish()


def _progress() -> Callable[[str, int, int], None] | None:
    """Progress on stderr, only when a person is watching it."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        amount = f"{done:,}/{total:,}" if total else f"{done:,}"
        print(f"\r{stage}: {amount}\033[K", end="", file=sys.stderr, flush=True)

    return show


def _end_progress(progress: object) -> None:
    if progress is not None:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _open(target: str, *, exclusive: bool = False) -> Database:
    """Open the database; commands that write hold its lock (`exclusive`, core/db/lock.py).

    Signed in as --user first (a password only when it has accounts or is encrypted).
    """
    return cli_users.open_signed_in(target, exclusive=exclusive)


def _demo(args: argparse.Namespace, target: str) -> int:
    from missing_app.core.demo import generate_demo

    progress = _progress()
    summary = generate_demo(
        _open(target, exclusive=True),
        scale=args.scale,
        seed=args.seed,
        as_of=args.as_of,
        progress=progress,
    )
    _end_progress(progress)
    print(
        f"Demo data in {target}: {summary.homes:,} homes, {summary.children:,} children, "
        f"{summary.placements:,} placements, {summary.episodes:,} episodes "
        f"({summary.seconds:.1f} s)."
    )
    return 0


def _import(args: argparse.Namespace, target: str) -> int:
    from missing_app.core.exchange.episodes_csv import import_episodes

    if args.kind == "903":
        return cli_903.run_import(args, target)
    db = _open(target, exclusive=True)
    return run_import_reporting(
        args.file,
        lambda progress: import_episodes(
            db,
            args.file,
            homes=args.homes,
            placements=args.placements,
            username=cli_users.acting_user(),
            progress=progress,
        ),
    )


def run_import_reporting(what: str, run: Callable[[Any], Any]) -> int:
    """Run an import with progress; print its problems (exit 2) or warnings and summary."""
    from missing_app.core.exchange.episodes_csv import ImportFailed

    progress = _progress()
    try:
        report = run(progress)
    except ImportFailed as exc:
        _end_progress(progress)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(1 for problem in exc.problems if problem.is_error)
        print(f"Nothing was imported: {errors:,} error(s) to correct.", file=sys.stderr)
        return BAD_INPUT
    _end_progress(progress)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(f"Imported {what}: {report.summary()}.")
    return 0


def _stats(args: argparse.Namespace, target: str) -> int:
    import json

    from missing_app.core.errors import NotFound
    from missing_app.core.metrics import stats
    from missing_app.core.security.access import require_report
    from missing_app.core.stats_table import stats_table

    if args.first > args.last:
        print(f"--from {args.first} is after --to {args.last}.", file=sys.stderr)
        return BAD_INPUT
    db = _open(target)
    try:
        with db.session() as session:
            require_report(session, cli_users.acting_actor(), args.home)
            figures = stats(session, args.first, args.last, args.home)
    except NotFound as exc:
        print(exc, file=sys.stderr)
        return BAD_INPUT
    print(json.dumps(figures, indent=2) if args.json else stats_table(figures))
    return 0
