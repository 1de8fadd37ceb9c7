"""The command line as a user runs it: exit codes, messages on stderr, the database untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import write_csv


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "missing_app", *args], capture_output=True, text=True, timeout=120
    )


ROW = {
    "child_ref": "C1",
    "dob": "2010-03-04",
    "home_urn": "SC100001",
    "last_seen_at": "2025-11-01 21:30",
    "returned_at": "2025-11-02 08:00",
}


def test_import_episodes_succeeds_then_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = write_csv(tmp_path / "episodes.csv", [ROW])
    first = cli("--db", str(db), "import", "episodes", str(path))
    assert first.returncode == 0, first.stderr
    assert "1 episodes added" in first.stdout
    second = cli("--db", str(db), "import", "episodes", str(path))
    assert second.returncode == 0 and "1 episodes unchanged" in second.stdout


def test_a_bad_file_exits_2_with_file_line_and_column(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    path = write_csv(tmp_path / "episodes.csv", [ROW, {**ROW, "child_ref": "C2", "risk": "huge"}])
    result = cli("--db", str(db), "import", "episodes", str(path))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{path}:3: risk: 'huge' is not a known risk grade "
        "(use no_apparent_risk, low, medium, high)"
    )
    assert lines[-1] == "Nothing was imported: 1 error(s) to correct."


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    result = cli("--db", str(tmp_path / "h.sqlite"), "demo", "--scale", "huge")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_python_dash_m_and_version() -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("Homeward ")
