"""The Settings page: each setting with its value, default and source; saved changes audited."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from missing_app.config import SAFETY_SETTINGS, SETTINGS
from missing_app.core.models import AuditEvent
from missing_app.core.records import read_settings
from missing_app.gui.context import AppContext
from missing_app.gui.pages.settings import SettingsPage
from tests.gui.conftest import wait_for_writes


def open_page(qtbot: QtBot, context: AppContext) -> SettingsPage:
    page = SettingsPage(context)
    qtbot.addWidget(page)
    page.show()
    return page


def settings_audit(context: AppContext) -> list[AuditEvent]:
    with context.db.session() as session:
        query = select(AuditEvent).where(AuditEvent.entity == "settings").order_by(AuditEvent.id)
        return list(session.scalars(query))


def test_each_setting_shows_its_value_default_and_source(qtbot: QtBot, context: AppContext) -> None:
    context.worker.records.set_setting("rhi_window_hours", 48)
    page = open_page(qtbot, context)
    assert [row.spec.key for row in page.rows] == [
        "repeat_threshold", "repeat_window_days", "rhi_window_hours", "unit_cost",
        "demand_window_days", "signin_attempts", "signin_lock_minutes", "idle_lock_minutes",
        "retention_years",
    ]  # fmt: skip
    for row, spec in zip(page.rows, (*SETTINGS, *SAFETY_SETTINGS), strict=True):
        assert row.label.text() == spec.label
        assert row.source.text() == spec.source
        assert (row.editor.minimum(), row.editor.maximum()) == (spec.minimum, spec.maximum)
    threshold, _, window, cost, *_ = page.rows
    assert isinstance(threshold.editor, QSpinBox) and isinstance(cost.editor, QDoubleSpinBox)
    assert threshold.editor.text() == "3 episodes"
    assert threshold.default.text() == "Default: 3 episodes"
    assert not threshold.restore.isEnabled()  # already the default
    assert window.editor.text() == "48 hours" and window.restore.isEnabled()
    assert window.default.text() == "Default: 72 hours"
    assert cost.editor.text() == "£2,415.80" and cost.default.text() == "Default: £2,415.80"
    assert "Shalev Greene & Pakes 2012" in cost.source.text()
    assert not page.save_button.isEnabled()


def test_save_writes_each_change_with_its_audit_row(qtbot: QtBot, context: AppContext) -> None:
    page = open_page(qtbot, context)
    threshold, cost = page.row("repeat_threshold"), page.row("unit_cost")
    threshold.editor.setValue(4)
    cost.editor.setValue(1325.44)
    assert threshold.label.text().endswith("(changed, not saved)")
    assert page.status.text() == "2 changes not saved yet."
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        stored = read_settings(session)
    assert (stored["repeat_threshold"], stored["unit_cost"]) == (4, 1325.44)
    assert stored["rhi_window_hours"] == 72  # unchanged, not written
    events = settings_audit(context)
    assert [(e.action, e.username, json.loads(e.after or "{}")["value"]) for e in events] == [
        ("create", "pcso.jones", "4"),
        ("create", "pcso.jones", "1325.44"),
    ]
    assert [json.loads(e.after or "{}")["key"] for e in events] == ["repeat_threshold", "unit_cost"]
    assert page.status.text() == "Saved. Every figure now uses these values."
    assert threshold.label.text() == "Repeat threshold N (episodes)"
    assert not page.save_button.isEnabled()


def test_restore_default_then_save_puts_the_default_back(qtbot: QtBot, context: AppContext) -> None:
    context.worker.records.set_setting("repeat_window_days", 28)
    page = open_page(qtbot, context)
    window = page.row("repeat_window_days")
    assert window.editor.text() == "28 days"
    qtbot.mouseClick(window.restore, Qt.MouseButton.LeftButton)
    assert window.editor.value() == 30 and not window.restore.isEnabled()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # saves
    wait_for_writes(qtbot, context)
    with context.db.session() as session:
        assert read_settings(session)["repeat_window_days"] == 30
    last = settings_audit(context)[-1]
    assert last.action == "update"
    assert json.loads(last.before or "{}")["value"] == "28"
    assert json.loads(last.after or "{}")["value"] == "30"


def test_nothing_changed_saves_nothing(qtbot: QtBot, context: AppContext) -> None:
    page = open_page(qtbot, context)
    page.save()
    wait_for_writes(qtbot, context)
    assert settings_audit(context) == []


def test_an_edit_not_saved_survives_a_refresh(qtbot: QtBot, context: AppContext) -> None:
    page = open_page(qtbot, context)
    page.row("unit_cost").editor.setValue(1000)
    context.worker.records.set_setting("repeat_threshold", 5)
    page.refresh()  # as after a change notification
    assert page.row("unit_cost").editor.value() == 1000
    assert page.row("repeat_threshold").editor.value() == 5
    assert page.status.text() == "1 change not saved yet."


def test_the_repeat_settings_cite_no_other_force_s_protocol(
    qtbot: QtBot, context: AppContext
) -> None:
    """Issue 11: the threshold is Homeward's own default; a Merseyside tool does not borrow
    Derbyshire's protocol as its source."""
    page = open_page(qtbot, context)
    for key in ("repeat_threshold", "repeat_window_days"):
        shown = page.row(key).source.text()
        assert "Derbyshire" not in shown and "protocol" not in shown
        assert "Homeward's default" in shown and "councils" in shown
