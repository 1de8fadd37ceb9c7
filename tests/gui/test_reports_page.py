"""The Reports page: the pack previewed for the month and home chosen, saved only with a
reason (which the audit log keeps), every home's packs into a folder, and Cancel."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.core.db import Database
from missing_app.core.metrics import stats
from missing_app.core.models import AuditEvent
from missing_app.core.records import Records
from missing_app.gui.app import build_context
from missing_app.gui.context import AppContext
from missing_app.gui.pages import reports_batch
from missing_app.gui.pages.reports import ReportsPage
from tests.conftest import NOW
from tests.core.reports_world import OCTOBER, build_world
from tests.gui.conftest import wait_for_writes

WHY = "November liaison meeting, Oak House"
BUILD = 60_000  # ms: a pack is built, written as PDF and drawn in a few seconds


@pytest.fixture
def world(records: Records) -> dict[str, int]:
    return build_world(records)


@pytest.fixture
def page(qtbot: QtBot, context: AppContext, world: dict[str, int]) -> ReportsPage:
    made = ReportsPage(context)
    qtbot.addWidget(made)
    made.resize(1100, 760)
    made.show()
    qtbot.waitUntil(lambda: made.preview is not None, timeout=BUILD)
    return made


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """The folders the page asked the desktop to open (never really opened in tests)."""
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def choose_home(qtbot: QtBot, page: ReportsPage, urn: str | None) -> None:
    """Pick the home (None: every home) and wait for its pack's preview."""
    for index in range(page.home.count()):
        home = page.home.itemData(index)
        if (home is None and urn is None) or (home is not None and home.urn == urn):
            page.home.setCurrentIndex(index)
            break
    else:
        raise AssertionError(f"{urn} is not offered")
    wait_for_preview(qtbot, page, lambda choice: choice.urn == urn)


def wait_for_preview(qtbot: QtBot, page: ReportsPage, wanted: Any) -> None:
    qtbot.waitUntil(lambda: page.preview is not None and wanted(page.preview.choice), timeout=BUILD)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in reader.pages).replace("\xa0", " ")
    )


