"""What every page and form is given: the database, the write worker, the clock, and a way
to open records elsewhere in the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from missing_app.core.db import Database
from missing_app.core.records import read_settings
from missing_app.core.times import utc_now
from missing_app.gui.tasks import WriteWorker


class Navigator(Protocol):
    """Opens records: the main window implements it."""

    def open_child(self, child_id: int) -> None: ...
    def open_home(self, home_id: int) -> None: ...
    def open_episode(self, episode_id: int) -> None: ...
    def show_page(self, name: str) -> None: ...
    def record_missing(self, child_id: int | None = None) -> None: ...
    def record_return(self, episode_id: int | None = None) -> None: ...


@dataclass
class AppContext:
    db: Database
    worker: WriteWorker
    username: str
    now: Callable[[], datetime] = field(default=utc_now)
    navigator: Navigator | None = None

    def settings(self) -> dict[str, float]:
        with self.db.session() as session:
            return read_settings(session)
