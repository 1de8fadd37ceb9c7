"""Fuzzing what people type and the files they bring: every call either succeeds or raises
HomewardError with a message, and a refused call leaves the database's content as it was.

Episodes CSV files and the form use cases of Records are covered here. SSDA903 files get
their own strategies in `test_fuzz_903` below once their importer is in place (the place
for them is marked).
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from missing_app.config import SETTINGS
from missing_app.core.db import open_database
from missing_app.core.errors import HomewardError, ValidationError
from missing_app.core.exchange.episodes_csv import import_episodes
from missing_app.core.records import NewAction, Records
from tests.conftest import NOW
from tests.core.safety_world import Digest, digest

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

HEADER = [
    "child_ref", "first_name", "dob", "sex", "home_urn", "home_name", "type", "last_seen_at",
    "reported_at", "risk", "returned_at", "return_method", "rhi_offered_at", "rhi_declined",
]  # fmt: skip
GOOD = [
    "C1", "Amy", "2010-03-04", "F", "SC100001", "Oakview House", "missing", "2025-11-01 21:30",
    "2025-11-01 22:00", "medium", "2025-11-02 08:00", "self", "2025-11-02 12:00", "no",
]  # fmt: skip
ODD_VALUES = [
    "", " ", "2025-02-30", "2025-02-29 10:00", "31/12/2024 23:59", "2025-03-30 01:30",
    "2025-10-26 01:30", "0001-01-01", "0001-01-01 00:00", "9999-12-31", "9999-12-31 23:59",
    "2030-01-01 10:00", "24:00", "yes", "YES", "high", "unknown", "NaN", "-1", "1e309",
    "\x00", "\ufeff", "C1\x00", "\u202eevil", "O'Brien", "Ｃ１", "\r", '"', "a,b",
    "2025-11-01", "2025-11-01T21:30:00+05:00", "2025-11-01 21:30Z",
]  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty migrated database, copied for each example (a fresh open costs migrations)."""
    path = tmp_path_factory.mktemp("fuzz") / "template.sqlite"
    open_database(str(path)).close()
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-work")


def fresh_copy(template: Path, workdir: Path) -> Path:
    path = workdir / "h.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    return path


def assert_clear(error: HomewardError) -> None:
    """A message a person can act on: non-empty, and each problem names its field."""
    assert str(error).strip()
    if isinstance(error, ValidationError):
        assert error.problems
        for problem in error.problems:
            assert problem.field and problem.message.strip()


def outcome_of(call: Callable[[], Any], path: Path, before: Digest) -> bool:
    """Run `call`: success, or a clear HomewardError with the content unchanged."""
    try:
        call()
    except HomewardError as error:
        assert_clear(error)
        assert digest(path) == before, "a refused call changed the database"
        return False
    return True


# Episodes CSV files ----------------------------------------------------------------------

