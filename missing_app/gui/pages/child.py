"""A child's page: who they are, the Philomena profile, placements, every episode on a
timeline, where they were found, and what their return interviews said over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from missing_app.core.errors import NotFound
from missing_app.core.models import Child
from missing_app.core.queries.children import (
    ChildDetails,
    EpisodeRow,
    RhiThemes,
    child_details,
)
from missing_app.core.security.access import Permission
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.times import age_on, local, local_date
from missing_app.gui.context import AppContext
from missing_app.gui.format import day, risk, span, words
from missing_app.gui.pages.base import Page
from missing_app.gui.roles import audit_view
from missing_app.gui.widgets.photo import PhotoView
from missing_app.gui.widgets.record_text import WrappedLabel
from missing_app.gui.widgets.tables import RowsTable, table_item
from missing_app.gui.widgets.timeline import Band, EpisodeTimeline, Mark, risk_colour

DAY_MAX = date.max
REVIEW_DAYS = 90  # a Philomena profile is reviewed at least this often
ALERT, AMBER, QUIET = "#b42318", "#9a5b00", "#4a5568"
NOTE_STYLES = {
    "red": "background: #fdecea; color: #9b1c13; border: 1px solid #f1b0a8;",
    "amber": "background: #fff4e0; color: #8a5300; border: 1px solid #f0c36d;",
    "ok": "color: #2f6b3a;",
}
PROFILE_FIELDS = (
    ("description", "Description"),
    ("associates", "Associates"),
    ("places_frequented", "Places frequented"),
    ("phones_and_social_media", "Phones and social media"),
    ("medical_needs", "Medical needs"),
)
EPISODE_HEADINGS = ("Last seen", "Returned", "Away", "Type", "Risk", "Home", "Police ref",
                    "Safe and well", "Return interview")  # fmt: skip
SEX_WORDS = {"M": "male", "F": "female", "U": "not known"}
KINDS = {"push": "Push", "pull": "Pull", "exploitation": "Exploitation"}
PERIOD_WIDTH = 44


def review_note(reviewed_on: date | None, today: date, has_profile: bool = True) -> tuple[str, str]:
    """What to say about the profile's last review, and how loudly ('ok', 'amber', 'red')."""
    if not has_profile:
        return "No profile recorded: add one with Edit profile", "red"
    if reviewed_on is None:
        return "Never reviewed: check it with the home", "red"
    days = (today - reviewed_on).days
    if days < 0:
        return f"Last reviewed {day(reviewed_on)}: a date still to come, check it", "amber"
    when = f"Last reviewed {day(reviewed_on)} ({days} days ago)"
    if days > 2 * REVIEW_DAYS:
        return f"{when}: overdue, review it with the home", "red"
    if days > REVIEW_DAYS:
        return f"{when}: due for review (every {REVIEW_DAYS} days)", "amber"
    return when, "ok"


def period_heading(period: str) -> str:
    """'2025 Q3' as 'Q3' over '2025'; '2025-11' as 'Nov' over '2025'."""
    year, _, part = period.replace("-", " ").partition(" ")
    if part.isdigit():
        part = date(int(year), int(part), 1).strftime("%b")
    return f"{part}\n{year}"


def compact(moment: datetime | None) -> str:
    """A table cell's time: `14/11/25 19:23`."""
    return "" if moment is None else f"{local(moment):%d/%m/%y %H:%M}"


def short(moment: datetime | None) -> str:
    return "" if moment is None else f"{local(moment):%d/%m/%Y %H:%M}"


