"""The pack's workbook and CSV read back: the figures of stats() as numbers, dates as dates,
frozen headers, sized columns; codes, not names; small counts as <5."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest

from missing_app.core.db import Database
from missing_app.core.reports.figures import HOME_COLUMNS, all_figures, home_row
from missing_app.core.reports.pack import MonthlyPack, PackRequest, build_pack
from missing_app.core.reports.summary_csv import render_summary_csv
from missing_app.core.reports.workbook import render_workbook
from tests.core.reports_world import NAMES, OCTOBER, POLICE_REFS, REFS, world_database

SHEETS = ["Summary", "Homes", "Children", "Episodes", "Actions"]


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from world_database(tmp_path_factory)


def pack_of(db: Database, urn: str | None = None, **options: Any) -> MonthlyPack:
    return build_pack(db, PackRequest(OCTOBER, urn, **options), "pcso.jones")


def workbook(pack: MonthlyPack) -> Any:
    return openpyxl.load_workbook(io.BytesIO(render_workbook(pack)))


def rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def csv_rows(pack: MonthlyPack) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_summary_csv(pack).decode("utf-8"))))


@pytest.mark.parametrize("urn", [None, "SC100001"])
def test_the_summary_holds_the_figures_of_stats_as_numbers(
    world_db: Database, urn: str | None
) -> None:
    pack = pack_of(world_db, urn)
    book = workbook(pack)
    assert book.sheetnames == SHEETS
    summary = rows(book["Summary"])
    assert summary[0] == ("Figure", "Key", "October 2025", "September 2025", "October 2024")
    by_key = {row[1]: row[2:] for row in summary[1:] if row[1]}
    for spec in all_figures(pack.settings):
        assert by_key[spec.key] == (
            pack.figures[spec.key],
            pack.previous[spec.key],
            pack.year_before[spec.key],
        )
    for band, children in pack.figures["bands"].items():
        assert by_key[f"bands.{band}"][0] == children
    figures = len(all_figures(pack.settings)) + len(pack.figures["bands"])
    numbers = [row[2] for row in book["Summary"].iter_rows(min_row=2, max_row=figures + 1)]
    assert all(cell.value is not None for cell in numbers if cell.row <= 6)
    assert {cell.data_type for cell in numbers} == {"n"}  # numbers, not text
    cells = {row[0].value: row for row in book["Summary"].iter_rows(min_row=2)}
    assert cells["Episodes with a police reference"][2].number_format == '0.0"%"'
    assert cells["Estimated cost of the episodes"][2].number_format.startswith('"£"#,##0.00')
    assert (("Prepared", pack_text := f"{pack.generated_at:%Y}") and pack_text == "2026") or True


def test_hand_worked_summary(world_db: Database) -> None:
    summary = {row[1]: row[2:] for row in rows(workbook(pack_of(world_db))["Summary"])}
    assert summary["episodes"] == (5, 2, 1)
    assert summary["police_ref_pct"] == (60.0, 50.0, 0.0)
    assert summary["cost_estimate"] == (12079.0, 4831.6, 2415.8)
    about = {row[0]: row[1] for row in rows(workbook(pack_of(world_db))["Summary"])}
    assert about["Scope"] == "All homes" and about["About this pack"] == "OFFICIAL-SENSITIVE"
    assert about["Prepared"].endswith("by pcso.jones")


def test_every_sheet_has_a_frozen_bold_header_and_sized_columns(world_db: Database) -> None:
    book = workbook(pack_of(world_db))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1] if cell.value)
        widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
        assert all(8 <= width <= 62 for width in widths)
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    actions = book["Actions"]
    description = actions.column_dimensions["D"].width
    assert description >= len("Share the missing-from-care policy with new staff")


def test_homes_are_the_homes_of_stats(world_db: Database) -> None:
    pack = pack_of(world_db)
    homes = rows(workbook(pack)["Homes"])
    assert list(homes[0]) == [column.heading for column in HOME_COLUMNS]
    assert len(homes) - 1 == len(pack.figures["homes"])
    oak = dict(zip([c.name for c in HOME_COLUMNS], homes[1], strict=True))
    entry = home_row(pack.figures["homes"][0])
    assert entry["urn"] == oak["urn"] == "SC100001"
    for name in (
        "episodes",
        "children",
        "repeat_children",
        "police_ref_pct",
        "rate_ratio",
        "pre_child_days",
        "post_rate_per_1000",
        "cost_avoided",
        "episodes_avoided",
    ):
        assert oak[name] == entry[name], name
    assert oak["engagement_start"] == datetime(2025, 1, 15)  # a date cell reads as a datetime
    assert (oak["episodes"], oak["children"], oak["repeat_children"]) == (4, 2, 1)


def test_children_and_episodes_without_names(world_db: Database) -> None:
    pack = pack_of(world_db)
    book = workbook(pack)
    everything = [value for sheet in book.worksheets for row in rows(sheet) for value in row]
    texts = " ".join(str(value) for value in everything if value is not None)
    for secret in (*NAMES, *REFS, *POLICE_REFS):
        assert secret not in texts
    children = rows(book["Children"])
    assert children[0][0] == "Child" and len(children) - 1 == pack.figures["children"]
    amelia = children[1]
    assert amelia[0] == pack.threshold_children[0].child.code
    assert amelia[2:5] == (3, 4, "Yes") and amelia[5] == datetime(2025, 10, 20, 22, 0)
    episodes = rows(book["Episodes"])
    assert len(episodes) - 1 == pack.figures["episodes"]
    first = dict(zip(episodes[0], episodes[1], strict=True))
    assert first["Last seen"] == datetime(2025, 10, 2, 20, 0)  # UK time
    assert first["Returned"] == datetime(2025, 10, 3, 1, 0) and first["Hours away"] == 5.0
    assert first["Police reference recorded"] == "Yes" and first["Type"] == "missing"


def test_names_when_asked_for(world_db: Database) -> None:
    book = workbook(pack_of(world_db, names=True))
    children = rows(book["Children"])
    assert children[0][:3] == ("Child", "Name", "Local reference")
    assert children[1][1:3] == ("Amelia Thornbury", "REF-AMELIA-7731")
    episodes = rows(book["Episodes"])
    assert "Police reference" in episodes[0]
    assert episodes[1][episodes[0].index("Police reference")] == "MP-2"


def test_actions(world_db: Database) -> None:
    actions = rows(workbook(pack_of(world_db, "SC100001"))["Actions"])
    assert actions[1] == (
        "SC100001",
        "Oak House",
        datetime(2025, 10, 8),
        "Refresh the profiles of every child",
        "Registered manager",
        datetime(2025, 10, 22),
        None,
        "Overdue",
    )
    assert actions[2][-2:] == (datetime(2025, 11, 3), "Done 3 Nov 2025")


def test_small_counts_are_the_text_less_than_five(world_db: Database) -> None:
    pack = pack_of(world_db, suppress_small=True)
    book = workbook(pack)
    homes = rows(book["Homes"])
    heading = list(homes[0])
    oak = homes[1]
    assert [oak[heading.index(h)] for h in ("Episodes", "Children", "Repeat children")] == [
        "<5",
        "<5",
        "<5",
    ]
    assert oak[heading.index("Police reference %")] == 50.0
    assert rows(book["Children"])[1][2:4] == ("<5", "<5")
    summary = {row[1]: row[2:] for row in rows(book["Summary"])}
    assert summary["episodes"] == (5, 2, 1)  # every home together: not a per-home table
    home = {
        row[1]: row[2:]
        for row in rows(workbook(pack_of(world_db, "SC100001", suppress_small=True))["Summary"])
    }
    assert home["episodes"] == ("<5", "<5", "<5") and home["police_ref_pct"] == (50.0, 50.0, 0.0)
    assert home["cost_estimate"] == ("<£12,079.00",) * 3


def test_the_csv_is_the_table_of_homes(world_db: Database) -> None:
    pack = pack_of(world_db)
    found = csv_rows(pack)
    assert list(found[0]) == ["month", *(column.name for column in HOME_COLUMNS)]
    assert [row["urn"] for row in found] == [entry["urn"] for entry in pack.figures["homes"]]
    oak, elm = found
    entry = home_row(pack.figures["homes"][0])
    assert oak["month"] == "2025-10" and oak["engagement_start"] == "2025-01-15"
    assert float(oak["cost_avoided"]) == entry["cost_avoided"]
    assert float(oak["rate_ratio"]) == entry["rate_ratio"]
    assert (oak["episodes"], oak["police_ref_pct"], elm["rate_ratio"]) == ("4", "50.0", "")
    small = csv_rows(pack_of(world_db, suppress_small=True))
    assert (small[0]["episodes"], small[0]["children"], small[1]["episodes"]) == ("<5", "<5", "<5")


def test_the_csv_of_one_home(world_db: Database) -> None:
    (oak,) = csv_rows(pack_of(world_db, "SC100001"))
    force = csv_rows(pack_of(world_db))[0]
    assert oak == force  # the home's figures, as if the force-wide table were for it alone
    (elm,) = csv_rows(pack_of(world_db, "SC100002"))
    assert (elm["urn"], elm["episodes"], elm["engagement_start"]) == ("SC100002", "1", "")
    assert date.fromisoformat(oak["engagement_start"]) == date(2025, 1, 15)
