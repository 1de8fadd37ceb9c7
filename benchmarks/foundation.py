"""Demo generation at force scale, and the import rate of a 100,000-row episodes file."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path

from benchmarks.common import OUT, Result, best_of, fresh_file, stage, timed
from missing_app.core.db import open_database
from missing_app.core.demo import generate_demo
from missing_app.core.exchange.episodes_csv import import_episodes
from missing_app.core.exchange.episodes_export import export_episodes

AS_OF = date(2026, 11, 1)
IMPORT_ROWS = 100_000
PRAGMAS = ("foreign_keys=ON", "synchronous=FULL", "cache_size=-65536")


def force_database() -> tuple[Path, Result]:
    path = fresh_file(OUT / "force.sqlite")
    db = open_database(str(path))
    with stage("generating the force-scale demo"):
        summary, seconds = timed(lambda: generate_demo(db, scale="force", seed=1, as_of=AS_OF))
    db.close()
    note = f"{summary.homes:,} homes, {summary.children:,} children, {summary.episodes:,} episodes"
    return path, Result("demo --scale force: generate", seconds, note=note)


def episodes_file(force: Path) -> Path:
    path = OUT / "episodes-100k.csv"
    with stage(f"exporting {IMPORT_ROWS:,} episodes as a CSV file"):
        db = open_database(str(force))
        export_episodes(db, path, limit=IMPORT_ROWS)
        db.close()
    return path


def _import_once(file: Path) -> float:
    db = open_database(str(fresh_file(OUT / "import.sqlite")))
    _, seconds = timed(lambda: import_episodes(db, file, username="bench"))
    db.close()
    return seconds


def _rows(file: Path) -> tuple[list[str], list[list[str]]]:
    with open(file, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def _same_schema_once(file: Path) -> float:
    """A plain executemany of the file's rows, as they are, into Homeward's own tables
    (same indexes and settings), children and homes put in first and not timed."""
    path = fresh_file(OUT / "baseline.sqlite")
    open_database(str(path)).close()
    header, rows = _rows(file)
    at = {name: index for index, name in enumerate(header)}
    children = {row[at["child_ref"]]: row[at["dob"]] for row in rows}
    homes = sorted({row[at["home_urn"]] for row in rows})
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO care_homes (id, urn, name) VALUES (?, ?, ?)",
        [(i + 1, urn, urn) for i, urn in enumerate(homes)],
    )
    connection.executemany(
        "INSERT INTO children (id, local_ref, dob) VALUES (?, ?, ?)",
        [(i + 1, ref, dob) for i, (ref, dob) in enumerate(children.items())],
    )
    connection.execute("COMMIT")
    child_id = {ref: i + 1 for i, ref in enumerate(children)}
    home_id = {urn: i + 1 for i, urn in enumerate(homes)}

    def work() -> None:
        _, data = _rows(file)
        episode_columns = (
            "type",
            "last_seen_at",
            "reported_at",
            "police_ref",
            "risk",
            "returned_at",
            "return_method",
            "found_location",
            "safe_and_well_at",
        )
        episodes = [
            (
                n + 1,
                child_id[row[at["child_ref"]]],
                home_id[row[at["home_urn"]]],
                *(row[at[c]] or None for c in episode_columns),
            )
            for n, row in enumerate(data)
        ]
        interviews = [
            (
                n + 1,
                row[at["rhi_offered_at"]] or None,
                row[at["rhi_completed_at"]] or None,
                row[at["rhi_declined"]] == "yes",
            )
            for n, row in enumerate(data)
        ]
        marks = ", ".join("?" for _ in range(3 + len(episode_columns)))
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO missing_episodes (id, child_id, home_id, {', '.join(episode_columns)}, "
            f"arrested, harm_disclosed) VALUES ({marks}, 0, 0)",
            episodes,
        )
        connection.executemany(
            "INSERT INTO return_interviews (episode_id, offered_at, completed_at, declined) "
            "VALUES (?, ?, ?, ?)",
            interviews,
        )
        connection.execute("COMMIT")

    _, seconds = timed(work)
    connection.close()
    return seconds


def _plain_table_once(file: Path) -> float:
    """The least possible: csv.reader and one executemany into a table of text columns."""
    path = fresh_file(OUT / "plain.sqlite")

    def work() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        header, rows = _rows(file)
        connection.execute(f"CREATE TABLE episodes ({', '.join(h + ' TEXT' for h in header)})")
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO episodes VALUES ({', '.join('?' for _ in header)})", rows
        )
        connection.execute("COMMIT")
        connection.close()

    return timed(work)[1]


def demo_database() -> Path:
    path = fresh_file(OUT / "demo.sqlite")
    db = open_database(str(path))
    generate_demo(db, scale="small", seed=1, as_of=AS_OF)
    db.close()
    return path


def run() -> tuple[Path, list[Result]]:
    force, generated = force_database()
    file = episodes_file(force)
    with stage("importing it (best of 3) and the baselines"):
        ours = best_of(3, lambda: _import_once(file))
        same_schema = best_of(3, lambda: _same_schema_once(file))
        plain = best_of(3, lambda: _plain_table_once(file))
    rate = f"{IMPORT_ROWS / ours:,.0f} rows/s"
    return force, [
        generated,
        Result(
            f"import episodes: {IMPORT_ROWS:,} rows",
            ours,
            "executemany into the same tables",
            same_schema,
            target=3,
            note=rate,
        ),
        Result(
            f"import episodes: {IMPORT_ROWS:,} rows",
            ours,
            "executemany into one text table",
            plain,
            note="for scale; no target",
        ),
    ]
