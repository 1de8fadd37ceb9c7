"""`make screenshots`: PNGs of the window on a demo database, for the README.

Run with QT_QPA_PLATFORM=offscreen (the Makefile does); the pictures are what a person sees.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from missing_app.core.db import open_database
from missing_app.core.demo import generate_demo
from missing_app.core.times import local_midnight
from missing_app.gui.app import create_application
from missing_app.gui.main_window import MainWindow

AS_OF = date(2025, 11, 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("resources/screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(str(Path(folder) / "homeward-demo.sqlite"))
        generate_demo(db, scale="small", seed=1, as_of=AS_OF)
        window = MainWindow(db, now=lambda: local_midnight(AS_OF) + timedelta(hours=12))
        window.resize(1100, 640)
        window.statusBar().showMessage("Database: homeward-demo.sqlite (demo data)")
        window.show()
        app.processEvents()
        target = args.out / "main_window.png"
        if not window.grab().save(str(target)):
            print(f"could not write {target}", file=sys.stderr)
            return 1
        print(target)
        window.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
