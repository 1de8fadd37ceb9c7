"""Exporting packs: each file written whole and recorded in the audit log with who, what,
which month and why; the batch of every home, with progress and cancel."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.errors import HomewardError
from missing_app.core.models import AuditEvent
from missing_app.core.records import Records
from missing_app.core.reports import (
    Cancelled,
    Month,
    PackRequest,
    build_pack,
    export_all_homes,
    export_pack,
    render,
    save_pack,
)
from missing_app.core.reports import export as export_module
from missing_app.core.reports.export import file_name
from tests.core.reports_world import OCTOBER, build_world


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    return build_world(records)


def exports(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        return list(session.scalars(query))


def test_an_export_is_written_and_recorded(
    db: Database, world: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = out / "oak.pdf"
    request = PackRequest(OCTOBER, "SC100001", suppress_small=True)
    done = export_pack(
        db,
        request,
        "pdf",
        path,
        username="pcso.jones",
        why="October meeting",
        recipient="Oak House manager",
    )
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and done.size == len(data) and done.path == path
    (event,) = exports(db)
    assert (event.id, event.username, event.entity, event.entity_id) == (
        done.audit_id,
        "pcso.jones",
        "report",
        world["oak"],
    )
    assert (event.why, event.recipient) == ("October meeting", "Oak House manager")
    what = json.loads(event.after or "{}")
    assert what == {
        "report": "monthly pack",
        "format": "pdf",
        "month": "2025-10",
        "from": "2025-10-01",
        "to": "2025-10-31",
        "home": "SC100001",
        "names": False,
        "suppress_small": True,
        "file": str(path.resolve()),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert list(out.iterdir()) == [path]  # nothing half-written left beside it


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_other_formats_are_recorded_too(
    db: Database, world: dict[str, int], tmp_path: Path, format: Any
) -> None:
    path = tmp_path / f"pack.{format}"
    export_pack(db, PackRequest(OCTOBER), format, path, username="analyst.lee", why=None)
    (event,) = exports(db)
    assert event.why == "(no reason given)" and event.entity_id is None
    assert json.loads(event.after or "{}")["format"] == format and path.stat().st_size > 100


def test_a_pack_already_built_and_rendered_is_saved_as_it_was_previewed(
    db: Database, world: dict[str, int], tmp_path: Path
) -> None:
    pack = build_pack(db, PackRequest(OCTOBER), "pcso.jones")
    pdf = render(pack, "pdf")
    done = save_pack(db, pack, "pdf", tmp_path / "all.pdf", why="Force meeting", content=pdf)
    assert (tmp_path / "all.pdf").read_bytes() == pdf and done.scope == "All homes"


def test_no_file_without_its_audit_row(
    db: Database, world: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit log is full")

    monkeypatch.setattr(export_module, "log_event", broken)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError):
        export_pack(db, PackRequest(OCTOBER), "csv", out / "p.csv", username="x", why="y")
    assert list(out.iterdir()) == [] and exports(db) == []


def test_an_unwritable_place_is_a_clear_error(
    db: Database, world: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(HomewardError, match="could not be written"):
        export_pack(
            db, PackRequest(OCTOBER), "csv", tmp_path / "missing" / "p.csv", username="x", why="y"
        )
    assert exports(db) == []


def test_file_names() -> None:
    assert file_name(OCTOBER, "pdf") == "2025-10-all-homes.pdf"
    assert file_name(OCTOBER, "xlsx", "SC100001", "Oak House (Annexe)") == (
        "2025-10-SC100001-oak-house-annexe.xlsx"
    )
    assert file_name(Month(2026, 1), "csv", "LA/12", "") == "2026-01-LA-12.csv"


def test_every_home_and_the_force(db: Database, world: dict[str, int], tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    written = export_all_homes(
        db,
        OCTOBER,
        "csv",
        tmp_path / "out",
        username="pcso.jones",
        why="All meetings",
        progress=lambda *a: seen.append(a),
    )
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == [
        "2025-10-SC100001-oak-house.csv",
        "2025-10-SC100002-elm-lodge.csv",
        "2025-10-all-homes.csv",
    ]
    assert [done.scope for done in written] == [
        "All homes",
        "Oak House (SC100001)",
        "Elm Lodge (SC100002)",
    ]
    assert [json.loads(e.after or "{}")["home"] for e in exports(db)] == [
        None,
        "SC100001",
        "SC100002",
    ]
    assert [stage for stage, _, _ in seen] == ["All homes", "Oak House", "Elm Lodge", "Done"]
    assert seen[-1][1:] == (3, 3)


def test_cancelling_a_batch_keeps_what_was_written(
    db: Database, world: dict[str, int], tmp_path: Path
) -> None:
    cancel = threading.Event()

    def progress(stage: str, done: int, total: int) -> None:
        if done == 1:  # the force-wide pack is written: cancel before the first home
            cancel.set()

    with pytest.raises(Cancelled, match="after 1 of 3 files"):
        export_all_homes(
            db,
            OCTOBER,
            "csv",
            tmp_path / "out",
            username="x",
            why="y",
            progress=progress,
            cancel=cancel,
        )
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["2025-10-all-homes.csv"]
    assert len(exports(db)) == 1
