"""What every page and form is given: the database, the write worker, who signed in (and
what their role allows), the clock, and a way to open records elsewhere in the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from missing_app.core.db import Database
from missing_app.core.records import read_settings
from missing_app.core.security.access import Actor, Permission, can_see_names
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
    actor: Actor | None = None  # who signed in; None: read as Actor(username), no limits
    display_name: str = ""  # the signed-in user's name, if the database has accounts

    @property
    def who(self) -> Actor:
        """The signed-in person (a database without accounts: the user, with no limits)."""
        return self.actor if self.actor is not None else Actor(self.username)

    @property
    def has_accounts(self) -> bool:
        """Whether someone signed in with a password (so the idle lock and limits apply)."""
        return self.who.role is not None

    def may(self, permission: Permission) -> bool:
        """Whether the signed-in role allows `permission` (the core enforces it anyway)."""
        return self.who.may(permission)

    @property
    def names_visible(self) -> bool:
        """Whether children's names may be shown (else their references)."""
        return can_see_names(self.who)

    def settings(self) -> dict[str, float]:
        with self.db.session() as session:
            return read_settings(session)
