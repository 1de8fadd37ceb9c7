"""`make screenshots`: a PNG of every page on a demo database, for the README.

Run with QT_QPA_PLATFORM=offscreen (the Makefile does); each picture is the window as a
person sees it, the clock fixed at noon on the demo's last day so the pictures stay the same.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QWidget
from sqlalchemy import func, select

from missing_app.core.db import Database, open_database
from missing_app.core.demo import generate_demo
from missing_app.core.models import Child, MissingEpisode, Placement
from missing_app.core.times import local_midnight
from missing_app.gui.app import build_context, create_application
from missing_app.gui.main_window import MainWindow
from missing_app.gui.screenshots_safeguards import take_safeguards
from missing_app.gui.screenshots_signin import take_signin

AS_OF = date(2025, 11, 15)
SIZE = (1280, 800)


def _busiest(db: Database) -> tuple[int, int]:
    """The child with most episodes and the home with most, for their pages."""
    with db.session() as session:
        child = session.execute(
            select(MissingEpisode.child_id)
            .group_by(MissingEpisode.child_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
        home = session.execute(
            select(MissingEpisode.home_id)
            .group_by(MissingEpisode.home_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    return child, home


def _settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def _shoot(app: QApplication, widget: QWidget, target: Path) -> Path:
    _settle(app)
    if not widget.grab().save(str(target)):
        raise OSError(f"could not write {target}")
    print(target)
    return target


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    taken: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(str(Path(folder) / "homeward-demo.sqlite"))
        generate_demo(db, scale="small", seed=1, as_of=AS_OF)
        context = build_context(db, "pcso.demo")
        noon = local_midnight(AS_OF) + timedelta(hours=12)
        context.now = lambda: noon
        window = MainWindow(context)
        window.resize(*SIZE)
        window.show()
        child_id, home_id = _busiest(db)
        views: list[tuple[str, Callable[[], None]]] = [
            ("today", lambda: window.show_page("Today")),
            ("children", lambda: window.show_page("Children")),
            ("child", lambda: window.open_child(child_id)),
            ("episodes", lambda: window.show_page("Episodes")),
            ("homes", lambda: window.show_page("Homes")),
            ("home", lambda: window.open_home(home_id)),
            ("meetings", lambda: window.show_page("Meetings & actions")),
        ]
        for name, show in views:
            show()
            taken.append(_shoot(app, window, out / f"{name}.png"))
        taken.append(_form(app, window, out))
        taken.append(_insights(app, window, out))
        window.resize(*SIZE)
        taken.append(_reports(app, window, out, home_id))
        window.show_page("Settings")
        taken.append(_shoot(app, window, out / "settings.png"))
        taken.append(_data_quality(app, window, out))  # it changes a record
        # Last: these add records and accounts (the window's user becomes the administrator).
        taken.extend(take_safeguards(app, window, out, lambda shown, to: _shoot(app, shown, to)))
        taken.extend(take_signin(app, window, out, lambda shown, to: _shoot(app, shown, to)))
        context.worker.stop()
        window.close()
        db.close()
    return taken


def _wait_for(app: QApplication, ready: Callable[[], bool], seconds: float = 60) -> None:
    """Let the window work (its reads run off the GUI thread) until `ready()`."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not finish loading")
        app.processEvents()
        time.sleep(0.02)


def _insights(app: QApplication, window: MainWindow, out: Path) -> Path:
    """The Insights page for the last full month, tall enough to show its first charts."""
    window.resize(SIZE[0], 1500)
    window.show_page("Insights")
    page: Any = window.current_page()
    _wait_for(app, lambda: page.charts is not None and not page.reader.waiting)
    return _shoot(app, window, out / "insights.png")


def _reports(app: QApplication, window: MainWindow, out: Path, home_id: int) -> Path:
    """The Reports page: the busiest home's pack for the last whole month, a reason given."""
    window.show_page("Reports")
    page: Any = window.current_page()
    _wait_for(app, lambda: page.access is not None)
    index = next(
        i for i in range(page.home.count()) if getattr(page.home.itemData(i), "id", None) == home_id
    )
    page.home.setCurrentIndex(index)
    page.load()
    _wait_for(app, lambda: page.preview is not None and page.preview.choice.home is not None)
    page.why.setText(f"November liaison meeting, {page.preview.choice.home.name}")
    return _shoot(app, window, out / "reports.png")


def _data_quality(app: QApplication, window: MainWindow, out: Path) -> Path:
    """The Data quality page after a common slip: a missing child's placement ended while
    the episode is still open (the demo's own records pass every check)."""
    from missing_app.core.records import Records

    db = window.context.db
    with db.session() as session:
        episode = session.execute(
            select(MissingEpisode.child_id, MissingEpisode.home_id)
            .where(MissingEpisode.returned_at.is_(None))
            .order_by(MissingEpisode.last_seen_at.desc())
            .limit(1)
        ).one()
        placement_id = session.execute(
            select(Placement.id).where(
                Placement.child_id == episode.child_id,
                Placement.home_id == episode.home_id,
                Placement.end.is_(None),
            )
        ).scalar_one()
    Records(db, window.context.username, window.context.now).update_placement(
        placement_id, end=AS_OF
    )
    window.show_page("Data quality")
    page: Any = window.current_page()
    _wait_for(app, lambda: page.report is not None and not page.reader.waiting)
    return _shoot(app, window, out / "data_quality.png")


def _form(app: QApplication, window: MainWindow, out: Path) -> Path:
    from missing_app.gui.dialogs.episode import RecordMissingDialog

    with window.context.db.session() as session:
        # A child placed now and not missing: the form fills the home from the placement.
        child_id = session.execute(
            select(Child.id)
            .join(Placement, Placement.child_id == Child.id)
            .where(Placement.end.is_(None))
            .where(
                ~Child.id.in_(
                    select(MissingEpisode.child_id).where(MissingEpisode.returned_at.is_(None))
                )
            )
            .order_by(Child.dob.desc())
            .limit(1)
        ).scalar_one()
    dialog: QDialog = RecordMissingDialog(window.context, child_id=child_id, parent=window)
    dialog.show()
    target = _shoot(app, dialog, out / "record_missing.png")
    dialog.done(0)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("resources/screenshots"))
    take(parser.parse_args(argv).out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
