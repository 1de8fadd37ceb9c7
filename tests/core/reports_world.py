"""A small world for the monthly pack's tests, worked out by hand (times are London time).

Oak House (SC100001, 4 beds, engaged 15 Jan 2025) and Elm Lodge (SC100002, 2 beds).
Amelia Thornbury (REF-AMELIA-7731) and Bartholomew Quince (REF-BART-4402) live at Oak,
Cordelia Fenwick (REF-CORD-9915) at Elm.

  Amelia  Oak  Sat 05 Oct 2024 20:00 -> 23:00                     (a year before)
  Bart    Oak  Sat 20 Sep 2025 15:00 -> 17:00                     (the month before)
  Amelia  Oak  Sun 28 Sep 2025 19:00 -> Mon 29 Sep 01:00  MP-1
  Amelia  Oak  Thu 02 Oct 2025 20:00 -> Fri 03 Oct 01:00  MP-2, reported 20:30,
               safe and well 03 Oct 09:00, RHI offered 04 Oct 10:00, completed 05 Oct 10:00
  Bart    Oak  Sun 05 Oct 2025 15:00 -> 18:00              MP-3, reported 15:20
  Amelia  Oak  Fri 10 Oct 2025 21:00 -> Sat 11 Oct 09:00   reported 21:45: her third
               in 30 days (28 Sep, 2 Oct, 10 Oct): she crosses the repeat threshold
  Cordelia Elm Sun 12 Oct 2025 23:00, still missing        MP-4
  Amelia  Oak  Mon 20 Oct 2025 22:00 -> Tue 21 Oct 03:00

October 2025, every home: 5 episodes, 3 children, 1 repeat child, 1 over the threshold,
1 still away at the end. Oak alone: 4 episodes, 2 children, 1 repeat child, 1 over.

Meetings with Oak: 10 Sep 2025 (one action, still open), 8 Oct 2025 (three actions: one
open and overdue by the end of October, one done on 3 Nov, one done on 14 Oct), and
12 Nov 2025 (after the month: the meeting the October pack is for).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from missing_app.core.db import Database, open_database
from missing_app.core.demo import generate_demo
from missing_app.core.records import NewAction, Records
from missing_app.core.reports.month import Month
from missing_app.core.times import parse_datetime

OCTOBER = Month(2025, 10)
NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)  # as tests/conftest.py
NAMES = ("Amelia", "Thornbury", "Bartholomew", "Quince", "Cordelia", "Fenwick")
REFS = ("REF-AMELIA-7731", "REF-BART-4402", "REF-CORD-9915")
POLICE_REFS = ("MP-1", "MP-2", "MP-3", "MP-4")
OPEN_ACTION = "Refresh the profiles of every child"
DONE_LATER = "Share the missing-from-care policy with new staff"
DONE_IN_MONTH = "Agree the curfew plan"
OLDER_ACTION = "Check the night staff rota"


def at(text: str) -> datetime:
    return parse_datetime(text)


def episode(
    records: Records, child: int, home: int, seen: str, back: str | None = None, **fields: Any
) -> int:
    saved = records.record_missing(child, at(seen), home_id=home, **fields).record
    if back is not None:
        records.record_return(saved.id, at(back))
    return saved.id


def build_world(records: Records) -> dict[str, int]:
    """The records of the module's docstring; their ids by name."""
    oak = records.create_home(
        "SC100001",
        "Oak House",
        beds=4,
        engagement_start=date(2025, 1, 15),
        provider="Harbour Care Ltd",
        local_authority="Liverpool",
    ).record.id
    elm = records.create_home("SC100002", "Elm Lodge", beds=2).record.id
    ids = {"oak": oak, "elm": elm}
    people = (
        ("amelia", "Amelia", "Thornbury"),
        ("bart", "Bartholomew", "Quince"),
        ("cordelia", "Cordelia", "Fenwick"),
    )
    for (key, first, last), ref in zip(people, REFS, strict=True):
        ids[key] = records.create_child(
            ref, date(2010, 5, 1), first_name=first, last_name=last
        ).record.id
    records.add_placement(ids["amelia"], oak, date(2024, 1, 1))
    records.add_placement(ids["bart"], oak, date(2024, 6, 1))
    records.add_placement(ids["cordelia"], elm, date(2024, 1, 1))
    _episodes(records, ids)
    _meetings(records, oak)
    return ids


def _episodes(records: Records, ids: dict[str, int]) -> None:
    amelia, bart, cordelia, oak, elm = (
        ids[k] for k in ("amelia", "bart", "cordelia", "oak", "elm")
    )
    episode(records, amelia, oak, "2024-10-05 20:00", "2024-10-05 23:00")
    episode(records, bart, oak, "2025-09-20 15:00", "2025-09-20 17:00")
    episode(records, amelia, oak, "2025-09-28 19:00", "2025-09-29 01:00", police_ref="MP-1")
    first = episode(
        records,
        amelia,
        oak,
        "2025-10-02 20:00",
        "2025-10-03 01:00",
        police_ref="MP-2",
        reported_at=at("2025-10-02 20:30"),
    )
    records.record_safe_and_well(first, at("2025-10-03 09:00"))
    records.record_rhi_offer(first, at("2025-10-04 10:00"))
    records.record_rhi_completed(first, at("2025-10-05 10:00"))
    episode(
        records,
        bart,
        oak,
        "2025-10-05 15:00",
        "2025-10-05 18:00",
        police_ref="MP-3",
        reported_at=at("2025-10-05 15:20"),
    )
    episode(
        records,
        amelia,
        oak,
        "2025-10-10 21:00",
        "2025-10-11 09:00",
        reported_at=at("2025-10-10 21:45"),
    )
    ids["open"] = episode(records, cordelia, elm, "2025-10-12 23:00", police_ref="MP-4")
    episode(records, amelia, oak, "2025-10-20 22:00", "2025-10-21 03:00")


def _meetings(records: Records, oak: int) -> None:
    records.record_meeting(oak, date(2025, 9, 10), [NewAction(OLDER_ACTION, "PCSO")])
    meeting = records.record_meeting(
        oak,
        date(2025, 10, 8),
        [
            NewAction(OPEN_ACTION, "Registered manager", date(2025, 10, 22)),
            NewAction(DONE_LATER, "Deputy manager", date(2025, 11, 5)),
            NewAction(DONE_IN_MONTH, "Registered manager", date(2025, 10, 15)),
        ],
        attendees="Registered manager; PCSO",
    ).record
    later, in_month = meeting.actions[1].id, meeting.actions[2].id
    records.complete_action(later, date(2025, 11, 3))
    records.complete_action(in_month, date(2025, 10, 14))
    records.record_meeting(oak, date(2025, 11, 12), attendees="Registered manager")


def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The small demo, as of 20 Nov 2025: for a module's fixture."""
    database = open_database(str(tmp_path_factory.mktemp("reports-demo") / "demo.sqlite"))
    generate_demo(database, seed=1, as_of=date(2025, 11, 20))
    yield database
    database.close()


def world_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The world of this module's docstring in a database of its own: for a module's fixture."""
    database = open_database(str(tmp_path_factory.mktemp("reports-world") / "world.sqlite"))
    build_world(Records(database, "pcso.jones", now=lambda: NOW))
    yield database
    database.close()
