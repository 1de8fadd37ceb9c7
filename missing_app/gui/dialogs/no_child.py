"""Recording a child missing when there is no child to choose: say why, and offer the way
forward (add the child here, or have the records imported) instead of an empty picker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from sqlalchemy import select

from missing_app.core.models import Child
from missing_app.core.security.access import restrict_to_children
from missing_app.gui.context import AppContext

NO_CHILD_YET = (
    "No child has been recorded yet, so there is no one to choose. Add the child first, or "
    "have a supervisor import your records (missing-app import 903)."
)
NONE_OF_YOURS = (
    "None of the children recorded is placed at one of your homes, so there is no one to "
    "choose. Add the child, or ask a supervisor to record the child's placement."
)


def why_no_child(context: AppContext) -> str | None:
    """Why the user has no child to choose from, or None when they have one."""
    with context.db.session() as session:
        mine = restrict_to_children(select(Child.id).limit(1), Child.id, context.who)
        if session.scalar(mine) is not None:
            return None
        anyone = session.scalar(select(Child.id).limit(1))
    return NO_CHILD_YET if anyone is None else NONE_OF_YOURS


class NoChildYet(QWidget):
    """The reason, and a button that adds a child."""

    def __init__(self, reason: str, add_child: Callable[[], None]) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.reason = QLabel(reason)
        self.reason.setObjectName("formBanner")
        self.reason.setWordWrap(True)
        self.add_button = QPushButton("Add a &child…")
        self.add_button.clicked.connect(add_child)
        layout.addWidget(self.reason, 1)
        layout.addWidget(self.add_button)
