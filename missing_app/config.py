"""Settings in one place: where the database lives, and the figures' thresholds and constants.

This module is a leaf: it imports nothing from the rest of Homeward, so both the core and
the window can read it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "Homeward"
DB_ENV = "MISSING_APP_DB"


def data_folder() -> Path:
    """The user's data folder for Homeward (created on first use)."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_database() -> str:
    """`MISSING_APP_DB` if set, else `homeward.sqlite` in the user's data folder."""
    return os.environ.get(DB_ENV) or str(data_folder() / "homeward.sqlite")


def demo_database() -> str:
    """The demo database, kept beside the real one so the two are never confused."""
    real = Path(default_database())
    if "://" in str(real):
        return str(data_folder() / "homeward-demo.sqlite")
    return str(real.with_name("homeward-demo.sqlite"))


@dataclass(frozen=True)
class SettingSpec:
    """A setting users may change, with its default and where the default comes from."""

    key: str
    label: str
    default: float
    unit: str
    minimum: float
    maximum: float
    integer: bool
    source: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "repeat_threshold",
        "Repeat threshold N (episodes)",
        3,
        "episodes",
        1,
        100,
        True,
        "Homeward's default: 3 or more episodes in 30 days marks a repeat child. Councils set "
        "their own trigger for a strategy meeting: use the one your placing councils use.",
    ),
    SettingSpec(
        "repeat_window_days",
        "Repeat window D",
        30,
        "days",
        1,
        366,
        True,
        "The days over which the repeat threshold counts episodes (Homeward's default: 30). "
        "Use your placing councils' own strategy-meeting trigger.",
    ),
    SettingSpec(
        "rhi_window_hours",
        "Return interview window",
        72,
        "hours",
        1,
        720,
        True,
        "Statutory guidance (DfE 2014): an RHI offered within 72 hours of the return.",
    ),
    SettingSpec(
        "unit_cost",
        "Unit cost of one missing-person investigation",
        2415.80,
        "£",
        0,
        1_000_000,
        False,
        "Shalev Greene & Pakes 2012, a medium-risk case at 2012 prices "
        "(the survey-based lower figure was £1,325.44).",
    ),
    SettingSpec(
        "demand_window_days",
        "Demand window W",
        365,
        "days",
        28,
        3660,
        True,
        "A year either side of the engagement start, so that every season is in both.",
    ),
)

# Safety settings: kept apart from the figures' settings above (the Settings page shows
# those); a supervisor changes them like any setting, and they are audited the same way.
SAFETY_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "signin_attempts",
        "Failed sign-ins before the account locks",
        5,
        "attempts",
        1,
        20,
        True,
        "Five wrong passwords in a row lock the account for a while, so that a lost "
        "laptop's password cannot be guessed at leisure.",
    ),
    SettingSpec(
        "signin_lock_minutes",
        "Lock after failed sign-ins",
        15,
        "minutes",
        1,
        1440,
        True,
        "Long enough to stop guessing, short enough for an officer who mistyped.",
    ),
    SettingSpec(
        "idle_lock_minutes",
        "Lock the window when idle",
        10,
        "minutes",
        1,
        240,
        True,
        "A laptop left open in a care home office: the window asks for the password again "
        "after this long without use, keeping any open forms.",
    ),
    SettingSpec(
        "retention_years",
        "Keep records after a child leaves care or turns 18",
        6,
        "years",
        1,
        100,
        True,
        "Retention follows the force's review schedule (DOMAIN.md); 6 years is the usual "
        "first review period of police records under the College of Policing's information "
        "management guidance (MoPI). Set it to the force's schedule.",
    ),
)

SETTINGS_BY_KEY = {spec.key: spec for spec in (*SETTINGS, *SAFETY_SETTINGS)}


def _main(argv: list[str]) -> int:
    """`python -m missing_app.config demo-path|db-path`: for the Makefile."""
    if argv == ["demo-path"]:
        print(demo_database())
    elif argv == ["db-path"]:
        print(default_database())
    else:
        print("usage: python -m missing_app.config demo-path|db-path", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
