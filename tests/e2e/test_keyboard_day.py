"""A PCSO's morning from the keyboard alone, in the real application on a real X screen.

Signs in, records a child missing, their return, the safe-and-well check, the return
interview's offer and completion, a reporting assessment and a liaison meeting with one
action, then quits: every step a key chord or typed text (xdotool), never the mouse. The
records are then read back through the core. Needs Xvfb and xdotool (`.ci/run` installs
them); skipped with the reason where they are missing. Prints the keystrokes and seconds of
each task (`pytest tests/e2e -s`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from missing_app.core.models import (
    Action,
    LiaisonMeeting,
    MissingEpisode,
    ReportingAssessment,
    ReturnInterview,
)
from missing_app.core.security.signin import sign_in
from missing_app.core.times import local, utc_now
from tests.e2e.keyboard import Application, Keyboard, missing_tools, table, x_screen

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason=f"needs {' and '.join(missing_tools())} for a real X screen"
)

ADMIN, ADMIN_PASSWORD = "admin", "kettle orchard lamp"
PCSO, PASSWORD = "pcso.jones", "harbour violet pencil"
MAIN = "^Homeward$"


def homeward(database: Path, *args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "missing_app", "--db", str(database), *args],
        env={**os.environ, **env}, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """An encrypted database with a home, a child placed there (one old episode) and a user,
    made as an administrator would, with the command line."""
    episodes, placements = tmp_path / "episodes.csv", tmp_path / "placements.csv"
    episodes.write_text(
        "child_ref,first_name,last_name,dob,sex,home_urn,home_name,local_authority,"
        "last_seen_at,reported_at,returned_at\n"
        "C1001,Jamie,Hart,2010-04-02,M,SC100001,Oakview,Liverpool,"
        "2026-10-01 20:00,2026-10-01 21:00,2026-10-02 09:00\n"
    )
    placements.write_text("child_ref,home_urn,start,end\nC1001,SC100001,2025-01-10,\n")
    target = tmp_path / "homeward.sqlite"
    homeward(target, "import", "episodes", str(episodes), "--placements", str(placements))
    homeward(target, "--user", ADMIN, "encrypt", MISSING_APP_NEW_PASSWORD=ADMIN_PASSWORD)
    homeward(
        target, "--user", ADMIN, "users", "add", PCSO, "--role", "supervisor",
        "--display-name", "Sam Jones",
        MISSING_APP_PASSWORD=ADMIN_PASSWORD, MISSING_APP_NEW_PASSWORD=PASSWORD,
    )  # fmt: skip
    return target


@pytest.fixture
def screen() -> Iterator[str]:
    with x_screen() as display:
        yield display


def test_a_morning_s_work_from_the_keyboard_alone(database: Path, screen: str) -> None:
    app = Application(screen, database)
    app.start()
    keys = Keyboard(screen)
    try:
        morning(keys)
        keys.key("ctrl+q")
        assert app.stop() == 0, app.log_text()
    finally:
        if app.process is not None and app.process.poll() is None:
            app.process.kill()
    print("\n" + table(keys.timings))
    check_the_records(database)


def morning(keys: Keyboard) -> None:
    keys.wait_for("Sign in to Homeward")
    with keys.task("Sign in"):
        keys.key("shift+Tab")  # the user name (the computer's login name is offered)
        keys.type(PCSO)
        keys.key("Tab")
        keys.type(PASSWORD)
        keys.key("Return")
        keys.wait_for(MAIN)
    keys.focus(MAIN)
    with keys.task("Record missing"):
        keys.key("ctrl+n")
        keys.wait_for("Record a child missing")
        keys.type("Jam")  # a few letters of the name, then the suggestion
        keys.key("Down", "Return", "Tab")
        keys.type("yesterday 22:30")  # last seen
        keys.key("Tab", "Tab", "Tab")  # the home (from the placement), the type
        keys.type("Med")  # risk grade
        keys.key("Tab")
        keys.type("yesterday 23:00")  # reported to police
        keys.key("Tab")
        keys.type("0412-071226")
        keys.key("ctrl+s")
        keys.wait_for("Record a child missing", present=False)
    keys.focus(MAIN)
    with keys.task("Record return"):
        keys.key("ctrl+r")  # the one child missing is chosen
        keys.wait_for("Record a return")
        keys.key("Tab")
        keys.type("now")
        keys.key("Tab")
        keys.type("F")  # found by police
        keys.key("Tab")
        keys.type("Lime Street station")
        keys.key("ctrl+s")
        keys.wait_for("Record a return", present=False)
    keys.focus(MAIN)
    with keys.task("Safe-and-well check"):
        keys.key("ctrl+f", "Tab", "ctrl+Home", "Return")  # Today's first list, its first row
        keys.wait_for("Safe-and-well check")
        keys.type("now")
        keys.key("ctrl+s")
        keys.wait_for("Safe-and-well check", present=False)
    keys.focus(MAIN)
    with keys.task("Return interview offered"):
        keys.key("ctrl+f", "Tab", "ctrl+Home", "Return")
        keys.wait_for("Return home interview")
        keys.key("Tab", "Tab")  # offered now, by
        keys.type("A. Khan")
        keys.key("Tab")
        keys.type("Catch22")
        keys.key("ctrl+s")
        keys.wait_for("Return home interview", present=False)
    keys.focus(MAIN)
    with keys.task("Return interview completed"):
        keys.key("ctrl+f", "Tab", "ctrl+Home", "Return")
        keys.wait_for("Return home interview")
        keys.key("Down", "ctrl+s")  # completed, now
        keys.wait_for("Return home interview", present=False)
    keys.focus(MAIN)
    with keys.task("Reporting assessment"):
        keys.key("ctrl+f", "Tab")  # the navigation
        keys.type("H")  # Homes
        keys.key("ctrl+Home", "Return")  # the first home's page
        keys.key("ctrl+f", "shift+Tab")  # back from the search box: the home's episodes
        keys.key("alt+s")  # Assess reporting on the newest episode
        keys.wait_for("Reporting assessment")
        for answer in ("space", "space", "Right space", "space", "space", "space", "space"):
            keys.key("Tab", *answer.split())
        keys.key("ctrl+s")
        keys.wait_for("Reporting assessment", present=False)
    keys.focus(MAIN)
    with keys.task("Meeting with one action"):
        keys.key("alt+m")
        keys.wait_for("New liaison meeting")
        keys.key("alt+t")
        keys.type("Sam Jones PCSO, Lee Ward manager")
        keys.key("alt+n")
        keys.type("Weekend episodes.")
        keys.key("Tab")
        keys.type("Review the missing policy")
        keys.key("Tab")
        keys.type("Lee Ward")
        keys.key("Tab")
        keys.type(f"{local(utc_now() + timedelta(days=7)):%d/%m}")
        keys.key("ctrl+s")
        keys.wait_for("New liaison meeting", present=False)
    keys.focus(MAIN)


def check_the_records(database: Path) -> None:
    signed = sign_in(str(database), PCSO, lambda: PASSWORD)
    try:
        with signed.db.session() as session:
            episode = session.scalars(
                select(MissingEpisode).order_by(MissingEpisode.last_seen_at.desc())
            ).first()
            assert episode is not None and episode.police_ref == "0412-071226"
            assert f"{local(episode.last_seen_at):%H:%M}" == "22:30"
            assert episode.risk == "medium" and episode.found_location == "Lime Street station"
            assert episode.returned_at is not None and episode.safe_and_well_at is not None
            interview = session.scalars(
                select(ReturnInterview).where(ReturnInterview.episode_id == episode.id)
            ).one()
            assert interview.offered_by == "A. Khan" and interview.provider == "Catch22"
            assert interview.offered_at is not None and interview.completed_at is not None
            assessed = session.scalars(
                select(ReportingAssessment).where(ReportingAssessment.episode_id == episode.id)
            ).one()
            assert assessed.profile_current is False and assessed.police_ref_kept is True
            assert session.scalar(select(func.count()).select_from(LiaisonMeeting)) == 1
            action = session.scalars(select(Action)).one()
            assert action.description == "Review the missing policy"
            assert action.owner == "Lee Ward" and action.due_on is not None
    finally:
        signed.db.close()
