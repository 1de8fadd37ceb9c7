"""The reporting assessment: the PCSO's check of how a home handled one episode.

Each question of reporting practice is answered Yes, No or Not applicable; a question left
unanswered is saved as not applicable. Saving an episode's assessment again replaces it.
An assessment with no answer at all is asked about before it is saved: it would mark the
episode assessed with nothing to show for it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from missing_app.core.models import MissingEpisode
from missing_app.core.queries.homes import ASSESSMENT_QUESTIONS
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.format import when, words
from missing_app.gui.widgets.fields import DateField

CHOICES: tuple[tuple[str, bool | None], ...] = (
    ("Yes", True),
    ("No", False),
    ("Not applicable", None),
)


class Answer(QWidget):
    """Yes / No / Not applicable, chosen with the mouse or the arrow keys."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for text, _value in CHOICES:
            button = QRadioButton(text)
            self.group.addButton(button)
            self.buttons.append(button)
            layout.addWidget(button)
        layout.addStretch(1)
        self.setFocusProxy(self.buttons[0])
        self.group.buttonToggled.connect(self.changed)

    def value(self) -> bool | None:
        for button, (_text, value) in zip(self.buttons, CHOICES, strict=True):
            if button.isChecked():
                return value
        return None

    def set_value(self, value: bool | None) -> None:
        for button, (_text, choice) in zip(self.buttons, CHOICES, strict=True):
            button.setChecked(choice is value)


class AssessmentDialog(FormDialog):
    """How the home reported one episode, question by question."""

    entities = ("reporting_assessments",)

    def __init__(self, context: AppContext, episode_id: int, parent: QWidget | None = None):
        super().__init__(context, "Reporting assessment", parent)
        self.episode_id = episode_id
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.grid.addWidget(self.heading, self.grid.rowCount(), 0, 1, 2)
        self.assessed_on = DateField()
        self.assessed_on.set_value(local_date(context.now()))
        self.add_field("assessed_on", "&Date", self.assessed_on)
        self.answers: dict[str, Answer] = {}
        for key, _short, question in ASSESSMENT_QUESTIONS:
            answer = Answer()
            self.answers[key] = answer
            self.add_field(key, question, answer)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 14)
        self.add_field(
            "notes", "&Notes", self.notes, "Questions left blank count as not applicable."
        )
        self.assessed_by = context.username
        self._load()
        self.dirty = False
        self.fit(620)

    def _load(self) -> None:
        with self.context.db.session() as session:
            episode = session.get(MissingEpisode, self.episode_id)
            if episode is None:
                self.heading.setText(f"There is no episode {self.episode_id}.")
                self.buttons.setEnabled(False)
                return
            self.heading.setText(
                f"<b>{episode.child.display_name}</b> · {episode.home.name}<br>"
                f"{words(episode.type)}, last seen {when(episode.last_seen_at)}"
                + (f" · police ref {episode.police_ref}" if episode.police_ref else "")
            )
            assessment = episode.assessment
            if assessment is None:
                return
            self.setWindowTitle("Reporting assessment (saved before)")
            self.assessed_on.set_value(assessment.assessed_on)
            for key, answer in self.answers.items():
                answer.set_value(getattr(assessment, key))
            self.notes.setPlainText(assessment.notes or "")
            self.assessed_by = assessment.assessed_by or self.assessed_by

    def save(self) -> None:
        if self.saving or (self._unanswered() and not self._confirm_unanswered()):
            return
        super().save()

    def _unanswered(self) -> bool:
        return all(answer.value() is None for answer in self.answers.values())

    def _confirm_unanswered(self) -> bool:
        """Save an assessment with no answer? Going back is the default (Enter, Escape)."""
        answer = QMessageBox.question(
            self,
            "No answer given",
            "None of the questions has an answer. Save the assessment with every answer "
            "not applicable? It will show the episode as assessed, with no score.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    def work(self) -> Work:
        episode_id, day = self.episode_id, self.assessed_on.value()
        answers = {key: answer.value() for key, answer in self.answers.items()}
        notes, by = self.notes.toPlainText(), self.assessed_by
        return lambda records: records.record_assessment(
            episode_id, day, notes=notes, assessed_by=by, **answers
        )
