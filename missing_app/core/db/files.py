"""Durable file moves: what was written reaches the disk before it replaces anything."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

# SQLite's companions of a database file; a stale -wal must never meet a new main file.
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def remove_sidecars(path: Path) -> None:
    """Remove the -wal, -shm and -journal files left beside `path`, if any."""
    for suffix in SIDECAR_SUFFIXES:
        sidecar(path, suffix).unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(written: Path, target: Path) -> None:
    """Sync `written`, move it over `target` in one step, and sync the folder.

    Once the move is made nothing raises: callers undo their work on an error, and must
    not undo a move that happened (a new keyring, say, for a file now encrypted).
    """
    fsync_file(written)
    os.replace(written, target)
    try:
        fsync_folder(target.parent)
    except OSError:
        log.warning("could not sync the folder of %s after moving it into place", target)


def copy_durably(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a temporary file, so `target` is never half written."""
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    replace_durably(partial, target)


def keep_as(original: Path, kept: Path) -> None:
    """A second name for `original`'s current contents (a hard link, else a durable copy)."""
    try:
        os.link(original, kept)
    except OSError:
        copy_durably(original, kept)
    else:
        fsync_folder(kept.parent)
