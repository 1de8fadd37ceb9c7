"""Help: the keyboard shortcuts and the first steps, written once.

The Help window (F1, Account › Help) shows both; Today shows the first steps on an empty
database, and the empty lists point to them. Change the words here and every place follows.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from missing_app.config import APP_NAME

# (keys, what they do), in the order a new user needs them.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+F", "find a child by name, reference or police reference"),
    ("Ctrl+N", "record a child missing"),
    ("Ctrl+R", "record a return"),
    ("Enter", "open the row chosen in a list"),
    ("Tab, Shift+Tab", "move between the navigation, the filters and the lists"),
    ("Ctrl+Home, Ctrl+End", "go to the first or last row of the page's list"),
    ("Ctrl+S", "save the form in view"),
    ("Esc", "close a form (it asks first if something is unsaved)"),
    ("Ctrl+D", "mark the chosen action done (Meetings & actions)"),
    ("F5", "read the figures again (Insights, Reports)"),
    ("Ctrl+L", "lock the window now (when you signed in with a password)"),
    ("Alt+A", "the Account menu: lock, sign out, help, quit"),
    ("F1", "this help"),
    ("Ctrl+Q", "quit Homeward"),
)

# What to do first on an empty database: (step, how).
FIRST_STEPS: tuple[tuple[str, str], ...] = (
    ("Add your homes", "Homes › New home… (each with its Ofsted URN), or import them with "
     "missing-app import episodes FILE.csv --homes HOMES.csv."),
    ("Add the children placed there", "Children › New child…, with the home they live at."),
    ("Record each episode", "Ctrl+N when a child goes missing, Ctrl+R when they return; "
     "Today then counts down to the return interview's offer."),
    ("Look around first, if you like", "Look around on demo data opens a separate demo "
     "database in its own window; your own database is not touched."),
)  # fmt: skip

EMPTY_HOMES = "No homes yet: add one with New home, or import them (Help, F1, says how)."
EMPTY_EPISODES = "No episodes yet: record one with Ctrl+N, or import them (Help, F1, says how)."


def first_steps_html() -> str:
    items = "".join(f"<li><b>{escape(step)}</b>: {escape(how)}</li>" for step, how in FIRST_STEPS)
    return f"<ol>{items}</ol>"


def help_html() -> str:
    rows = "".join(
        f"<tr><td><b>{escape(keys)}</b>&nbsp;&nbsp;</td><td>{escape(what)}</td></tr>"
        for keys, what in SHORTCUTS
    )
    return (
        f"<h2>First steps</h2>{first_steps_html()}"
        f"<h2>Keyboard shortcuts</h2><table cellpadding='2'>{rows}</table>"
    )


class HelpWindow(QDialog):
    """The keyboard shortcuts and the first steps, beside the window (not in its way)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} help")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.text = QTextBrowser()
        self.text.setHtml(help_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 560)
