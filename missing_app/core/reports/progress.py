"""Progress and cancelling for long report work: what a window's worker thread hands in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from missing_app.core.errors import HomewardError

# (stage in words, steps done, steps in all): the same shape as the demo's progress.
Progress = Callable[[str, int, int], None]


class CancelFlag(Protocol):
    """Anything with `is_set()`, such as a `threading.Event` set by a Cancel button."""

    def is_set(self) -> bool: ...


class Cancelled(HomewardError):
    """The person cancelled the work; nothing more was written."""


def check(cancel: CancelFlag | None) -> None:
    """Stop with Cancelled when the flag is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("Cancelled: nothing more was written.")


def report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)
