"""`validate 903`: every rule of FORMATS.md on files built from the specification: one file
that breaks it and one that does not, from CSV and from XML, with the code, child and line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from missing_app.core.errors import ValidationError
from missing_app.core.exchange.ssda903.rulebook import RULES
from missing_app.core.exchange.ssda903.validation import validate_files
from missing_app.core.exchange.ssda903.years import CollectionYear
from tests.ssda903_files import Row, child, episode, period, write_csvs, write_xml

A, B = "1001", "1002"
DOB = "01/02/2010"
HEADER = [child(A, DOB)]
CARE = [episode(A, "01/01/2024")]  # looked after since 1 January 2024, still
ENDED = [episode(A, "01/01/2024", "01/06/2024")]  # one episode, ended 1 June 2024
YEAR = CollectionYear.parse("2024-25")

Found = set[tuple[str, str, int]]


def check(
    folder: Path,
    missing: Sequence[Row],
    episodes: Sequence[Row] | None = CARE,
    header: Sequence[Row] | None = HEADER,
    *,
    form: str = "csv",
) -> Found:
    """The (code, child, line) of every failure of the files."""
    if form == "xml":
        folder.mkdir(exist_ok=True)
        path = write_xml(folder / "return.xml", header or [], episodes or [], missing)
    else:
        path = write_csvs(folder, header, episodes, missing)
    result = validate_files([path], YEAR)
    return {(f.code, f.child, f.line) for f in result.failures}


# rule: (rows that break it, the same rows corrected, what the broken rows give, Episodes)
CASES: dict[str, tuple[list[Row], list[Row], Found, list[Row]]] = {
    "1004": (
        [period(A, DOB, "31/02/2024", "12/05/2024")],
        [period(A, DOB, "29/02/2024", "12/05/2024")],
        {("1004", A, 2), ("564", A, 2), ("581", A, 2)},  # a bad date counts as blank
        CARE,
    ),
    "1005": (
        [period(A, DOB, "10/05/2024", "12/13/2024")],
        [period(A, DOB, "10/05/2024", "12/12/2024")],
        {("1005", A, 2)},
        CARE,
    ),
    "1006": (
        [period(A, DOB, "10/05/2024", "12/05/2024", kind="X")],
        [period(A, DOB, "10/05/2024", "12/05/2024", kind="a")],  # codes ignore case
        {("1006", A, 2)},
        CARE,
    ),
    "564": (
        [period(A, DOB, "", "12/05/2024", kind="M")],
        [period(A, DOB, "10/05/2024", "12/05/2024", kind="M")],
        {("1004", A, 2), ("564", A, 2), ("581", A, 2)},  # a blank start is within no episode
        CARE,
    ),
    "565": (
        [period(A, DOB, "10/05/2024", kind="")],
        [period(A, DOB, "10/05/2024", kind="A")],
        {("565", A, 2)},
        CARE,
    ),
    "566": (
        [period(A, DOB, "10/05/2024", "12/05/2024", kind="")],
        [period(A, DOB, "10/05/2024", "12/05/2024", kind="m")],
        {("565", A, 2), ("566", A, 2)},
        CARE,
    ),
    "567": (
        [period(A, DOB, "12/05/2024", "10/05/2024")],
        [period(A, DOB, "10/05/2024", "10/05/2024")],  # back the same day
        {("567", A, 2)},
        CARE,
    ),
    "570": (
        [period(A, DOB, "01/04/2025")],
        [period(A, DOB, "31/03/2025")],
        {("570", A, 2)},
        CARE,
    ),
    "571": (
        [period(A, DOB, "20/03/2024", "31/03/2024")],
        [period(A, DOB, "20/03/2024", "01/04/2024")],  # a start before the year is fine
        {("571", A, 2)},
        CARE,
    ),
    "574": (
        [period(A, DOB, "01/05/2024", "10/05/2024"), period(A, DOB, "05/05/2024", "06/05/2024")],
        [period(A, DOB, "01/05/2024", "10/05/2024"), period(A, DOB, "10/05/2024", "12/05/2024")],
        {("574", A, 2)},  # ordered by end, line 2 comes later and starts before line 3 ended
        CARE,
    ),
    "575": (
        [period(A, DOB, "10/05/2024")],
        [period(A, DOB, "10/05/2024", "12/05/2024")],
        {("575", A, 2)},
        [episode(A, "01/01/2024", "01/06/2024"), episode(A, "01/06/2024", urn="SC100002")],
    ),
    "577": (
        [period(A, DOB, "10/05/2024", "05/06/2024")],
        [period(A, DOB, "10/05/2024", "01/06/2024")],  # ending the day care ended is fine
        {("577", A, 2)},
        ENDED,
    ),
    "578": (
        [period(A, DOB, "10/06/2024", "12/06/2024")],
        [period(A, DOB, "01/06/2024", "01/06/2024")],
        {("577", A, 2), ("578", A, 2), ("581", A, 2)},
        ENDED,
    ),
    "581": (
        [period(A, DOB, "10/04/2024", "12/04/2024")],
        [period(A, DOB, "10/05/2024", "12/05/2024")],
        {("577", A, 2), ("578", A, 2), ("581", A, 2)},  # between two periods of care
        [episode(A, "01/01/2024", "01/03/2024"), episode(A, "01/05/2024")],
    ),
    "586": (
        [period(A, "10/05/2024", "10/05/2024", "12/05/2024")],
        [period(A, "09/05/2024", "10/05/2024", "12/05/2024")],
        {("586", A, 2)},
        CARE,
    ),
    "INT04": (
        [period(B, DOB, "10/05/2024", "12/05/2024")],
        [period(A, DOB, "10/05/2024", "12/05/2024")],
        {("INT04", B, 2)},  # B has no Episodes rows: 577, 578 and 581 say nothing
        CARE,
    ),
    "INT13": (
        [period(A, "02/02/2010", "10/05/2024", "12/05/2024")],
        [period(A, DOB, "10/05/2024", "12/05/2024")],
        {("INT13", A, 2)},
        CARE,
    ),
}
# The XML cannot break these: each AMISSING sits in its child's HEADER, which gives its DOB.
CSV_ONLY = {"INT04", "INT13"}


def test_every_rule_of_formats_md_has_a_case() -> None:
    assert set(CASES) == set(RULES)


def _forms(rule: str) -> list[str]:
    return ["csv"] if rule in CSV_ONLY else ["csv", "xml"]


@pytest.mark.parametrize(
    ("rule", "form"), [(rule, form) for rule in CASES for form in _forms(rule)]
)
def test_a_file_breaking_the_rule_is_reported(tmp_path: Path, rule: str, form: str) -> None:
    broken, _fixed, expected, episodes = CASES[rule]
    header = HEADER if rule != "586" else [child(A, "10/05/2024")]
    assert check(tmp_path, broken, episodes, header, form=form) == expected


@pytest.mark.parametrize(
    ("rule", "form"), [(rule, form) for rule in CASES for form in _forms(rule)]
)
def test_the_file_corrected_passes(tmp_path: Path, rule: str, form: str) -> None:
    _broken, fixed, _expected, episodes = CASES[rule]
    header = HEADER if rule != "586" else [child(A, "09/05/2024")]
    assert check(tmp_path, fixed, episodes, header, form=form) == set()


def test_574_reports_the_row_after_an_open_one(tmp_path: Path) -> None:
    rows = [period(A, DOB, "03/05/2024", "04/05/2024"), period(A, DOB, "01/05/2024")]
    # A blank end counts as the start: line 3 (01/05) comes first, and has no end.
    assert check(tmp_path, rows) == {("574", A, 2)}


def test_577_an_open_period_when_care_has_ended(tmp_path: Path) -> None:
    rows = [period(A, DOB, "10/05/2024")]
    assert check(tmp_path, rows, ENDED) == {("575", A, 2), ("577", A, 2)}


def test_a_period_of_care_joins_episodes_that_touch(tmp_path: Path) -> None:
    care = [episode(A, "01/01/2024", "01/03/2024"), episode(A, "01/03/2024", "01/06/2024")]
    rows = [period(A, DOB, "20/02/2024", "05/05/2024")]  # across the two episodes: fine
    assert check(tmp_path, rows, care) == set()


def test_a_child_with_no_episodes_rows_is_not_reported_by_577_578_581(tmp_path: Path) -> None:
    header = [*HEADER, child(B, DOB)]
    rows = [period(B, DOB, "10/05/2024", "12/05/2024"), period(B, DOB, "20/05/2024")]
    assert check(tmp_path, rows, CARE, header) == set()


def test_an_episode_without_a_valid_decom_is_no_period_of_care(tmp_path: Path) -> None:
    episodes = [episode(A, "not a date")]
    rows = [period(A, DOB, "10/05/2024", "12/05/2024")]
    # 581 sees the child's Episodes row (within none); 577 and 578 see no period of care.
    assert check(tmp_path, rows, episodes) == {("581", A, 2)}


def test_one_row_may_fail_several_rules_and_rows_come_in_line_order(tmp_path: Path) -> None:
    rows = [
        period(A, DOB, "10/05/2024", "12/05/2024"),
        period(A, DOB, "20/05/2024", "12/05/2025", kind="x"),
    ]
    write_csvs(tmp_path, HEADER, CARE, rows)
    result = validate_files([tmp_path], YEAR)
    assert [(f.code, f.line) for f in result.failures] == [("1006", 3), ("571", 3)]
    assert result.failures[0].as_json() == {
        "code": "1006",
        "child": A,
        "line": 3,
        "message": "MISSING 'X' is not M (missing) or A (away without authorisation)",
    }


def test_lines_count_the_header_as_1_and_blank_lines_too(tmp_path: Path) -> None:
    (tmp_path / "missing.csv").write_text(
        "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
        f"{A},{DOB},M,10/05/2024,12/05/2024\n"
        "\n"
        f"{A},{DOB},Q,20/05/2024,21/05/2024\n",
        encoding="utf-8",
    )
    result = validate_files([tmp_path / "missing.csv"], YEAR)
    assert [(f.code, f.child, f.line) for f in result.failures] == [("1006", A, 4)]
    assert result.unchecked == ("575", "577", "578", "581", "INT04", "INT13")


def test_a_quoted_line_break_keeps_the_line_numbers_true(tmp_path: Path) -> None:
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,DEC,URN,HOME_POST\n"
        f'{A},01/01/2024,01/06/2024,SC1,"Flat 2\nL4 0TH"\n'
        f"{A},01/06/2024,,SC2,L4 0TH\n",
        encoding="utf-8",
    )
    write_csvs(tmp_path, HEADER, None, [period(A, DOB, "10/05/2024")])
    result = validate_files([tmp_path], YEAR)
    assert [f.code for f in result.failures] == ["575"]
    assert "(Episodes line 2)" in result.failures[0].message


def test_xml_lines_are_amissing_positions_plus_one_across_children(tmp_path: Path) -> None:
    header = [child(B, DOB), child(A, DOB)]
    episodes = [*CARE, episode(B, "01/01/2024")]
    rows = [
        period(A, DOB, "10/05/2024", "12/05/2024", kind="Z"),  # A's only period: 3rd AMISSING
        period(B, DOB, "10/05/2024", "12/05/2024"),
        period(B, DOB, "20/05/2024", "21/05/2024", kind="Z"),  # B's second: 2nd AMISSING
    ]
    found = check(tmp_path, rows, episodes, header, form="xml")
    assert found == {("1006", B, 3), ("1006", A, 4)}


def test_xml_dates_may_be_written_as_xs_date(tmp_path: Path) -> None:
    rows = [period(A, DOB, "12/05/2024", "10/05/2024")]
    path = write_xml(tmp_path / "return.xml", HEADER, CARE, rows, iso_dates=True)
    assert [f.code for f in validate_files([path], YEAR).failures] == ["567"]


def test_column_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    (tmp_path / "missing.csv").write_text(
        f" child ,dob,Missing,mis_start,MIS_END\n {A} , {DOB} ,m, 10/05/2024 ,01/05/2024\n",
        encoding="utf-8",
    )
    failures = validate_files([tmp_path / "missing.csv"], YEAR).failures
    assert [(f.code, f.child) for f in failures] == [("567", A)]


def test_the_year_defaults_to_the_one_holding_the_latest_start(tmp_path: Path) -> None:
    rows = [period(A, DOB, "10/05/2023", "12/05/2023"), period(A, DOB, "02/04/2024")]
    write_csvs(tmp_path, HEADER, [episode(A, "01/01/2023")], rows)
    result = validate_files([tmp_path])
    assert result.year == YEAR
    # Against 2024-25, the 2023 period ends before the year began.
    assert {(f.code, f.line) for f in result.failures} == {("571", 2)}


def test_files_that_cannot_be_checked_are_refused_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START\n1,2,3,4\n")
    with pytest.raises(ValidationError) as raised:
        validate_files([tmp_path / "missing.csv"], YEAR)
    assert [str(p) for p in raised.value.problems] == [
        f"{tmp_path / 'missing.csv'}:1: MIS_END: the column is missing "
        "(a Missing table has CHILD, DOB, MISSING, MIS_START, MIS_END)"
    ]
    write_csvs(tmp_path / "only", HEADER, CARE, None)
    with pytest.raises(ValidationError, match="no Missing table"):
        validate_files([tmp_path / "only"], YEAR)
    with pytest.raises(ValidationError, match="does not exist"):
        validate_files([tmp_path / "nowhere.csv"], YEAR)


def test_the_reference_fixtures_give_the_data_to_insight_failures() -> None:
    folder = Path("/work/shared/reference/903-d2i-fixtures")
    if not folder.exists():
        pytest.skip("the reference fixtures are not on this machine")
    result = validate_files([folder])
    assert result.year == CollectionYear.parse("2017-18")
    counts: dict[str, int] = {}
    for failure in result.failures:
        counts[failure.code] = counts.get(failure.code, 0) + 1
    assert counts == {"574": 1, "577": 6, "578": 4, "581": 4}
    assert ("574", "366621", 37) in {(f.code, f.child, f.line) for f in result.failures}
