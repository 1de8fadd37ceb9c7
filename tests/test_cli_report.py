"""`missing-app report` as a user runs it: the files it writes carry the figures that
`missing-app stats --json` prints for the same month and home, name no child without
--names, suppress small counts, and leave a row in the audit log; bad input exits 2."""

from __future__ import annotations

import csv
import getpass
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest

from missing_app.core.metrics import Settings
from missing_app.core.reports.figures import all_figures
from missing_app.core.reports.formats import value_text

MONTH = ("--month", "2025-10")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "missing_app", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-report") / "demo.sqlite"
    made = cli("--db", str(path), "demo", "--scale", "small", "--as-of", "2025-11-20")
    assert made.returncode == 0, made.stderr
    return path


def stats_json(db: Path, home: str | None = None) -> dict[str, Any]:
    where = () if home is None else ("--home", home)
    found = cli(
        "--db", str(db), "stats", "--from", "2025-10-01", "--to", "2025-10-31", *where, "--json"
    )
    assert found.returncode == 0, found.stderr
    return dict(json.loads(found.stdout))


def busiest_home(db: Path) -> str:
    homes = stats_json(db)["homes"]
    return str(max(homes, key=lambda home: (home["episodes"], home["urn"]))["urn"])


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def children(db: Path) -> list[tuple[str, str]]:
    """(full name, local reference) of every child with a name."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT first_name || ' ' || last_name, local_ref FROM children "
            "WHERE first_name IS NOT NULL AND last_name IS NOT NULL"
        ).fetchall()
    return [(name, ref) for name, ref in rows]


def export_rows(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT username, why, after FROM audit_events WHERE action = 'export' ORDER BY id"
        ).fetchall()


def test_a_home_pdf_carries_the_figures_of_stats(demo: Path, tmp_path: Path) -> None:
    home = busiest_home(demo)
    out = tmp_path / "home.pdf"
    result = cli(
        "--db",
        str(demo),
        "report",
        *MONTH,
        "--home",
        home,
        "--format",
        "pdf",
        "--out",
        str(out),
        "--why",
        "October liaison meeting",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out}: ") and result.stderr == ""
    figures, text = stats_json(demo, home), pdf_text(out)
    assert figures["episodes"] > 0
    for spec in all_figures(Settings()):
        assert f"{spec.label} {value_text(figures[spec.key], spec.kind)}" in text, spec.key
    for name, ref in children(demo):
        assert name not in text and ref not in text
    who, why, after = export_rows(demo)[-1]
    assert (who, why) == (getpass.getuser(), "October liaison meeting")
    assert json.loads(after)["home"] == home and json.loads(after)["month"] == "2025-10"


def test_the_workbook_carries_the_figures_of_stats(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    result = cli("--db", str(demo), "report", *MONTH, "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning: no --why given" in result.stderr
    figures = stats_json(demo)
    book = openpyxl.load_workbook(out)
    summary = {row[1]: row[2] for row in book["Summary"].iter_rows(values_only=True)}
    for spec in all_figures(Settings()):
        assert summary[spec.key] == figures[spec.key], spec.key
    homes = list(book["Homes"].iter_rows(values_only=True))
    assert [row[0] for row in homes[1:]] == [home["urn"] for home in figures["homes"]]
    assert [row[2] for row in homes[1:]] == [home["episodes"] for home in figures["homes"]]
    assert export_rows(demo)[-1][1] == "(no reason given)"
    cells = " ".join(
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    for name, ref in children(demo):
        assert name not in cells and ref not in cells


def test_the_csv_with_small_counts_suppressed(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "homes.csv"
    result = cli(
        "--db",
        str(demo),
        "report",
        *MONTH,
        "--format",
        "csv",
        "--out",
        str(out),
        "--suppress-small",
        "--why",
        "for the council",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    figures = stats_json(demo)
    assert [row["urn"] for row in rows] == [home["urn"] for home in figures["homes"]]
    for row, home in zip(rows, figures["homes"], strict=True):
        for key in ("episodes", "children", "repeat_children"):
            assert row[key] == ("<5" if 1 <= home[key] <= 4 else str(home[key]))
    assert any(row["episodes"] == "<5" for row in rows)


def test_names_need_a_reason_and_then_appear(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "named.xlsx"
    refused = cli(
        "--db", str(demo), "report", *MONTH, "--format", "xlsx", "--out", str(out), "--names"
    )
    assert refused.returncode == 2 and not out.exists()
    assert refused.stderr.strip() == "--names discloses children's names: say why with --why."
    done = cli(
        "--db",
        str(demo),
        "report",
        *MONTH,
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--names",
        "--why",
        "strategy meeting",
    )
    assert done.returncode == 0, done.stderr
    named = [row[1] for row in openpyxl.load_workbook(out)["Children"].iter_rows(values_only=True)]
    assert named[0] == "Name" and set(named[1:]) <= {name for name, _ in children(demo)}


def test_every_home_into_a_folder(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    result = cli(
        "--db",
        str(demo),
        "report",
        *MONTH,
        "--home",
        "all",
        "--format",
        "csv",
        "--out",
        str(out),
        "--why",
        "monthly round",
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(demo) as connection:
        homes = connection.execute("SELECT COUNT(*) FROM care_homes").fetchone()[0]
    files = sorted(path.name for path in out.iterdir())
    assert len(files) == homes + 1 and "2025-10-all-homes.csv" in files
    assert result.stdout.splitlines()[-1] == (
        f"{homes + 1} files in {out}, each recorded in the audit log."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2025-13", "--format", "csv", "--out", "x.csv"), "is not a month"),
        (("--month", "2025-10", "--format", "doc", "--out", "x.csv"), "invalid choice"),
        (
            ("--month", "2025-10", "--home", "SC000000", "--format", "csv", "--out", "{tmp}/x.csv"),
            "There is no home with the URN SC000000.",
        ),
        (
            ("--month", "2025-10", "--format", "csv", "--out", "{tmp}/nowhere/x.csv"),
            "does not exist",
        ),
        (("--month", "2025-10", "--format", "csv", "--out", "{tmp}"), "is a folder"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    demo: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    before = len(export_rows(demo))
    result = cli("--db", str(demo), "report", *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.returncode == 2 and message in result.stderr
    assert len(export_rows(demo)) == before and not list(tmp_path.iterdir())
