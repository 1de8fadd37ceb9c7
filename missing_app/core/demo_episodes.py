"""When the demo's children go missing and come back, vectorised for a million episodes.

A child who goes missing has a rate of episodes per day placed (lognormal between children,
so a few go missing very often). Times are drawn over the child's days in each placement at
evening- and night-heavy hours, fewer on weekday nights than on Friday and Saturday.
Episodes of one child never overlap. Once a home's PCSO engagement has run for two months,
about 40% of its episodes no longer happen. A few episodes are placed by hand at the end so
the Today page has a child missing now and returns waiting for their checks. Imported
lazily by `core.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from statistics import NormalDist

import numpy as np

from missing_app.core.demo_world import (
    OPEN,
    UNIX_EPOCH_ORDINAL,
    BoolArray,
    Calendar,
    FloatArray,
    Homes,
    IntArray,
    Placements,
    Spec,
)
from missing_app.core.times import LONDON

HOUR_WEIGHTS = (6, 5, 4, 2.5, 1.5, 1, 1, 1.5, 2, 2, 2, 2, 2.5, 2.5, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7)
# By the weekday of the evening an episode belongs to (Monday first): Friday and Saturday peak.
WEEKDAY_FACTOR = (0.75, 0.75, 0.75, 0.75, 1.0, 1.0, 0.8)
ENGAGEMENT_EFFECT = 0.4
ENGAGEMENT_RAMP_DAYS = 60
HOUR = 3600
DAY = 86400
MIN_GAP = HOUR  # between one return and the same child's next episode
NO_FLAG = 10**7  # a day far beyond any demo date

# Episodes placed by hand so the Today page has something to show (see `showcase`).
ORDINARY, REPEAT_CHILD, NO_CHECK_YET, RHI_PENDING = 0, 1, 2, 3


@dataclass
class Episodes:
    child: IntArray
    home: IntArray
    day: IntArray  # ordinal of the local date last seen
    seen: IntArray  # last seen, Unix seconds (UTC)
    back: IntArray  # returned, Unix seconds (UTC); OPEN while still missing
    special: IntArray  # ORDINARY or one of the showcase kinds

    @property
    def count(self) -> int:
        return int(self.child.size)

    def take(self, index: IntArray | BoolArray) -> Episodes:
        return Episodes(*(getattr(self, f)[index] for f in _FIELDS))

    def concat(self, other: Episodes) -> Episodes:
        return Episodes(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in _FIELDS))


_FIELDS = ("child", "home", "day", "seen", "back", "special")


def exposure(placements: Placements, calendar: Calendar) -> tuple[IntArray, IntArray]:
    """Each placement's first day inside the three years, and its number of days inside."""
    first = np.maximum(placements.start, calendar.first)
    last = np.where(placements.end == OPEN, calendar.end, placements.end)
    return first, np.maximum(last - first, 0)


def child_rates(
    rng: np.random.Generator, placements: Placements, calendar: Calendar, spec: Spec
) -> FloatArray:
    """Episodes per placed day for each child: zero for most, heavy-tailed for the rest."""
    _, days = exposure(placements, calendar)
    per_child = np.bincount(placements.child, weights=days, minlength=placements.children)
    eligible = np.flatnonzero(per_child > 0)
    count = round(spec.missing_share * eligible.size)
    weights = per_child[eligible] / per_child[eligible].sum()
    missers = rng.choice(eligible, size=count, replace=False, p=weights)
    # Stratified quantiles: even a small demo gets its few very frequent missers.
    quantiles = (np.arange(count) + rng.random(count)) / count
    normal = NormalDist()
    z = np.array([normal.inv_cdf(float(q)) for q in quantiles])
    yearly = np.minimum(spec.rate_median * np.exp(spec.rate_sigma * z), spec.rate_cap)
    # The highest rates go to the longest-placed children, give or take: a small demo
    # still has its few children who go missing 20 to 50 times.
    order = np.argsort(-per_child[missers] * np.exp(0.5 * rng.standard_normal(count)))
    rates = np.zeros(placements.children)
    rates[missers[order]] = np.sort(yearly)[::-1] / 365.0
    return rates


def draw_episodes(
    rng: np.random.Generator, placements: Placements, calendar: Calendar, rates: FloatArray
) -> Episodes:
    """Episodes per placement, at evening-heavy hours, with their durations."""
    first, days = exposure(placements, calendar)
    expected = rates[placements.child] * days
    # Rounding the expectation, not a Poisson draw: a small demo still shows the trends.
    wanted = np.floor(expected + rng.random(expected.size)).astype(np.int64)
    tries = np.where(wanted > 0, 2 * wanted + 4, 0)
    which = np.repeat(np.arange(tries.size), tries)
    day = first[which] + (rng.random(which.size) * days[which]).astype(np.int64)
    hours = np.array(HOUR_WEIGHTS) / np.sum(HOUR_WEIGHTS)
    hour = rng.choice(24, size=which.size, p=hours).astype(np.int64)
    evening = day - (hour < 6)
    odds = np.array(WEEKDAY_FACTOR)[(evening + 6) % 7]
    kept = _first_accepted(rng.random(which.size) < odds, tries, wanted[which])
    day, hour = day[kept], hour[kept]
    minute = rng.integers(0, 60, size=day.size)
    seen = local_to_utc(day, hour * HOUR + minute * 60, calendar)
    back = seen + durations(rng, seen.size)
    child, home = placements.child[which][kept], placements.home[which][kept]
    return Episodes(child, home, day, seen, back, np.zeros(seen.size, dtype=np.int64))


