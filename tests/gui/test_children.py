"""The Children table, the child page and the child search, driven as a PCSO would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from missing_app.core.records import Records
from missing_app.core.times import parse_datetime
from missing_app.gui.context import AppContext
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.child import ChildPage
from missing_app.gui.pages.children import COLUMNS, ChildrenPage
from missing_app.gui.widgets.photo import photo_jpeg

TODAY = date(2025, 11, 15)


@dataclass
class World:
    oakview: int
    beech: int
    ann: int
    ben: int
    cara: int
    episodes: list[int] = field(default_factory=list)


@pytest.fixture
def world(records: Records) -> World:
    """Ann (CSE, Oakview, three returns), Ben (Beech), Cara (Beech, missing now)."""
    oakview = records.create_home("SC1", "Oakview House").record.id
    beech = records.create_home("SC2", "Beech Villa").record.id
    ann = records.create_child(
        "C1", date(2010, 5, 1), first_name="Ann", last_name="Smith",
        placing_authority="Wirral", cse_flagged_on=date(2025, 3, 1),
    ).record.id  # fmt: skip
    ben = records.create_child(
        "C2", date(2012, 1, 1), first_name="Ben", last_name="Jones", placing_authority="Liverpool"
    ).record.id
    cara = records.create_child(
        "C3", date(2009, 1, 1), first_name="Cara", last_name="Brown", placing_authority="Knowsley"
    ).record.id
    records.add_placement(ann, oakview, date(2024, 1, 1))
    records.add_placement(ben, beech, date(2024, 6, 1))
    records.add_placement(cara, beech, date(2025, 6, 1))
    made = World(oakview, beech, ann, ben, cara)
    for seen, back, found, ref in (
        ("2025-09-01 21:00", "2025-09-02 09:00", "friend's address", "MP25/000101"),
        ("2025-10-05 23:00", "2025-10-06 01:30", "city centre", "MP25/000102"),
        ("2025-11-01 20:00", "2025-11-01 23:00", "friend's address", "MP25/000103"),
    ):
        episode = records.record_missing(ann, parse_datetime(seen), risk="high", police_ref=ref)
        records.record_return(episode.record.id, parse_datetime(back), found_location=found)
        made.episodes.append(episode.record.id)
    records.record_missing(cara, parse_datetime("2025-11-15 09:00"), police_ref="MP25/009999")
    return made


def column(key: str) -> int:
    return next(n for n, c in enumerate(COLUMNS) if c.key == key)


def cells(page: ChildrenPage, key: str) -> list[str]:
    model = page.model
    return [model.data(model.index(row, column(key))) for row in range(model.rowCount())]


@pytest.fixture
def children_page(qtbot: QtBot, context: AppContext, world: World) -> ChildrenPage:
    page = ChildrenPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    return page


def test_the_children_table_passes_the_model_tester(
    qtmodeltester: Any, children_page: ChildrenPage
) -> None:
    qtmodeltester.check(children_page.model)
    assert children_page.count.text() == "3 children"
    assert cells(children_page, "name") == ["Ann Smith", "Ben Jones", "Cara Brown"]
    assert cells(children_page, "missing_now") == ["", "", "Missing"]
    assert cells(children_page, "flags") == ["CSE", "", ""]
    assert cells(children_page, "episodes_90d") == ["3", "", "1"]
    assert cells(children_page, "home") == ["Oakview House", "Beech Villa", "Beech Villa"]
    missing = children_page.model.index(2, column("missing_now"))
    brush = children_page.model.data(missing, Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == QColor("#b42318")


def test_the_filters_show_the_right_children(qtbot: QtBot, children_page: ChildrenPage) -> None:
    page = children_page
    qtbot.keyClicks(page.search, "smi")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert cells(page, "name") == ["Ann Smith"] and page.count.text() == "1 child"
    page.search.clear()
    page.apply_filters()
    page.home.setCurrentIndex(page.home.findText("Beech Villa (SC2)"))
    assert cells(page, "name") == ["Ben Jones", "Cara Brown"]
    page.missing_now.click()
    assert cells(page, "name") == ["Cara Brown"]
    page.missing_now.click()
    page.home.setCurrentIndex(0)
    page.council.setCurrentIndex(page.council.findText("Wirral"))
    assert cells(page, "name") == ["Ann Smith"]
    page.council.setCurrentIndex(0)
    page.flag.setCurrentIndex(page.flag.findText("CCE flag"))
    assert cells(page, "name") == []
    assert page.count.text() == "0 children"


def test_clicking_a_heading_sorts_in_sql(qtbot: QtBot, children_page: ChildrenPage) -> None:
    header = children_page.table.horizontalHeader()
    section = column("episodes_90d")
    where = QPoint(header.sectionViewportPosition(section) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert children_page.model.order.key == "episodes_90d"
    first = cells(children_page, "name")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert cells(children_page, "name") == first[::-1]
    assert cells(children_page, "name")[0] == "Ann Smith"  # three episodes, the most


def test_a_child_is_found_by_name_and_by_police_reference(
    qtbot: QtBot, window: MainWindow, world: World
) -> None:
    found = window.search.search("cara")
    assert [match.name for match in found] == ["Cara Brown"]
    assert any("Cara Brown" in label for label in window.search.matches)
    window.search.search("MP25/000102")
    (label,) = window.search.matches
    assert "Ann Smith" in label and "MP25/000102" in label
    window.search._picked(label)
    page = window.current_page()
    assert isinstance(page, ChildPage) and page.child_id == world.ann
    assert page.name_label.text() == "Ann Smith"


def test_enter_on_a_row_opens_the_child(qtbot: QtBot, window: MainWindow, world: World) -> None:
    window.show_page("Children")
    page = window.current_page()
    assert isinstance(page, ChildrenPage)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(1, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    opened = window.current_page()
    assert isinstance(opened, ChildPage) and opened.child_id == world.ben


# The child page ---------------------------------------------------------------------------


@pytest.fixture
def ann_page(qtbot: QtBot, context: AppContext, records: Records, world: World) -> ChildPage:
    image = QImage(300, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("#8a6a4a"))
    records.update_profile(
        world.ann,
        description="Slim build, 5ft 4in, long brown hair",
        medical_needs="Asthma: carries a blue inhaler",
        photo=photo_jpeg(image),
        reviewed_on=TODAY - timedelta(days=120),
    )
    page = ChildPage(context, world.ann)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page


def test_the_child_page_shows_the_profile_and_its_overdue_review(ann_page: ChildPage) -> None:
    page = ann_page
    assert page.name_label.text() == "Ann Smith"
    assert "Ref C1" in page.facts.text() and "15 years old" in page.facts.text()
    assert "lives at Oakview House" in page.facts.text()
    assert "placed by Wirral" in page.facts.text()
    assert page.flags.isVisible() and "CSE flag since 01/03/2025" in page.flags.text()
    assert page.profile_values["description"].text() == "Slim build, 5ft 4in, long brown hair"
    assert page.profile_values["associates"].text() == "Not recorded"
    assert page.photo.has_photo
    assert page.review.property("level") == "amber"
    assert "Last reviewed 18/07/2025 (120 days ago)" in page.review.text()
    assert "due for review" in page.review.text()
    assert "#fff4e0" in page.review.styleSheet()
    assert not page.missing_banner.isVisible()
    assert not page.record_return_button.isEnabled()


@pytest.mark.parametrize(
    ("age_days", "level", "words"),
    [(10, "ok", "(10 days ago)"), (200, "red", "overdue"), (None, "red", "Never reviewed")],
)
def test_the_review_date_is_highlighted_by_age(
    qtbot: QtBot, context: AppContext, records: Records, world: World,
    age_days: int | None, level: str, words: str,
) -> None:  # fmt: skip
    reviewed = None if age_days is None else TODAY - timedelta(days=age_days)
    records.update_profile(world.ben, description="Tall", reviewed_on=reviewed)
    page = ChildPage(context, world.ben)
    qtbot.addWidget(page)
    assert page.review.property("level") == level and words in page.review.text()


def test_where_found_most_frequent_first(ann_page: ChildPage) -> None:
    table = ann_page.found_table
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rows == [("friend's address", "2"), ("city centre", "1")]
    assert ann_page.found_title.text() == "Where found (3 of 3 returns)"


def test_every_episode_is_listed_and_one_can_be_selected(
    qtbot: QtBot, ann_page: ChildPage, world: World
) -> None:
    table = ann_page.episode_table
    assert table.rowCount() == 3 and len(ann_page.timeline.marks) == 3
    assert table.item(0, 0).text() == "01/11/25 20:00"  # the latest first
    assert table.item(0, 2).text() == "3 h 00 min"
    assert table.item(0, 4).text() == "High"
    assert table.item(0, 6).text() == "MP25/000103"
    oldest = world.episodes[0]
    ann_page.select_episode(oldest)
    assert table.currentRow() == 2 and table.item(2, 6).text() == "MP25/000101"
    assert ann_page.timeline.selected == oldest
    newest = ann_page.timeline.marks[0]
    centre = ann_page.timeline.mark_rect(newest).center()
    qtbot.mouseClick(ann_page.timeline, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert table.currentRow() == 0


@dataclass
class Navigator:
    calls: list[tuple[str, int | None]] = field(default_factory=list)

    def open_child(self, child_id: int) -> None:
        self.calls.append(("open_child", child_id))

    def open_home(self, home_id: int) -> None: ...
    def open_episode(self, episode_id: int) -> None: ...
    def show_page(self, name: str) -> None: ...

    def record_missing(self, child_id: int | None = None) -> None:
        self.calls.append(("record_missing", child_id))

    def record_return(self, episode_id: int | None = None) -> None:
        self.calls.append(("record_return", episode_id))


def test_a_missing_child_page_offers_the_return(
    qtbot: QtBot, context: AppContext, world: World
) -> None:
    navigator = Navigator()
    context.navigator = navigator
    page = ChildPage(context, world.cara)
    qtbot.addWidget(page)
    page.show()
    assert page.missing_banner.isVisible()
    assert "Missing now: last seen 15/11/2025 09:00 (3 h 00 min ago)" in page.missing_banner.text()
    assert page.episode_table.item(0, 1).text() == "Missing now"
    assert page.review.property("level") == "red" and "No profile" in page.review.text()
    assert not page.record_missing_button.isEnabled()
    qtbot.mouseClick(page.record_return_button, Qt.MouseButton.LeftButton)
    (episode_id,) = [e.id for e in page.details.episodes] if page.details else []
    assert navigator.calls == [("record_return", episode_id)]


def test_record_missing_from_a_child_page(qtbot: QtBot, context: AppContext, world: World) -> None:
    navigator = Navigator()
    context.navigator = navigator
    page = ChildPage(context, world.ben)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.record_missing_button, Qt.MouseButton.LeftButton)
    assert navigator.calls == [("record_missing", world.ben)]


def test_return_interview_themes_by_period(
    qtbot: QtBot, context: AppContext, records: Records, world: World
) -> None:
    for episode_id, when, push in zip(
        world.episodes,
        ("2025-09-03 10:00", "2025-10-07 10:00", "2025-11-02 10:00"),
        ("boredom", "boredom,house_rules", "boredom"),
        strict=True,
    ):
        records.record_rhi_completed(
            episode_id, parse_datetime(when), push_factors=push, pull_factors="friends"
        )
    page = ChildPage(context, world.ann)
    qtbot.addWidget(page)
    table = page.themes_table
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headings == ["Kind", "Theme", "Sep\n2025", "Oct\n2025", "Nov\n2025", "Total"]
    first = [table.item(0, c).text() for c in range(table.columnCount())]
    assert first == ["Push", "Boredom", "1", "1", "1", "3"]
    second = [table.item(1, c).text() for c in range(table.columnCount())]
    assert second == ["Push", "House rules", "", "1", "", "1"]
    assert table.item(2, 1).text() == "Friends"
    assert page.themes_note.text().startswith("From 3 completed return interviews, by the month")
    assert page.episode_table.item(0, 8).text() == "Completed"


def test_a_new_child_opens_its_page(qtbot: QtBot, window: MainWindow, world: World) -> None:
    from missing_app.gui.dialogs.child import ChildDialog
    from tests.gui.conftest import wait_for_writes

    window.show_page("Children")
    page = window.current_page()
    assert isinstance(page, ChildrenPage)
    qtbot.mouseClick(page.new_child, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, ChildDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.texts["local_ref"], "C4")
    qtbot.keyClicks(dialog.texts["first_name"], "Dan")
    qtbot.keyClicks(dialog.dob.entry, "03/04/2012")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    qtbot.keyClick(dialog.dob.entry, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, window.context)
    opened = window.current_page()
    assert isinstance(opened, ChildPage) and opened.name_label.text() == "Dan"
    window.show_page("Children")
    assert "Dan" in cells(page, "name") and page.count.text() == "4 children"
