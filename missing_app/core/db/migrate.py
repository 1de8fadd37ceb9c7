"""Alembic migrations shipped in the package, run in one transaction on open.

Alembic is imported only when a database needs upgrading: opening a current one reads its
revision with one query (`HEAD` names the newest migration; a test keeps it true).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, exc

from missing_app.core.errors import MigrationError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0005"  # the newest revision in migrations/versions

# Called with (from, to) revisions before a database that has a schema is upgraded: the
# engine takes a backup there (named with both), so a migration can always be undone.
BeforeUpgrade = Callable[[str, str], None]


def alembic_config(script_location: Path = MIGRATIONS) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def head_revision(script_location: Path = MIGRATIONS) -> str | None:
    """The newest revision, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None for a new, empty database)."""
    with engine.connect() as connection:
        try:
            value = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return value.scalar()
        except exc.OperationalError:
            return None


def upgrade(
    engine: Engine,
    revision: str = "head",
    script_location: Path = MIGRATIONS,
    before_upgrade: BeforeUpgrade | None = None,
) -> None:
    """Bring the database to `revision`; on any failure leave it exactly as it was."""
    shipped = script_location == MIGRATIONS
    current = current_revision(engine)
    if revision == "head" and shipped and current == HEAD:
        return
    from alembic import command

    target = head_revision(script_location) if revision == "head" else revision
    if current == target:
        return
    if before_upgrade is not None and current is not None and target is not None:
        before_upgrade(current, target)
    config = alembic_config(script_location)
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables; foreign keys must be off, and checked after.
            _pragma(connection, "foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
        except MigrationError:
            raise
        except Exception as error:
            log.exception("migration failed")
            raise MigrationError(
                f"The database {engine.url.database} could not be upgraded ({error}); "
                "it has been left as it was."
            ) from error
        finally:
            if sqlite:
                _pragma(connection, "foreign_keys=ON")


def _pragma(connection: Connection, setting: str) -> None:
    """Set a pragma outside any transaction (SQLite ignores foreign_keys inside one)."""
    connection.connection.driver_connection.execute(f"PRAGMA {setting}")  # type: ignore[union-attr]


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise MigrationError(
            "The upgrade would leave records pointing at missing records in "
            + ", ".join(tables)
            + "; it has been undone and the database left as it was."
        )
