"""What every page is: a widget given the app context, refreshed when its tables change."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from missing_app.gui.context import AppContext
from missing_app.gui.widgets.record_text import ElidedLabel, WrappedLabel


class Page(QWidget):
    """A page of the main window. `entities` are the tables whose changes it shows."""

    title = ""
    entities: frozenset[str] = frozenset()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stale = False

    def refresh(self) -> None:
        """Read again from the database."""

    def page_layout(self, subtitle: str = "") -> QVBoxLayout:
        """The page's layout, opened as every page opens: its title, then what it shows."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        self.heading(self.title, layout, subtitle)
        return layout

    def heading(self, text: str, layout: QVBoxLayout, subtitle: str = "") -> QLabel:
        """The page's title on one line (a long name shortened, never widening the window),
        and the subtitle wrapped under it."""
        label = ElidedLabel(text)
        label.setObjectName("pageTitle")
        layout.addWidget(label)
        if subtitle:
            note = WrappedLabel(subtitle)
            note.setObjectName("pageSubtitle")
            layout.addWidget(note)
        return label


class ComingPage(Page):
    """A page that a later piece of work fills (Insights, Reports, Settings)."""

    def __init__(self, context: AppContext, title: str, what: str) -> None:
        super().__init__(context)
        self.title = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        self.heading(title, layout, what)
        layout.addStretch(1)
