"""The episode forms: record a child missing (Ctrl+N), record the return (Ctrl+R), the
safe-and-well check, and the return home interview.

Each form reads what was typed, turns it into one use case of `Records`, and leaves the
rest (saving off the GUI thread, errors under their fields, the unsaved-changes question)
to `FormDialog`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from missing_app.core import rules
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import EPISODE_TYPES, RETURN_METHODS, RISK_GRADES
from missing_app.core.queries.areas import home_labels
from missing_app.core.queries.today import (
    ChildChoice,
    ChildFacts,
    child_choices,
    child_facts,
    episode_card,
    home_on,
    missing_now,
)
from missing_app.core.times import TimeError, age_on, local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.child import ChildDialog
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.dialogs.no_child import NoChildYet, why_no_child
from missing_app.gui.format import RETURN_WORDS, RISK_WORDS, span, when
from missing_app.gui.widgets.fields import DateTimeField

NOT_GRADED = "Not graded yet"
HIGH_RISK = "Merseyside records a child flagged for CSE or CCE as missing at high risk"
ALWAYS_MISSING = (
    "Aged {age}: always missing (Merseyside records every child aged {limit} or under as "
    "missing, never absent)"
)


def minute(moment: datetime) -> datetime:
    """`moment` to the whole minute, as the forms' time fields show it."""
    return moment.replace(second=0, microsecond=0)


def text_box(lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def plain(box: QPlainTextEdit | QLineEdit) -> str | None:
    value = box.toPlainText() if isinstance(box, QPlainTextEdit) else box.text()
    return value.strip() or None


def code_combo(blank: str, words: dict[str, str], codes: tuple[str, ...]) -> QComboBox:
    """Codes shown in words; the blank choice (if any) first, meaning None."""
    combo = QComboBox()
    if blank:
        combo.addItem(blank, None)
    for code in codes:
        combo.addItem(words.get(code, code), code)
    return combo


def note_row(form: FormDialog) -> QLabel:
    """A line under the last field for what the rules say about it, hidden until needed."""
    label = QLabel()
    label.setObjectName("fieldHint")
    label.setWordWrap(True)
    label.hide()
    form.grid.addWidget(label, form.grid.rowCount(), 1)
    return label


def say(label: QLabel, text: str, warning: bool = False) -> None:
    """Show `text` under a field: grey for a hint, amber for a rule the form breaks."""
    label.setObjectName("fieldError" if warning else "fieldHint")
    label.setProperty("warning", warning)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))
    grow(label.window())


