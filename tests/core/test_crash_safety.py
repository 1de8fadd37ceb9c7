"""Crash safety: work killed (SIGKILL) at random moments leaves a sound file holding exactly
what was committed. Imports are all or nothing; every save acknowledged after its commit is
there; encrypting and restoring leave the old file or the new one, never a broken one.

The work runs in processes forked from one "zygote" that has Homeward imported already, so
that each of the many runs costs the work itself, not Python's start-up.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from missing_app.core.db import is_encrypted, open_database
from tests.core.safety_world import digest, integrity

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL are POSIX")

RUNS = 15
KEY_HEX = bytes(range(32)).hex()

ZYGOTE = textwrap.dedent(
    """
    import os, signal, sys, time, traceback
    from datetime import UTC, date, datetime, timedelta
    from missing_app.core.db import encrypt_database, open_database
    from missing_app.core.db.restore import restore_database
    from missing_app.core.exchange.episodes_csv import import_episodes
    from missing_app.core.records import Records

    def do_import(db_path, csv_path):
        import_episodes(open_database(db_path, exclusive=True), csv_path, username="crash")

    def do_saves(db_path, ack_path, first):
        db = open_database(db_path, exclusive=True)
        records = Records(db, "crash")
        home = records.create_home(f"SC{first}", "Crash House").record.id
        ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        start = datetime(2024, 1, 1, 20, tzinfo=UTC)
        for n in range(int(first), int(first) + 100_000):
            child = records.create_child(f"K{n}", date(2010, 1, 1)).record.id
            os.write(ack, f"children {child}\\n".encode())
            placed = records.add_placement(child, home, date(2023, 1, 1)).record.id
            os.write(ack, f"placements {placed}\\n".encode())
            seen = start + timedelta(seconds=n)
            episode = records.record_missing(child, seen).record.id
            os.write(ack, f"missing_episodes {episode}\\n".encode())

    def do_encrypt(db_path, key_hex):
        encrypt_database(db_path, bytes.fromhex(key_hex))

    def do_restore(backup_path, db_path):
        restore_database(backup_path, db_path)

    WORK = {"import": do_import, "saves": do_saves, "encrypt": do_encrypt,
            "restore": do_restore}

    for line in sys.stdin:
        delay, kind, *args = line.split()
        started = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                WORK[kind](*args)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        if float(delay) >= 0:
            time.sleep(float(delay))
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)  # not yet reaped: the pid is still the child's
                _, status = os.waitpid(pid, 0)
            else:
                status = 0
        else:
            _, status = os.waitpid(pid, 0)
        print(status, time.perf_counter() - started, flush=True)
    """
)


class Zygote:
    """One process with Homeward imported that forks a worker per run and kills it on time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, kind: str, *args: object, kill_after: float | None = None) -> tuple[bool, float]:
        """Run one piece of work; returns whether it finished by itself, and its seconds."""
        assert self.process.stdin is not None and self.process.stdout is not None
        delay = -1.0 if kill_after is None else kill_after
        self.process.stdin.write(" ".join([str(delay), kind, *map(str, args)]) + "\n")
        self.process.stdin.flush()
        status, seconds = self.process.stdout.readline().split()
        code = int(status)
        if kill_after is None:
            assert code == 0, f"{kind} failed on its own (status {code})"
        return code == 0, float(seconds)

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    worker = Zygote()
    yield worker
    worker.close()


