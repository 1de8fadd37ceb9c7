"""The wheel carries every package, the migrations and the resources."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "missing_app").rglob("__init__.py")
    }
    assert found | {"missing_app.resources"} == listed


def test_resources_and_migrations_are_reachable_from_the_package() -> None:
    assert "QMainWindow" in (resources.files("missing_app.resources") / "style.qss").read_text()
    versions = resources.files("missing_app.core.db") / "migrations" / "versions"
    assert any(entry.name.startswith("0001_") for entry in versions.iterdir())
