"""The pack's PDF read back: the figures of stats() on its pages, the marking and page
numbers on every page, no child named without names, small counts suppressed, long tables
continued with their header and no row split, and pictures of its pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pypdf
import pytest

from missing_app.core.db import Database
from missing_app.core.records import NewAction, Records
from missing_app.core.reports.figures import all_figures
from missing_app.core.reports.formats import change_text, value_text
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack import MonthlyPack, PackRequest, build_pack
from missing_app.core.reports.pdf import render_pdf
from missing_app.core.reports.preview import page_count, render_pages
from tests.core.reports_world import (
    NAMES,
    OCTOBER,
    OPEN_ACTION,
    POLICE_REFS,
    REFS,
    world_database,
)


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from world_database(tmp_path_factory)


@pytest.fixture(scope="module")
def packs(world_db: Database) -> dict[str, tuple[MonthlyPack, bytes]]:
    """Each pack of the world, with its PDF."""
    made = {}
    for name, urn, options in (
        ("force", None, {}),
        ("oak", "SC100001", {}),
        ("named", "SC100001", {"names": True}),
        ("small", "SC100001", {"suppress_small": True}),
        ("force_small", None, {"suppress_small": True}),
    ):
        pack = build_pack(world_db, PackRequest(OCTOBER, urn, **options), "pcso.jones")
        made[name] = (pack, render_pdf(pack))
    return made


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, its runs of white space (no-break spaces too) made one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text().replace("\xa0", " ")) for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def row_text(pack: MonthlyPack, key: str) -> str:
    """A figure's row as the pack should print it, worked from stats() of the three months."""
    spec = next(spec for spec in all_figures(pack.settings) if spec.key == key)
    now, before, year = (pack.figures[key], pack.previous[key], pack.year_before[key])
    cells = " ".join(
        [
            spec.label,
            value_text(now, spec.kind),
            value_text(before, spec.kind),
            change_text(now, before, spec.kind, spec.better),
            value_text(year, spec.kind),
            change_text(now, year, spec.kind, spec.better),
        ]
    )
    return cells.replace("\xa0", " ")


def test_every_page_is_marked_numbered_and_signed(packs: dict[str, Any]) -> None:
    for _, pdf in packs.values():
        texts = page_texts(pdf)
        assert len(texts) >= 2
        for number, text in enumerate(texts, start=1):
            assert text.count("OFFICIAL-SENSITIVE") == 2
            assert f"Page {number} of {len(texts)}" in text
            assert "by pcso.jones" in text and "October 2025" in text


@pytest.mark.parametrize("name", ["force", "oak"])
def test_every_figure_of_stats_is_on_the_pages(packs: dict[str, Any], name: str) -> None:
    pack, pdf = packs[name]
    text = text_of(pdf)
    for spec in all_figures(pack.settings):
        assert row_text(pack, spec.key) in text


def test_hand_worked_rows(packs: dict[str, Any]) -> None:
    force = text_of(packs["force"][1])
    assert "Oct 2025 Sep 2025 Change Oct 2024 Change" in force
    assert "Episodes 5 2 3 more (worse) 1 4 more (worse)" in force
    assert (
        "Episodes with a police reference 60.0% 50.0% 10.0 pts higher (better) 0.0% "
        "60.0 pts higher (better)"
    ) in force
    assert (
        "Estimated cost of the episodes £12,079.00 £4,831.60 £7,247.40 more (worse) £2,415.80"
    ) in force
    assert "Still away at the end of the month 1 0 1 more (worse) 0 1 more (worse)" in force
    oak = text_of(packs["oak"][1])
    assert "Episodes 4 2 2 more (worse) 1 3 more (worse)" in oak
    assert (
        "Return interview completed within 72 hours 25.0% 0.0% 25.0 pts higher (better) 0.0%"
    ) in oak


def test_the_cover_tiles_say_which_way_is_better_in_words(packs: dict[str, Any]) -> None:
    """No arrows: in black-and-white print the words carry the direction and the verdict."""
    first = page_texts(packs["force"][1])[0]
    assert "£12,079.00 3 more than Sep 2025 (worse) 4 more than Oct 2024 (worse)" in first
    assert "25.0 pts higher than Sep 2025 (better)" in first
    assert "▲" not in first and "▼" not in first


@pytest.mark.parametrize(
    ("now", "before", "kind", "better", "text"),
    [
        (3, 5, "count", "lower", "2 fewer than Oct 2026 (better)"),
        (50.0, 60.0, "pct", "higher", "10.0 pts lower than Oct 2026 (worse)"),
        (1.28, 2.5, "hours", "lower", "1 h 13 min shorter than Oct 2026 (better)"),
        (12.0, 12.2, "minutes", "lower", "same as Oct 2026"),
        (40.0, 30.0, "pct", None, "10.0 pts higher than Oct 2026"),
        (None, 3, "count", "lower", "–"),
    ],
)
def test_a_change_is_put_in_words(
    now: float | None, before: float, kind: Any, better: Any, text: str
) -> None:
    assert change_text(now, before, kind, better, "Oct 2026") == text


