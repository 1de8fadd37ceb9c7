"""`missing-app report`: the monthly liaison pack as PDF, workbook or CSV (FORMATS.md).

`--home URN` writes one home's pack to the file `--out`; without `--home`, the force-wide
pack; `--home all`, the force-wide pack and one per home into the folder `--out`. Every
file is recorded in the audit log with who, what, which month and why. Children's names
are a disclosure, so `--names` needs `--why`; without `--names` a missing `--why` is
recorded as "(no reason given)" with a warning.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from missing_app.core.errors import ValidationError

if TYPE_CHECKING:
    from missing_app.core.db import Database
    from missing_app.core.reports import Exported, Month, Progress

BAD_INPUT = 2
ALL_HOMES = "all"


def _month(text: str) -> Month:
    from missing_app.core.reports.month import Month

    try:
        return Month.parse(text)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (use YYYY-MM)") from None


def add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`report --month YYYY-MM [--home URN] --format pdf|xlsx|csv --out FILE [--names]
    [--suppress-small] [--why TEXT]`."""
    report = commands.add_parser("report", help="the monthly liaison pack (PDF, XLSX or CSV)")
    report.add_argument("--month", type=_month, required=True, metavar="YYYY-MM")
    report.add_argument(
        "--home",
        metavar="URN",
        help="one home's pack; 'all' for every home's and the force-wide one, into the "
        "folder --out (default: the force-wide pack)",
    )
    report.add_argument("--format", choices=("pdf", "xlsx", "csv"), required=True)
    report.add_argument(
        "--out", required=True, metavar="FILE", help="the file (a folder with --home all)"
    )
    report.add_argument(
        "--names",
        action="store_true",
        help="children's names and local references instead of codes (needs --why)",
    )
    report.add_argument(
        "--suppress-small",
        action="store_true",
        help="counts from 1 to 4 in per-home and per-child tables read <5",
    )
    report.add_argument("--why", metavar="TEXT", help="the reason for the export (audit log)")


def _refusal(args: argparse.Namespace) -> str | None:
    """Why the arguments cannot be carried out, in one sentence; None when they can."""
    out = Path(args.out)
    if args.names and not (args.why or "").strip():
        return "--names discloses children's names: say why with --why."
    if args.home == ALL_HOMES:
        if out.exists() and not out.is_dir():
            return f"--out {out} is a file; --home all writes a folder of files."
        return None
    if out.is_dir():
        return f"--out {out} is a folder; give a file name (or use --home all)."
    if not out.parent.is_dir():
        return f"--out {out}: the folder {out.parent} does not exist."
    return None


def run_report(args: argparse.Namespace, target: str) -> int:
    from missing_app.cli import _end_progress, _open, _progress
    from missing_app.core.errors import NotFound

    refusal = _refusal(args)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return BAD_INPUT
    db = _open(target)
    progress = _progress()
    try:
        _check_access(db, args)
        written = _export(db, args, progress)
    except NotFound as exc:
        print(exc, file=sys.stderr)
        return BAD_INPUT
    finally:
        _end_progress(progress)
        db.close()
    for exported in written:
        print(
            f"Wrote {exported.path}: {exported.scope}, {exported.month.label} "
            f"({exported.size:,} bytes)."
        )
    if not (args.why or "").strip():
        print(
            "warning: no --why given: the audit log records this export without a reason.",
            file=sys.stderr,
        )
    if len(written) > 1:
        print(f"{len(written):,} files in {args.out}, each recorded in the audit log.")
    return 0


def _check_access(db: Database, args: argparse.Namespace) -> None:
    """Refuse (PermissionDenied) a pack of homes, or names, the signed-in role may not have."""
    from missing_app import cli_users
    from missing_app.core.security.access import can_see_names, require_report
    from missing_app.core.security.errors import PermissionDenied

    actor = cli_users.acting_actor()
    with db.session() as session:
        require_report(session, actor, None if args.home == ALL_HOMES else args.home)
    if args.names and not can_see_names(actor):
        raise PermissionDenied(
            f"{actor.label} may not see children's names; the pack can be made without --names."
        )


def _export(db: Database, args: argparse.Namespace, progress: Progress | None) -> list[Exported]:
    from missing_app import cli_users
    from missing_app.core.reports import PackRequest, export_all_homes, export_pack

    username = cli_users.acting_user()
    why = (args.why or "").strip() or None
    if args.home == ALL_HOMES:
        return export_all_homes(
            db,
            args.month,
            args.format,
            Path(args.out),
            username=username,
            why=why,
            names=args.names,
            suppress_small=args.suppress_small,
            progress=progress,
        )
    request = PackRequest(args.month, args.home, args.names, args.suppress_small)
    return [
        export_pack(
            db, request, args.format, Path(args.out), username=username, why=why, progress=progress
        )
    ]
