"""The 903 commands as a user runs them: output, exit codes, messages naming file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_csv
from tests.ssda903_files import A_DOB, A, period, valid_world, write_csvs


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "missing_app", *args], capture_output=True, text=True, timeout=120
    )


def broken_return(folder: Path) -> Path:
    header, episodes, missing = valid_world(2024)
    missing.append(period(A, A_DOB, "01/03/2025", "05/05/2025", "x"))
    return write_csvs(folder, header, episodes, missing)


def test_validate_lists_each_failure_with_line_code_and_child(tmp_path: Path) -> None:
    folder = broken_return(tmp_path)
    result = cli("validate", "903", str(folder), "--year", "2024-25")
    assert result.returncode == 2
    path = folder / "missing.csv"
    assert result.stdout.splitlines() == [
        f"{path}:6: 1006 child {A}: MISSING 'X' is not M (missing) or A (away without "
        "authorisation)",
        f"{path}:6: 571 child {A}: MIS_END 05/05/2025 is outside 2024-25 (01/04/2024 to "
        "31/03/2025)",
        f"{path}:6: 574 child {A}: starts 01/03/2025 while the period on line 4 is still open",
    ]
    assert result.stderr.splitlines()[-1] == (
        f"3 failure(s) in 5 Missing rows of {path} against 2024-25: 1006 x1, 571 x1, 574 x1."
    )


def test_validate_json_is_a_list_of_code_child_line_message(tmp_path: Path) -> None:
    folder = broken_return(tmp_path)
    result = cli("validate", "903", str(folder / "missing.csv"), "--json")
    assert result.returncode == 2
    failures = json.loads(result.stdout)
    assert [(f["code"], f["child"], f["line"]) for f in failures] == [
        ("1006", A, 6),
        ("571", A, 6),
        ("574", A, 6),
    ]
    assert set(failures[0]) == {"code", "child", "line", "message"}
    assert "Not checked without the Header or Episodes table: 575, 577, 578, 581" in result.stderr


def test_a_clean_return_exits_0_and_the_year_defaults_to_its_latest_start(tmp_path: Path) -> None:
    folder = write_csvs(tmp_path, *valid_world(2023))
    result = cli("validate", "903", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert result.stderr.strip().endswith("against 2023-24.")


def test_validate_help_says_how_the_year_defaults() -> None:
    result = cli("validate", "903", "--help")
    assert result.returncode == 0
    assert "the year of the latest MIS_START" in " ".join(result.stdout.split())


def test_a_bad_year_or_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = cli("validate", "903", str(tmp_path), "--year", "2024-26")
    assert result.returncode == 2 and "'2024-26' is not a collection year" in result.stderr
    result = cli("validate", "903", str(tmp_path / "none.csv"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'none.csv'}:0: file: the file does not exist"


def test_import_903_then_again_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite")
    folder = write_csvs(tmp_path / "return", *valid_world(2024))
    first = cli("--db", db, "import", "903", str(folder))
    assert first.returncode == 0, first.stderr
    assert "2 homes added, 2 children added, 2 placements added, 4 episodes added" in first.stdout
    second = cli("--db", db, "import", "903", str(folder))
    assert second.returncode == 0
    assert second.stdout.strip().endswith("2 placements unchanged, 4 episodes unchanged.")


def test_import_903_refuses_a_bad_return_with_file_line_and_column(tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite")
    header, episodes, missing = valid_world(2024)
    missing[1] = period(A, A_DOB, "2024-12-20", "", "M")
    folder = write_csvs(tmp_path, header, episodes, missing)
    result = cli("--db", db, "import", "903", str(folder))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{folder / 'episodes.csv'}:5: URN: warning: 1 Episodes rows have no URN (not a home): "
        "they are not imported as placements",
        f"{folder / 'missing.csv'}:3: MIS_START: '2024-12-20' is not a date (use dd/mm/YYYY)",
        "Nothing was imported: 1 error(s) to correct.",
    ]


def test_export_903_writes_the_year_and_refuses_failing_records_unless_forced(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "h.sqlite")
    imported = cli("--db", db, "import", "903", str(write_csvs(tmp_path, *valid_world())))
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "out"
    clean = cli("--db", db, "export", "903", "--year", "2024-25", "--out", str(out))
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip() == f"Wrote 4 rows of 2024-25 to {out / 'missing.csv'}."
    # An episode recorded before the child's placement in Homeward began fails 577, 578, 581.
    episodes = write_csv(
        tmp_path / "generic.csv",
        [{"child_ref": "C9", "dob": "2009-06-01", "home_urn": "SC100001",
          "last_seen_at": "2024-05-10 21:30", "returned_at": "2024-05-11 08:00"}],
    )  # fmt: skip
    placements = write_csv(
        tmp_path / "placements.csv",
        [{"child_ref": "C9", "home_urn": "SC100001", "start": "2024-06-01"}],
    )
    generic = cli("--db", db, "import", "episodes", str(episodes), "--placements", str(placements))
    assert generic.returncode == 0, generic.stderr
    refused = cli("--db", db, "export", "903", "--year", "2024-25", "--out", str(out))
    assert refused.returncode == 2
    lines = refused.stderr.splitlines()
    assert [line.split(" (episode ")[0] for line in lines[:3]] == [
        "missing.csv:6: 577 child C9",
        "missing.csv:6: 578 child C9",
        "missing.csv:6: 581 child C9",
    ]
    assert lines[2].endswith("MIS_START 10/05/2024 is within none of the child's Episodes rows")
    assert lines[-1].startswith("Nothing was exported: 3 failure(s) of the Department's checks.")
    assert len(read_lines(out / "missing.csv")) == 5  # the clean export, left as it was
    forced = cli(
        "--db", db, "export", "903", "--year", "2024-25", "--out", str(out), "--force",
        "--why", "annual return",
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.strip().endswith("(3 failing the checks).")
    assert read_lines(out / "missing.csv")[-1] == "C9,01/06/2009,M,10/05/2024,11/05/2024"


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
