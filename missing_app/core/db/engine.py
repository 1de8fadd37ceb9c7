"""Engine and session factory, with the SQLite settings Homeward relies on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from missing_app.core.db import migrate
from missing_app.core.errors import HomewardError

log = logging.getLogger(__name__)

WRITE_OPTION = "homeward_write"


def database_url(target: str) -> str:
    """A SQLAlchemy URL for a file path or URL."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def _sqlite_setup(engine: Engine) -> None:
    """Real transactions (DDL included), foreign keys, WAL, and durable commits."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite issuing its own BEGIN so that ours covers DDL too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk imports touch many index pages
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode and mode[0] == "wal":
            # FULL in WAL mode: a committed record survives a power cut, not only a crash.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writes take the write lock at once: no busy failure when a reader would upgrade,
        # and no other writer can come between a transaction's reads and its writes.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
    _sqlite_setup(engine)
    return engine


class Database:
    """One open database: its engine, a session factory, and where it lives."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # No autoflush: use cases check their rules before anything reaches the database.
        self.sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False, autoflush=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The file behind a SQLite database, else None."""
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        return Path(database)

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one write transaction: committed on success, rolled back on error."""
        with self._write_sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(target: str, *, upgrade: bool = True) -> Database:
    """Open (creating if new) the database at a path or URL, migrated to the latest schema."""
    url = database_url(target)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_sqlite_engine(url)
    else:
        engine = create_engine(url)
    if upgrade:
        try:
            migrate.upgrade(engine)
        except exc.DatabaseError as error:
            engine.dispose()
            reason = getattr(error.orig, "args", [error])[0]
            raise HomewardError(
                f"{make_url(url).database or url} cannot be opened as a Homeward database "
                f"({reason}); nothing was changed."
            ) from error
    return Database(engine)
