"""The return home interview form: offered, completed (with its coded themes) or declined."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from missing_app.core.errors import Problem, ValidationError
from missing_app.core.interview_codes import EXPLOITATION_INDICATORS, PULL_FACTORS, PUSH_FACTORS
from missing_app.core.queries.today import return_interview_of, rhi_duty
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.episode import (
    code_combo,
    episode_heading,
    finish,
    minute,
    plain,
    text_box,
)
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.format import when
from missing_app.gui.widgets.countdown import Countdown, CountdownClock
from missing_app.gui.widgets.fields import DateTimeField

# After the return: the return home interview ------------------------------------------------

OFFERED, COMPLETED, DECLINED = "offered", "completed", "declined"
OUTCOMES = ((OFFERED, "Offered, not held yet"), (COMPLETED, "Completed"), (DECLINED, "Declined"))


class CodeChecks(QWidget):
    """One tick box per code, two columns; codes it does not know are kept as they were."""

    changed = Signal()

    def __init__(self, codes: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setColumnStretch(0, 1)  # equal halves: the three lists line up
        layout.setColumnStretch(1, 1)
        self.boxes: dict[str, QCheckBox] = {}
        self.unknown: list[str] = []
        for number, (code, words) in enumerate(codes):
            box = QCheckBox(words)
            box.toggled.connect(lambda _on: self.changed.emit())
            layout.addWidget(box, number // 2, number % 2)
            self.boxes[code] = box

    def set_codes(self, stored: str | None) -> None:
        codes = [code.strip() for code in (stored or "").split(",") if code.strip()]
        for code, box in self.boxes.items():
            box.setChecked(code in codes)
        self.unknown = [code for code in codes if code not in self.boxes]

    def codes(self) -> str | None:
        ticked = [code for code, box in self.boxes.items() if box.isChecked()]
        return ",".join(ticked + self.unknown) or None


class ReturnInterviewDialog(FormDialog):
    """The independent return home interview: offered, completed (with what it found) or
    declined."""

    entities = ("return_interviews",)

    def __init__(self, context: AppContext, episode_id: int, parent: QWidget | None = None):
        super().__init__(context, "Return home interview", parent)
        self.episode_id = episode_id
        self.heading = episode_heading(self, episode_id)
        self._deadline_row()
        self.outcome = code_combo("", dict(OUTCOMES), tuple(code for code, _ in OUTCOMES))
        self.add_field("outcome", "Interview", self.outcome)
        self.offered_at = DateTimeField(optional=True)
        self.add_field("offered_at", "Offered at", self.offered_at)
        self.offered_by = QLineEdit()
        self.add_field("offered_by", "Offered by", self.offered_by)
        self.provider = QLineEdit()
        self.provider.setPlaceholderText("e.g. Catch22")
        self.add_field("provider", "Provider", self.provider)
        self.completed_at = DateTimeField()
        self.add_field("completed_at", "Completed at", self.completed_at)
        self.push = CodeChecks(PUSH_FACTORS)
        self.add_field("push_factors", "Push factors", self.push)
        self.pull = CodeChecks(PULL_FACTORS)
        self.add_field("pull_factors", "Pull factors", self.pull)
        self.signs = CodeChecks(EXPLOITATION_INDICATORS)
        self.add_field("exploitation_indicators", "Exploitation indicators", self.signs)
        self.notes = text_box()
        self.add_field("notes", "Notes", self.notes)
        finish(self)
        self._prefill()
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self._outcome_changed()
        self.dirty = False
        self.outcome.setFocus()

    def _deadline_row(self) -> None:
        """The return interview's deadline, with a live countdown, when the child is back."""
        hours = self.context.settings()["rhi_window_hours"]
        with self.context.db.session() as session:
            duty = rhi_duty(session, self.episode_id, hours)
        if duty is None:
            return
        clock = CountdownClock(lambda: self.context.now(), parent=self)
        self.countdown = Countdown(duty, clock)
        row = QHBoxLayout()
        row.addWidget(self.countdown)
        row.addWidget(
            QLabel(f"Offer within {hours:g} hours of the return: by {when(duty.offer_by)}")
        )
        row.addStretch(1)
        line = self.grid.rowCount()
        self.grid.addWidget(QLabel("Deadline"), line, 0)
        self.grid.addLayout(row, line, 1)
        clock.start()

    def _prefill(self) -> None:
        now = minute(self.context.now())
        self.offered_at.set_value(now)
        self.completed_at.set_value(now)
        with self.context.db.session() as session:
            interview = return_interview_of(session, self.episode_id)
        if interview is None:
            return
        outcome = (
            COMPLETED if interview.completed_at else DECLINED if interview.declined else OFFERED
        )
        self.outcome.setCurrentIndex(self.outcome.findData(outcome))
        self.offered_at.set_value(interview.offered_at)
        if interview.completed_at is not None:
            self.completed_at.set_value(interview.completed_at)
        self.offered_by.setText(interview.offered_by or "")
        self.provider.setText(interview.provider or "")
        self.push.set_codes(interview.push_factors)
        self.pull.set_codes(interview.pull_factors)
        self.signs.set_codes(interview.exploitation_indicators)
        self.notes.setPlainText(interview.notes or "")

    def _outcome_changed(self, *_: Any) -> None:
        completed = self.outcome.currentData() == COMPLETED
        for widget in (self.completed_at, self.push, self.pull, self.signs):
            widget.setEnabled(completed)

    def work(self) -> Work:
        outcome, episode_id = self.outcome.currentData(), self.episode_id
        offered_at = self.time_value("offered_at")
        fields: dict[str, Any] = {
            "offered_at": offered_at,
            "offered_by": plain(self.offered_by),
            "provider": plain(self.provider),
            "notes": plain(self.notes),
        }
        if outcome == OFFERED:
            if offered_at is None:
                raise ValidationError([Problem("offered_at", "say when the interview was offered")])
            del fields["offered_at"]
            return lambda records: records.record_rhi_offer(episode_id, offered_at, **fields)
        if outcome == DECLINED:
            return lambda records: records.record_rhi_declined(episode_id, **fields)
        completed_at = self.time_value("completed_at")
        fields |= {
            "push_factors": self.push.codes(),
            "pull_factors": self.pull.codes(),
            "exploitation_indicators": self.signs.codes(),
        }
        return lambda records: records.record_rhi_completed(episode_id, completed_at, **fields)
