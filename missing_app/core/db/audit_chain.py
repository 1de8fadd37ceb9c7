"""The audit log's hash chain: a row changed, removed or slipped in shows.

Each row's `chain` is a SHA-256 over the row (id, when, who, what, which record, why, to
whom, whether it was restored over) and over the `chain` of the row before it, so changing
any row, or removing one, breaks every link after it. The values before and after are
covered through `values_digest`, a hash of them kept beside them: erasing a child at the
end of retention blanks the values (the one change the log allows) and leaves the digest,
so the chain still holds. The triggers that refuse changes are checked to be there too:
a log whose guards were dropped is reported even when no row was touched yet.

What it cannot see: someone who rewrites the whole chain with this code, or cuts rows off
its end. Backups keep older chains to compare with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from missing_app.core.times import to_storage

GENESIS = "0" * 64  # the `chain` before the first row
GUARDS = ("audit_events_no_delete", "audit_events_no_update")
FIELDS = ("id", "at", "username", "action", "entity", "entity_id", "why", "recipient")
COLUMNS = (*FIELDS, "before", "after", "restored_over", "values_digest", "chain")
SHOWN = 3  # problems named one by one; the rest are counted


def values_digest(before: str | None, after: str | None) -> str:
    """The hash of a row's values before and after, as stored (JSON text)."""
    return _sha256([before, after])


def row_chain(previous: str, row: Any, digest: str) -> str:
    """The `chain` of `row` (a mapping of column to value) after the row whose `chain` is
    `previous`."""
    fields = [_stored(row[name]) for name in FIELDS]
    return _sha256([previous, *fields, int(bool(row.get("restored_over"))), digest])


def _stored(value: Any) -> Any:
    return to_storage(value) if isinstance(value, datetime) else value


def _sha256(values: list[Any]) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


def last_link(connection: Connection) -> tuple[int, str]:
    """The id and `chain` of the newest row, or (0, GENESIS) for an empty log."""
    row = connection.execute(
        text("SELECT id, chain FROM audit_events ORDER BY id DESC LIMIT 1")
    ).first()
    return (0, GENESIS) if row is None else (int(row[0]), row[1] or GENESIS)


def link(rows: Iterable[dict[str, Any]], last: tuple[int, str]) -> list[dict[str, Any]]:
    """The rows given their ids, digests and chains, following the row `last` (id, chain)."""
    last_id, previous = last
    linked = []
    for number, row in enumerate(rows, start=last_id + 1):
        digest = values_digest(row.get("before"), row.get("after"))
        row = {
            **row,
            "id": number,
            "at": _stored(row["at"]),
            "restored_over": bool(row.get("restored_over")),
        }
        previous = row_chain(previous, row, digest)
        linked.append({**row, "values_digest": digest, "chain": previous})
    return linked


def append(connection: Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Add rows at the end of the log (a bulk write), chained; returns how many."""
    linked = link(rows, last_link(connection))
    if linked:
        names = ", ".join(linked[0])
        marks = ", ".join(f":{name}" for name in linked[0])
        connection.execute(text(f"INSERT INTO audit_events ({names}) VALUES ({marks})"), linked)
    return len(linked)


def chain_problems(connection: Connection) -> list[str]:
    """What is wrong with the log: missing guards, and rows whose links do not hold."""
    problems = _missing_guards(connection)
    broken: list[int] = []
    previous = GENESIS
    query = text(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY id")
    for row in connection.execute(query).mappings():
        if not _holds(previous, row):
            broken.append(int(row["id"]))
        previous = row["chain"] or GENESIS
    if broken:
        named = ", ".join(str(number) for number in broken[:SHOWN])
        more = f" and {len(broken) - SHOWN} more" if len(broken) > SHOWN else ""
        rows, were = ("row", "was") if len(broken) == 1 else ("rows", "were")
        problems.append(
            f"audit {rows} {named}{more} {were} changed, added outside Homeward, or follow rows "
            "that were removed"
        )
    return problems


def _holds(previous: str, row: Any) -> bool:
    digest = row["values_digest"]
    if row["chain"] is None or digest is None:
        return False
    blanked = row["before"] is None and row["after"] is None  # erased at end of retention
    if not blanked and values_digest(row["before"], row["after"]) != digest:
        return False
    return bool(row_chain(previous, row, digest) == row["chain"])


def _missing_guards(connection: Connection) -> list[str]:
    if connection.dialect.name != "sqlite":
        return []
    present = set(
        connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
    )
    gone = [name for name in GUARDS if name not in present]
    if not gone:
        return []
    return [
        f"the guards that keep the audit log from being changed were removed ({', '.join(gone)})"
    ]


def describe(problems: list[str]) -> str:
    """One sentence for the person reading the log."""
    return (
        "The audit log has been tampered with: "
        + "; ".join(problems)
        + ". Rows from there on cannot be trusted; tell your supervisor, and keep a backup."
    )


def rechain(connection: Connection) -> int:
    """Give every row its digest and chain anew, in id order (the migration that brings the
    chain in, with the log's guards lifted); returns how many rows."""
    previous = GENESIS
    rows = connection.execute(text(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY id"))
    updates = []
    for row in rows.mappings().all():
        digest = values_digest(row["before"], row["after"])
        previous = row_chain(previous, row, digest)
        updates.append({"id": row["id"], "values_digest": digest, "chain": previous})
    if updates:
        connection.execute(
            text(
                "UPDATE audit_events SET values_digest = :values_digest, chain = :chain "
                "WHERE id = :id"
            ),
            updates,
        )
    return len(updates)