def grow(window: QWidget) -> None:
    """Make the form tall enough for a line that has just appeared under a field."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    needed = window.sizeHint().height()
    if window.height() < needed:
        window.resize(window.width(), needed)


def finish(form: FormDialog, width: int = 520) -> None:
    """Room to read: at least `width` wide, and as tall as the fields need."""
    hint = form.sizeHint()  # a minimum width of its own would stop the layout's from applying
    form.resize(max(width, hint.width()), hint.height())


def gather(problems: list[Problem], read: Callable[[], Any]) -> Any:
    """`read()`, or None with its problems added to `problems`."""
    try:
        return read()
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None


# Record missing -----------------------------------------------------------------------------


class ChildPicker(QLineEdit):
    """Type a few letters of a name or reference; the matches drop down with their home."""

    picked = Signal()

    def __init__(self, context: AppContext, day: Callable[[], date]) -> None:
        super().__init__()
        self.context = context
        self.day = day
        self.choice: ChildChoice | None = None
        self.choices: dict[str, ChildChoice] = {}
        self.setPlaceholderText("Type a few letters of the name or reference")
        self.model = QStringListModel(self)
        completer = QCompleter(self.model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self.pick_label)
        self.setCompleter(completer)
        self.textEdited.connect(self.search)
        self.returnPressed.connect(self.pick_first)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # Enter picks the child; it does not save the form as well

    def search(self, text: str) -> list[ChildChoice]:
        self.choice = None
        with self.context.db.session() as session:
            found = child_choices(session, text, self.day(), actor=self.context.who)
        self.choices = {choice.label: choice for choice in found}
        self.model.setStringList(list(self.choices))
        if found:
            self.completer().complete()
        return found

    def pick_label(self, label: str) -> None:
        if label in self.choices:
            self.choose(self.choices[label])

    def pick_first(self) -> None:
        if self.choice is None and self.choices:
            self.choose(next(iter(self.choices.values())))

    def choose(self, choice: ChildChoice) -> None:
        self.choice = choice
        self.setText(choice.label)
        self.completer().popup().hide()
        self.picked.emit()

    def child_id(self) -> int:
        if self.choice is None:
            message = "choose the child: type a few letters of the name or reference"
            raise ValidationError([Problem("child_id", message)])
        return self.choice.child_id


class HomeBox(QComboBox):
    """Every home, found by typing any part of its name or URN."""

    def __init__(self, homes: list[tuple[int, str]]) -> None:
        super().__init__()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for home_id, label in homes:
            self.addItem(label, home_id)
        self.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.lineEdit().setPlaceholderText("Choose the home")
        self.setCurrentIndex(-1)

    def set_home(self, home_id: int | None) -> None:
        self.setCurrentIndex(-1 if home_id is None else self.findData(home_id))

    def home_id(self) -> int | None:
        """The home whose label is typed, or the only one whose label contains the text."""
        text = self.currentText().strip()
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index < 0 and text:
            matches = [n for n in range(self.count()) if text.lower() in self.itemText(n).lower()]
            index = matches[0] if len(matches) == 1 else -1
        return None if index < 0 else int(self.itemData(index))


class RecordMissingDialog(FormDialog):
    """Record a child missing: who, from where, when, the grade, and Philomena part 2."""

    entities = ("missing_episodes",)

    def __init__(
        self, context: AppContext, child_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, "Record a child missing", parent)
        self.facts: ChildFacts | None = None
        self.home_by_hand = False
        with context.db.session() as session:
            homes = home_labels(session, actor=context.who)
        self.child = ChildPicker(context, self._seen_day)
        self.add_field("child_id", "Child", self.child)
        self.last_seen = DateTimeField()
        self.last_seen.set_value(minute(context.now()))
        self.add_field("last_seen_at", "Last seen", self.last_seen)
        self.home = HomeBox(homes)
        self.add_field("home_id", "Missing from", self.home)
        self.home_note = note_row(self)
        self.type = code_combo("", {"missing": "Missing", "absent": "Absent"}, EPISODE_TYPES)
        self.add_field("type", "Type", self.type)
        self.type_rule = note_row(self)
        self.risk = code_combo(NOT_GRADED, RISK_WORDS, RISK_GRADES)
        self.add_field("risk", "Risk grade", self.risk)
        self.risk_rule = note_row(self)
        self.reported = DateTimeField(optional=True)
        self.reported.set_value(minute(context.now()))
        self.add_field("reported_at", "Reported to police", self.reported)
        self.police_ref = QLineEdit()
        self.police_ref.setPlaceholderText("The log number police gave")
        self.add_field("police_ref", "Police reference", self.police_ref)
        self.circumstances = text_box()
        self.add_field("circumstances", "Circumstances", self.circumstances)
        self.clothing = text_box(2)
        self.add_field("clothing", "Clothing", self.clothing)
        self.where = QLineEdit()
        self.add_field("last_seen_location", "Where last seen", self.where)
        finish(self, 600)
        self.child.picked.connect(self._child_picked)
        self.last_seen.changed.connect(self._seen_changed)
        self.home.activated.connect(self._home_chosen)
        self.type.currentIndexChanged.connect(self.explain_rules)
        self.risk.currentIndexChanged.connect(self.explain_rules)
        if child_id is not None:
            self._preset(child_id)
        self.no_child: NoChildYet | None = None
        self._say_if_no_child()

    def _say_if_no_child(self) -> None:
        """No child to choose: say why above the fields, and offer to add one."""
        reason = why_no_child(self.context)
        if reason is None:
            return
        self.no_child = NoChildYet(reason, self.add_child)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.no_child)
        self.child.setEnabled(False)
        self.child.setPlaceholderText("No child to choose yet")
        self.no_child.add_button.setFocus()

    def add_child(self) -> None:
        """The child form; once the child is saved, they are the one chosen here."""
        form = ChildDialog(self.context, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.accepted.connect(lambda: self._child_added(form.result_value.record.id))
        form.open()

    def _child_added(self, child_id: int) -> None:
        if self.no_child is None or why_no_child(self.context) is not None:
            return
        self.no_child.hide()
        self.child.setEnabled(True)
        self.child.setPlaceholderText("Type a few letters of the name or reference")
        self._preset(child_id)
        self.child.setFocus()
        if self.child.choice is not None:
            self.last_seen.setFocus()

    def _preset(self, child_id: int) -> None:
        with self.context.db.session() as session:
            facts = child_facts(session, child_id)
            found = (
                []
                if facts is None
                else child_choices(
                    session, facts.local_ref, self._seen_day(), actor=self.context.who
                )
            )
        for choice in found:
            if choice.child_id == child_id:
                self.child.choose(choice)
                self.dirty = False
                self.last_seen.setFocus()

    # Keeping the home and the rules in step with what is typed --------------------------------

    def _seen_day(self) -> date:
        return local_date(self.last_seen_time())

    def _child_picked(self) -> None:
        assert self.child.choice is not None
        with self.context.db.session() as session:
            self.facts = child_facts(session, self.child.choice.child_id)
        self._fill_home()
        self.explain_rules()

    def _seen_changed(self) -> None:
        self._fill_home()
        self.explain_rules()

    def _home_chosen(self, _index: int) -> None:
        self.home_by_hand = True
        say(self.home_note, "")

    def _fill_home(self) -> None:
        """The child's home on the last-seen day, unless the home was chosen by hand."""
        if self.facts is None or self.home_by_hand:
            return
        day = self._seen_day()
        with self.context.db.session() as session:
            home_id = home_on(session, self.facts.child_id, self.last_seen_time())
        self.home.set_home(home_id)
        if home_id is None:
            say(self.home_note, f"No placement on {day:%d/%m/%Y}: choose the home", True)
        else:
            say(self.home_note, f"{self.facts.name}'s placement on {day:%d/%m/%Y}")

    def explain_rules(self, *_: Any) -> None:
        """Merseyside practice, said next to the type and the grade as they change."""
        if self.facts is None:
            notes = [("", False), ("", False)]
        else:
            notes = rule_notes(self.facts, self.last_seen_time(), self.type.currentData(),
                               self.risk.currentData())  # fmt: skip
        say(self.type_rule, *notes[0])
        say(self.risk_rule, *notes[1])

    def last_seen_time(self) -> datetime:
        try:
            return self.last_seen.value() or self.context.now()
        except TimeError:
            return self.context.now()

    # Saving -------------------------------------------------------------------------------------

    def work(self) -> Work:
        problems: list[Problem] = []
        child_id = gather(problems, self.child.child_id)
        last_seen = gather(problems, lambda: self.time_value("last_seen_at"))
        reported = gather(problems, lambda: self.time_value("reported_at"))
        home_id = self.home.home_id()
        if home_id is None:
            problems.append(Problem("home_id", "choose the home the child went missing from"))
        if problems:
            raise ValidationError(problems)
        fields = {
            "home_id": home_id,
            "type": self.type.currentData(),
            "risk": self.risk.currentData(),
            "reported_at": reported,
            "police_ref": plain(self.police_ref),
            "circumstances": plain(self.circumstances),
            "clothing": plain(self.clothing),
            "last_seen_location": plain(self.where),
        }
        return lambda records: records.record_missing(child_id, last_seen, **fields)


