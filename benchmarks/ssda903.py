"""Validating a 100,000-row 903 Missing table (with its Header and Episodes tables), as a
ratio against reading the Missing file with `pandas.read_csv` alone. Target: within 10x.

The tables are synthetic: 25,000 children, two Episodes rows each (the second still open,
postcodes filled in as councils do), four missing periods each in 2024-25, and one row in a
hundred broken on purpose so the checks have failures to report. Run alone with
`python -m benchmarks.ssda903`.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import Result, best_of, stage, timed
from missing_app.core.exchange.ssda903.validation import validate_files
from missing_app.core.exchange.ssda903.years import CollectionYear

ROWS = 100_000
PERIODS_PER_CHILD = 4
YEAR = CollectionYear(2024)


def _dmy(days: np.ndarray) -> np.ndarray:
    return pd.to_datetime(days).strftime("%d/%m/%Y").to_numpy(dtype=object)


def write_return(folder: Path, rows: int = ROWS, seed: int = 1) -> Path:
    """Write header.csv, episodes.csv and missing.csv with `rows` Missing rows."""
    rng = np.random.default_rng(seed)
    children = rows // PERIODS_PER_CHILD
    refs = np.array([str(100_000 + i) for i in range(children)], dtype=object)
    dob = np.datetime64("2005-01-01") + rng.integers(0, 9 * 365, children).astype("timedelta64[D]")
    year_start = np.datetime64(YEAR.start)
    decom = year_start - rng.integers(30, 900, children).astype("timedelta64[D]")
    moved = decom + rng.integers(10, 25, children).astype("timedelta64[D]")
    pd.DataFrame(
        {"CHILD": refs, "SEX": rng.choice(["M", "F"], children), "DOB": _dmy(dob),
         "ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""}
    ).to_csv(folder / "header.csv", index=False)  # fmt: skip
    episodes = pd.DataFrame(
        {"CHILD": np.repeat(refs, 2), "DECOM": _dmy(np.column_stack([decom, moved]).ravel()),
         "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "K2", "PLACE_PROVIDER": "PR1",
         "DEC": np.column_stack([_dmy(moved), np.full(children, "", dtype=object)]).ravel(),
         "REC": "", "REASON_PLACE_CHANGE": "", "HOME_POST": "L4 0TH", "PL_POST": "CH41 5LH",
         "URN": np.repeat(rng.integers(1_000_000, 9_999_999, children).astype(str), 2)}
    )  # fmt: skip
    episodes.to_csv(folder / "episodes.csv", index=False)
    gaps = rng.integers(10, 85, (children, PERIODS_PER_CHILD))
    starts = year_start + np.cumsum(gaps, axis=1).astype("timedelta64[D]")
    ends = starts + rng.integers(0, 8, (children, PERIODS_PER_CHILD)).astype("timedelta64[D]")
    end_text = _dmy(ends.ravel())
    end_text[PERIODS_PER_CHILD - 1 :: PERIODS_PER_CHILD * 3] = ""  # some still open
    each = PERIODS_PER_CHILD
    missing = pd.DataFrame(
        {"CHILD": np.repeat(refs, each), "DOB": np.repeat(_dmy(dob), each),
         "MISSING": rng.choice(["M", "A"], rows), "MIS_START": _dmy(starts.ravel()),
         "MIS_END": end_text}
    )  # fmt: skip
    broken = rng.choice(rows, rows // 100, replace=False)
    missing.loc[broken[0::3], "MIS_START"] = "31/02/2025"
    missing.loc[broken[1::3], "MISSING"] = "X"
    missing.loc[broken[2::3], "DOB"] = "01/01/2001"
    path = folder / "missing.csv"
    missing.to_csv(path, index=False)
    return path


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        with stage(f"writing a {ROWS:,}-row 903 return"):
            missing = write_return(folder)
        with stage("validate 903 against pandas.read_csv"):
            pd.read_csv(missing)  # warm up: pandas' first call loads its parsers
            read = best_of(3, lambda: timed(lambda: pd.read_csv(missing))[1])
            check = best_of(3, lambda: timed(lambda: validate_files([folder], YEAR))[1])
            validation = validate_files([folder], YEAR)
    counts = Counter(failure.code for failure in validation.failures)
    note = f"{validation.rows:,} rows, {len(validation.failures):,} failures " + ", ".join(
        f"{code} x{count}" for code, count in sorted(counts.items())
    )
    return [
        Result(
            "validate 903: 100,000 Missing rows, 3 tables",
            check,
            "pandas.read_csv of the Missing file",
            read,
            target=10.0,
            note=note,
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result.line())
