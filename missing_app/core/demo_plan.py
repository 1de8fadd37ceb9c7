"""Every demo record, planned in memory from one seed (imported lazily by `core.demo`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from missing_app.core import demo_children as kids
from missing_app.core import demo_details as details
from missing_app.core import demo_episodes as eps
from missing_app.core import demo_world as world
from missing_app.core.demo_columns import Columns
from missing_app.core.demo_world import OPEN, Row

Progress = Callable[[str, int, int], None]


@dataclass
class Plan:
    """The rows of each table, in the order they must be written."""

    users: list[Row]
    homes: list[Row]  # "pcso_username" names the officer; the writer turns it into an id
    children: list[Row]
    profiles: list[Row]
    placements: list[Row]
    episodes: Columns
    interviews: Columns
    assessments: Columns
    meetings: list[Row]
    actions: list[Row]
    open_episodes: int  # still missing at as_of


def plan(seed: int, scale: str, as_of: date, progress: Progress) -> Plan:
    """Every record of a demo of `scale`, the same for the same seed and as_of."""
    rng = np.random.default_rng(seed)
    spec = world.SPECS[scale]
    calendar = world.Calendar.ending(as_of)
    progress("Placing children in homes", 0, 3)
    homes = world.make_homes(rng, spec.homes + int(rng.integers(-2, 3)), calendar)
    users = world.make_users(rng, homes, calendar)
    placements = world.simulate_placements(rng, homes, calendar)
    children = kids.describe_children(rng, placements, homes)
    progress("Timing missing episodes", 1, 3)
    episodes = _episodes(rng, spec, placements, homes, calendar)
    flags = eps.exploitation_flags(rng, episodes, children.female)
    progress("Recording returns and interviews", 2, 3)
    context = details.Context(episodes, homes, calendar, placements.dob, np.minimum(*flags))
    episode_columns, reporting = details.episode_columns(rng, context)
    meetings, actions = world.make_meetings(rng, homes, calendar)
    return Plan(
        users=users,
        homes=homes.rows,
        children=kids.child_rows(rng, children, placements.dob, flags),
        profiles=kids.profile_rows(rng, children, homes, calendar),
        placements=_placement_rows(placements),
        episodes=episode_columns,
        interviews=details.interview_columns(rng, context),
        assessments=details.assessment_columns(rng, context, reporting),
        meetings=meetings,
        actions=actions,
        open_episodes=int((episodes.back == OPEN).sum()),
    )


def _episodes(
    rng: np.random.Generator,
    spec: world.Spec,
    placements: world.Placements,
    homes: world.Homes,
    calendar: world.Calendar,
) -> eps.Episodes:
    rates = eps.child_rates(rng, placements, calendar, spec)
    drawn = eps.draw_episodes(rng, placements, calendar, rates)
    drawn = eps.showcase(rng, drawn, placements, rates, calendar)
    drawn = eps.resolve_overlaps(drawn)
    drawn = eps.calm_engaged_homes(rng, drawn, placements, homes, calendar)
    drawn = eps.close_at_cutoff(rng, drawn, calendar, spec.open_cap)
    return eps.chronological(drawn)


def _placement_rows(placements: world.Placements) -> list[Row]:
    columns = zip(
        placements.child.tolist(),
        placements.home.tolist(),
        placements.start.tolist(),
        placements.end.tolist(),
        strict=True,
    )
    return [
        {
            "id": number,
            "child_id": child + 1,
            "home_id": home + 1,
            "start": date.fromordinal(start),
            "end": None if end == OPEN else date.fromordinal(end),
        }
        for number, (child, home, start, end) in enumerate(columns, start=1)
    ]