def _ramped(days: IntArray) -> FloatArray:
    """The engagement ramp summed over the `days` after engagement (0 before it)."""
    t = np.maximum(days, 0)
    short = t * t / (2.0 * ENGAGEMENT_RAMP_DAYS)
    result: FloatArray = np.where(t <= ENGAGEMENT_RAMP_DAYS, short, t - ENGAGEMENT_RAMP_DAYS / 2)
    return result


def _first_accepted(accepted: BoolArray, tries: IntArray, wanted: IntArray) -> BoolArray:
    """Accept-reject per placement: keep the first `wanted` accepted tries of each."""
    running = np.cumsum(accepted)
    group_start = np.repeat(np.cumsum(tries) - tries, tries)
    before = np.where(group_start > 0, running[np.maximum(group_start - 1, 0)], 0)
    kept: BoolArray = accepted & (running - before <= wanted)
    return kept


def engagement_ramp(homes: Homes, home: IntArray, day: IntArray) -> FloatArray:
    """0 before a home's engagement, rising to 1 over its first two months."""
    return np.clip((day - homes.engaged_on[home]) / ENGAGEMENT_RAMP_DAYS, 0.0, 1.0)


def calm_engaged_homes(
    rng: np.random.Generator,
    episodes: Episodes,
    placements: Placements,
    homes: Homes,
    calendar: Calendar,
) -> Episodes:
    """Drop episodes at homes once their PCSO engagement has run for two months.

    The share dropped is set over all engaged homes together, so that their year after
    engagement has ENGAGEMENT_EFFECT fewer episodes per child-day than their year before;
    otherwise, in a small demo, where a few frequent missers happen to live decides it.
    """
    engaged = homes.engaged_on[episodes.home]
    ramp = engagement_ramp(homes, episodes.home, episodes.day)
    before = (episodes.day >= engaged - 365) & (episodes.day < engaged)
    after = (episodes.day >= engaged) & (episodes.day < np.minimum(engaged + 365, calendar.end))
    days_before, days_after, ramp_days = _engaged_child_days(placements, homes, calendar)
    usual = before.sum() / max(days_before, 1.0) * (days_after - ENGAGEMENT_EFFECT * ramp_days)
    weight = float(ramp[after].sum())
    share = (after.sum() - usual) / weight if weight > 0 else ENGAGEMENT_EFFECT
    share = float(np.clip(share, 0.25, 0.9))
    dropped = (rng.random(episodes.count) < share * ramp) & (episodes.special == ORDINARY)
    return episodes.take(~dropped)


def _engaged_child_days(
    placements: Placements, homes: Homes, calendar: Calendar
) -> tuple[float, float, float]:
    """Child-days at engaged homes in the year before and the year after engagement, and
    the ramp summed over the latter."""
    engaged = homes.engaged_on[placements.home]
    start = placements.start
    end = np.where(placements.end == OPEN, calendar.end, placements.end)
    first = np.maximum(start, engaged - 365)
    before = np.maximum(np.minimum(end, engaged) - first, 0)
    low = np.maximum(start, engaged)
    high = np.maximum(np.minimum(end, np.minimum(engaged + 365, calendar.end)), low)
    ramp = _ramped(high - engaged) - _ramped(low - engaged)
    return float(before.sum()), float((high - low).sum()), float(ramp.sum())


def durations(rng: np.random.Generator, count: int) -> IntArray:
    """Whole minutes, lognormal: median five hours, about nine in ten within two days."""
    hours = np.exp(np.log(5.0) + 1.6 * rng.standard_normal(count))
    minutes = np.clip(np.round(hours * 60), 15, 21 * 24 * 60)
    seconds: IntArray = minutes.astype(np.int64) * 60
    return seconds


def local_to_utc(day: IntArray, seconds: IntArray, calendar: Calendar) -> IntArray:
    """Unix seconds of London wall-clock times (a skipped spring hour moves forward)."""
    base = calendar.first - 1
    offsets = np.array([_noon_offset(d) for d in range(base, calendar.end + 2)], dtype=np.int64)
    # Clocks change at 01:00 UTC, so before 02:00 local the day before's offset holds.
    index = day - base - (seconds < 2 * HOUR)
    utc: IntArray = (day - UNIX_EPOCH_ORDINAL) * DAY + seconds - offsets[index]
    return utc


def _noon_offset(ordinal: int) -> int:
    noon = datetime.combine(date.fromordinal(ordinal), time(12), tzinfo=LONDON)
    offset = noon.utcoffset() or timedelta(0)
    return int(offset.total_seconds())


