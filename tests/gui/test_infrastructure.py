"""The windowed table model, the write worker and the form base that every page uses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.db.bulk import insert_columns
from missing_app.core.errors import ValidationError
from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.queries.episodes import EpisodeFilter, episode_listing
from missing_app.core.queries.paging import Sort
from missing_app.core.times import local_midnight
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.models.windowed import TableColumn, WindowedTableModel
from missing_app.gui.widgets.fields import DateTimeField
from tests.gui.conftest import wait_for_writes

COLUMNS = [TableColumn("last_seen_at", "Last seen"), TableColumn("child", "Child"),
           TableColumn("child_ref", "Ref"), TableColumn("home", "Home"),
           TableColumn("type", "Type"), TableColumn("risk", "Risk"),
           TableColumn("returned_at", "Returned"), TableColumn("hours_away", "Hours"),
           TableColumn("police_ref", "Police ref")]  # fmt: skip


def many_episodes(db: Database, count: int) -> None:
    """`count` episodes of 100 children at one home, a day apart, fast."""
    start = local_midnight(date(2020, 1, 1))
    with db.transaction() as session:
        connection = session.connection()
        insert_columns(connection, CareHome, {"urn": ["SC1"], "name": ["Oakview"]})
        insert_columns(
            connection,
            Child,
            {
                "local_ref": [f"C{n:03d}" for n in range(100)],
                "first_name": [f"Child{n:03d}" for n in range(100)],
                "dob": [date(2010, 1, 1)] * 100,
            },
        )
        insert_columns(
            connection,
            MissingEpisode,
            {
                "child_id": [1 + n % 100 for n in range(count)],
                "home_id": [1] * count,
                "type": ["missing"] * count,
                "last_seen_at": [start + timedelta(hours=n) for n in range(count)],
                "police_ref": [f"MP{n:06d}" for n in range(count)],
            },
        )


def test_the_windowed_model_passes_the_model_tester(qtmodeltester: Any, db: Database) -> None:
    many_episodes(db, 1000)
    model = WindowedTableModel(db, COLUMNS, episode_listing(), Sort("last_seen_at"))
    qtmodeltester.check(model)
    assert model.rowCount() == 1000 and model.columnCount() == len(COLUMNS)


def test_first_and_last_rows_in_either_order(db: Database) -> None:
    many_episodes(db, 5000)
    model = WindowedTableModel(db, COLUMNS, episode_listing(), Sort("police_ref"))
    ref = COLUMNS.index(next(c for c in COLUMNS if c.key == "police_ref"))
    assert model.data(model.index(0, ref)) == "MP000000"
    assert model.data(model.index(4999, ref)) == "MP004999"  # read from the end
    assert model.data(model.index(2600, ref)) == "MP002600"
    model.sort(ref, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, ref)) == "MP004999"
    assert model.data(model.index(4999, ref)) == "MP000000"
    assert len(model.pages) <= model.PAGES_KEPT


def test_filters_reset_the_count(db: Database) -> None:
    many_episodes(db, 300)
    model = WindowedTableModel(db, COLUMNS, episode_listing(), Sort("last_seen_at"))
    model.set_listing(episode_listing(EpisodeFilter(child_id=1)))
    assert model.rowCount() == 3
    assert model.rowCount(model.index(0, 0)) == 0 and not model.index(5, 0).isValid()
    assert model.data(QModelIndex()) is None


def test_the_worker_writes_off_the_gui_thread_and_reports_changes(
    qtbot: QtBot, context: AppContext
) -> None:
    done: list[Any] = []
    with qtbot.waitSignal(context.worker.changed, timeout=5000) as changed:
        context.worker.submit(
            lambda r: r.create_home("SC1", "Oakview"), ["care_homes"], on_done=done.append
        )
    assert changed.args == [frozenset({"care_homes"})]
    assert done[0].record.urn == "SC1"
    errors: list[Exception] = []
    context.worker.submit(
        lambda r: r.create_home("SC1", "Again"), ["care_homes"], on_error=errors.append
    )
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], ValidationError)


class HomeForm(FormDialog):
    entities = ("care_homes",)

    def __init__(self, context: AppContext) -> None:
        super().__init__(context, "Home")
        self.urn = self.add_field("urn", "URN", QLineEdit())
        self.name = self.add_field("name", "Name", QLineEdit())
        self.opened = self.add_field("engagement", "Opened", DateTimeField())
        self.opened.set_value(context.now())  # type: ignore[attr-defined]

    def work(self) -> Any:
        self.time_value("engagement")
        urn, name = self.urn.text(), self.name.text()  # type: ignore[attr-defined]
        return lambda records: records.create_home(urn, name)


def homes(context: AppContext) -> int:
    with context.db.session() as session:
        return session.scalar(select(func.count(CareHome.id))) or 0


def test_a_refused_save_shows_the_error_beside_its_field_and_saves_nothing(
    qtbot: QtBot, context: AppContext
) -> None:
    form = HomeForm(context)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
    qtbot.keyClicks(form.urn, "SC9")
    qtbot.keyClick(form.urn, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.errors["name"].isVisible(), timeout=5000)
    assert form.errors["name"].text() == "the home's name is required"
    assert not form.errors["urn"].isVisible() and homes(context) == 0
    qtbot.keyClicks(form.name, "Beech Lodge")
    qtbot.keyClick(form.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert homes(context) == 1 and form.result() == FormDialog.DialogCode.Accepted


def test_a_skipped_spring_hour_is_shown_beside_the_time(qtbot: QtBot, context: AppContext) -> None:
    form = HomeForm(context)
    qtbot.addWidget(form)
    entry = form.opened.entry  # type: ignore[attr-defined]
    qtbot.keyClick(entry, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(entry, "30/03/2025 01:30")
    form.save()
    assert "does not exist in UK time" in form.errors["engagement"].text()


@pytest.mark.parametrize(
    ("answer", "closes"),
    [(QMessageBox.StandardButton.Cancel, False), (QMessageBox.StandardButton.Discard, True)],
)
def test_closing_with_unsaved_changes_asks_first(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch, answer: Any, closes: bool
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: asked.append(args[1]) or answer
    )
    form = HomeForm(context)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.name, "Half typed")
    form.reject()
    assert asked == ["Unsaved changes"]
    assert form.isVisible() is not closes


def test_the_close_button_asks_once(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *args, **kwargs: asked.append(args[1]) or QMessageBox.StandardButton.Cancel,
    )
    form = HomeForm(context)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.name, "Half typed")
    form.close()
    assert asked == ["Unsaved changes"] and form.isVisible()


def test_a_sort_without_an_index_reads_pages_by_id(db: Database) -> None:
    many_episodes(db, 3000)
    listing = replace(episode_listing(), indexed=frozenset({"last_seen_at"}))
    assert listing.by_offset(Sort("last_seen_at")) and not listing.by_offset(Sort("child"))
    model = WindowedTableModel(db, COLUMNS, listing, Sort("child", descending=True))
    assert model.ids is not None and len(model.ids) == model.rowCount() == 3000
    child = [c.key for c in COLUMNS].index("child")
    firsts = [model.data(model.index(row, child)) for row in (0, 29, 30, 2999)]
    assert firsts == ["Child099", "Child099", "Child098", "Child000"]


def test_enter_in_a_field_does_not_save(qtbot: QtBot, context: AppContext) -> None:
    form = HomeForm(context)
    qtbot.addWidget(form)
    with qtbot.waitActive(form):
        form.show()
    qtbot.keyClicks(form.urn, "SC9")
    qtbot.keyClicks(form.name, "Beech Lodge")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert form.isVisible() and homes(context) == 0