def test_the_cover_names_the_home_the_month_and_the_meeting(packs: dict[str, Any]) -> None:
    first = page_texts(packs["oak"][1])[0]
    assert first.startswith("Monthly liaison pack Oak House (SC100001) October 2025")
    assert "Oak House · URN SC100001 · 4 beds" in first
    assert "Harbour Care Ltd · Liverpool" in first and "since 15 Jan 2025" in first
    assert "For the meeting of 12 Nov 2025. Last meeting 8 Oct 2025 with Registered manager;" in (
        first
    )
    force = page_texts(packs["force"][1])[0]
    assert "Every home: 2 in the records, 2 with an episode in October 2025" in force


def test_the_sections_carry_children_actions_and_demand(packs: dict[str, Any]) -> None:
    pack, pdf = packs["force"]
    text = text_of(pdf)
    amelia = pack.threshold_children[0]
    assert f"{amelia.child.code} Oak House 3 4 20 Oct 2025 22:00" in text
    assert f"Oak House 8 Oct 2025 {OPEN_ACTION} Registered manager 22 Oct 2025 Overdue" in text
    oak = next(home for home in pack.figures["homes"] if home["urn"] == "SC100001")
    ratio = oak["demand"]["rate_ratio"]
    assert "Oak House 15 Jan 2025 " in text and f"{ratio:.3f}" in text
    assert "Agree the curfew plan" not in text  # done within the month
    # an older meeting's action, still open: the home's page lists it, so the pack does
    assert "Oak House 10 Sep 2025 Check the night staff rota PCSO – Open" in text


def test_no_child_is_named_without_names(packs: dict[str, Any]) -> None:
    for name in ("force", "oak", "small", "force_small"):
        pack, pdf = packs[name]
        text = text_of(pdf)
        for secret in (*NAMES, *REFS, *POLICE_REFS):
            assert secret not in text, (name, secret)
        assert all(child.child.code in text for child in pack.threshold_children)
    named = text_of(packs["named"][1])
    assert "Amelia Thornbury (REF-AMELIA-7731)" in named


def test_small_counts_read_less_than_five(packs: dict[str, Any]) -> None:
    text = text_of(packs["small"][1])
    assert "Episodes <5 <5 – <5 –" in text  # this home's counts, and no change to give away
    assert "Episodes per child 2.00 1.00 1.00 higher (worse) 1.00 1.00 higher (worse)" in text
    # a cost is a count of episodes times the unit cost: it would give the count away
    assert "Estimated cost of the episodes <£12,079.00 <£12,079.00 – <£12,079.00 –" in text
    assert "£9,663.20" not in text
    amelia = packs["small"][0].threshold_children[0]
    assert f"{amelia.child.code} <5 <5 20 Oct 2025 22:00" in text
    assert "Oak House (<5)" in text  # the scorecard's episodes
    force = text_of(packs["force_small"][1])
    assert (
        "Episodes 5 2 3 more (worse) 1 4 more (worse)" in force
    )  # every home together: not a per-home table
    assert "SC100001 Oak House <5 <5 <5 50.0%" in force  # the table of homes


def test_charts_are_drawn_in(packs: dict[str, Any]) -> None:
    for pack, pdf in packs.values():
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        images = sum(len(page.images) for page in reader.pages)
        assert images == len(pack.charts)


def test_long_tables_repeat_their_header_and_keep_rows_whole(records: Records) -> None:
    home = records.create_home("SC300001", "Ash Court", beds=3).record.id
    long_text = (
        "with the placing authority, the social worker and the RHI provider, and report back"
    )
    actions = [
        NewAction(
            f"ACT{i:03d}-START agree {long_text} ACT{i:03d}-END", "Manager", date(2025, 12, 1)
        )
        for i in range(70)
    ]
    records.record_meeting(home, date(2025, 10, 20), actions)
    pack = build_pack(records.db, PackRequest(OCTOBER, "SC300001"), "pcso.jones")
    texts = page_texts(render_pdf(pack))
    with_actions = [text for text in texts if "ACT0" in text]
    assert len(with_actions) >= 2
    assert all("Action Owner Due Status" in text for text in with_actions)
    for i in range(70):
        start, end = f"ACT{i:03d}-START", f"ACT{i:03d}-END"
        assert [start in text for text in texts] == [end in text for text in texts]
        assert sum(start in text for text in texts) == 1


def test_pictures_of_the_pages(packs: dict[str, Any]) -> None:
    pdf = packs["oak"][1]
    assert page_count(pdf) == len(page_texts(pdf))
    first, second = render_pages(pdf, width=300, pages=[1, 2])
    assert (first.number, first.width, second.number) == (1, 300, 2)
    assert abs(first.height - 300 * 297 / 210) <= 1  # A4's proportions
    assert len(first.rgba) == first.width * first.height * 4
    assert set(first.rgba[3::4]) == {255}
    dark = sum(1 for value in first.rgba[0::4] if value < 100)
    assert dark > 500  # the title, the tiles and the table are drawn
    assert len(render_pages(pdf, width=100)) == page_count(pdf)


def test_an_empty_month_still_makes_a_pack(world_db: Database) -> None:
    pack = build_pack(world_db, PackRequest(Month(2023, 1)), "pcso.jones")
    text = text_of(render_pdf(pack))
    assert "Episodes 0 0 same 0 same" in text
    assert "No child reached 3 or more episodes within 30 days" in text
    assert pack.charts == ()
