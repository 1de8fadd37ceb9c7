"""Synthetic, realistic data for demonstrations, tests and benchmarks.

`generate_demo` fills an empty database with three years of Merseyside-like records ending
at `as_of`: homes, PCSOs, looked-after children and their placements, missing episodes with
their reports, returns, safe-and-well checks and return interviews, the PCSOs' checks of
reporting practice, and monthly liaison meetings with their actions. The same seed and
`as_of` give the same records, byte for byte (only the audit row's time differs).

Scales:

- ``small``: about 40 homes of 2 to 6 beds and 400 children; about one child in ten goes
  missing, most once or twice, a few 20 to 50 times (DOMAIN.md's national shape).
- ``force``: a load test, not a picture of Merseyside: about 5,000 homes (the children per
  home of ``small``), 50,000 children and 1,000,000 episodes. To reach that many episodes
  from those children, half of them go missing (not one in ten), a typical one about once
  a month rather than once or twice in all, and the most frequent a few hundred times.
  The shapes stay the same: evening and night hours, Friday and Saturday peaks, durations,
  reporting practice, return interviews, the fall in episodes after engagement. It takes
  about half a minute on a two-core laptop. (`demo_world.SPECS` holds both scales.)

Records stop at the start of the `as_of` day (London time), so nothing lies in the future
when `as_of` is today: a few children are missing "now", some returns still wait for their
safe-and-well check or return interview, and one child has just crossed the repeat threshold.
numpy and the planning modules are imported only when a demo is generated.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, column, func, insert, select, table

from missing_app.core.db import Database, audit_chain
from missing_app.core.db.bulk import insert_stored
from missing_app.core.errors import HomewardError
from missing_app.core.models import (
    Action,
    Base,
    CareHome,
    Child,
    ChildProfile,
    LiaisonMeeting,
    Placement,
    User,
)
from missing_app.core.times import local_date, utc_now

if TYPE_CHECKING:
    from missing_app.core.demo_columns import Columns
    from missing_app.core.demo_plan import Plan

log = logging.getLogger(__name__)

Scale = Literal["small", "force"]
Progress = Callable[[str, int, int], None]
SCALES: tuple[Scale, ...] = ("small", "force")
CHUNK = 50_000  # rows per executemany: progress is reported between chunks


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote, and how long it took (up to the final commit)."""

    homes: int
    children: int
    placements: int
    episodes: int
    seconds: float
    open_episodes: int = 0
    return_interviews: int = 0
    assessments: int = 0
    meetings: int = 0
    actions: int = 0
    users: int = 0
    scale: str = "small"
    seed: int = 1
    as_of: date | None = None

    def to_json(self) -> str:
        values = asdict(self)
        values["as_of"] = self.as_of.isoformat() if self.as_of else None
        return json.dumps(values, sort_keys=True)


def _silent(_stage: str, _done: int, _total: int) -> None:
    return None


