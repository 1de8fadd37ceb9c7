"""Durable, private files: what was written reaches the disk before it replaces anything,
and every file holding personal data is readable by its owner alone from its creation.

`written_privately` is the one atomic write for such files (backups, their keyrings,
reports, exports): an empty file made with mode 0600 beside the target, filled by the
caller, synced, then moved over the target. Programs that write by name (SQLite, pandas,
openpyxl) write into the file made here, so it keeps the mode it was made with.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

# SQLite's companions of a database file; a stale -wal must never meet a new main file.
SIDECAR_SUFFIXES = ("-wal", "-shm", "-journal")
PRIVATE = 0o600  # read and written by the owner alone
PARTIAL = ".partial"
# `<name>.<pid>.partial`: the process writing it, so a leftover of a killed one can be told
# from a copy still being written.
UNFINISHED = re.compile(r".+\.(\d+)\.partial")


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


def partial_of(target: Path) -> Path:
    """Where `target` is written before it is moved into place: `<name>.<pid>.partial`."""
    return target.with_name(f"{target.name}.{os.getpid()}{PARTIAL}")


def discard_unfinished(folder: Path) -> list[Path]:
    """Remove the partial files in `folder` left by processes that were killed (a half-made
    backup is a plain copy of the records that nothing else would ever remove)."""
    removed = []
    for path in folder.glob(f"*{PARTIAL}") if folder.is_dir() else ():
        match = UNFINISHED.fullmatch(path.name)
        if match is None or _running(int(match.group(1))):
            continue
        try:
            path.unlink(missing_ok=True)
            remove_sidecars(path)
        except OSError:
            log.warning("could not remove the unfinished %s", path, exc_info=True)
            continue
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    """Whether process `pid` (this one included) may still be writing its partial file."""
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def create_private(path: Path) -> Path:
    """Make `path` a new empty file only its owner can read (any leftover is replaced).

    SQLite gives a database's -wal and -journal the mode of the database file, so a
    database made in such a file stays private with its companions.
    """
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    os.chmod(path, PRIVATE)  # the umask may only take bits away; make sure of the rest
    return path


@contextmanager
def written_privately(target: Path, partial: Path | None = None) -> Iterator[Path]:
    """Yield a new private file beside `target` (or `partial`) to write; on success it is
    synced and moved over `target` in one step, on any error it is removed."""
    partial = partial or partial_of(target)
    create_private(partial)
    try:
        yield partial
        replace_durably(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        remove_sidecars(partial)
        raise


def write_privately(target: Path, data: bytes) -> None:
    """Write `data` to `target` through `written_privately`."""
    with written_privately(target) as partial:
        partial.write_bytes(data)


def copy_durably(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a private temporary file, so `target` is never half
    written nor readable by others."""
    with written_privately(target) as partial:
        shutil.copyfile(source, partial)


def remove_securely(path: Path) -> None:
    """Overwrite the file with zeros, sync, then delete it (a plain copy of personal data)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        for _ in range(0, size, 1 << 20):
            handle.write(bytes(min(1 << 20, size - handle.tell())))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    remove_sidecars(path)


def keep_as(original: Path, kept: Path) -> None:
    """A second name for `original`'s current contents (a hard link, else a durable copy)."""
    try:
        os.link(original, kept)
    except OSError:
        copy_durably(original, kept)
    else:
        os.chmod(kept, PRIVATE)  # the same file as the database: private from now on
        fsync_folder(kept.parent)
