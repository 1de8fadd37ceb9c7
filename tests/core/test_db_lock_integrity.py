"""One writer per file (the OS lock), and a damaged file reported with the way back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select, text

from missing_app.core.db import DatabaseDamaged, DatabaseInUse, open_database
from missing_app.core.db import integrity as integrity_module
from missing_app.core.db.backup import backup_database
from missing_app.core.db.lock import lock_path
from missing_app.core.models import Child
from missing_app.core.records import Records
from tests.core.safety_world import small_world
from tests.core.test_backup_restore import damage

KEY = bytes(range(32))

HOLDER = textwrap.dedent(
    """
    import sys, time
    from missing_app.core.db import open_database
    db = open_database(sys.argv[1], exclusive=True)
    print("open", flush=True)
    time.sleep(60)
    """
)


def test_a_second_writer_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    first = open_database(str(path), exclusive=True)
    assert first.exclusive
    with pytest.raises(DatabaseInUse) as raised:
        open_database(str(path), exclusive=True)
    assert str(raised.value) == (
        f"Homeward is already open on {path} (pid {os.getpid()}); "
        "close it there first, then try again."
    )
    first.close()
    second = open_database(str(path), exclusive=True)
    second.close()


def test_readers_share_the_file_with_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    writer = open_database(str(path), exclusive=True)
    small_world(Records(writer, "pcso.jones"), homes=1)
    reader = open_database(str(path))
    assert not reader.exclusive
    with reader.session() as session:
        assert len(session.scalars(select(Child)).all()) == 3
    reader.close()
    writer.close()


def test_the_lock_belongs_to_a_process_and_goes_with_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_database(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert lock_path(path).read_bytes()[16:].decode().strip() == str(holder.pid)
        with pytest.raises(DatabaseInUse, match=f"\\(pid {holder.pid}\\)"):
            open_database(str(path), exclusive=True)
        holder.send_signal(signal.SIGKILL)  # a crash: nobody releases the lock by hand
        holder.wait(timeout=10)
        open_database(str(path), exclusive=True).close()
    finally:
        holder.kill()
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_damaged_file_is_refused_on_open_naming_the_newest_backup(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"))
    db.close()
    older = backup_database(path, tmp_path / "backups" / "homeward-20251101-080000-daily.sqlite")
    newest = backup_database(path, tmp_path / "backups" / "homeward-20251114-080000-daily.sqlite")
    damage(path)
    with pytest.raises(DatabaseDamaged) as raised:
        open_database(str(path), exclusive=True)
    message = str(raised.value)
    assert message.startswith(f"The database {path} is damaged (")
    assert message.endswith(f"restore the latest backup: missing-app --db {path} restore {newest}")
    assert str(older) not in message
    open_database(str(tmp_path / "other.sqlite"), exclusive=True).close()  # no lock left behind
    # The file was refused, not held: it can be restored at once.
    from missing_app.core.db.restore import restore_database

    restore_database(newest, path)
    open_database(str(path)).close()


def test_damage_met_later_by_a_query_is_reported_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path))
    small_world(Records(db, "pcso.jones"))
    db.close()
    monkeypatch.setattr(integrity_module, "QUICK_CHECK_LIMIT", 0)  # as for a large file
    damage(path)
    db = open_database(str(path))
    with pytest.raises(DatabaseDamaged, match="restore your latest backup"), db.session() as s:
        # NOT INDEXED: read the damaged table itself (a name index would answer alone)
        s.execute(text("SELECT group_concat(last_name) FROM children NOT INDEXED")).scalar()
    db.close()


def test_an_encrypted_file_that_is_damaged_says_so_too(tmp_path: Path) -> None:
    path = tmp_path / "homeward.sqlite"
    db = open_database(str(path), key=KEY)
    small_world(Records(db, "pcso.jones"))
    db.close()
    with open(path, "r+b") as handle:  # rubbish over a page past the first (the header's)
        handle.seek(4 * 4096)
        handle.write(os.urandom(4096))
    with pytest.raises(DatabaseDamaged, match=f"The database {path} is damaged"):
        open_database(str(path), key=KEY)
