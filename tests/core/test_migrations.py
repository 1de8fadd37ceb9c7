"""Migrations: empty to head, older with data to head without loss, failure leaves the file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from missing_app.core.db import open_database
from missing_app.core.db.engine import create_sqlite_engine, database_url
from missing_app.core.db.migrate import (
    HEAD,
    MIGRATIONS,
    current_revision,
    head_revision,
    upgrade,
)
from missing_app.core.errors import HomewardError, MigrationError
from missing_app.core.models import Base

SEED = """
INSERT INTO care_homes (id, urn, name, beds) VALUES (1, 'SC100001', 'Oakview House', 4);
INSERT INTO children (id, local_ref, dob) VALUES (1, 'C1', '2010-04-01');
INSERT INTO missing_episodes (id, child_id, home_id, type, last_seen_at, arrested, harm_disclosed)
  VALUES (1, 1, 1, 'missing', '2025-10-01 20:00:00', 0, 0);
"""


def extra_revision(folder: Path, body: str) -> Path:
    """A copy of the shipped migrations with one more revision after head."""
    scripts = folder / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_test.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9001'\ndown_revision = {head_revision()!r}\n"
        "branch_labels = None\ndepends_on = None\n\n"
        f"def upgrade():\n{body}\n"
    )
    return scripts


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def seeded(tmp_path: Path) -> tuple[Path, Engine]:
    path = tmp_path / "old.sqlite"
    open_database(str(path)).close()
    with sqlite3.connect(path) as connection:
        connection.executescript(SEED)
    return path, create_sqlite_engine(database_url(str(path)))


def test_an_empty_file_migrates_to_head(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "new.sqlite"))
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# Alembic cannot compare indexes on expressions; their SQL is checked directly instead.
EXPRESSION_INDEXES = {
    "ix_missing_episodes_police_ref": "(police_ref COLLATE NOCASE)",
    "ix_missing_episodes_hours_away": "((julianday(returned_at) - julianday(last_seen_at)) * 24)",
}


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "new.sqlite"))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            difference
            for difference in compare_metadata(context, Base.metadata)
            if not (
                difference[0] in ("add_index", "remove_index")
                and difference[1].name in EXPRESSION_INDEXES
            )
        ]
        assert differences == []
        for name, expression in EXPRESSION_INDEXES.items():
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = ?", (name,)
            ).scalar_one()
            assert sql.endswith(expression)


def test_an_older_database_with_data_migrates_without_loss(tmp_path: Path) -> None:
    _, engine = seeded(tmp_path)
    scripts = extra_revision(
        tmp_path,
        "    with op.batch_alter_table('care_homes', recreate='always') as batch:\n"
        "        batch.add_column(sa.Column('phone', sa.String(20)))\n",
    )
    upgrade(engine, script_location=scripts)
    assert current_revision(engine) == "9001"
    with engine.connect() as connection:
        home = connection.execute(text("SELECT urn, name, beds, phone FROM care_homes")).one()
        assert tuple(home) == ("SC100001", "Oakview House", 4, None)
        episode = connection.execute(text("SELECT child_id, home_id FROM missing_episodes")).one()
        assert tuple(episode) == (1, 1)
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path, engine = seeded(tmp_path)
    before = dump(path)
    scripts = extra_revision(
        tmp_path,
        "    op.create_table('scratch', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    with op.batch_alter_table('care_homes', recreate='always') as batch:\n"
        "        batch.drop_column('beds')\n"
        "    op.execute(\"UPDATE children SET local_ref = 'changed'\")\n"
        "    raise RuntimeError('disk on fire')\n",
    )
    with pytest.raises(MigrationError, match="left as it was"):
        upgrade(engine, script_location=scripts)
    engine.dispose()
    assert dump(path) == before
    assert current_revision(create_sqlite_engine(database_url(str(path)))) == head_revision()


def test_a_migration_that_breaks_foreign_keys_is_undone(tmp_path: Path) -> None:
    path, engine = seeded(tmp_path)
    before = dump(path)
    scripts = extra_revision(
        tmp_path,
        '    op.execute("INSERT INTO placements (child_id, home_id, start) '
        "VALUES (99, 1, '2025-01-01')\")\n",
    )
    with pytest.raises(MigrationError, match="placements"):
        upgrade(engine, script_location=scripts)
    engine.dispose()
    assert dump(path) == before


def test_the_pinned_head_is_the_newest_migration() -> None:
    """Opening a current database skips Alembic by comparing with HEAD: keep HEAD true."""
    assert head_revision() == HEAD


def test_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping list: milk, eggs\n" * 200)
    with pytest.raises(HomewardError, match="cannot be opened as a Homeward database"):
        open_database(str(path))
    assert path.read_text().startswith("shopping list")