cells = st.one_of(
    st.sampled_from(GOOD),
    st.sampled_from(ODD_VALUES),
    st.text(max_size=20),
    st.text(min_size=1, max_size=3).map(lambda s: s * 60_000),  # huge
)


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    """A CSV file: a header (possibly odd), then rows, each good but for a cell or two (so
    that most rows reach the checks and the writing), some ragged."""
    header = draw(st.one_of(st.just(HEADER), st.permutations(HEADER), st.lists(cells, max_size=16)))
    rows = []
    for n in range(draw(st.integers(0, 6))):
        good = {**dict(zip(HEADER, GOOD, strict=True)), "child_ref": f"C{n}"}
        row = [good.get(name, "") for name in header]
        for _ in range(draw(st.integers(0, 2)) if row else 0):
            row[draw(st.integers(0, len(row) - 1))] = draw(cells)
        width = draw(st.sampled_from([len(row), len(row), len(row), 0, 1, len(row) + 2]))
        rows.append([*row, "extra", ""][:width])
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue()


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """Bytes as they arrive: random, or a CSV in some encoding, with BOMs and NULs."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=3000))
    content = draw(csv_text())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = content.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b""])) + data
    if data and draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\r", b"\n\n"])) + data[at:]
    return data


@FUZZ
@given(data=file_bytes(), seeded=st.booleans())
def test_any_episodes_file_imports_or_is_refused_clearly(
    template: Path, workdir: Path, data: bytes, seeded: bool
) -> None:
    path = fresh_copy(template, workdir)
    db = open_database(str(path))
    try:
        if seeded:  # something already there, for the merge and overlap paths
            import_episodes(db, write(workdir / "seed.csv", good_csv()), now=NOW)
        before = digest(path)
        episodes = write(workdir / "episodes.csv", data)
        saved = outcome_of(lambda: import_episodes(db, episodes, now=NOW), path, before)
        event("imported" if saved else "refused")
    finally:
        db.close()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def good_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, GOOD])
    return out.getvalue().encode()


def test_the_fuzzed_files_do_import_sometimes(template: Path, workdir: Path) -> None:
    """The strategies reach the writing path, not only the refusals."""
    path = fresh_copy(template, workdir)
    db = open_database(str(path))
    report = import_episodes(db, write(workdir / "good.csv", good_csv()), now=NOW)
    assert report.counts["episodes_added"] == 1
    db.close()


# The place for SSDA903 files: when core/exchange/ssda903 can import, add a strategy of
# header / episodes / missing CSVs and XML (reference/ files mutated by the same tricks as
# file_bytes above) and a test like the one above calling its importer.


# Form input into Records -----------------------------------------------------------------

# The values a form can hand over, of the types the use cases declare: any text, any date
# or UTC moment (recent ones often, as people type them), any id; None where optional.
some_text = st.one_of(st.text(max_size=40), st.sampled_from(ODD_VALUES))
some_date = st.one_of(st.dates(), st.dates(date(2000, 1, 1), date(2026, 1, 1)))
some_moment = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC)),
)
texts = st.one_of(st.none(), some_text)
dates = st.one_of(st.none(), some_date)
moments = st.one_of(st.none(), some_moment)
ids = st.one_of(st.integers(1, 3), st.integers(-5, 10**12))
numbers = st.one_of(st.none(), st.integers(-(10**9), 10**9))

HOME = {"postcode": texts, "beds": numbers, "provider": texts, "engagement_start": dates}
CHILD = {
    "first_name": texts, "last_name": texts, "sex": texts, "ethnicity": texts,
    "placing_authority": texts, "legal_status": texts, "cse_flagged_on": dates,
}  # fmt: skip
EPISODE = {
    "type": texts, "reported_at": moments, "police_ref": texts, "risk": texts,
    "circumstances": texts, "home_id": st.one_of(st.none(), ids), "notes": texts,
}  # fmt: skip
RETURN = {"return_method": texts, "found_location": texts, "arrested": st.booleans()}


def some_of(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def use_cases(records: Records) -> dict[str, tuple[Callable[..., Any], st.SearchStrategy[Any]]]:
    """Each use case a form calls, with a strategy for its arguments."""
    r = records
    return {
        "create_home": (r.create_home, st.tuples(some_text, some_text, some_of(HOME))),
        "update_home": (r.update_home, st.tuples(ids, some_of({**HOME, "name": texts}))),
        "create_child": (r.create_child, st.tuples(some_text, some_date, some_of(CHILD))),
        "update_child": (r.update_child, st.tuples(ids, some_of({**CHILD, "dob": some_date}))),
        "update_profile": (r.update_profile, st.tuples(ids, some_of({"description": texts}))),
        "add_placement": (r.add_placement, st.tuples(ids, ids, some_date, dates, st.just({}))),
        "record_missing": (r.record_missing, st.tuples(ids, some_moment, some_of(EPISODE))),
        "update_episode": (r.update_episode, st.tuples(ids, some_of(EPISODE))),
        "record_return": (r.record_return, st.tuples(ids, some_moment, some_of(RETURN))),
        "record_safe_and_well": (
            r.record_safe_and_well,
            st.tuples(ids, some_moment, st.just({})),
        ),
        "record_rhi_offer": (r.record_rhi_offer, st.tuples(ids, some_moment, st.just({}))),
        "record_rhi_completed": (
            r.record_rhi_completed,
            st.tuples(ids, some_moment, st.just({})),
        ),
        "record_assessment": (r.record_assessment, st.tuples(ids, some_date, st.just({}))),
        "record_meeting": (
            r.record_meeting,
            st.tuples(
                ids,
                some_date,
                st.lists(st.builds(NewAction, some_text, texts, dates), max_size=2),
                some_of({"notes": texts}),
            ),
        ),
        "set_setting": (
            r.set_setting,
            st.tuples(
                # The form's keys are fixed; a wrong one still gets a clear refusal.
                st.one_of(st.sampled_from([s.key for s in SETTINGS]), st.text(min_size=1)),
                st.floats(-1e6, 1e7, allow_nan=False),
                st.just({}),
            ),
        ),
    }


@pytest.fixture(scope="module")
def world(template: Path, workdir: Path) -> Iterator[tuple[Path, Records]]:
    """A home, a child placed there and an episode, ids 1; kept across examples."""
    path = workdir / "world.sqlite"
    shutil.copyfile(template, path)
    db = open_database(str(path))
    records = Records(db, "pcso.jones", now=lambda: NOW)
    home = records.create_home("SC100001", "Oakview House", beds=4).record.id
    child = records.create_child("C1", date(2011, 3, 4), first_name="Amy").record.id
    records.add_placement(child, home, date(2025, 9, 1))
    records.record_missing(child, NOW - timedelta(days=2))
    yield path, records
    db.close()


@FUZZ
@given(data=st.data())
def test_any_form_input_is_saved_or_refused_clearly(
    world: tuple[Path, Records], data: st.DataObject
) -> None:
    path, records = world
    cases = use_cases(records)
    name = data.draw(st.sampled_from(sorted(cases)), label="use case")
    call, arguments = cases[name]
    *positional, fields = data.draw(arguments, label="arguments")
    before = digest(path)
    saved = outcome_of(lambda: call(*positional, **fields), path, before)
    event("saved" if saved else "refused")


def test_a_good_form_input_is_saved(world: tuple[Path, Records]) -> None:
    path, records = world
    before = digest(path)
    assert outcome_of(lambda: records.create_child("C9", date(2012, 1, 1)), path, before)
    assert digest(path) != before


# What longer fuzzing runs (thousands of examples) found, each now refused or read clearly.


def test_a_date_without_a_time_is_read_or_refused_clearly(template: Path, workdir: Path) -> None:
    """`2025-11-01` in a date-time column reads as 00:00 London time (the fast path once
    appended "+00:00" to the bare date, which fromisoformat dropped, leaving it naive)."""
    db = open_database(str(fresh_copy(template, workdir)))
    row = dict(zip(HEADER, GOOD, strict=True)) | {"returned_at": "2025-11-02"}
    out = io.StringIO()
    csv.writer(out).writerows([list(row), list(row.values())])
    try:
        import_episodes(db, write(workdir / "dates.csv", out.getvalue().encode()), now=NOW)
    except HomewardError:
        pass
    except Exception as error:
        raise AssertionError(f"{type(error).__name__}: {error}") from error
    finally:
        db.close()


def test_the_same_one_day_placement_twice_is_refused_clearly(template: Path, workdir: Path) -> None:
    records = Records(open_database(str(fresh_copy(template, workdir))), "pcso.jones")
    home = records.create_home("SC100001", "Oakview House").record.id
    child = records.create_child("C1", date(2011, 3, 4)).record.id
    records.add_placement(child, home, date(2017, 4, 14), date(2017, 4, 14))
    try:
        records.add_placement(child, home, date(2017, 4, 14), date(2017, 4, 14))
    except HomewardError:
        pass
    except Exception as error:
        raise AssertionError(f"{type(error).__name__}: {error}") from error
    finally:
        records.db.close()


def test_clearing_an_episodes_type_is_refused_clearly(world: tuple[Path, Records]) -> None:
    _, records = world
    try:
        records.update_episode(1, type="")
    except HomewardError:
        pass
    except Exception as error:
        raise AssertionError(f"{type(error).__name__}: {error}") from error