def rule_notes(
    child: ChildFacts, seen: datetime, type_: str, risk: str | None
) -> list[tuple[str, bool]]:
    """(text, broken) for the type and for the grade: the Merseyside rules as they apply."""
    flag = child.exploitation_flag_on(local_date(seen))
    facts = rules.EpisodeFacts(seen, type_, risk, dob=child.dob, exploitation_flag=flag)
    broken = {problem.field: problem.message for problem in rules.merseyside_warnings(facts)}
    age, limit = age_on(child.dob, local_date(seen)), rules.ALWAYS_MISSING_UP_TO_AGE
    type_note = (_sentence(broken["type"]), True) if "type" in broken else ("", False)
    if age <= limit and not type_note[1]:
        type_note = (ALWAYS_MISSING.format(age=age, limit=limit), False)
    risk_note = ("", False)
    if flag and risk is None:
        risk_note = (f"{flag} flag: record as high risk ({HIGH_RISK})", True)
    elif "risk" in broken:
        risk_note = (_sentence(broken["risk"]), True)
    elif flag:
        risk_note = (f"{flag} flag: recorded as high risk ({HIGH_RISK})", False)
    return [type_note, risk_note]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# Record the return --------------------------------------------------------------------------


class RecordReturnDialog(FormDialog):
    """Record a missing child's return: when, how, where found, with whom, the outcome.

    Which child is chosen at opening matters: Ctrl+R then Ctrl+S records the return of the
    child shown. Given an episode, that one; opened from a child's or a home's page, the
    most recent open episode of that child or home (none if they have none); anywhere else,
    the only child missing, and no one when several are (the PCSO chooses)."""

    entities = ("missing_episodes",)

    def __init__(
        self,
        context: AppContext,
        episode_id: int | None = None,
        parent: QWidget | None = None,
        *,
        child_id: int | None = None,
        home_id: int | None = None,
    ) -> None:
        super().__init__(context, "Record a return", parent)
        self.episode = QComboBox()
        self._fill_episodes(episode_id)
        if episode_id is None:
            self.episode.setCurrentIndex(self.episode.findData(self._likely(child_id, home_id)))
        self.add_field("episode_id", "Child missing", self.episode)
        self.away_note = note_row(self)
        self.returned = DateTimeField()
        self.returned.set_value(minute(context.now()))
        self.add_field("returned_at", "Returned at", self.returned)
        self.method = code_combo("Not recorded", RETURN_WORDS, RETURN_METHODS)
        self.add_field("return_method", "How returned", self.method)
        self.found_location = QLineEdit()
        self.add_field("found_location", "Where found", self.found_location)
        self.found_with = QLineEdit()
        self.add_field("found_with", "Who with", self.found_with)
        self.arrested = QCheckBox("Arrested")
        self.add_field("arrested", "Outcome", self.arrested)
        self.harm = QCheckBox("Harm disclosed")
        self.add_field("harm_disclosed", "", self.harm)
        finish(self)
        self.episode.currentIndexChanged.connect(self._show_time_away)
        self.returned.changed.connect(self._show_time_away)
        self._show_time_away()
        (self.returned if episode_id is not None else self.episode).setFocus()

    def _fill_episodes(self, episode_id: int | None) -> None:
        with self.context.db.session() as session:
            rows = missing_now(session, self.context.now(), actor=self.context.who)
            card = None if episode_id is None else episode_card(session, episode_id)
        self.open_now = rows
        self.seen: dict[int, datetime] = {}
        for row in rows:
            self._offer(row.episode_id, row.child, row.child_ref, row.last_seen_at, row.home)
        if card is not None and card.episode_id not in self.seen:
            self._offer(card.episode_id, card.child, card.child_ref, card.last_seen_at, card.home)
        if episode_id is not None:
            self.episode.setCurrentIndex(self.episode.findData(episode_id))
            self.episode.setEnabled(False)
        else:
            self.episode.setPlaceholderText(
                "Choose the child who has returned" if rows else "No child is missing now"
            )

    def _likely(self, child_id: int | None, home_id: int | None) -> int | None:
        """The open episode to offer first (see the class), or None to offer none."""
        rows = self.open_now
        if child_id is not None:
            rows = [row for row in rows if row.child_id == child_id]
        elif home_id is not None:
            rows = [row for row in rows if row.home_id == home_id]
        elif len(rows) != 1:
            return None
        latest = max(rows, key=lambda row: row.last_seen_at, default=None)
        return None if latest is None else latest.episode_id

    def _offer(self, episode_id: int, child: str, ref: str, seen: datetime, home: str) -> None:
        self.episode.addItem(f"{child} · {ref} — last seen {when(seen)}, {home}", episode_id)
        self.seen[episode_id] = seen

    def _show_time_away(self, *_: Any) -> None:
        seen = self.seen.get(self.episode.currentData())
        try:
            back = self.returned.value()
        except TimeError:
            back = None
        if seen is None or back is None or back < seen:
            say(self.away_note, "")
        else:
            say(self.away_note, f"Away for {span(back - seen)}")

    def work(self) -> Work:
        episode_id = self.episode.currentData()
        if episode_id is None:
            raise ValidationError([Problem("episode_id", "choose the child who has returned")])
        returned = self.time_value("returned_at")
        fields = {
            "return_method": self.method.currentData(),
            "found_location": plain(self.found_location),
            "found_with": plain(self.found_with),
            "arrested": self.arrested.isChecked(),
            "harm_disclosed": self.harm.isChecked(),
        }
        return lambda records: records.record_return(episode_id, returned, **fields)


