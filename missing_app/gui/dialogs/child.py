"""The child forms: the child's details, the Philomena profile (with the photo), a placement."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import LOCAL_AUTHORITIES, Child, ChildProfile, Placement
from missing_app.core.queries.areas import home_labels
from missing_app.core.queries.children import placing_authorities
from missing_app.core.times import local_date
from missing_app.gui.context import AppContext
from missing_app.gui.dialogs.form import FormDialog, Work
from missing_app.gui.widgets.fields import DateField, OptionalDateField
from missing_app.gui.widgets.photo import PhotoError, PhotoView, read_photo

SEX_CHOICES = (
    ("Not recorded", None),
    ("Male (M)", "M"),
    ("Female (F)", "F"),
    ("Not known or other (U)", "U"),
)
FLAG_HINT = "Merseyside records a child flagged for CSE or CCE who goes missing at high risk"
PHOTO_FILES = "Pictures (*.jpg *.jpeg *.png *.bmp *.gif *.webp);;All files (*)"


def _text(widget: QLineEdit | QPlainTextEdit | QComboBox) -> str:
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return widget.text()


def _set_text(widget: QLineEdit | QPlainTextEdit | QComboBox, value: str | None) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value or "")
    elif isinstance(widget, QComboBox):
        widget.setCurrentText(value or "")
    else:
        widget.setText(value or "")


class ChildDialog(FormDialog):
    """Create a child, or change a child's details."""

    entities = ("children",)
    TEXTS = (
        "local_ref",
        "first_name",
        "last_name",
        "ethnicity",
        "placing_authority",
        "legal_status",
        "social_worker",
    )

    def __init__(
        self, context: AppContext, child_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, "Edit child" if child_id else "New child", parent)
        self.child_id = child_id
        self.texts: dict[str, QLineEdit | QComboBox] = {}
        self._build()
        if child_id is not None:
            self._load(child_id)
        self.setMinimumWidth(460)
        self.dirty = False

    def _line(self, key: str, label: str, hint: str = "", length: int = 100) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(length)
        self.texts[key] = edit
        self.add_field(key, label, edit, hint)
        return edit

    def _build(self) -> None:
        self._line(
            "local_ref", "&Reference", "The council's reference for the child (SSDA903 CHILD)", 64
        )
        self._line("first_name", "&First name")
        self._line("last_name", "&Last name")
        self.dob = DateField()
        self.add_field("dob", "&Date of birth", self.dob)
        self.sex = QComboBox()
        for label, code in SEX_CHOICES:
            self.sex.addItem(label, code)
        self.add_field("sex", "&Sex", self.sex)
        self._line("ethnicity", "&Ethnicity code", "The SSDA903 code, e.g. WBRI", 8)
        self.council = QComboBox()
        self.council.setEditable(True)
        self.council.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        with self.context.db.session() as session:
            named = placing_authorities(session)
        self.council.addItems(sorted(set(LOCAL_AUTHORITIES) | set(named)))
        self.council.setCurrentText("")
        self.texts["placing_authority"] = self.council
        self.add_field(
            "placing_authority",
            "&Placing authority",
            self.council,
            "The council that placed the child: it must be told of every episode",
        )
        self._line("legal_status", "Le&gal status", "The SSDA903 code, e.g. C2 or V2", 8)
        self._line("social_worker", "Social &worker", length=200)
        self.cse = OptionalDateField("Flagged on")
        self.cce = OptionalDateField("Flagged on")
        for key, label, widget, hint in (
            ("cse_flagged_on", "CSE flag", self.cse, ""),
            ("cce_flagged_on", "CCE flag", self.cce, FLAG_HINT),
        ):
            widget.set_value(None, local_date(self.context.now()))
            self.add_field(key, label, widget, hint)

    def _load(self, child_id: int) -> None:
        with self.context.db.session() as session:
            child = session.get(Child, child_id)
        if child is None:
            self.show_problems([Problem("", "This child is no longer in the records.")])
            return
        for key, widget in self.texts.items():
            _set_text(widget, getattr(child, key))
        self.dob.set_value(child.dob)
        self.sex.setCurrentIndex(max(0, self.sex.findData(child.sex)))
        today = local_date(self.context.now())
        self.cse.set_value(child.cse_flagged_on, today)
        self.cce.set_value(child.cce_flagged_on, today)

    def values(self) -> dict[str, Any]:
        """What was typed, as the core's field names; unreadable input raises."""
        fields: dict[str, Any] = {key: _text(widget) for key, widget in self.texts.items()}
        fields["dob"] = self.dob.value()
        fields["sex"] = self.sex.currentData()
        fields["cse_flagged_on"] = self.cse.value()
        fields["cce_flagged_on"] = self.cce.value()
        return fields

    def work(self) -> Work:
        fields = self.values()
        child_id = self.child_id
        if child_id is None:
            ref, dob = fields.pop("local_ref"), fields.pop("dob")
            return lambda records: records.create_child(ref, dob, **fields)
        return lambda records: records.update_child(child_id, **fields)


