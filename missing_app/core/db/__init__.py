"""The database: engine and sessions, SQLite pragmas, migrations on open."""

from missing_app.core.db.engine import Database, open_database

__all__ = ["Database", "open_database"]