def by_child(episodes: Episodes) -> Episodes:
    return episodes.take(np.lexsort((episodes.seen, episodes.child)))


def resolve_overlaps(episodes: Episodes) -> Episodes:
    """Drop episodes that start before the same child's previous one ended (plus an hour)."""
    episodes = by_child(episodes)
    while True:
        same = episodes.child[1:] == episodes.child[:-1]
        clash = same & (episodes.seen[1:] < episodes.back[:-1] + MIN_GAP)
        if not clash.any():
            return episodes
        later = np.flatnonzero(clash) + 1
        # The showcase episodes are kept; the ordinary one next to them goes instead.
        drop = np.where(episodes.special[later] != ORDINARY, later - 1, later)
        keep = np.ones(episodes.count, dtype=bool)
        keep[drop] = False
        episodes = episodes.take(keep)


def showcase(
    rng: np.random.Generator,
    episodes: Episodes,
    placements: Placements,
    rates: FloatArray,
    calendar: Calendar,
) -> Episodes:
    """A repeat child missing now, and recent returns still waiting for checks or an RHI."""
    end = calendar.end
    settled = (placements.end == OPEN) & (placements.start <= end - 40)
    candidates = np.unique(placements.child[settled])
    order = candidates[np.argsort(-rates[candidates], kind="stable")]
    chosen = order[:3].tolist()
    plans = [
        (REPEAT_CHILD, ((27, 21, 6), (16, 23, 14), (6, 20, 3), (1, 19, 72))),
        (NO_CHECK_YET, ((3, 22, 8),)),
        (RHI_PENDING, ((2, 20, 5),)),
    ]
    home_of = dict(
        zip(placements.child[settled].tolist(), placements.home[settled].tolist(), strict=True)
    )
    added = []
    for child, (kind, times) in zip(chosen, plans, strict=False):
        days = np.array([end - ago for ago, _, _ in times], dtype=np.int64)
        seconds = np.array([h * HOUR + int(rng.integers(0, 60)) * 60 for _, h, _ in times])
        seen = local_to_utc(days, seconds.astype(np.int64), calendar)
        back = seen + np.array([hours * HOUR for _, _, hours in times], dtype=np.int64)
        size = days.size
        added.append(
            Episodes(
                np.full(size, child), np.full(size, home_of[child]), days, seen, back,
                np.full(size, kind),
            )
        )  # fmt: skip
    recent = np.isin(episodes.child, chosen) & (episodes.day >= end - 35)
    result = episodes.take(~recent)
    for extra in added:
        result = result.concat(extra)
    return result


def close_at_cutoff(
    rng: np.random.Generator, episodes: Episodes, calendar: Calendar, open_cap: int | None
) -> Episodes:
    """Leave open only episodes begun in the last two days; end the rest before as_of."""
    cutoff = calendar.cutoff
    running = episodes.back > cutoff
    still_out = running & (episodes.seen >= cutoff - 2 * DAY)
    natural = np.flatnonzero(still_out & (episodes.special == ORDINARY))
    if open_cap is not None and natural.size > open_cap:
        latest = natural[np.argsort(episodes.seen[natural])][::-1]
        still_out[latest[open_cap:]] = False
    shorten = running & ~still_out
    seen = episodes.seen[shorten]
    back = episodes.back.copy()
    back[shorten] = seen + ((cutoff - seen) * (0.5 + 0.5 * rng.random(seen.size))).astype(np.int64)
    back[still_out] = OPEN
    return replace(episodes, back=back)


def chronological(episodes: Episodes) -> Episodes:
    """Episodes in the order they began: their ids follow time."""
    return episodes.take(np.lexsort((episodes.child, episodes.seen)))


def exploitation_flags(
    rng: np.random.Generator, episodes: Episodes, female: BoolArray
) -> tuple[IntArray, IntArray]:
    """CSE and CCE flag days (ordinals, NO_FLAG when none) for a few frequent missers."""
    counts = np.bincount(episodes.child, minlength=female.size)
    missers = np.flatnonzero(counts > 0)
    cse = np.full(female.size, NO_FLAG, dtype=np.int64)
    cce = cse.copy()
    if missers.size == 0:
        return cse, cce
    bar = max(6.0, float(np.quantile(counts[missers], 0.9)))
    frequent = missers[counts[missers] >= bar]
    flagged = frequent[rng.random(frequent.size) < 0.5]
    if flagged.size == 0:
        flagged = missers[np.argsort(-counts[missers], kind="stable")[:1]]
    ordered = by_child(episodes)
    starts = np.searchsorted(ordered.child, flagged)
    # Flagged a little before their third episode, so most of their episodes carry the flag.
    third = ordered.day[starts + np.minimum(2, counts[flagged] - 1)]
    on = third - rng.integers(0, 15, size=flagged.size)
    sexual = rng.random(flagged.size) < np.where(female[flagged], 0.75, 0.25)
    cse[flagged[sexual]] = on[sexual]
    cce[flagged[~sexual]] = on[~sexual]
    return cse, cce
