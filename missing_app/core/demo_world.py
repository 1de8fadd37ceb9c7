"""The demo's homes, officers, children and placements (imported lazily by `core.demo`).

Placements come from an event simulation over every bed of every home: a bed holds one
child at a time, so no home ever has more children placed than beds; a child leaves at 18,
and some children move straight to a bed in another home on the day they leave.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt

from missing_app.core import demo_names as names
from missing_app.core.times import LONDON, local_midnight

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Row = dict[str, Any]

UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
OPEN = -1  # placement end of a child still placed


@dataclass(frozen=True)
class Spec:
    """How big the demo is and how often its children go missing."""

    homes: int
    missing_share: float  # of the children placed during the three years
    rate_median: float  # episodes per year placed, for a child who goes missing
    rate_sigma: float  # spread of that rate between children (lognormal)
    rate_cap: float
    open_cap: int | None  # most episodes left open at as_of, besides the showcase


SPECS = {
    "small": Spec(40, 0.2, 0.35, 1.9, 17.0, 2),
    "force": Spec(5000, 0.5, 12.8, 1.2, 200.0, None),
}


@dataclass(frozen=True)
class Calendar:
    """The three years the demo covers, ending at the start of the `as_of` day."""

    as_of: date
    first: int  # ordinal of the first day (as_of minus three years)
    end: int  # ordinal of as_of: nothing happens on or after it
    cutoff: int  # Unix seconds (UTC) of local midnight at the start of as_of

    @classmethod
    def ending(cls, as_of: date) -> Calendar:
        end = as_of.toordinal()
        cutoff = int(local_midnight(as_of).timestamp())
        return cls(as_of, _years_before(end, 3), end, cutoff)

    def moment(self, day: int, hour: int) -> datetime:
        """An aware date-time at a local hour on the day with ordinal `day`."""
        naive = datetime.combine(date.fromordinal(day), time(hour))
        return naive.replace(tzinfo=LONDON)


class Draws:
    """Pre-drawn numbers for scalar loops: one numpy call per block, not per number."""

    def __init__(self, rng: np.random.Generator, block: int = 65536) -> None:
        self._rng, self._block = rng, block
        self._u: list[float] = []
        self._z: list[float] = []

    def uniform(self) -> float:
        if not self._u:
            self._u = self._rng.random(self._block).tolist()
        return self._u.pop()

    def normal(self) -> float:
        if not self._z:
            self._z = self._rng.standard_normal(self._block).tolist()
        return self._z.pop()

    def below(self, n: int) -> int:
        return min(int(self.uniform() * n), n - 1)


def weighted(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...], n: int) -> list[str]:
    """`n` values drawn from (value, weight) pairs."""
    weights = np.array([w for _, w in pairs])
    picks = rng.choice(len(pairs), size=n, p=weights / weights.sum())
    return [pairs[i][0] for i in picks.tolist()]


@dataclass
class Homes:
    rows: list[Row]
    council: list[str]
    quality: FloatArray  # reporting practice, 0 poor to 1 good
    engaged_on: IntArray  # ordinal of engagement start; a far-future day when none
    pcso_name: list[str | None] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def make_homes(rng: np.random.Generator, count: int, calendar: Calendar) -> Homes:
    """Homes across the five councils, half of them engaged by a PCSO 12 to 24 months ago."""
    councils = _councils(rng, count)
    beds = rng.choice([2, 3, 4, 5, 6], size=count, p=[0.12, 0.22, 0.3, 0.18, 0.18]).tolist()
    urns = (rng.choice(900_000, size=count, replace=False) + 100_000).tolist()
    engaged = rng.permutation(count)[: round(count * 0.5)]
    engaged_on = np.full(count, 10**7, dtype=np.int64)
    engaged_on[engaged] = calendar.end - rng.integers(365, 731, size=engaged.size)
    home_names = _home_names(rng, count)
    providers = _providers(rng, councils)
    rows = []
    for i in range(count):
        council = names.MERSEYSIDE[councils[i]]
        start = int(engaged_on[i])
        rows.append(
            {
                "id": i + 1,
                "urn": f"SC{urns[i]}",
                "name": home_names[i],
                "provider": providers[i],
                "local_authority": council,
                "postcode": _postcode(rng, council),
                "beds": beds[i],
                "engagement_start": date.fromordinal(start) if start < 10**7 else None,
                "pcso_id": None,
            }
        )
    council_names = [names.MERSEYSIDE[c] for c in councils]
    return Homes(rows, council_names, rng.beta(2.2, 1.8, size=count), engaged_on)


def _councils(rng: np.random.Generator, count: int) -> list[int]:
    """Each council's share of the homes, rounded (the remainder drawn), in random order."""
    weights = np.array(names.COUNCIL_WEIGHTS) * count
    quotas = np.floor(weights).astype(np.int64)
    extra = rng.choice(5, size=count - int(quotas.sum()), replace=False, p=_share(weights % 1))
    quotas[extra] += 1
    result: list[int] = rng.permutation(np.repeat(np.arange(5), quotas)).tolist()
    return result