def generate_demo(
    db: Database,
    *,
    scale: Scale = "small",
    seed: int = 1,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty database with demo records; refuse if it holds any home or child."""
    started = time.perf_counter()
    report = progress or _silent
    if scale not in SCALES:
        raise HomewardError(f"Unknown demo scale '{scale}': use 'small' or 'force'.")
    with db.engine.connect() as connection:
        _refuse_unless_empty(
            connection, str(db.path or db.url)
        )  # before minutes of planning, not after
    day = as_of or local_date(utc_now())
    from missing_app.core.demo_plan import plan

    records = plan(seed, scale, day, report)
    with db.transaction() as session:
        connection = session.connection()
        _refuse_unless_empty(
            connection, str(db.path or db.url)
        )  # and again, now no one else can write
        counts = _write(connection, records, report)
        summary = DemoSummary(
            **counts, seconds=round(time.perf_counter() - started, 2), scale=scale, seed=seed,
            as_of=day,
        )  # fmt: skip
        _audit(connection, summary)
    report("Demo data ready", 1, 1)
    log.info("demo data written: %s", summary.to_json())
    return summary


def _refuse_unless_empty(connection: Connection, url: str) -> None:
    homes = connection.execute(select(func.count()).select_from(CareHome)).scalar_one()
    children = connection.execute(select(func.count()).select_from(Child)).scalar_one()
    if homes or children:
        raise HomewardError(
            f"The database {url} already holds {homes:,} care homes and {children:,} children; "
            "demo data is only added to an empty database so it never mixes with real "
            "records. Choose a new database file for the demo."
        )


def _write(connection: Connection, records: Plan, report: Progress) -> dict[str, int]:
    """Insert every planned row, parents before children; return the counts."""
    officers = _write_users(connection, records.users)
    for home in records.homes:
        home["pcso_id"] = officers.get(home.pop("pcso_username", None) or "")
    for model, rows in (
        (CareHome, records.homes),
        (Child, records.children),
        (ChildProfile, records.profiles),
        (Placement, records.placements),
    ):
        _insert_rows(connection, model, rows, report)
    for name, columns in (
        ("missing_episodes", records.episodes),
        ("return_interviews", records.interviews),
        ("reporting_assessments", records.assessments),
    ):
        _insert_columns(connection, name, columns, report)
    _insert_rows(connection, LiaisonMeeting, records.meetings, report)
    _insert_rows(connection, Action, records.actions, report)
    return {
        "homes": len(records.homes),
        "children": len(records.children),
        "placements": len(records.placements),
        "episodes": len(records.episodes["id"]),
        "open_episodes": records.open_episodes,
        "return_interviews": len(records.interviews["id"]),
        "assessments": len(records.assessments["id"]),
        "meetings": len(records.meetings),
        "actions": len(records.actions),
        "users": len(records.users),
    }


def _write_users(connection: Connection, users: list[dict[str, Any]]) -> dict[str, int]:
    """Add the demo officers (keeping any already there); their ids by username."""
    usernames = [user["username"] for user in users]
    known = select(User.username).where(User.username.in_(usernames))
    existing = set(connection.execute(known).scalars())
    missing = [user for user in users if user["username"] not in existing]
    if missing:
        connection.execute(insert(User), missing)
    ids = select(User.username, User.id).where(User.username.in_(usernames))
    return {name: number for name, number in connection.execute(ids).tuples()}


def _insert_rows(
    connection: Connection, model: type[Base], rows: list[dict[str, Any]], report: Progress
) -> None:
    """Core bulk insert into the model's table; its column types convert dates and times."""
    name = model.__tablename__
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(model), rows[start : start + CHUNK])
        report(f"Writing {name.replace('_', ' ')}", min(start + CHUNK, len(rows)), len(rows))


def _insert_columns(connection: Connection, name: str, columns: Columns, report: Progress) -> None:
    """Insert rows given as columns, date-times rendered as UTC storage text, by chunks."""
    names, values = list(columns), list(columns.values())
    total = len(values[0])
    send = insert_stored if connection.dialect.name == "sqlite" else _core_insert
    for start in range(0, total, CHUNK):
        parts = [value.rows(start, start + CHUNK) for value in values]
        rows = list(zip(*parts, strict=True))
        send(connection, name, names, rows)
        report(f"Writing {name.replace('_', ' ')}", min(start + CHUNK, total), total)


def _core_insert(
    connection: Connection, name: str, names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """For other databases: a Core insert over a plain table, values passed as they are."""
    plain = table(name, *(column(n) for n in names))
    connection.execute(plain.insert(), [dict(zip(names, row, strict=True)) for row in rows])


def _audit(connection: Connection, summary: DemoSummary) -> None:
    audit_chain.append(
        connection,
        [
            {
                "at": utc_now(),
                "username": "demo",
                "action": "demo",
                "entity": "database",
                "entity_id": None,
                "before": None,
                "after": summary.to_json(),
                "why": "Demo data generated",
                "recipient": None,
            }
        ],
    )
