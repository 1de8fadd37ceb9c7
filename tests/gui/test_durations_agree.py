"""One episode's time away reads the same on the Episodes page, the child's page and in the
monthly pack (issue 11: the pages differed by a minute)."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
from pytestqt.qtbot import QtBot

from missing_app.core.records import Records
from missing_app.core.reports.month import Month
from missing_app.core.reports.pack import PackRequest, build_pack
from missing_app.core.reports.pdf import render_pdf
from missing_app.core.times import parse_datetime
from missing_app.gui.context import AppContext
from missing_app.gui.pages.child import ChildPage
from tests.gui.test_episodes_page import column, make_page

# 95 minutes, which SQLite's julianday puts a hair under: (23:05 - 21:30) x 24 = 1.58333332 h.
SEEN, BACK, AWAY = "2025-11-01 21:30", "2025-11-01 23:05", "1 h 35 min"


def one_episode(records: Records) -> int:
    home = records.create_home("SC1", "Oakview House").record.id
    child = records.create_child("C1", date(2010, 5, 1), first_name="Ann").record.id
    records.add_placement(child, home, date(2024, 1, 1))
    episode = records.record_missing(child, parse_datetime(SEEN), risk="medium")
    records.record_return(episode.record.id, parse_datetime(BACK))
    return child


def test_the_episodes_page_and_the_child_page_show_the_same_time_away(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    child = one_episode(records)
    assert column(make_page(qtbot, context), "Time away") == [AWAY]
    page = ChildPage(context, child)
    qtbot.addWidget(page)
    page.show()
    assert page.episode_table.item(0, 2).text() == AWAY


def test_the_pack_gives_the_median_time_away_in_the_same_words(
    context: AppContext, records: Records
) -> None:
    one_episode(records)
    pack = build_pack(context.db, PackRequest(Month.parse("2025-11")), "pcso.jones")
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(pack)))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert f"Median time away {AWAY}" in text
