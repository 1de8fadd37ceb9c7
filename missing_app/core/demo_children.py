"""The demo's children and their Philomena profiles (imported lazily by `core.demo`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from missing_app.core import demo_names as names
from missing_app.core.demo_episodes import NO_FLAG
from missing_app.core.demo_world import (
    OPEN,
    BoolArray,
    Calendar,
    Homes,
    IntArray,
    Placements,
    Row,
    weighted,
)


@dataclass
class Children:
    female: BoolArray
    placing_authority: list[str]
    first_name: list[str]
    last_name: list[str]
    last_home: IntArray  # 0-based home of each child's latest placement
    last_start: IntArray  # ordinal start of that placement
    last_end: IntArray  # its end ordinal, OPEN while still placed

    @property
    def count(self) -> int:
        return int(self.female.size)


def describe_children(rng: np.random.Generator, placements: Placements, homes: Homes) -> Children:
    """Sex, names and placing council: 60% the home's own, 25% elsewhere in Merseyside."""
    count = placements.children
    female = rng.random(count) < 0.44
    first_row = np.unique(placements.child, return_index=True)[1]
    last_row = placements.child.size - 1 - np.unique(placements.child[::-1], return_index=True)[1]
    boys = rng.integers(len(names.BOYS), size=count).tolist()
    girls = rng.integers(len(names.GIRLS), size=count).tolist()
    surnames = rng.integers(len(names.SURNAMES), size=count).tolist()
    return Children(
        female=female,
        placing_authority=_placing(rng, [homes.council[h] for h in placements.home[first_row]]),
        first_name=[
            names.GIRLS[g] if f else names.BOYS[b]
            for f, g, b in zip(female.tolist(), girls, boys, strict=True)
        ],
        last_name=[names.SURNAMES[s] for s in surnames],
        last_home=placements.home[last_row],
        last_start=placements.start[last_row],
        last_end=placements.end[last_row],
    )


def _placing(rng: np.random.Generator, home_councils: list[str]) -> list[str]:
    draw = rng.random(len(home_councils)).tolist()
    other = rng.integers(4, size=len(home_councils)).tolist()
    away = rng.integers(len(names.OUT_OF_AREA), size=len(home_councils)).tolist()
    result = []
    for council, u, o, a in zip(home_councils, draw, other, away, strict=True):
        if u < 0.6:
            result.append(council)
        elif u < 0.85:
            result.append([c for c in names.MERSEYSIDE if c != council][o])
        else:
            result.append(names.OUT_OF_AREA[a])
    return result


def child_rows(
    rng: np.random.Generator,
    children: Children,
    dob: IntArray,
    flags: tuple[IntArray, IntArray],
) -> list[Row]:
    count = children.count
    refs = (rng.choice(900_000, size=count, replace=False) + 100_000).tolist()
    ethnicity = weighted(rng, names.ETHNICITIES, count)
    legal = weighted(rng, names.LEGAL_STATUSES, count)
    workers = _adults(rng, count)
    cse, cce = (flag.tolist() for flag in flags)
    return [
        {
            "id": i + 1,
            "local_ref": _prefix(children.placing_authority[i]) + str(refs[i]),
            "first_name": children.first_name[i],
            "last_name": children.last_name[i],
            "dob": date.fromordinal(int(dob[i])),
            "sex": "F" if children.female[i] else "M",
            "ethnicity": ethnicity[i],
            "placing_authority": children.placing_authority[i],
            "legal_status": legal[i],
            "social_worker": workers[i],
            "cse_flagged_on": _day(cse[i]),
            "cce_flagged_on": _day(cce[i]),
        }
        for i in range(count)
    ]


def _prefix(council: str) -> str:
    return "".join(c for c in council.upper() if c.isalpha())[:3]


def _day(ordinal: int) -> date | None:
    return None if ordinal == NO_FLAG else date.fromordinal(ordinal)


def _adults(rng: np.random.Generator, count: int) -> list[str]:
    first = rng.integers(len(names.ADULT_FIRST), size=count).tolist()
    last = rng.integers(len(names.SURNAMES), size=count).tolist()
    return [f"{names.ADULT_FIRST[a]} {names.SURNAMES[b]}" for a, b in zip(first, last, strict=True)]


def profile_rows(
    rng: np.random.Generator, children: Children, homes: Homes, calendar: Calendar
) -> list[Row]:
    """Philomena part 1 for most children, reviewed lately or (for some) long ago."""
    count = children.count
    has = (rng.random(count) < 0.88).tolist()
    draws = rng.integers(0, 10**6, size=(count, 12)).tolist()
    age = np.minimum(rng.exponential(55.0, size=count), 400).astype(np.int64) + 1
    reviewed = np.where(
        children.last_end == OPEN,
        calendar.end - age,
        children.last_end - rng.integers(0, 120, size=count),
    )
    reviewed = np.maximum(reviewed, children.last_start).tolist()
    medical = weighted(rng, names.MEDICAL, count)
    rows = []
    for i in range(count):
        if not has[i]:
            continue
        d = draws[i]
        council = homes.council[int(children.last_home[i])]
        rows.append(
            {
                "child_id": i + 1,
                "description": _description(bool(children.female[i]), d),
                "associates": _associates(d),
                "places_frequented": _places(council, d),
                "phones_and_social_media": _phones(children.first_name[i], d),
                "medical_needs": medical[i],
                "reviewed_on": date.fromordinal(int(reviewed[i])),
            }
        )
    return rows


def _pick(options: tuple[str, ...], draw: int) -> str:
    return options[draw % len(options)]


def _description(female: bool, d: list[int]) -> str:
    inches = (58 if female else 61) + d[0] % 12
    return (
        f"{_pick(names.BUILD, d[1]).capitalize()} build, {inches // 12}ft {inches % 12}in, "
        f"{_pick(names.HAIR, d[2])} hair, {_pick(names.EYES, d[3])} eyes{_pick(names.MARKS, d[4])}"
    )


def _associates(d: list[int]) -> str:
    first, second = _pick(names.BOYS + names.GIRLS, d[5]), _pick(names.BOYS, d[6])
    return (
        f"{first} {_pick(names.SURNAMES, d[7])} (friend from school); "
        f"{second} (older, known to drive; surname not known)"
    )


def _places(council: str, d: list[int]) -> str:
    local = names.PLACES[council]
    chosen = {_pick(local, d[8]), _pick(local, d[9] // 7)}
    if d[10] % 4 == 0:
        chosen.add(_pick(names.OUT_OF_AREA_PLACES, d[10]))
    return "; ".join(sorted(chosen))


def _phones(first_name: str, d: list[int]) -> str:
    handle = f"{first_name.lower()}{d[11] % 100:02d}"
    return f"Mobile 07700 900{d[11] % 1000:03d}; {_pick(names.SOCIAL, d[11] // 1000)} @{handle}"
