"""What is recorded about each demo episode, its return interview and the PCSO's check.

Each home's reporting practice (0 poor to 1 good, improving once a PCSO is engaged) sets how
long it waits before calling the police, how often it keeps the police reference, and how
its episodes fare when the PCSO checks them. Output is columns (`demo_columns`) ready to be
written a chunk at a time. Imported lazily by `core.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations, product

import numpy as np

from missing_app.core import demo_names as names
from missing_app.core.demo_columns import Columns, Options, Plain, PoliceRefs, Stamps
from missing_app.core.demo_episodes import (
    HOUR,
    NO_CHECK_YET,
    RHI_PENDING,
    Episodes,
    engagement_ramp,
)
from missing_app.core.demo_world import (
    OPEN,
    UNIX_EPOCH_ORDINAL,
    BoolArray,
    Calendar,
    FloatArray,
    Homes,
    IntArray,
)

MINUTE = 60


@dataclass
class Context:
    """What every detail needs to know about the episodes' children and homes."""

    episodes: Episodes
    homes: Homes
    calendar: Calendar
    dob: IntArray  # ordinal, by child
    flagged_on: IntArray  # ordinal of the child's first exploitation flag, by child

    @property
    def returned(self) -> BoolArray:
        returned: BoolArray = self.episodes.back != OPEN
        return returned

    @property
    def flagged(self) -> BoolArray:
        flagged: BoolArray = self.flagged_on[self.episodes.child] <= self.episodes.day
        return flagged

    @property
    def practice(self) -> FloatArray:
        """The home's practice on the day: engagement closes half the gap to good."""
        quality = self.homes.quality[self.episodes.home]
        ramp = engagement_ramp(self.homes, self.episodes.home, self.episodes.day)
        return quality + (1.0 - quality) * 0.5 * ramp


def bits(values: BoolArray, present: BoolArray | None = None) -> Plain:
    """Flags stored as 0 and 1 (None where not present)."""
    return Plain(values.astype(np.int64), present)


def choose(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...], n: int) -> IntArray:
    weights = np.array([w for _, w in pairs])
    return rng.choice(len(pairs), size=n, p=weights / weights.sum())


def ages(born: IntArray, day: IntArray) -> IntArray:
    """Whole years from each date of birth to each day (both ordinals)."""
    b, d = _ymd(born), _ymd(day)
    before = (d[1] < b[1]) | ((d[1] == b[1]) & (d[2] < b[2]))
    years: IntArray = d[0] - b[0] - before
    return years