def _share(weights: FloatArray) -> FloatArray:
    share: FloatArray = weights / weights.sum()
    return share


def _home_names(rng: np.random.Generator, count: int) -> list[str]:
    combos = [f"{a} {b}" for a in names.HOME_NAME_FIRST for b in names.HOME_NAME_SECOND]
    picks = rng.choice(len(combos), size=count, replace=count > len(combos))
    return [combos[i] for i in picks.tolist()]


def _providers(rng: np.random.Generator, councils: list[int]) -> list[str]:
    council_run = (rng.random(len(councils)) < 0.3).tolist()
    private = rng.integers(names.FIRST_PRIVATE_PROVIDER, len(names.PROVIDERS), len(councils))
    return [
        names.PROVIDERS[council if own else int(other)]
        for council, own, other in zip(councils, council_run, private.tolist(), strict=True)
    ]


def _postcode(rng: np.random.Generator, council: str) -> str:
    districts = names.POSTCODE_DISTRICTS[council]
    letters = names.POSTCODE_UNIT_LETTERS
    district = districts[int(rng.integers(len(districts)))]
    unit = rng.integers(len(letters), size=2).tolist()
    return f"{district} {int(rng.integers(1, 10))}{letters[unit[0]]}{letters[unit[1]]}"


def make_users(rng: np.random.Generator, homes: Homes, calendar: Calendar) -> list[Row]:
    """Demo PCSOs, each given a patch of engaged homes, and their supervisor."""
    engaged = [i for i in range(homes.count) if homes.rows[i]["engagement_start"] is not None]
    engaged.sort(key=lambda i: (homes.council[i], i))
    officers = max(2, round(len(engaged) / 5))
    created = calendar.moment(calendar.first, 9)
    people = _people(rng, officers + 1)
    users = [
        {
            "username": f"demo.pcso{n + 1:03d}",
            "display_name": f"PCSO {people[n]}",
            "role": "pcso",
            "active": True,
            "created_at": created,
        }
        for n in range(officers)
    ]
    users.append(
        {
            "username": "demo.sergeant",
            "display_name": f"Sgt {people[-1]}",
            "role": "supervisor",
            "active": True,
            "created_at": created,
        }
    )
    homes.pcso_name = [None] * homes.count
    for rank, i in enumerate(engaged):
        officer = rank * officers // max(1, len(engaged))
        homes.rows[i]["pcso_username"] = f"demo.pcso{officer + 1:03d}"
        homes.pcso_name[i] = f"PCSO {people[officer]}"
    return users


def _people(rng: np.random.Generator, count: int) -> list[str]:
    first = rng.integers(len(names.ADULT_FIRST), size=count).tolist()
    last = rng.integers(len(names.SURNAMES), size=count).tolist()
    return [f"{names.ADULT_FIRST[a]} {names.SURNAMES[b]}" for a, b in zip(first, last, strict=True)]


