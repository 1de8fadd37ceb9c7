"""Children's pseudonymous codes: stable, keyed by a secret made once and kept out of sight."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from missing_app.core.db import Database, open_database
from missing_app.core.models import AuditEvent, Setting
from missing_app.core.records import read_settings
from missing_app.core.reports.pseudonyms import SECRET_KEY, Pseudonyms, pseudonym_secret

CODE = re.compile(r"C-[0-9A-HJKMNP-TV-Z]{8}")  # Crockford's base 32: no I, L, O or U


def test_the_secret_is_made_once_kept_and_audited_without_its_value(db: Database) -> None:
    secret = pseudonym_secret(db, "pcso.jones")
    assert len(secret) == 32
    assert pseudonym_secret(db, "someone.else") == secret
    with db.session() as session:
        stored = session.get(Setting, SECRET_KEY)
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "settings")).all()
        assert stored is not None and bytes.fromhex(json.loads(stored.value)) == secret
        assert SECRET_KEY not in read_settings(session)  # never shown as a setting
    assert len(events) == 1 and events[0].username == "pcso.jones"
    assert secret.hex() not in (events[0].after or "") and json.loads(events[0].after or "{}") == {
        "key": SECRET_KEY
    }


def test_codes_are_stable_and_need_the_secret(db: Database, tmp_path: Path) -> None:
    codes = Pseudonyms(pseudonym_secret(db, "pcso.jones"))
    again = Pseudonyms(pseudonym_secret(db, "pcso.jones"))
    assert CODE.fullmatch(codes.code("REF-AMELIA-7731"))
    assert codes.code("REF-AMELIA-7731") == again.code("REF-AMELIA-7731")
    assert codes.code("REF-AMELIA-7731") != codes.code("REF-AMELIA-7732")
    other = open_database(str(tmp_path / "other.sqlite"))
    try:
        elsewhere = Pseudonyms(pseudonym_secret(other, "pcso.jones"))
    finally:
        other.close()
    assert elsewhere.code("REF-AMELIA-7731") != codes.code("REF-AMELIA-7731")
    assert "secret" not in repr(codes) and codes.secret.hex() not in repr(codes)


def test_codes_of_many_children_do_not_clash() -> None:
    codes = Pseudonyms(bytes(range(32)))
    made = {codes.code(f"{number:06d}") for number in range(20_000)}
    assert len(made) == 20_000 and all(CODE.fullmatch(code) for code in made)
