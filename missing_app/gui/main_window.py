"""The main window. For now a summary of the open database; the pages come next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from missing_app.config import APP_NAME
from missing_app.core.db import Database
from missing_app.core.models import CareHome, Child, MissingEpisode
from missing_app.core.times import utc_now


class Tile(QFrame):
    """A headline figure with its label."""

    def __init__(self, label: str, value: int, alert: bool = False) -> None:
        super().__init__()
        self.setObjectName("tile")
        layout = QVBoxLayout(self)
        self.value = QLabel(f"{value:,}")
        self.value.setObjectName("tileValue")
        self.value.setProperty("alert", alert and value > 0)
        self.label = QLabel(label)
        self.label.setObjectName("tileLabel")
        layout.addWidget(self.value)
        layout.addWidget(self.label)


def database_counts(db: Database, now: datetime) -> dict[str, int]:
    """The few figures the placeholder window shows."""
    since = now - timedelta(days=30)
    with db.session() as session:
        return {
            "Care homes": session.scalar(select(func.count(CareHome.id))) or 0,
            "Children": session.scalar(select(func.count(Child.id))) or 0,
            "Episodes": session.scalar(select(func.count(MissingEpisode.id))) or 0,
            "Episodes in the last 30 days": session.scalar(
                select(func.count(MissingEpisode.id)).where(
                    MissingEpisode.last_seen_at >= since, MissingEpisode.last_seen_at <= now
                )
            )
            or 0,
            "Missing now": session.scalar(
                select(func.count(MissingEpisode.id)).where(MissingEpisode.returned_at.is_(None))
            )
            or 0,
        }


class MainWindow(QMainWindow):
    def __init__(self, db: Database, now: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        self.db = db
        self.now = now
        self.setWindowTitle(APP_NAME)
        self.resize(960, 600)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(32, 28, 32, 28)
        title = QLabel(APP_NAME)
        title.setObjectName("title")
        subtitle = QLabel("Missing from care: the homes, the children, the returns, the figures.")
        subtitle.setObjectName("subtitle")
        layout.addWidget(title)
        layout.addWidget(subtitle)
        self.tiles = QGridLayout()
        self.tiles.setSpacing(16)
        layout.addSpacing(16)
        layout.addLayout(self.tiles)
        layout.addStretch(1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Database: {db.path or db.url}")
        self.refresh()

    def refresh(self) -> None:
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for index, (label, value) in enumerate(database_counts(self.db, self.now()).items()):
            tile = Tile(label, value, alert=label == "Missing now")
            self.tiles.addWidget(tile, index // 3, index % 3, Qt.AlignmentFlag.AlignTop)