@dataclass
class Placements:
    child: IntArray  # 0-based child index
    home: IntArray  # 0-based home index
    start: IntArray  # ordinal
    end: IntArray  # ordinal, OPEN while the child is still placed
    dob: IntArray  # ordinal of each child's date of birth (indexed by child)

    @property
    def children(self) -> int:
        return int(self.dob.size)


@dataclass
class _Simulation:
    draws: Draws
    calendar: Calendar
    slot_home: list[int]
    heap: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    version: list[int] = field(default_factory=list)
    vacant: list[int] = field(default_factory=list)
    rows: list[tuple[int, int, int, int]] = field(default_factory=list)  # child, home, start, end
    dob: list[int] = field(default_factory=list)
    sequence: int = 0

    def push(self, day: int, kind: int, slot: int, payload: int) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (day, self.sequence, kind, slot, payload))

    def new_child(self, day: int, age: int) -> int:
        """A child who is `age` (in whole years) on `day`."""
        earliest = _years_before(day, age + 1) + 1
        self.dob.append(earliest + self.draws.below(_years_before(day, age) - earliest + 1))
        return len(self.dob) - 1

    def entry_age(self) -> int:
        u, total = self.draws.uniform(), 0.0
        for age, weight in zip(names.ENTRY_AGES, names.ENTRY_AGE_WEIGHTS, strict=True):
            total += weight
            if u < total:
                return age
        return names.ENTRY_AGES[-1]

    def place(self, child: int, slot: int, start: int, stay_from: int) -> None:
        """Put a child in a bed from `start`; their stay is counted from `stay_from`."""
        stay = max(14, int(420 * math.exp(0.8 * self.draws.normal())))
        adult = birthday(self.dob[child], 18)
        leave = min(stay_from + stay, adult)
        row = len(self.rows)
        self.rows.append((child, self.slot_home[slot], start, OPEN))
        if leave < self.calendar.end:
            self.push(leave, 0, slot, row * 2 + (leave == adult))

    def schedule_fill(self, slot: int, day: int) -> None:
        self.version[slot] += 1
        self.vacant.append(slot)
        self.push(day, 1, slot, self.version[slot])


def birthday(born: int, years: int) -> int:
    """The day a child born on `born` turns `years` (a leap-day child on 1 March, as `age_on`)."""
    moment = date.fromordinal(born)
    try:
        return moment.replace(year=moment.year + years).toordinal()
    except ValueError:
        return date(moment.year + years, 3, 1).toordinal()


def _years_before(day: int, years: int) -> int:
    """The last date of birth that makes a child `years` old on `day`."""
    moment = date.fromordinal(day)
    try:
        return moment.replace(year=moment.year - years).toordinal()
    except ValueError:  # 29 February in a year without one
        return date(moment.year - years, 2, 28).toordinal()


