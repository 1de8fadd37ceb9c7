"""The home form (new or edited), and the small fields it shares with the meeting forms:
a home chooser that finds a home by typing part of its name or URN, and an optional date."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from missing_app.core.models import LOCAL_AUTHORITIES, CareHome
from missing_app.core.queries.areas import home_labels
from missing_app.core.queries.homes import officer_choices
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.widgets.fields import OptionalDateField

NOT_RECORDED = -1  # the beds box's value for "not recorded"


class HomeChoice(QComboBox):
    """Choose a home from a list; type part of its name or URN to find it."""

    def __init__(self, context: AppContext, any_text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.any_text = any_text
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        completer, typed = self.completer(), self.lineEdit()
        assert completer is not None and typed is not None  # an editable box has both
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        typed.setPlaceholderText("Type part of the name or URN")
        self.fill()

    def fill(self) -> None:
        """Read the homes again, keeping the one chosen."""
        chosen = self.home_id()
        self.blockSignals(True)
        self.clear()
        if self.any_text:
            self.addItem(self.any_text, None)
        with self.context.db.session() as session:
            for home_id, label in home_labels(session, actor=self.context.who):
                self.addItem(label, home_id)
        self.set_home_id(chosen)
        self.blockSignals(False)

    def home_id(self) -> int | None:
        """The chosen home; None for "any" or when the text names no home."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        value = self.itemData(index) if index >= 0 else None
        return None if value is None else int(value)

    def set_home_id(self, home_id: int | None) -> None:
        index = self.findData(home_id) if home_id is not None else (0 if self.any_text else -1)
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")


def line(max_length: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    edit.setPlaceholderText(placeholder)
    return edit


def text_of(edit: QLineEdit | QComboBox) -> str:
    return (edit.text() if isinstance(edit, QLineEdit) else edit.currentText()).strip()


class HomeDialog(FormDialog):
    """A new care home, or changes to one (`home_id`)."""

    entities = ("care_homes",)

    def __init__(
        self, context: AppContext, home_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, "Edit home" if home_id else "New home", parent)
        self.home_id = home_id
        self.urn = line(32, "Ofsted URN, e.g. SC123456")
        self.name = line(200)
        self.provider = line(200)
        self.council = self._council_box()
        self.postcode = line(10)
        self.beds = self._beds_box()
        self.pcso = self._pcso_box()
        self.engagement = OptionalDateField("Began on")
        self.engagement.set_value(None, local_date(context.now()))
        self._lay_out()
        if home_id is not None:
            self._load(home_id)
        self.dirty = False
        self.fit(520)

    def _lay_out(self) -> None:
        self.add_field("urn", "&URN", self.urn)
        self.add_field("name", "&Name", self.name)
        self.add_field("provider", "&Provider", self.provider)
        self.add_field(
            "local_authority",
            "&Local authority",
            self.council,
            "One of the five Merseyside councils, or type another.",
        )
        self.add_field("postcode", "P&ostcode", self.postcode)
        self.add_field("beds", "&Beds", self.beds)
        self.add_field("pcso_id", "PCS&O", self.pcso)
        self.add_field(
            "engagement_start",
            "&Engagement start",
            self.engagement,
            "When the PCSO began working with the home: the before-and-after date "
            "for demand reduction.",
        )

    def _council_box(self) -> QComboBox:
        box = QComboBox()
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.addItems(["", *LOCAL_AUTHORITIES])
        typed = box.lineEdit()
        assert typed is not None
        typed.setMaxLength(100)
        box.editTextChanged.connect(self.mark_dirty)
        return box

    def _beds_box(self) -> QSpinBox:
        box = QSpinBox()
        box.setRange(NOT_RECORDED, 100)
        box.setSpecialValueText("Not recorded")
        box.setValue(NOT_RECORDED)
        return box

    def _pcso_box(self) -> QComboBox:
        box = QComboBox()
        box.addItem("No PCSO assigned", None)
        with self.context.db.session() as session:
            for user_id, name in officer_choices(session):
                box.addItem(name, user_id)
        return box

    def _load(self, home_id: int) -> None:
        with self.context.db.session() as session:
            home = session.get(CareHome, home_id)
            if home is None:
                return
            self.urn.setText(home.urn)
            self.name.setText(home.name)
            self.provider.setText(home.provider or "")
            self.council.setEditText(home.local_authority or "")
            self.postcode.setText(home.postcode or "")
            self.beds.setValue(NOT_RECORDED if home.beds is None else home.beds)
            self.pcso.setCurrentIndex(max(self.pcso.findData(home.pcso_id), 0))
            self.engagement.set_value(home.engagement_start, local_date(self.context.now()))

    def values(self) -> dict[str, Any]:
        """What the form says, as the fields of a CareHome."""
        beds = self.beds.value()
        return {
            "urn": text_of(self.urn),
            "name": text_of(self.name),
            "provider": text_of(self.provider),
            "local_authority": text_of(self.council),
            "postcode": text_of(self.postcode).upper(),
            "beds": None if beds == NOT_RECORDED else beds,
            "pcso_id": self.pcso.currentData(),
            "engagement_start": self.engagement.value(),
        }

    def work(self) -> Work:
        values = self.values()
        if self.home_id is None:
            return lambda records: records.create_home(**values)
        home_id = self.home_id
        return lambda records: records.update_home(home_id, **values)