def exports(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        return list(session.scalars(query))


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Answer the save dialog with `path`; what the dialog suggested is returned in a list."""
    asked: list[str] = []

    def answer(_parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return asked


def into_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(folder))


def save_with_reason(qtbot: QtBot, page: ReportsPage, context: AppContext, kind: str) -> None:
    """Give the reason, press Save for `kind` (pdf, csv...) and wait for the file."""
    qtbot.keyClicks(page.why, WHY)
    qtbot.mouseClick(page.save_buttons[kind], Qt.MouseButton.LeftButton)
    wait_for_writes(qtbot, context)


def start_every_home(qtbot: QtBot, page: ReportsPage) -> None:
    """Give the reason and start writing every home's pack."""
    qtbot.keyClicks(page.why, WHY)
    qtbot.mouseClick(page.every_home.button, Qt.MouseButton.LeftButton)


# The preview --------------------------------------------------------------------------------


def test_the_last_whole_month_and_every_home_are_previewed_first(page: ReportsPage) -> None:
    assert page.month.currentText() == "October 2025"
    assert page.month.itemText(0) == "November 2025 (so far)"
    assert page.preview is not None and page.preview.choice.month == OCTOBER
    assert page.preview.choice.home is None
    assert page.scope.text() == "All homes, October 2025"


def test_choosing_a_home_shows_its_pack_page_by_page(qtbot: QtBot, page: ReportsPage) -> None:
    choose_home(qtbot, page, "SC100001")
    preview = page.preview
    assert preview is not None
    pages = len(pypdf.PdfReader(io.BytesIO(preview.pdf)).pages)
    assert pages >= 3 and len(page.pages.pages) == pages
    assert page.page_number.text() == f"Page 1 of {pages}"
    assert page.scope.text() == "Oak House (SC100001), October 2025"
    assert page.pages.currentIndex() == 0  # the pages, not the note
    first = page.pages.pages[0].pixmap()
    assert not first.isNull()
    # Fitted to the view's width, and the page is drawn: dark ink on white paper.
    assert abs(first.width() / first.devicePixelRatio() - page.pages.page_width()) <= 1
    image = first.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    inked = sum(
        1
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixelColor(x, y).value() < 128
    )
    assert inked > 50
    assert "Oak House (SC100001)" in pdf_text(preview.pdf)


def test_scrolling_down_shows_which_page_is_in_view(qtbot: QtBot, page: ReportsPage) -> None:
    pages = len(page.pages.pages)
    page.pages.scroll_to_page(pages)
    qtbot.waitUntil(lambda: page.page_number.text() == f"Page {pages} of {pages}", timeout=2000)
    page.pages.scroll_to_page(2)
    assert page.page_number.text() == f"Page 2 of {pages}"


def test_a_wider_window_draws_the_pages_again_sharper(qtbot: QtBot, page: ReportsPage) -> None:
    before = page.preview
    assert before is not None and before.width < 1200  # drawn for the view as it was
    page.resize(2200, 760)
    qtbot.waitUntil(
        lambda: page.preview is not None and page.preview.width > before.width, timeout=BUILD
    )
    after = page.preview
    assert after.pdf == before.pdf and len(after.pages) == len(before.pages)
    assert after.width >= page.pages.wanted_width() * 0.9
    assert page.pages.pages[0].pixmap().width() == page.pages.wanted_width()


def test_a_newer_choice_replaces_the_pack_being_built(qtbot: QtBot, page: ReportsPage) -> None:
    page.home.setCurrentIndex(1)  # Elm Lodge, then at once Oak House
    page.load()
    assert page.preview is None and page.pages.working
    oak = next(i for i in range(page.home.count()) if "SC100001" in page.home.itemText(i))
    page.home.setCurrentIndex(oak)
    page.load()
    wait_for_preview(qtbot, page, lambda choice: choice.urn is not None)
    assert page.preview is not None and page.preview.choice.urn == "SC100001"
    qtbot.wait(300)  # the replaced build's result, had it come, would have landed by now
    assert page.preview.choice.urn == "SC100001"


def test_names_are_shown_only_when_ticked(qtbot: QtBot, page: ReportsPage) -> None:
    choose_home(qtbot, page, "SC100001")
    assert page.preview is not None and "Amelia" not in pdf_text(page.preview.pdf)
    page.names.setChecked(True)
    wait_for_preview(qtbot, page, lambda choice: choice.names)
    assert "Amelia Thornbury" in pdf_text(page.preview.pdf)


# Saving -----------------------------------------------------------------------------------


def test_saving_needs_a_reason(qtbot: QtBot, page: ReportsPage) -> None:
    buttons = [*page.save_buttons.values(), page.every_home.button]
    assert not any(button.isEnabled() for button in buttons)
    assert all("Say why first" in button.toolTip() for button in buttons)
    assert "Needed before a pack is saved" in page.why_hint.text()
    qtbot.keyClicks(page.why, "   ")
    assert not any(button.isEnabled() for button in buttons)
    qtbot.keyClicks(page.why, WHY)
    assert all(button.isEnabled() for button in buttons)
    assert "audit log" in page.why_hint.text()
    page.why.clear()
    assert not any(button.isEnabled() for button in buttons)


def test_a_pdf_is_saved_as_previewed_and_recorded(
    qtbot: QtBot,
    page: ReportsPage,
    context: AppContext,
    world: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[QUrl],
) -> None:
    page.month.setCurrentIndex(page.month.findText("September 2025"))
    choose_home(qtbot, page, "SC100001")  # the month and the home: one pack built
    assert page.preview is not None and page.preview.choice.month.key == "2025-09"
    assert page.scope.text() == "Oak House (SC100001), September 2025"
    asked = save_as(monkeypatch, tmp_path / "oak-september")  # no suffix: .pdf is added
    save_with_reason(qtbot, page, context, "pdf")
    assert asked and asked[0].endswith("2025-09-SC100001-oak-house.pdf")
    saved = tmp_path / "oak-september.pdf"
    assert saved.read_bytes() == page.preview.pdf  # exactly what was shown
    with context.db.session() as session:
        figures = stats(session, date(2025, 9, 1), date(2025, 9, 30), "SC100001")
    assert figures["episodes"] == 2  # Bartholomew on 20 Sep, Amelia on 28 Sep
    text = pdf_text(saved.read_bytes())
    assert "Oak House (SC100001)" in text and "September 2025" in text
    found = re.search(r"Headline figures .*? Change Episodes (\d+) ", text)
    assert found is not None and found.group(1) == str(figures["episodes"])
    (event,) = exports(context.db)
    what = json.loads(event.after or "{}")
    assert (event.username, event.why, event.entity_id) == ("pcso.jones", WHY, world["oak"])
    assert (what["format"], what["month"], what["home"], what["file"]) == (
        "pdf", "2025-09", "SC100001", str(saved.resolve()))  # fmt: skip
    assert str(saved) in page.status.text() and page.open_folder.isVisible()
    qtbot.mouseClick(page.open_folder, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(tmp_path)]


def test_a_csv_of_every_home_is_saved(
    qtbot: QtBot,
    page: ReportsPage,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_as(monkeypatch, tmp_path / "october.csv")
    save_with_reason(qtbot, page, context, "csv")
    lines = (tmp_path / "october.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("month,") and len(lines) == 3  # the header and two homes
    assert {line.split(",")[:2][1] for line in lines[1:]} == {"SC100001", "SC100002"}
    (event,) = exports(context.db)
    assert json.loads(event.after or "{}")["home"] is None and event.why == WHY


def test_a_file_that_cannot_be_written_is_reported_in_the_page(
    qtbot: QtBot,
    page: ReportsPage,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_as(monkeypatch, tmp_path / "no such folder" / "pack.pdf")
    save_with_reason(qtbot, page, context, "pdf")
    assert page.banner.isVisible()
    assert page.banner.text().startswith("Nothing was saved:")
    assert "could not be written" in page.banner.text()
    assert exports(context.db) == [] and page.save_buttons["pdf"].isEnabled()


# Every home at once -----------------------------------------------------------------------


def test_every_home_is_written_into_the_folder_chosen(
    qtbot: QtBot,
    page: ReportsPage,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    into_folder(monkeypatch, tmp_path / "packs")
    page.every_home.format.setCurrentIndex(page.every_home.format.findData("csv"))
    start_every_home(qtbot, page)
    assert page.every_home.progress.isVisible() and not page.every_home.button.isEnabled()
    qtbot.waitUntil(lambda: not page.every_home.running, timeout=BUILD)
    written = sorted(path.name for path in (tmp_path / "packs").iterdir())
    assert written == [
        "2025-10-SC100001-oak-house.csv",
        "2025-10-SC100002-elm-lodge.csv",
        "2025-10-all-homes.csv",
    ]
    events = exports(context.db)
    assert len(events) == 3 and {event.why for event in events} == {WHY}
    assert page.status.text().startswith("Wrote 3 files into")
    assert not page.every_home.progress.isVisible() and page.every_home.button.isEnabled()


def slow_batch(started: threading.Event) -> Any:
    """An export of 100 homes, a twentieth of a second each, that stops when cancelled."""
    from missing_app.core.reports import Cancelled

    def export(_db: Any, _actor: Any, _batch: Any, *, now: Any, progress: Any, cancel: Any):
        for done in range(100):
            progress(f"Home {done}", done, 100)
            started.set()
            if cancel.wait(0.05):
                raise Cancelled(f"Cancelled after {done:,} of 100 files.")
        return []

    return export


def test_cancel_stops_a_batch(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()
    monkeypatch.setattr(reports_batch, "export_every_home", slow_batch(started))
    into_folder(monkeypatch, tmp_path)
    start_every_home(qtbot, page)
    qtbot.waitUntil(lambda: page.every_home.progress.value() >= 3, timeout=5000)
    assert page.every_home.progress.maximum() == 100
    assert re.fullmatch(r"Writing Home \d+'s pack \(\d+ of 100\)…", page.every_home.stage.text())
    qtbot.mouseClick(page.every_home.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.every_home.running, timeout=5000)
    stopped = int(re.search(r"after (\d+) of 100", page.status.text()).group(1))
    assert 3 <= stopped < 20
    assert not page.banner.isVisible() and page.every_home.button.isEnabled()


def test_cancel_stops_a_real_batch_with_each_file_written_recorded(
    qtbot: QtBot,
    page: ReportsPage,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    into_folder(monkeypatch, tmp_path / "packs")
    start_every_home(qtbot, page)  # PDF: seconds a home
    qtbot.waitUntil(lambda: page.every_home.progress.value() >= 1, timeout=BUILD)  # one written
    qtbot.mouseClick(page.every_home.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.every_home.running, timeout=BUILD)
    written = sorted((tmp_path / "packs").iterdir())
    assert 1 <= len(written) < 3
    assert page.status.text().startswith(f"Cancelled after {len(written)} of 3 files")
    recorded = {json.loads(event.after or "{}")["file"] for event in exports(context.db)}
    assert recorded == {str(path.resolve()) for path in written}


# Who may have which packs -----------------------------------------------------------------


@pytest.fixture
def accounts(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The security tests' world: Oakview's PCSO is pcso.jones, Elm Lodge's pcso.smith."""
    from missing_app.core.security import passwords
    from tests.security_helpers import CHEAP
    from tests.security_helpers import build_world as build_accounts

    monkeypatch.setattr(passwords, "COST", CHEAP)
    build_accounts(db)


@pytest.fixture
def page_for(qtbot: QtBot, db: Database) -> Iterator[Callable[[str], ReportsPage]]:
    """Open the page as a user of the database (signed in as the window would be)."""
    contexts: list[AppContext] = []

    def open_page(username: str) -> ReportsPage:
        context = build_context(db, username)
        context.now = lambda: NOW
        contexts.append(context)
        made = ReportsPage(context)
        qtbot.addWidget(made)
        made.show()
        qtbot.waitUntil(lambda: made.access is not None, timeout=BUILD)
        return made

    yield open_page
    for context in contexts:
        context.worker.stop()


def test_a_pcso_is_offered_only_their_homes(
    qtbot: QtBot, accounts: None, page_for: Callable[[str], ReportsPage]
) -> None:
    page = page_for("pcso.jones")
    homes = [page.home.itemText(index) for index in range(page.home.count())]
    assert homes == ["Oakview House (SC100001)"]
    qtbot.waitUntil(lambda: page.preview is not None, timeout=BUILD)
    assert page.preview is not None and page.preview.choice.urn == "SC100001"
    qtbot.keyClicks(page.why, WHY)
    assert page.save_buttons["pdf"].isEnabled() and not page.every_home.button.isEnabled()
    assert "ask a supervisor" in page.every_home.button.toolTip()
    assert page.names.isEnabled()


def test_an_analyst_may_not_tick_names(
    accounts: None, page_for: Callable[[str], ReportsPage]
) -> None:
    page = page_for("analyst.kim")
    assert not page.names.isEnabled()
    assert "may not see children's names" in page.names.toolTip()
    assert page.home.itemData(0) is None  # every home: the force-wide pack first


def test_a_pcso_without_homes_is_told_why_there_is_no_pack(
    db: Database, accounts: None, page_for: Callable[[str], ReportsPage]
) -> None:
    from missing_app.core.security.users import Users
    from tests.security_helpers import PASSWORD

    Users(db, "admin.ada", now=lambda: NOW).add_user("pcso.new", "New", "pcso", PASSWORD)
    page = page_for("pcso.new")
    assert "has no homes assigned yet; ask a supervisor" in page.pages.note.text()
    assert page.home.count() == 0 and page.preview is None and not page.pages.working
