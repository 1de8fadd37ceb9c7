"""Changing the key of an encrypted database file, crash-safely.

SQLCipher's `PRAGMA rekey` rewrites the pages in place, and a crash half-way leaves a
rollback journal of old-key pages that the new key cannot replay. Instead the file is
copied under the new key with SQLCipher's own export, checked (integrity, schema, rows per
table), synced, and moved over the old file in one step, exactly as encrypting a plain file
is: a crash at any moment leaves the old file or the new one, whole. The keyring keeps both
keys' entries until the move is made (core/security/rekey.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from missing_app.core.db import cipher
from missing_app.core.db.files import remove_sidecars, replace_durably
from missing_app.core.errors import HomewardError

log = logging.getLogger(__name__)


def rekey_file(path: Path, old_key: bytes, new_key: bytes) -> None:
    """Replace the file at `path` (encrypted with `old_key`) by its copy under `new_key`.

    Every connection to it must be closed, and the file's lock held, by the caller.
    """
    cipher.key_pragma(new_key)
    partial = path.with_name(path.name + ".rekeying")
    partial.unlink(missing_ok=True)
    remove_sidecars(partial)
    try:
        counts, tables = _export(path, partial, old_key, new_key)
        cipher._verify_copy(partial, new_key, counts, tables)
        cipher._drop_settled_wal(path)
        replace_durably(partial, path)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        remove_sidecars(partial)
        if isinstance(error, OSError | cipher.driver().Error):
            raise HomewardError(
                f"The key of {path} could not be changed ({error}); it was left as it was."
            ) from error
        raise
    log.info("changed the key of %s (%d tables)", path, len(counts))


def _export(
    path: Path, partial: Path, old_key: bytes, new_key: bytes
) -> tuple[dict[str, int], list[tuple[str, str, str | None]]]:
    source = cipher.connect(path, old_key)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # nothing may stay in the old log
        counts, tables = cipher.table_counts(source), cipher.schema(source)
        source.execute(f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\"", (str(partial),))
        # Scratch until checked and synced by hand (as encrypt_database's copy).
        source.execute("PRAGMA rekeyed.journal_mode=OFF")
        source.execute("PRAGMA rekeyed.synchronous=OFF")
        source.execute("SELECT sqlcipher_export('rekeyed')")
        source.execute("DETACH DATABASE rekeyed")
    finally:
        source.close()
    return counts, tables