@pytest.fixture(scope="module")
def episodes_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 episodes: 1,000 children in 50 homes, 20 episodes each, three days apart."""
    path = tmp_path_factory.mktemp("crash") / "episodes.csv"
    start = datetime(2024, 1, 1, 20, 0)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["child_ref", "dob", "home_urn", "last_seen_at", "returned_at"])
        for child in range(1000):
            for n in range(20):
                seen = start + timedelta(days=3 * n, minutes=child)
                back = seen + timedelta(hours=10)
                writer.writerow(
                    [f"C{child}", "2010-05-01", f"SC{child % 50:06d}", f"{seen:%Y-%m-%d %H:%M}",
                     f"{back:%Y-%m-%d %H:%M}"]
                )  # fmt: skip
    return path


def fresh_database(path: Path) -> Path:
    open_database(str(path)).close()
    return path


def episodes_in(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM missing_episodes").fetchone()[0])
    finally:
        connection.close()


def assert_sound_and_free(path: Path, key: bytes | None = None) -> None:
    """The file passes SQLite's full check, and the killed worker's lock is gone."""
    assert integrity(path, key) == ["ok"]
    open_database(str(path), key=key, exclusive=True, upgrade=False).close()


@pytest.mark.slow
def test_an_import_killed_at_any_moment_is_all_or_nothing(
    zygote: Zygote, episodes_csv: Path, tmp_path: Path
) -> None:
    base = fresh_database(tmp_path / "base.sqlite")
    whole = tmp_path / "whole.sqlite"
    shutil.copyfile(base, whole)
    _, seconds = zygote.run("import", whole, episodes_csv)
    assert episodes_in(whole) == 20_000
    chance = random.Random(7)
    outcomes = []
    for run in range(RUNS):
        path = tmp_path / f"run{run}.sqlite"
        shutil.copyfile(base, path)
        moment = seconds * (run + chance.random()) / RUNS  # spread over the whole import
        finished, _ = zygote.run("import", path, episodes_csv, kill_after=moment)
        count = episodes_in(path)
        assert count in (0, 20_000) and (count == 20_000 or not finished)
        assert_sound_and_free(path)
        outcomes.append(count)
    assert 0 in outcomes  # the kills did land mid-import


@pytest.mark.slow
def test_every_acknowledged_save_survives_a_kill(zygote: Zygote, tmp_path: Path) -> None:
    path = fresh_database(tmp_path / "saves.sqlite")
    ack = tmp_path / "acknowledged.txt"
    chance = random.Random(11)
    untold: set[tuple[str, int]] = set()
    for run in range(RUNS):
        zygote.run("saves", path, ack, run * 100_000, kill_after=0.05 + chance.random() * 0.5)
        told = {(table, int(n)) for table, n in map(str.split, ack.read_text().splitlines())}
        stored = stored_ids(path)
        assert told <= stored
        # At most the one save in flight: committed, killed before it was acknowledged.
        assert len(stored - told - untold) <= 1
        untold = stored - told
        assert_sound_and_free(path)
    assert len(told) > RUNS * 3  # saves did happen between the kills


def stored_ids(path: Path) -> set[tuple[str, int]]:
    connection = sqlite3.connect(path)
    try:
        return {
            (table, row[0])
            for table in ("children", "placements", "missing_episodes")
            for row in connection.execute(f"SELECT id FROM {table}")
        }
    finally:
        connection.close()


@pytest.mark.slow
def test_encrypting_or_restoring_killed_at_any_moment_leaves_the_old_file_or_the_new(
    zygote: Zygote, episodes_csv: Path, tmp_path: Path
) -> None:
    key = bytes.fromhex(KEY_HEX)
    plain = fresh_database(tmp_path / "plain.sqlite")
    zygote.run("import", plain, episodes_csv)
    before = digest(plain)
    trial = tmp_path / "trial.sqlite"
    shutil.copyfile(plain, trial)
    _, seconds = zygote.run("encrypt", trial, KEY_HEX)
    chance = random.Random(13)
    states = set()
    for run in range(8):
        path = tmp_path / f"encrypt{run}.sqlite"
        shutil.copyfile(plain, path)
        zygote.run("encrypt", path, KEY_HEX, kill_after=seconds * 1.2 * (run + chance.random()) / 8)
        key_used = key if is_encrypted(path) else None
        assert digest(path, key_used) == before
        assert_sound_and_free(path, key_used)
        states.add(key_used is not None)
    assert False in states  # kills did land before the end

    other = fresh_database(tmp_path / "other.sqlite")
    _, seconds = zygote.run("restore", plain, other)
    assert digest(other) == before
    for run in range(6):
        path = fresh_database(tmp_path / f"restore{run}.sqlite")
        empty = digest(path)
        zygote.run("restore", plain, path, kill_after=seconds * 1.2 * (run + chance.random()) / 6)
        assert digest(path) in (empty, before)
        assert_sound_and_free(path)


def test_the_generated_file_is_what_the_import_expects(episodes_csv: Path) -> None:
    with open(episodes_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20_000
    assert date.fromisoformat(rows[0]["dob"]) < date(2024, 1, 1)
