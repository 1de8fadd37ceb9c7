"""The window by role, continued: a PCSO's Insights, filters, episode forms and child page
offer and show their homes only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from missing_app.gui.dialogs.episode import RecordMissingDialog
from missing_app.gui.pages.child import ChildPage
from missing_app.gui.pages.children import ChildrenPage
from missing_app.gui.pages.insights import InsightsPage
from missing_app.gui.reader import reading_pool
from tests.gui.accounts import context_as
from tests.security_helpers import World, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")
SLOW = 30_000


@pytest.fixture
def world(db: Any) -> World:
    return build_world(db)


@pytest.fixture(autouse=True)
def reads_end() -> Iterator[None]:
    yield
    reading_pool().waitForDone(SLOW)


def items(combo: QComboBox) -> list[str]:
    return [combo.itemText(index) for index in range(combo.count())]


def insights(qtbot: QtBot, context: Any) -> InsightsPage:
    page = InsightsPage(context)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    page.period.setCurrentText("Last 3 months")
    qtbot.waitUntil(
        lambda: not page.areas.waiting and not page.reader.waiting and page.previous is not None,
        timeout=SLOW,
    )
    return page


def test_a_pcsos_insights_offer_their_homes_only_and_show_the_first(
    qtbot: QtBot, world: World
) -> None:
    with context_as(world.db, "pcso.jones") as context:
        page = insights(qtbot, context)
        assert items(page.home) == ["Oakview House (SC100001)"]  # no "All homes"
        assert page.choice.urn == "SC100001"
        assert page.scope.text().startswith("Oakview House (SC100001): ")
        assert page.tiles["episodes"].value.text() == "1"
        assert not page.banner.isVisible()
    with context_as(world.db, "sgt.lee") as context:
        page = insights(qtbot, context)
        assert items(page.home) == [
            "All homes", "Elm Lodge (SC100002)", "Oakview House (SC100001)",
        ]  # fmt: skip
        assert page.choice.urn is None and page.tiles["episodes"].value.text() == "2"


def test_a_pcsos_filters_and_episode_form_offer_their_homes_and_children_only(
    qtbot: QtBot, world: World
) -> None:
    with context_as(world.db, "pcso.jones") as context:
        children = ChildrenPage(context)
        qtbot.addWidget(children)
        assert items(children.home) == ["All homes", "Oakview House (SC100001)"]
        form = RecordMissingDialog(context)
        qtbot.addWidget(form)
        assert items(form.home) == ["Oakview House (SC100001)"]
        assert form.child.search("Ben") == []
        assert [choice.child_id for choice in form.child.search("Amy")] == [world.amy]
        form.reject()


def test_a_pcso_opening_another_homes_child_is_told_why(qtbot: QtBot, world: World) -> None:
    with context_as(world.db, "pcso.jones") as context:
        page = ChildPage(context, world.ben)
        qtbot.addWidget(page)
        assert page.details is None
        assert page.name_label.text() == "Not one of your children"
        assert page.facts.text().startswith("pcso.jones (PCSO) cannot see records of child")
        mine = ChildPage(context, world.amy)
        qtbot.addWidget(mine)
        assert mine.details is not None and mine.name_label.text() != "Not one of your children"
