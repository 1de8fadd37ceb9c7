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

from missing_app.core.db import cipher, integrity, migrate
from missing_app.core.db.errors import DatabaseLocked
from missing_app.core.db.files import create_private
from missing_app.core.db.lock import DatabaseLock
from missing_app.core.db.rotation import discard_unfinished_backups
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
        # WAL: readers (figures, the command line) never wait for a writer nor see half of
        # a transaction, and a crash mid-write leaves the last commit intact. FULL in WAL
        # mode syncs the log at every commit: once a save has returned, the record survives
        # a crash or power cut. (NORMAL could lose the last commits on a power cut.)
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode and mode[0] == "wal":
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writes take the write lock at once: no busy failure when a reader would upgrade,
        # and no other writer can come between a transaction's reads and its writes.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _report_damage(engine: Engine, path: Path, key: bytes | None) -> None:
    """Any query that meets a damaged page raises DatabaseDamaged, naming the way back."""

    @event.listens_for(engine, "handle_error")
    def on_error(context: Any) -> None:
        error = context.original_exception
        # A file that is not a database at all (no SQLite header, no key) is not "damaged".
        if integrity.is_damage(error) and (key is not None or cipher.is_plain(path)):
            raise integrity.damaged(path, str(error)) from error


def create_sqlite_engine(url: str, *, key: bytes | None = None) -> Engine:
    """An engine on a SQLite file or memory; with `key`, on a SQLCipher file."""
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if memory:
        if key is not None:
            raise HomewardError("An encrypted database must be a file.")
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        path = Path(parsed.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        if key is None:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        else:
            engine = create_engine(url, module=cipher.driver(), creator=_keyed(path, key))
        _report_damage(engine, path, key)
    _sqlite_setup(engine)
    return engine


def _keyed(path: Path, key: bytes) -> Any:
    """A connection factory for an encrypted file: keyed, and the key checked at once."""
    return lambda: cipher.connect(path, key, check_same_thread=False, timeout=10)


class Database:
    """One open database: its engine, a session factory, and where it lives."""

    def __init__(
        self, engine: Engine, *, key: bytes | None = None, lock: DatabaseLock | None = None
    ) -> None:
        self.key = key  # the raw key of an encrypted file (backups are taken with it)
        self._lock = lock
        self._bind(engine)

    def _bind(self, engine: Engine) -> None:
        self.engine = engine
        # No autoflush: use cases check their rules before anything reaches the database.
        self.sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.writer = engine.execution_options(**{WRITE_OPTION: True})
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False, autoflush=False)

    def use_new_key(self, key: bytes) -> None:
        """The file's key was changed (db/rekey.py): connect with the new one from now on."""
        url = self.engine.url.render_as_string(hide_password=False)
        self.engine.dispose()
        self.key = key
        self._bind(create_sqlite_engine(url, key=key))

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

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def exclusive(self) -> bool:
        """Whether this Database holds the file's lock (see lock.py)."""
        return self._lock is not None and self._lock.held

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one write transaction: committed on success, rolled back on error."""
        with self._write_sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()


def open_database(
    target: str, *, upgrade: bool = True, key: bytes | None = None, exclusive: bool = False
) -> Database:
    """Open (creating if new) the database at a path or URL, migrated to the latest schema.

    `key`: the raw 32-byte key of an encrypted file (a new file is then created encrypted);
    without it an encrypted file raises DatabaseLocked, and a wrong one WrongKey.
    `exclusive`: hold the file's lock while it is open, or raise DatabaseInUse (lock.py says
    who takes it). A damaged file raises DatabaseDamaged, naming the backup to restore.
    """
    url = database_url(target)
    path = sqlite_file(url)
    if path is not None:
        _prepare_file(path)
    lock = DatabaseLock(path).acquire() if exclusive and path is not None else None
    try:
        engine = _engine(url, path, key)
        try:
            _first_contact(engine, url, path, key, upgrade)
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return Database(engine, key=key, lock=lock)


def _prepare_file(path: Path) -> None:
    """A new database file is made private (SQLite would make it readable by all); the
    copies killed backups left beside it are removed."""
    if not path.exists() and path.parent.is_dir():
        create_private(path)
    discard_unfinished_backups(path)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, else None (memory, or another database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _engine(url: str, path: Path | None, key: bytes | None) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url)
    if path is not None and key is None and cipher.is_encrypted(path):
        raise DatabaseLocked(f"{path} is encrypted; sign in to open it.")
    if path is not None and key is not None and cipher.is_plain(path):
        raise HomewardError(f"{path} is not encrypted: it opens without a key.")
    return create_sqlite_engine(url, key=key)


def _first_contact(
    engine: Engine, url: str, path: Path | None, key: bytes | None, upgrade: bool
) -> None:
    """Check the file (quick_check when small) and bring it to the latest schema."""
    try:
        if path is not None:
            with engine.connect() as connection:
                integrity.check_on_open(connection.connection.driver_connection, path)
        if upgrade:
            migrate.upgrade(engine, before_upgrade=_backup_hook(path, key))
    except exc.DatabaseError as error:
        reason = getattr(error.orig, "args", [error])[0]
        raise HomewardError(
            f"{make_url(url).database or url} cannot be opened as a Homeward database "
            f"({reason}); nothing was changed."
        ) from error


def _backup_hook(path: Path | None, key: bytes | None) -> migrate.BeforeUpgrade | None:
    """Before a file with data is upgraded, a backup named with both revisions."""
    if path is None:
        return None

    def before_upgrade(old: str, new: str) -> None:
        from missing_app.core.db.backup import backup_before_migration

        backup_before_migration(path, old, new, key=key)

    return before_upgrade
