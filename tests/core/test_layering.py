"""The core never imports Qt or the GUI, and the window does not import pandas or matplotlib."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import missing_app.core


def core_modules() -> list[str]:
    prefix = missing_app.core.__name__ + "."
    return [
        m.name
        for m in pkgutil.walk_packages(missing_app.core.__path__, prefix)
        if ".migrations" not in m.name
    ]


def loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_modules_are_found() -> None:
    assert "missing_app.core.records" in core_modules()
    assert "missing_app.core.exchange.episodes_csv" in core_modules()


def test_core_never_imports_qt_or_the_gui() -> None:
    loaded = loaded_after_import(core_modules())
    assert not {name for name in loaded if name.startswith(("PySide6", "missing_app.gui"))}


def test_heavy_libraries_are_not_imported_to_open_the_window() -> None:
    loaded = loaded_after_import(
        ["missing_app.cli", "missing_app.gui.app", "missing_app.gui.main_window"]
    )
    assert "PySide6.QtWidgets" in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"pandas", "matplotlib"}}