# After the return: the safe-and-well check ----------------------------------------------------


def episode_heading(form: FormDialog, episode_id: int) -> QLabel:
    """The child and the return, at the top of a form about one returned episode."""
    with form.context.db.session() as session:
        card = episode_card(session, episode_id)
    if card is None:
        text = f"There is no episode {episode_id}."
    else:
        back = f"returned {when(card.returned_at)}" if card.returned_at else "not yet returned"
        text = f"<b>{card.child}</b> · {card.child_ref} · {card.home}<br>" \
               f"Last seen {when(card.last_seen_at)}, {back}"  # fmt: skip
    label = QLabel(text)
    label.setWordWrap(True)
    form.grid.addWidget(label, form.grid.rowCount(), 0, 1, 2)
    return label


class SafeAndWellDialog(FormDialog):
    """Record when police saw the returned child safe and well."""

    entities = ("missing_episodes",)

    def __init__(self, context: AppContext, episode_id: int, parent: QWidget | None = None):
        super().__init__(context, "Safe-and-well check", parent)
        self.episode_id = episode_id
        self.heading = episode_heading(self, episode_id)
        self.checked = DateTimeField()
        self.checked.set_value(minute(context.now()))
        hint = "The police prevention interview; it is not the return interview"
        self.add_field("safe_and_well_at", "Seen safe and well at", self.checked, hint)
        finish(self)
        self.checked.setFocus()

    def work(self) -> Work:
        at = self.time_value("safe_and_well_at")
        episode_id = self.episode_id
        return lambda records: records.record_safe_and_well(episode_id, at)
