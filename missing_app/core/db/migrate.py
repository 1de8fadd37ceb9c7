"""Alembic migrations shipped in the package, run in one transaction on open."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from missing_app.core.errors import MigrationError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(script_location: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def head_revision(script_location: Path = MIGRATIONS) -> str | None:
    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", script_location: Path = MIGRATIONS) -> None:
    """Bring the database to `revision`; on any failure leave it exactly as it was."""
    if revision == "head" and current_revision(engine) == head_revision(script_location):
        return
    config = alembic_config(script_location)
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables; foreign keys must be off, and checked after.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    _check_foreign_keys(connection)
        except MigrationError:
            raise
        except Exception as exc:
            log.exception("migration failed")
            raise MigrationError(
                f"The database {engine.url.database} could not be upgraded ({exc}); "
                "it has been left as it was."
            ) from exc
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise MigrationError(
            "The upgrade would leave records pointing at missing records in "
            + ", ".join(tables)
            + "; it has been undone and the database left as it was."
        )
