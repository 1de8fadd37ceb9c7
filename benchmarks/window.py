"""The window at force scale: time to first paint, and the episodes table at a million rows."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Result, best_of, stage

PAINT_PROBE = r"""
import sys, time, json
started = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
bare = sys.argv[2] == "bare"
if bare:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
else:
    from missing_app.core.db import open_database
    from missing_app.gui.app import build_context, create_application
    from missing_app.gui.main_window import MainWindow
    app = create_application()
    window = MainWindow(build_context(open_database(sys.argv[3]), "bench"))

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(json.dumps({"seconds": time.time() - started}), flush=True)
            QTimer.singleShot(0, app.quit)
            watched.removeEventFilter(self)
        return False

probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def _first_paint(database: Path | None) -> float:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    arguments = ["bare"] if database is None else ["window", str(database)]
    output = subprocess.run(
        [sys.executable, "-c", PAINT_PROBE, str(time.time()), *arguments],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    return float(json.loads(output.strip().splitlines()[-1])["seconds"])


def _table_open_and_jump(database: Path) -> tuple[float, float, int]:
    from PySide6.QtWidgets import QTableView

    from missing_app.core.db import open_database
    from missing_app.gui.app import build_context, create_application
    from missing_app.gui.pages.episodes import EpisodesPage

    app = create_application()
    context = build_context(open_database(str(database)), "bench")
    started = time.perf_counter()
    page = EpisodesPage(context)
    page.resize(1200, 700)
    page.show()
    app.processEvents()
    opened = time.perf_counter() - started
    view = page.findChild(QTableView)
    rows = view.model().rowCount()
    started = time.perf_counter()
    page.jump_to_last()
    app.processEvents()
    jumped = time.perf_counter() - started
    sorts = _sorts(view, app)
    context.worker.stop()
    return opened, jumped, rows, sorts


def _sorts(view: Any, app: Any) -> dict[str, float]:
    """Each column's heading clicked (ascending, then descending), to the first and last rows
    read: the slower of the two, per column."""
    from PySide6.QtCore import Qt

    model = view.model()
    seconds: dict[str, float] = {}
    for column in range(model.columnCount()):
        title = model.headerData(column, Qt.Orientation.Horizontal)
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            started = time.perf_counter()
            view.sortByColumn(column, order)
            app.processEvents()
            model.data(model.index(model.rowCount() // 2, column))
            model.data(model.index(model.rowCount() - 1, column))
            took = time.perf_counter() - started
            seconds[title] = max(seconds.get(title, 0.0), took)
    return seconds


def _raw_sql(database: Path) -> float:
    """The same work by hand: count the episodes and read the last 200 of them."""
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    total = connection.execute("SELECT COUNT(*) FROM missing_episodes").fetchone()[0]
    connection.execute(
        "SELECT e.id, e.last_seen_at, c.first_name, c.local_ref, h.name, e.type, e.risk, "
        "e.returned_at, e.police_ref FROM missing_episodes e JOIN children c ON c.id = e.child_id "
        "JOIN care_homes h ON h.id = e.home_id ORDER BY e.last_seen_at DESC, e.id DESC LIMIT 200"
    ).fetchall()
    connection.close()
    assert total > 0
    return time.perf_counter() - started


def run(force: Path, demo: Path) -> list[Result]:
    with stage("first paint of the window (best of 3)"):
        bare = best_of(3, lambda: _first_paint(None))
        small = best_of(3, lambda: _first_paint(demo))
        large = best_of(3, lambda: _first_paint(force))
    with stage("the episodes table at force scale"):
        opened, jumped, rows, sorts = _table_open_and_jump(force)
        raw = best_of(3, lambda: _raw_sql(force))
    return [
        Result("first paint: main window, demo database", small, "a bare QMainWindow", bare),
        Result("first paint: main window, force database", large, "a bare QMainWindow", bare),
        Result(
            f"episodes table: open on {rows:,} rows",
            opened,
            "COUNT(*) + last 200 by SQL",
            raw,
            note="target well under 1 s",
        ),
        Result(
            f"episodes table: jump to row {rows:,}",
            jumped,
            "COUNT(*) + last 200 by SQL",
            raw,
            note="target: at once",
        ),
        *(
            Result(
                f"episodes table: sort by {title}",
                seconds,
                "COUNT(*) + last 200 by SQL",
                raw,
                note="top, middle and last rows; was 2-8 s",
            )
            for title, seconds in sorts.items()
        ),
    ]