class ChildPage(Page):
    title = "Child"
    entities = frozenset(
        {
            "children",
            "child_profiles",
            "placements",
            "care_homes",
            "missing_episodes",
            "return_interviews",
        }
    )

    def __init__(self, context: AppContext, child_id: int) -> None:
        super().__init__(context)
        self.child_id = child_id
        self.details: ChildDetails | None = None
        self.dialog: QDialog | None = None
        self.selected_episode: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 8)
        self.name_label = self.heading("", outer)
        self.facts = WrappedLabel()
        self.facts.setObjectName("pageSubtitle")
        self.flags = QLabel()
        self.flags.setStyleSheet(f"color: {ALERT}; font-weight: 600;")
        self.missing_banner = WrappedLabel()
        self.missing_banner.setObjectName("formBanner")
        for widget in (self.facts, self.flags, self.missing_banner):
            outer.addWidget(widget)
        outer.addLayout(self._buttons())
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._body())
        outer.addWidget(self.scroll, 1)
        self.refresh()
        if self.details is not None:
            audit_view(context, "children", child_id)

    # Building ---------------------------------------------------------------------------

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.record_missing_button = QPushButton("Record &missing…")
        self.record_return_button = QPushButton("Record &return…")
        self.edit_child_button = QPushButton("Edit &child…")
        self.edit_profile_button = QPushButton("Edit &profile…")
        self.add_placement_button = QPushButton("Add p&lacement…")
        actions = (
            (self.record_missing_button, self.record_missing),
            (self.record_return_button, self.record_return),
            (self.edit_child_button, self.edit_child),
            (self.edit_profile_button, self.edit_profile),
            (self.add_placement_button, self.add_placement),
        )
        for button, action in actions:
            button.clicked.connect(action)
            row.addWidget(button)
        row.addStretch(1)
        return row

    @staticmethod
    def _section(text: str, layout: QVBoxLayout) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        layout.addWidget(label)
        return label

    def _body(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 8, 8)
        top = QHBoxLayout()
        top.addLayout(self._profile_box(), 3)
        top.addSpacing(16)
        top.addLayout(self._side_box(), 2)
        layout.addLayout(top)
        self.episodes_title = self._section("Episodes", layout)
        self.timeline = EpisodeTimeline()
        self.timeline.episode_clicked.connect(self.select_episode)
        layout.addWidget(self.timeline)
        self.episode_table = RowsTable(EPISODE_HEADINGS, stretch=EPISODE_HEADINGS.index("Home"))
        self.episode_table.itemSelectionChanged.connect(self._episode_chosen)
        self.episode_table.opened.connect(self._episode_opened)
        self.episode_table.setToolTip(
            "Enter or double-click: record the return, the safe-and-well check or the "
            "return interview"
        )
        layout.addWidget(self.episode_table)
        self.themes_title = self._section("Return interview themes", layout)
        self.themes_note = QLabel()
        self.themes_note.setObjectName("pageSubtitle")
        self.themes_note.setWordWrap(True)
        layout.addWidget(self.themes_note)
        self.themes_table = RowsTable(["Kind", "Theme"])
        self.themes_table.horizontalHeader().setMinimumSectionSize(40)
        layout.addWidget(self.themes_table)
        layout.addStretch(1)
        return body

    def _profile_box(self) -> QVBoxLayout:
        box = QVBoxLayout()
        self._section("Profile (Philomena part 1)", box)
        self.review = QLabel()
        self.review.setWordWrap(True)
        box.addWidget(self.review)
        row = QHBoxLayout()
        self.photo = PhotoView()
        row.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(6)
        self.profile_values: dict[str, QLabel] = {}
        for number, (key, caption) in enumerate(PROFILE_FIELDS):
            name = QLabel(caption)
            name.setStyleSheet(f"color: {QUIET}; font-weight: 600;")
            value = WrappedLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, number, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, number, 1, Qt.AlignmentFlag.AlignTop)
            self.profile_values[key] = value
        row.addLayout(grid, 1)
        box.addLayout(row)
        box.addStretch(1)
        return box

    def _side_box(self) -> QVBoxLayout:
        box = QVBoxLayout()
        self._section("Placements", box)
        self.placement_table = RowsTable(["Home", "From", "Until"], stretch=0)
        self.placement_table.setToolTip("Enter or double-click to change a placement's dates")
        self.placement_table.opened.connect(self.edit_placement)
        box.addWidget(self.placement_table)
        self.found_title = self._section("Where found", box)
        self.found_table = RowsTable(["Place", "Times"], stretch=0)
        box.addWidget(self.found_table)
        box.addStretch(1)
        return box

    # Reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            with self.context.db.session() as session:
                details = child_details(session, self.child_id, actor=self.context.who)
        except (NotFound, PermissionDenied) as exc:
            self._not_shown(exc)
            return
        self.details = details
        self.title = self._name(details.child)
        self._show_child(details)
        self._show_profile(details)
        self._show_placements(details)
        self._show_episodes(details.episodes)
        self._show_found(details)
        self._show_themes(details.themes)
        if self.selected_episode is not None:
            self.select_episode(self.selected_episode)

    def _not_shown(self, error: Exception) -> None:
        """A child gone from the records, or not the user's to see."""
        self.details = None
        gone = isinstance(error, NotFound)
        self.name_label.setText("Child not found" if gone else "Not one of your children")
        self.facts.setText("This child is no longer in the records." if gone else str(error))
        for part in (self.scroll, self.flags, self.missing_banner):
            part.hide()
        for button in self.findChildren(QPushButton):
            button.setEnabled(False)

    def _name(self, child: Child) -> str:
        """The child's name, or only their reference for those who may not see names."""
        return child.display_name if self.context.names_visible else f"Child {child.local_ref}"

    def today(self) -> date:
        return local_date(self.context.now())

    def _show_child(self, details: ChildDetails) -> None:
        child, today = details.child, self.today()
        self.name_label.setText(self._name(child))
        age = age_on(child.dob, today)
        parts = [f"Ref {child.local_ref}", f"{age} years old (born {day(child.dob)})"]
        current = [p for p in details.placements if p.start <= today and (p.end or DAY_MAX) > today]
        if current:
            parts.append(f"lives at {current[-1].home} since {day(current[-1].start)}")
        else:
            parts.append("no current placement")
        parts.append(f"placed by {child.placing_authority or 'an unknown council'}")
        more = {
            "sex": SEX_WORDS.get(child.sex or ""),
            "ethnicity": child.ethnicity,
            "legal status": child.legal_status,
            "social worker": child.social_worker,
        }
        parts += [f"{text} {value}" for text, value in more.items() if value]
        self.facts.setText(" · ".join(parts))
        self.flags.setText(self._flag_text(child, today))
        self.flags.setVisible(bool(self.flags.text()))
        self._show_missing(details.episodes)

    @staticmethod
    def _flag_text(child: Child, today: date) -> str:
        flags = []
        for label, since in (("CSE", child.cse_flagged_on), ("CCE", child.cce_flagged_on)):
            if since is not None and since <= today:
                flags.append(f"{label} flag since {day(since)}")
        return "⚑ " + "; ".join(flags) + ": record missing at high risk" if flags else ""

    def _show_missing(self, episodes: Sequence[EpisodeRow]) -> None:
        open_episode = next((e for e in episodes if e.returned_at is None), None)
        self.record_return_button.setEnabled(open_episode is not None)
        self.record_missing_button.setEnabled(open_episode is None)
        self.missing_banner.setVisible(open_episode is not None)
        if open_episode is not None:
            gone = span(self.context.now() - open_episode.last_seen_at)
            grade = risk(open_episode.risk) or "not graded"
            self.missing_banner.setText(
                f"Missing now: last seen {short(open_episode.last_seen_at)} ({gone} ago) from "
                f"{open_episode.home}; risk {grade.lower()}; police ref "
                f"{open_episode.police_ref or 'not recorded'}"
            )

    def _show_profile(self, details: ChildDetails) -> None:
        profile = details.profile
        text, level = review_note(
            None if profile is None else profile.reviewed_on, self.today(), profile is not None
        )
        self.review.setText(("⚠ " if level != "ok" else "") + text)
        self.review.setProperty("level", level)
        self.review.setStyleSheet(f"QLabel {{ {NOTE_STYLES[level]} padding: 4px 6px; }}")
        shown = profile is not None and self.context.names_visible  # a photo names them too
        self.photo.set_photo(profile.photo if shown and profile is not None else None)
        for key, label in self.profile_values.items():
            value = None if profile is None else getattr(profile, key)
            label.setText(value or "Not recorded")
            label.setStyleSheet("" if value else f"color: {QUIET}; font-style: italic;")

    def _show_placements(self, details: ChildDetails) -> None:
        rows = [
            [
                table_item(p.home, p.id),
                table_item(day(p.start)),
                table_item(day(p.end) if p.end else "now"),
            ]
            for p in reversed(details.placements)
        ]
        self.placement_table.fill(rows)

    def _show_found(self, details: ChildDetails) -> None:
        rows = [[table_item(place.place), table_item(str(place.times))] for place in details.found]
        self.found_table.fill(rows)
        total = sum(place.times for place in details.found)
        returned = sum(1 for episode in details.episodes if episode.returned_at is not None)
        counted = f" ({total} of {returned} returns)" if returned else ""
        self.found_title.setText(f"Where found{counted}")

    def _show_episodes(self, episodes: Sequence[EpisodeRow]) -> None:
        window = self.context.settings().get("rhi_window_hours", 72)
        rows = [self._episode_items(episode, window) for episode in episodes]
        self.episode_table.fill(rows)
        recent = sum(1 for e in episodes if 0 <= (self.context.now() - e.last_seen_at).days < 90)
        self.episodes_title.setText(f"Episodes ({len(episodes)}; {recent} in the last 90 days)")
        placements = self.details.placements if self.details is not None else ()
        bands = [Band(p.start, p.end, p.home) for p in placements]
        marks = [Mark(e.id, e.last_seen_at, e.returned_at, e.risk, self._tip(e)) for e in episodes]
        self.timeline.set_data(bands, marks, self.context.now())

    def _episode_items(self, episode: EpisodeRow, window: float) -> list[QTableWidgetItem]:
        now = self.context.now()
        away = episode.duration
        status = episode.rhi_status(now, window)
        status_colour = (
            ALERT if "overdue" in status.lower() else AMBER if "late" in status else None
        )
        returned = table_item(compact(episode.returned_at))
        if away is None:
            returned = table_item("Missing now", colour=ALERT)
            returned.setFont(QFont(returned.font().family(), -1, QFont.Weight.Bold))
        home = table_item(episode.home)
        home.setToolTip(episode.home)
        return [
            table_item(compact(episode.last_seen_at), episode.id),
            returned,
            table_item(
                span(now - episode.last_seen_at) + " so far" if away is None else span(away)
            ),
            table_item(words(episode.type)),
            table_item(risk(episode.risk) or "Not graded", colour=risk_colour(episode.risk)),
            home,
            table_item(episode.police_ref or ""),
            table_item(compact(episode.safe_and_well_at)),
            table_item(status, colour=status_colour),
        ]

    @staticmethod
    def _tip(episode: EpisodeRow) -> str:
        away = "still missing" if episode.duration is None else f"away {span(episode.duration)}"
        grade = risk(episode.risk) or "not graded"
        return f"Last seen {short(episode.last_seen_at)}, {away}; {grade}"

    def _show_themes(self, themes: RhiThemes) -> None:
        table = self.themes_table
        headings = ["Kind", "Theme", *map(period_heading, themes.periods), "Total"]
        table.setColumnCount(len(headings))
        table.setHorizontalHeaderLabels(headings)
        table.setVisible(bool(themes.rows))
        most = max((max(row.counts) for row in themes.rows), default=1)
        rows = []
        for row in themes.rows:
            cells = [table_item(KINDS.get(row.kind, row.kind)), table_item(words(row.code))]
            cells += [self._counttable_item(count, most) for count in row.counts]
            total = table_item(str(row.total))
            total.setFont(QFont(total.font().family(), -1, QFont.Weight.DemiBold))
            rows.append([*cells, total])
        table.fill(rows, most=len(rows))
        for column in range(2, 2 + len(themes.periods)):
            table.setColumnWidth(column, PERIOD_WIDTH)
        table.fit_height()
        by = "quarter" if themes.period == "quarter" else "month"
        self.themes_note.setText(
            f"From {themes.interviews} completed return interviews, by the {by} each was done."
            if themes.rows
            else "No completed return interview has recorded push or pull factors or "
            "exploitation signs yet."
        )

    @staticmethod
    def _counttable_item(count: int, most: int) -> QTableWidgetItem:
        item = table_item(str(count) if count else "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        if count:
            strength = count / most
            item.setBackground(QColor(47, 111, 176, int(30 + 150 * strength)))
            if strength > 0.6:
                item.setForeground(QColor("white"))
        return item

    # Episodes ---------------------------------------------------------------------------

    def select_episode(self, episode_id: int) -> None:
        """Select the episode in the list and on the timeline, and bring it into view."""
        self.selected_episode = episode_id
        table = self.episode_table
        for row in range(table.rowCount()):
            if table.key(row) == episode_id:
                if table.currentRow() != row:
                    table.selectRow(row)
                table.scrollToItem(table.item(row, 0))
                QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(table, 0, 60))
                break
        self.timeline.select(episode_id)

    def _episode_chosen(self) -> None:
        row = self.episode_table.currentRow()
        key = self.episode_table.key(row) if row >= 0 else None
        if isinstance(key, int):
            self.selected_episode = key
            self.timeline.select(key)

    def _episode_opened(self, row: int) -> None:
        """The episode's next step: its return, the safe-and-well check, or the interview."""
        key = self.episode_table.key(row)
        episodes = self.details.episodes if self.details is not None else ()
        chosen = next((e for e in episodes if e.id == key), None)
        if chosen is None:
            return
        if chosen.returned_at is None:
            self.record_return()
            return
        from missing_app.gui.dialogs.episode import SafeAndWellDialog
        from missing_app.gui.dialogs.interview import ReturnInterviewDialog

        if chosen.safe_and_well_at is None:
            self._open(SafeAndWellDialog(self.context, chosen.id, parent=self))
        else:
            self._open(ReturnInterviewDialog(self.context, chosen.id, parent=self))

    # Buttons ----------------------------------------------------------------------------

    def record_missing(self) -> None:
        if self.context.navigator is not None:
            self.context.navigator.record_missing(self.child_id)

    def record_return(self) -> None:
        episodes = self.details.episodes if self.details is not None else ()
        open_episode = next((e for e in episodes if e.returned_at is None), None)
        if open_episode is not None and self.context.navigator is not None:
            self.context.navigator.record_return(open_episode.id)

    def _open(self, dialog: QDialog) -> None:
        if not self.context.may(Permission.WRITE):  # the forms change records
            dialog.deleteLater()
            return
        self.dialog = dialog
        dialog.open()

    def edit_child(self) -> None:
        from missing_app.gui.dialogs.child import ChildDialog

        self._open(ChildDialog(self.context, self.child_id, parent=self))

    def edit_profile(self) -> None:
        from missing_app.gui.dialogs.child import ProfileDialog

        self._open(ProfileDialog(self.context, self.child_id, parent=self))

    def add_placement(self) -> None:
        from missing_app.gui.dialogs.child import PlacementDialog

        self._open(PlacementDialog(self.context, self.child_id, parent=self))

    def edit_placement(self, row: int) -> None:
        from missing_app.gui.dialogs.child import PlacementDialog

        placement_id = self.placement_table.key(row)
        if isinstance(placement_id, int):
            self._open(PlacementDialog(self.context, self.child_id, placement_id, parent=self))
