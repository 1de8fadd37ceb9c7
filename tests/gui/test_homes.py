"""The Homes table, a home's page, and the home and reporting-assessment forms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from missing_app.core.models import Action, CareHome, ReportingAssessment
from missing_app.core.queries.homes import HOME_COLUMNS
from missing_app.core.records import Records
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.assessment import AssessmentDialog
from missing_app.gui.dialogs.form import FormDialog
from missing_app.gui.dialogs.home import HomeDialog
from missing_app.gui.main_window import MainWindow
from missing_app.gui.pages.home import HomePage
from missing_app.gui.pages.homes import COLUMNS, HomesPage
from tests.core.test_queries_homes import build
from tests.gui.conftest import wait_for_writes
from tests.gui.keyboard import retype
from tests.gui.test_episodes_page import Navigator


@pytest.fixture(autouse=True)
def discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forms left with unsaved changes close at the end of a test without a question."""
    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard
    )


def click_save(qtbot: QtBot, form: FormDialog) -> None:
    save = form.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


def cells(table: QTableWidget, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def names(page: HomesPage) -> list[str]:
    model = page.model
    return [model.data(model.index(row, 1)) for row in range(model.rowCount())]


def homes_page(qtbot: QtBot, context: AppContext) -> HomesPage:
    page = HomesPage(context)
    qtbot.addWidget(page)
    page.show()
    return page


def home_count(context: AppContext) -> int:
    with context.db.session() as session:
        return int(session.scalar(select(func.count(CareHome.id))) or 0)


# The Homes table ------------------------------------------------------------------------


def test_the_homes_table_shows_each_home_and_its_figures(
    qtbot: QtBot, qtmodeltester: Any, context: AppContext, records: Records
) -> None:
    build(records)
    page = homes_page(qtbot, context)
    assert tuple(c.key for c in COLUMNS) == HOME_COLUMNS
    qtmodeltester.check(page.model)
    assert names(page) == ["Birch Lodge", "Moorside", "Oakview House"]
    assert page.count.text() == "3 homes"
    model = page.model
    oak = [model.data(model.index(2, column)) for column in range(len(COLUMNS))]
    assert oak == ["SC100001", "Oakview House", "Liverpool", "4", "", "01/03/2024", "1", "3", "3"]
    assert model.data(model.index(1, 5)) == "Not yet"


def test_homes_found_by_name_urn_and_council(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = homes_page(qtbot, context)
    qtbot.keyClicks(page.search, "oak")
    qtbot.waitUntil(lambda: names(page) == ["Oakview House"], timeout=2000)
    page.search.clear()
    qtbot.keyClicks(page.search, "SC2000")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # filters at once, and goes to the table
    assert names(page) == ["Birch Lodge"] and page.table.hasFocus()
    page.search.clear()
    page.apply_filters()
    page.council.setCurrentText("Other")
    assert names(page) == ["Moorside"] and page.count.text() == "1 home"


def test_an_empty_list_says_how_to_fill_it_and_a_filter_says_it_filtered(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    page = homes_page(qtbot, context)
    assert page.count.text() == (
        "No homes yet: add one with New home, or import them (Help, F1, says how)."
    )
    records.create_home("SC100001", "Oakview House")
    page.refresh()
    qtbot.keyClicks(page.search, "birch")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.count.text() == "No homes match these filters"


def test_enter_opens_the_home(qtbot: QtBot, context: AppContext, records: Records) -> None:
    built = build(records)
    context.navigator = navigator = Navigator()
    page = homes_page(qtbot, context)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(2, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    assert navigator.opened == [("home", built.oak)]


# The home form --------------------------------------------------------------------------


def test_an_invalid_home_form_shows_its_errors_and_saves_nothing(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    build(records)
    page = homes_page(qtbot, context)
    form = page.create_home()
    qtbot.addWidget(form)
    qtbot.keyClicks(form.urn, "SC100001")  # Oakview's
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert form.errors["urn"].isVisible() and form.errors["name"].isVisible()
    assert form.errors["urn"].text() == "another home already has the URN SC100001"
    assert form.errors["name"].text() == "the home's name is required"
    assert form.isVisible() and home_count(context) == 3


def test_enter_does_not_save_a_half_typed_home(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    form = HomeDialog(context)
    qtbot.addWidget(form)
    form.show()
    assert not form.buttons.button(QDialogButtonBox.StandardButton.Save).isDefault()
    qtbot.keyClicks(form.urn, "SC999")
    qtbot.keyClick(form.urn, Qt.Key.Key_Return)
    wait_for_writes(qtbot, context)
    assert home_count(context) == 0 and form.isVisible()


def test_a_new_home_is_saved_and_opened(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    build(records)
    window.show_page("Homes")
    page = window.pages["Homes"]
    assert isinstance(page, HomesPage)
    form = page.create_home()
    qtbot.keyClicks(form.urn, "SC400004")
    qtbot.keyClicks(form.name, "Elm House")
    form.council.setEditText("Sefton")
    form.beds.setValue(5)
    retype(qtbot, form.engagement, "1/9/2025")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        home = session.scalars(select(CareHome).where(CareHome.urn == "SC400004")).one()
    assert (home.name, home.local_authority, home.beds) == ("Elm House", "Sefton", 5)
    assert home.engagement_start == date(2025, 9, 1) and home.pcso_id is None
    shown = window.current_page()
    assert isinstance(shown, HomePage) and shown.name.text() == "Elm House"
    assert "PCSO engagement since 01/09/2025" in shown.facts.text()
    window.show_page("Homes")
    assert "Elm House" in names(page)


def test_editing_a_home_keeps_what_was_not_changed(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = HomeDialog(context, built.oak)
    qtbot.addWidget(form)
    assert (form.urn.text(), form.council.currentText(), form.beds.value()) == (
        "SC100001", "Liverpool", 4,
    )  # fmt: skip
    assert form.engagement.value() == date(2024, 3, 1)
    form.postcode.setText("l4 2bb")
    form.save()
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        home = session.get(CareHome, built.oak)
        assert home is not None
        assert (home.postcode, home.provider, home.beds) == ("L4 2BB", "Mersey Care Ltd", 4)


# A home's page --------------------------------------------------------------------------


def home_page(qtbot: QtBot, context: AppContext, home_id: int) -> HomePage:
    page = HomePage(context, home_id)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    return page


def test_a_homes_page_lists_its_children_episodes_and_actions(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    page = home_page(qtbot, context, built.oak)
    assert page.name.text() == "Oakview House"
    assert "URN SC100001" in page.facts.text() and "Liverpool" in page.facts.text()
    assert cells(page.children_table, 0) == ["Amy Hill", "Ben Lee"]
    assert cells(page.children_table, 4) == ["", "20/10/2025"]  # Ben left; Cal left long ago
    assert page.children_part.title.text() == "Children (1 placed now, 1 left in the last 90 days)"
    assert cells(page.episodes, 0)[0] == "Fri 14/11/2025 22:00"
    assert cells(page.episodes, 4)[0] == "Still missing"
    assert cells(page.episodes, 6)[:2] == ["", "Yes"]
    assert page.episodes_part.title.text().startswith("Episodes (5 in all)")
    assert cells(page.actions_table, 1) == [
        "Update profiles", "Brief night staff", "Refer Amy to the missing group",
    ]  # fmt: skip
    assert page.actions_table.item(0, 3).foreground().color().name() == "#b42318"  # overdue
    assert page.actions_part.title.text().startswith("Open actions (3, 1 overdue)")
    assert cells(page.assessments, 3)[0] == "Yes" and cells(page.assessments, 4)[0] == "No"
    assert cells(page.assessments, 10) == ["3 of 4"]
    assert page.meetings.topLevelItemCount() == 2
    october = page.meetings.topLevelItem(1)
    assert (october.text(0), october.childCount()) == ("01/10/2025", 3)
    assert october.child(2).text(4) == "09/10/2025"


def test_a_home_without_records_says_so(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    page = home_page(qtbot, context, built.far)
    assert page.children_part.empty.isVisible() and not page.children_table.isVisible()
    assert page.meetings_part.empty.text() == "No liaison meeting recorded yet."
    assert not page.assess_button.isEnabled()
    missing = home_page(qtbot, context, 999)
    assert missing.name.text() == "Home not found"
    assert missing.facts.text() == "There is no home 999."


def test_enter_on_a_child_or_an_episode_opens_it(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    context.navigator = navigator = Navigator()
    page = home_page(qtbot, context, built.oak)
    page.children_table.setFocus()
    page.children_table.setCurrentCell(1, 0)
    qtbot.keyClick(page.children_table, Qt.Key.Key_Return)
    page.episodes.setFocus()
    page.episodes.setCurrentCell(0, 0)
    qtbot.keyClick(page.episodes, Qt.Key.Key_Return)
    assert navigator.opened == [("child", built.ben), ("episode", built.amy_open)]


def test_ticking_an_action_completes_it_through_the_worker(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    built = build(records)
    window.open_home(built.oak)
    page = window.current_page()
    assert isinstance(page, HomePage)
    tick = page.actions_table.item(1, 0)  # "Brief night staff"
    action_id = tick.data(Qt.ItemDataRole.UserRole + 1)
    tick.setCheckState(Qt.CheckState.Checked)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        action = session.get(Action, action_id)
        assert action is not None and action.done_on == date(2025, 11, 15)
    qtbot.waitUntil(lambda: page.actions_table.rowCount() == 2, timeout=3000)
    assert cells(page.actions_table, 1) == ["Update profiles", "Refer Amy to the missing group"]
    assert page.actions_part.title.text().startswith("Open actions (2, 1 overdue)")


# The reporting assessment ---------------------------------------------------------------


def test_assessing_reporting_saves_each_answer(
    qtbot: QtBot, window: MainWindow, context: AppContext, records: Records
) -> None:
    built = build(records)
    window.open_home(built.oak)
    page = window.current_page()
    assert isinstance(page, HomePage)
    page.episodes.setCurrentCell(2, 0)  # Ben's October episode, not yet assessed
    assert page.assess_button.isEnabled()
    form = page.assess_reporting()
    assert isinstance(form, AssessmentDialog)
    assert "Ben Lee" in form.heading.text()
    form.answers["searched_first"].buttons[0].click()  # Yes
    form.answers["reported_within_policy"].buttons[1].click()  # No
    form.answers["each_night_reported"].buttons[2].click()  # Not applicable
    form.notes.setPlainText("Called after two hours")
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        saved = session.scalars(select(ReportingAssessment).order_by(ReportingAssessment.id))
        latest = list(saved)[-1]
    assert (latest.searched_first, latest.reported_within_policy) == (True, False)
    assert latest.profile_current is None and latest.each_night_reported is None
    assert latest.assessed_on == date(2025, 11, 15) and latest.assessed_by == "pcso.jones"
    qtbot.waitUntil(lambda: page.assessments.rowCount() == 2, timeout=3000)
    assert "4 of 6 answers yes" in page.assessments_part.title.text()


def test_an_assessment_with_no_answer_is_asked_about_and_its_score_says_so(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    records: Records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = build(records)
    window.open_home(built.oak)
    page = window.current_page()
    assert isinstance(page, HomePage)
    page.episodes.setCurrentCell(2, 0)  # Ben's October episode, not yet assessed
    form = page.assess_reporting()
    assert form is not None
    asked: list[Any] = []

    def answer(reply: QMessageBox.StandardButton) -> Any:
        return lambda *args: asked.append(args) or reply

    def assessments() -> int:
        with context.db.session() as session:
            return session.scalar(select(func.count(ReportingAssessment.id))) or 0

    before = assessments()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert len(asked) == 1 and asked[0][1] == "No answer given"
    assert asked[0][-1] == QMessageBox.StandardButton.Cancel  # the default: go back
    assert form.isVisible() and assessments() == before
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Save))
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for_writes(qtbot, context)
    assert assessments() == before + 1
    qtbot.waitUntil(lambda: page.assessments.rowCount() == 2, timeout=3000)
    score = page.assessments.columnCount() - 1
    assert "no answers" in cells(page.assessments, score)


def test_an_assessment_with_an_answer_is_saved_without_asking(
    qtbot: QtBot, context: AppContext, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build(records)
    form = AssessmentDialog(context, built.amy_assessed)
    qtbot.addWidget(form)
    monkeypatch.setattr(QMessageBox, "question", lambda *args: pytest.fail("asked"))
    form.show()
    click_save(qtbot, form)
    wait_for_writes(qtbot, context)
    assert not form.isVisible()


def test_an_assessment_dated_before_the_episode_is_refused(
    qtbot: QtBot, context: AppContext, records: Records
) -> None:
    built = build(records)
    form = AssessmentDialog(context, built.amy_assessed)
    qtbot.addWidget(form)
    assert form.answers["reported_within_policy"].value() is False  # the saved answers
    form.assessed_on.set_value(date(2025, 11, 1))
    form.save()
    wait_for_writes(qtbot, context)
    assert form.errors["assessed_on"].text() == "the assessment is dated before the episode"
    with context.db.session() as session:
        saved = session.scalars(select(ReportingAssessment)).one()
        assert saved.assessed_on == date(2025, 11, 12)