class ProfileDialog(FormDialog):
    """The Philomena profile, part 1: kept current by the home, read when the child goes."""

    entities = ("child_profiles",)
    TEXTS = (
        ("description", "&Description", "Height, build, hair, eyes, marks, glasses"),
        ("associates", "&Associates", "Friends and the people they go to, with addresses"),
        ("places_frequented", "&Places frequented", "Addresses and places the child goes"),
        ("phones_and_social_media", "P&hones and social media", "Numbers, accounts, apps"),
        ("medical_needs", "&Medical needs", "Conditions and medication, with doses"),
    )

    def __init__(self, context: AppContext, child_id: int, parent: QWidget | None = None) -> None:
        super().__init__(context, "Edit profile", parent)
        self.child_id = child_id
        self.photo: bytes | None = None
        self.photo_changed = False
        self.texts: dict[str, QPlainTextEdit] = {}
        self._build()
        self._load()
        self.dirty = False

    def _build(self) -> None:
        self.add_field("photo", "Photo", self._photo_row())
        for key, label, hint in self.TEXTS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(hint)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
            self.texts[key] = edit
            self.add_field(key, label, edit)
        self.reviewed = OptionalDateField("Reviewed on")
        self.add_field(
            "reviewed_on",
            "&Last reviewed",
            self.reviewed,
            "Date the review once the home has checked every part (every 90 days)",
        )
        self.setMinimumWidth(560)

    def _photo_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.preview = PhotoView()
        buttons = QVBoxLayout()
        self.import_button = QPushButton("&Import photo…")
        self.import_button.clicked.connect(self.import_photo)
        self.remove_button = QPushButton("Remo&ve photo")
        self.remove_button.clicked.connect(self.remove_photo)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addWidget(self.preview)
        layout.addLayout(buttons)
        layout.addStretch(1)
        row.setFocusProxy(self.import_button)
        return row

    def _load(self) -> None:
        with self.context.db.session() as session:
            profile = session.get(ChildProfile, self.child_id)
            child = session.get(Child, self.child_id)
        if child is not None:
            self.setWindowTitle(f"Profile of {child.display_name}")
        today = local_date(self.context.now())
        if profile is None:
            self.reviewed.set_value(None, today)
            return
        for key, edit in self.texts.items():
            edit.setPlainText(getattr(profile, key) or "")
        self.photo = profile.photo
        self.preview.set_photo(profile.photo)
        self.remove_button.setEnabled(profile.photo is not None)
        self.reviewed.set_value(profile.reviewed_on, today)

    def import_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the child's photo", "", PHOTO_FILES)
        if not path:
            return
        try:
            data = read_photo(path)
        except PhotoError as exc:
            self.show_problems([Problem("photo", str(exc))])
            return
        self.clear_problems()
        self.set_photo(data)

    def remove_photo(self) -> None:
        self.set_photo(None)

    def set_photo(self, data: bytes | None) -> None:
        self.photo, self.photo_changed = data, True
        self.preview.set_photo(data)
        self.remove_button.setEnabled(data is not None)
        self.mark_dirty()

    def work(self) -> Work:
        changes: dict[str, Any] = {key: edit.toPlainText() for key, edit in self.texts.items()}
        changes["reviewed_on"] = self.reviewed.value()
        if self.photo_changed:
            changes["photo"] = self.photo
        child_id = self.child_id
        return lambda records: records.update_profile(child_id, **changes)


class PlacementDialog(FormDialog):
    """Where the child lives: a home from a start date, to an end date once they leave."""

    entities = ("placements",)

    def __init__(
        self,
        context: AppContext,
        child_id: int,
        placement_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Edit placement" if placement_id else "Add placement"
        super().__init__(context, title, parent)
        self.child_id = child_id
        self.placement_id = placement_id
        self._build()
        if placement_id is not None:
            self._load(placement_id)
        self.setMinimumWidth(440)
        self.dirty = False

    def _build(self) -> None:
        self.home = QComboBox()
        self.home.setEditable(True)
        self.home.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        with self.context.db.session() as session:
            for home_id, name in home_labels(session, actor=self.context.who):
                self.home.addItem(name, home_id)
        completer = self.home.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.home.setCurrentIndex(-1)
        self.home.lineEdit().setPlaceholderText("Type part of the home's name")
        self.add_field("home_id", "&Home", self.home)
        self.start = DateField()
        self.start.set_value(local_date(self.context.now()))
        self.add_field("start", "&From", self.start, "The first night at the home")
        self.end = OptionalDateField("Left on")
        self.end.set_value(None, local_date(self.context.now()))
        self.add_field(
            "end",
            "&Until",
            self.end,
            "Blank while the child lives there; else the day they left, after the last night",
        )

    def _load(self, placement_id: int) -> None:
        with self.context.db.session() as session:
            placement = session.get(Placement, placement_id)
        if placement is None:
            self.show_problems([Problem("", "This placement is no longer in the records.")])
            return
        self.home.setCurrentIndex(self.home.findData(placement.home_id))
        self.home.setEnabled(False)
        self.home.setToolTip(
            "To move the child to another home, end this placement and add a new one."
        )
        self.start.set_value(placement.start)
        self.end.set_value(placement.end, local_date(self.context.now()))

    def home_id(self) -> int:
        index = self.home.findText(self.home.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index < 0:
            raise ValidationError([Problem("home_id", "choose a home from the list")])
        return int(self.home.itemData(index))

    def work(self) -> Work:
        start, end = self.start.value(), self.end.value()
        placement_id, child_id = self.placement_id, self.child_id
        if placement_id is not None:
            return lambda records: records.update_placement(placement_id, start=start, end=end)
        home_id = self.home_id()
        return lambda records: records.add_placement(child_id, home_id, start, end)
