"""Exporting packs: build, write and audit in one place, for one home or for every home.

Each file is written beside its final name and moved into place inside the transaction
that records it in the audit log (who, what, which month and home, why, and the file's
SHA-256), so no pack leaves Homeward unrecorded. A batch reports progress home by home and
stops between homes when cancelled; the files written by then stay, each with its row.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from missing_app.core.audit import log_event
from missing_app.core.db import Database
from missing_app.core.db.files import create_private
from missing_app.core.errors import HomewardError
from missing_app.core.models import CareHome
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack import MonthlyPack, PackRequest, build_pack, gather_pack
from missing_app.core.reports.progress import CancelFlag, Cancelled, Progress, check, report
from missing_app.core.reports.pseudonyms import Pseudonyms, pseudonym_secret

Format = Literal["pdf", "xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("pdf", "xlsx", "csv")
NO_REASON = "(no reason given)"


@dataclass(frozen=True)
class Exported:
    """One file written and recorded."""

    path: Path
    format: Format
    scope: str
    month: Month
    size: int  # bytes
    audit_id: int


def render(
    pack: MonthlyPack,
    format: Format,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> bytes:
    """The pack as the bytes of a PDF, workbook or CSV file."""
    if format == "pdf":
        from missing_app.core.reports.pdf import render_pdf

        return render_pdf(pack, progress=progress, cancel=cancel)
    if format == "xlsx":
        from missing_app.core.reports.workbook import render_workbook

        return render_workbook(pack)
    from missing_app.core.reports.summary_csv import render_summary_csv

    return render_summary_csv(pack)


def save_pack(
    db: Database,
    pack: MonthlyPack,
    format: Format,
    path: Path,
    *,
    why: str | None,
    recipient: str | None = None,
    content: bytes | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> Exported:
    """Write a built pack to `path` and record the export (`content`: already rendered)."""
    data = (
        content if content is not None else render(pack, format, progress=progress, cancel=cancel)
    )
    check(cancel)
    audit_id = _write_recorded(db, pack, format, Path(path), data, why or NO_REASON, recipient)
    return Exported(Path(path), format, pack.scope, pack.month, len(data), audit_id)


def _write_recorded(
    db: Database,
    pack: MonthlyPack,
    format: Format,
    path: Path,
    data: bytes,
    why: str,
    recipient: str | None,
) -> int:
    """Put `data` at `path` and its audit row in the database: both, or neither."""
    part = path.with_name(f".{path.name}.part")
    try:
        create_private(part).write_bytes(data)
        return _move_recorded(db, pack, format, part, path, data, why, recipient)
    except OSError as error:
        raise HomewardError(f"{path} could not be written ({error.strerror or error}).") from error
    finally:
        part.unlink(missing_ok=True)


def _move_recorded(
    db: Database,
    pack: MonthlyPack,
    format: Format,
    part: Path,
    path: Path,
    data: bytes,
    why: str,
    recipient: str | None,
) -> int:
    """Move the written file into place inside the transaction of its audit row."""
    moved = False
    try:
        with db.transaction() as session:
            event = log_event(
                session,
                pack.generated_by,
                "export",
                "report",
                None if pack.home is None else pack.home.home_id,
                after=_what(pack, format, path, data),
                why=why,
                recipient=recipient,
            )
            session.flush()
            os.replace(part, path)
            moved = True
        return event.id
    except BaseException:
        if moved:  # the row was not saved after all: the file must not stay unrecorded
            path.unlink(missing_ok=True)
        raise


def _what(pack: MonthlyPack, format: Format, path: Path, data: bytes) -> dict[str, object]:
    """What the audit row says was exported."""
    request = pack.request
    return {
        "report": "monthly pack",
        "format": format,
        "month": pack.month.key,
        "from": pack.month.first.isoformat(),
        "to": pack.month.last.isoformat(),
        "home": request.home_urn,
        "names": request.names,
        "suppress_small": request.suppress_small,
        "file": str(path.resolve()),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def export_pack(
    db: Database,
    request: PackRequest,
    format: Format,
    path: Path,
    *,
    username: str,
    why: str | None,
    recipient: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> Exported:
    """Build one pack, write it to `path` and record the export."""
    pack = build_pack(db, request, username, now=now, progress=progress, cancel=cancel)
    return save_pack(
        db, pack, format, path, why=why, recipient=recipient, progress=progress, cancel=cancel
    )


def file_name(month: Month, format: Format, urn: str | None = None, name: str = "") -> str:
    """'2025-10-all-homes.pdf' or '2025-10-SC123456-oak-house.pdf'."""
    if urn is None:
        return f"{month.key}-all-homes.{format}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    safe_urn = re.sub(r"[^A-Za-z0-9_-]+", "-", urn)
    return f"{month.key}-{safe_urn}{'-' + slug if slug else ''}.{format}"


def export_all_homes(
    db: Database,
    month: Month,
    format: Format,
    folder: Path,
    *,
    username: str,
    why: str | None,
    names: bool = False,
    suppress_small: bool = False,
    recipient: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> list[Exported]:
    """The force-wide pack and one pack per home (by URN) into `folder`, each recorded."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pseudonyms = Pseudonyms(pseudonym_secret(db, username))
    with db.session() as session:
        homes = [(None, "")] + [
            tuple(row)
            for row in session.execute(select(CareHome.urn, CareHome.name).order_by(CareHome.urn))
        ]
    written: list[Exported] = []
    try:
        for done, (urn, name) in enumerate(homes):
            check(cancel)
            report(progress, name or "All homes", done, len(homes))
            request = PackRequest(month, urn, names, suppress_small)
            with db.session() as session:
                pack = gather_pack(session, request, pseudonyms, username, now=now, cancel=cancel)
            path = folder / file_name(month, format, urn, name)
            written.append(
                save_pack(db, pack, format, path, why=why, recipient=recipient, cancel=cancel)
            )
    except Cancelled:
        raise Cancelled(
            f"Cancelled after {len(written):,} of {len(homes):,} files; those "
            f"written are in {folder} and in the audit log."
        ) from None
    report(progress, "Done", len(homes), len(homes))
    return written