def _ymd(ordinal: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    days = (ordinal - UNIX_EPOCH_ORDINAL).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = days.astype("datetime64[Y]")
    month = (months - years).astype(np.int64) + 1
    return years.astype(np.int64) + 1970, month, (days - months).astype(np.int64) + 1


@dataclass
class Reporting:
    reported: IntArray  # Unix seconds reported to police; OPEN when not reported
    has_ref: BoolArray  # the police reference was recorded


def episode_columns(rng: np.random.Generator, ctx: Context) -> tuple[Columns, Reporting]:
    """The missing_episodes columns, and how each episode was reported."""
    ep, n = ctx.episodes, ctx.episodes.count
    returned, flagged = ctx.returned, ctx.flagged
    absent = (ages(ctx.dob[ep.child], ep.day) >= 14) & ~flagged & (rng.random(n) < 0.18)
    reported = _reported(rng, ctx)
    has_report = reported != OPEN
    check = ep.back + _hours(rng, 5.0, 1.0, n, 0.5, 240)
    has_check = returned & (rng.random(n) >= 0.03) & (check <= ctx.calendar.cutoff)
    has_check &= ep.special != NO_CHECK_YET
    refs = _police_refs(rng, reported, has_report, ctx.practice)
    columns: Columns = {
        "id": Plain(np.arange(1, n + 1)),
        "child_id": Plain(ep.child + 1),
        "home_id": Plain(ep.home + 1),
        "type": Options(["missing", "absent"], absent.astype(np.int64)),
        "last_seen_at": Stamps(ep.seen),
        "reported_at": Stamps(reported, has_report),
        "police_ref": refs,
        "risk": _risks(rng, absent, flagged),
        "returned_at": Stamps(ep.back, returned),
        "safe_and_well_at": Stamps(check, has_check),
        "arrested": bits(returned & (rng.random(n) < 0.025)),
        "harm_disclosed": bits(returned & (rng.random(n) < np.where(flagged, 0.15, 0.03))),
    }
    columns.update(_circumstances(rng, n))
    columns.update(_found(rng, returned, flagged))
    return columns, Reporting(reported, refs.present)


def _hours(
    rng: np.random.Generator, median: float, sigma: float, n: int, low: float, high: float
) -> IntArray:
    """Lognormal delays in whole minutes, as seconds, between `low` and `high` hours."""
    hours = np.clip(median * np.exp(sigma * rng.standard_normal(n)), low, high)
    return (np.round(hours * 60) * MINUTE).astype(np.int64)


def _reported(rng: np.random.Generator, ctx: Context) -> IntArray:
    """Good homes call after 30 to 90 minutes; poor ones after minutes or hours, or not at all."""
    n, practice = ctx.episodes.count, ctx.practice
    sigma = 0.35 + 1.2 * (1.0 - practice)
    minutes = np.clip(55.0 * np.exp(sigma * rng.standard_normal(n)), 2, 24 * 60)
    reported = ctx.episodes.seen + np.round(minutes).astype(np.int64) * MINUTE
    never = rng.random(n) < 0.004 + 0.02 * (1.0 - practice)
    return np.where(never | (reported > ctx.calendar.cutoff), OPEN, reported)


def _police_refs(
    rng: np.random.Generator, reported: IntArray, has_report: BoolArray, practice: FloatArray
) -> PoliceRefs:
    """Numbered in order through each year; kept less often by poor homes."""
    kept = has_report & (rng.random(reported.size) < 0.7 + 0.28 * practice)
    year = reported.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    order = np.lexsort((reported, ~kept))[: int(kept.sum())]
    firsts = np.searchsorted(year[order], year[order], side="left")
    number = np.zeros(reported.size, dtype=np.int64)
    number[order] = np.arange(order.size) - firsts + 1 + rng.integers(100, 3000)
    return PoliceRefs(year, number, kept)


def _risks(rng: np.random.Generator, absent: BoolArray, flagged: BoolArray) -> Options:
    """Mostly medium or low; flagged children high, bar a few an inspector should query."""
    u = rng.random(absent.size)
    usual = np.searchsorted(np.array([0.05, 0.35, 0.85]), u, side="right")
    lower = np.where(u < 0.55, 0, 1)
    exploited = np.where(u < 0.85, 3, 2)
    grade = np.where(flagged, exploited, np.where(absent, lower, usual))
    if flagged.any() and not (grade[flagged] < 3).any():
        grade[np.flatnonzero(flagged)[0]] = 2  # keep a case for the CSE/CCE grading rule
    return Options(["no_apparent_risk", "low", "medium", "high"], grade)


def _circumstances(rng: np.random.Generator, n: int) -> Columns:
    clothes = [
        f"{top}, {bottom}, {shoes}"
        for top, bottom, shoes in product(names.CLOTHING_TOPS, names.CLOTHING_BOTTOMS, names.SHOES)
    ]
    u = rng.random((3, n))
    return {
        "circumstances": Options(
            list(names.CIRCUMSTANCES), rng.integers(len(names.CIRCUMSTANCES), size=n), u[0] < 0.55
        ),
        "clothing": Options(clothes, rng.integers(len(clothes), size=n), u[1] < 0.7),
        "last_seen_location": Options(
            list(names.LAST_SEEN_AT), rng.integers(len(names.LAST_SEEN_AT), size=n), u[2] < 0.8
        ),
    }


def _found(rng: np.random.Generator, returned: BoolArray, flagged: BoolArray) -> Columns:
    """How and where returned children were found, and who with."""
    n = returned.size
    places = [p for p, _ in names.FOUND_LOCATIONS]
    away = [f"out of area ({p})" for p in names.OUT_OF_AREA_PLACES]
    where = choose(rng, names.FOUND_LOCATIONS, n)
    out = (where == places.index("out of area")) | (flagged & (rng.random(n) < 0.3))
    where = np.where(out, len(places) + rng.integers(len(away), size=n), where)
    company = choose(rng, names.FOUND_WITH, n)
    older = [w for w, _ in names.FOUND_WITH].index("older associates")
    company = np.where(flagged & (rng.random(n) < 0.25), older, company)
    return {
        "return_method": Options(
            [m for m, _ in names.RETURN_METHODS], choose(rng, names.RETURN_METHODS, n), returned
        ),
        "found_location": Options(places + away, where, returned),
        "found_with": Options([w for w, _ in names.FOUND_WITH], company, returned),
    }


def _codes(options: tuple[str, ...], most: int) -> list[str]:
    return [",".join(c) for k in range(1, most + 1) for c in combinations(options, k)]


def interview_columns(rng: np.random.Generator, ctx: Context) -> Columns:
    """RHIs offered 4 to 96 hours after most returns; about two in three completed."""
    ep, n = ctx.episodes, ctx.episodes.count
    u = rng.random((3, n))
    delay = np.where(u[0] < 0.62, 4 + 68 * u[1], 72 + 24 * u[1])
    delay = np.where(ep.special == RHI_PENDING, 20.0, delay)
    offered = ep.back + (np.round(delay * 60) * MINUTE).astype(np.int64)
    wanted = ctx.returned & (rng.random(n) < 0.95) & (ep.special != NO_CHECK_YET)
    wanted |= ep.special == RHI_PENDING
    rows = np.flatnonzero(wanted & (offered <= ctx.calendar.cutoff))
    outcome = np.where(ep.special[rows] == RHI_PENDING, 1.0, u[2][rows])
    completed = offered[rows] + _hours(rng, 24.0, 0.9, rows.size, 1.0, 720.0)
    done = (outcome < 0.68) & (completed <= ctx.calendar.cutoff)
    size, flagged = rows.size, ctx.flagged[rows]
    providers = [names.RHI_PROVIDERS[c] for c in ctx.homes.council]
    workers = [f"{a} {b}" for a, b in zip(names.ADULT_FIRST, names.SURNAMES[::-1], strict=False)]
    push, pull = _codes(names.PUSH_FACTORS, 2), _codes(names.PULL_FACTORS, 2)
    signs = _codes(names.EXPLOITATION_INDICATORS, 2)
    shows = done & (rng.random(size) < np.where(flagged, 0.7, 0.08))
    return {
        "id": Plain(np.arange(1, size + 1)),
        "episode_id": Plain(rows + 1),
        "offered_at": Stamps(offered[rows]),
        "offered_by": Options(workers, rng.integers(len(workers), size=size)),
        "completed_at": Stamps(completed, done),
        "declined": bits((outcome >= 0.68) & (outcome < 0.78)),
        "provider": Options(providers, ep.home[rows]),
        "push_factors": Options(push, rng.integers(len(push), size=size), done),
        "pull_factors": Options(pull, rng.integers(len(pull), size=size), done),
        "exploitation_indicators": Options(signs, rng.integers(len(signs), size=size), shows),
    }


def assessment_columns(rng: np.random.Generator, ctx: Context, reporting: Reporting) -> Columns:
    """The PCSO's check of about three in five returned episodes at engaged homes."""
    ep, n = ctx.episodes, ctx.episodes.count
    engaged_on = ctx.homes.engaged_on[ep.home]
    assessed = ep.day + 1 + rng.integers(0, 10, size=n)
    rows = np.flatnonzero(
        ctx.returned
        & (ep.day >= engaged_on)
        & (rng.random(n) < 0.6)
        & (assessed < ctx.calendar.end)
    )
    size, practice = rows.size, ctx.practice[rows]
    u = rng.random((4, size))
    reported = reporting.reported[rows]
    late = (reported == OPEN) | (reported - ep.seen[rows] > 90 * MINUTE)
    long = ep.back[rows] - ep.seen[rows] > 24 * HOUR
    pcso = [name or "" for name in ctx.homes.pcso_name]
    days = assessed[rows].tolist()
    return {
        "id": Plain(np.arange(1, size + 1)),
        "episode_id": Plain(rows + 1),
        "assessed_on": Plain(np.array([date.fromordinal(d).isoformat() for d in days], object)),
        "assessed_by": Options(pcso, ep.home[rows]),
        "searched_first": bits(u[0] < 0.35 + 0.6 * practice),
        "reported_within_policy": bits(~late),
        "profile_current": bits(u[1] < 0.45 + 0.5 * practice),
        "police_ref_kept": bits(reporting.has_ref[rows]),
        "placing_authority_told": bits(u[2] < 0.55 + 0.43 * practice),
        "social_worker_told": bits(u[3] < 0.55 + 0.43 * practice),
        "each_night_reported": bits(rng.random(size) < 0.4 + 0.55 * practice, long),
    }