def simulate_placements(rng: np.random.Generator, homes: Homes, calendar: Calendar) -> Placements:
    """Fill every bed over the three years with a sequence of placements."""
    slot_home = [i for i, row in enumerate(homes.rows) for _ in range(row["beds"])]
    sim = _Simulation(Draws(rng), calendar, slot_home, version=[0] * len(slot_home))
    for slot in range(len(slot_home)):
        _first_occupant(sim, slot)
    while sim.heap:
        day, _, kind, slot, payload = heapq.heappop(sim.heap)
        if kind == 1:
            _fill(sim, slot, day, payload)
        else:
            _leave(sim, slot, day, payload // 2, bool(payload % 2))
    columns = np.array(sim.rows, dtype=np.int64).reshape(-1, 4)
    return Placements(columns[:, 0], columns[:, 1], columns[:, 2], columns[:, 3], np.array(sim.dob))


def _first_occupant(sim: _Simulation, slot: int) -> None:
    """Most beds are already taken when the three years begin; a few are filled soon after."""
    first, draws = sim.calendar.first, sim.draws
    if draws.uniform() >= 0.85:
        sim.schedule_fill(slot, first + draws.below(90))
        return
    child = sim.new_child(first, sim.entry_age())
    start = max(first - draws.below(400), birthday(sim.dob[child], 10))
    sim.place(child, slot, start, first)


def _fill(sim: _Simulation, slot: int, day: int, version: int) -> None:
    if version != sim.version[slot] or day >= sim.calendar.end:
        return  # a child moving from another home took this bed first, or time is up
    sim.vacant.remove(slot)
    child = sim.new_child(day, sim.entry_age())
    sim.place(child, slot, day, day)


def _leave(sim: _Simulation, slot: int, day: int, row: int, adult: bool) -> None:
    child, home, start, _ = sim.rows[row]
    sim.rows[row] = (child, home, start, day)
    if not adult and sim.draws.uniform() < 0.25:
        _move(sim, child, home, day)
    sim.schedule_fill(slot, day + 7 + sim.draws.below(70))


def _move(sim: _Simulation, child: int, home: int, day: int) -> None:
    """The child goes straight to a free bed in another home, starting the day they left."""
    for _ in range(3):
        if not sim.vacant:
            return
        target = sim.vacant[sim.draws.below(len(sim.vacant))]
        if sim.slot_home[target] != home:
            sim.version[target] += 1
            sim.vacant.remove(target)
            sim.place(child, target, day, day)
            return


def make_meetings(
    rng: np.random.Generator, homes: Homes, calendar: Calendar
) -> tuple[list[Row], list[Row]]:
    """Monthly liaison meetings at engaged homes, each agreeing one to three actions."""
    draws = Draws(rng)
    meetings: list[Row] = []
    actions: list[Row] = []
    for home in range(homes.count):
        start = int(homes.engaged_on[home])
        officer = homes.pcso_name[home] or "PCSO"
        month = 0
        while start < calendar.end:
            held = _weekday(start + round(month * 30.44) + draws.below(5))
            if held >= calendar.end:
                break
            meetings.append(_meeting(draws, len(meetings) + 1, home, held, officer, homes))
            for _ in range(1 + draws.below(3)):
                actions.append(_action(draws, len(actions) + 1, meetings[-1], officer, calendar))
            month += 1
    return meetings, actions


def _weekday(day: int) -> int:
    """The day itself, or the Monday after when it falls on a weekend."""
    weekday = (day + 6) % 7
    return day + (7 - weekday if weekday >= 5 else 0)


def _meeting(draws: Draws, number: int, home: int, held: int, officer: str, homes: Homes) -> Row:
    attendees = [officer, "Registered manager"]
    if draws.uniform() < 0.6:
        attendees.append(f"{names.RHI_PROVIDERS[homes.council[home]]} worker")
    if draws.uniform() < 0.4:
        attendees.append("Placing authority social worker")
    return {
        "id": number,
        "home_id": home + 1,
        "held_on": date.fromordinal(held),
        "attendees": "; ".join(attendees),
        "notes": names.MEETING_NOTES[draws.below(len(names.MEETING_NOTES))],
    }


def _action(draws: Draws, number: int, meeting: Row, officer: str, calendar: Calendar) -> Row:
    """Older actions are nearly all done; recent ones often open; a few are overdue."""
    held = meeting["held_on"].toordinal()
    due = held + (14, 21, 28)[draws.below(3)]
    recent = 0.6 if due < calendar.end else 0.15
    done_share = 0.995 if due < calendar.end - 30 else recent
    done: date | None = None
    if draws.uniform() < done_share and held + 1 < calendar.end:
        day = min(max(due - 10 + draws.below(21), held + 1), calendar.end - 1)
        done = date.fromordinal(day)
    owners = (officer, *names.ACTION_OWNERS)
    return {
        "id": number,
        "meeting_id": meeting["id"],
        "description": names.ACTIONS[draws.below(len(names.ACTIONS))],
        "owner": owners[draws.below(len(owners))],
        "due_on": date.fromordinal(due),
        "done_on": done,
    }
