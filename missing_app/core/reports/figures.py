"""Which figures of `stats()` the pack shows, in what words and format.

The PDF's tables and the workbook's Summary sheet both read these lists, so they show the
same figures in the same order. Labels that depend on a setting take it from `Settings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from missing_app.core.metrics import Settings
from missing_app.core.reports.formats import SUPPRESSED, Better, Kind, is_small, money_text
from missing_app.core.reports.pack import MonthlyPack


@dataclass(frozen=True)
class FigureSpec:
    """One figure of `stats()`: its key, its label, and how to write it."""

    key: str
    label: str
    kind: Kind
    # The count this figure is, or is a multiple of: one home's figure is hidden when that
    # count is 1 to 4 and small numbers are suppressed.
    count_of: str | None = None
    better: Better = None  # which way is better: a change says so in words


def volume_figures(settings: Settings) -> tuple[FigureSpec, ...]:
    """The headline figures of the month: fewer episodes, shorter and better reported are
    better."""
    trigger = f"{settings.repeat_threshold} in {settings.repeat_window_days} days"
    fewer: Better = "lower"
    return (
        FigureSpec("episodes", "Episodes", "count", "episodes", fewer),
        FigureSpec("missing_episodes", "Episodes: missing", "count", "missing_episodes", fewer),
        FigureSpec(
            "absent_episodes",
            "Episodes: absent (away without authorisation)",
            "count",
            "absent_episodes",
            fewer,
        ),
        FigureSpec("children", "Children who went missing or absent", "count", "children", fewer),
        FigureSpec("episodes_per_child", "Episodes per child", "decimal", better=fewer),
        FigureSpec(
            "repeat_children",
            "Children with 2 or more episodes",
            "count",
            "repeat_children",
            fewer,
        ),
        FigureSpec(
            "triggered_children",
            f"Children who crossed the repeat threshold ({trigger})",
            "count",
            "triggered_children",
            fewer,
        ),
        FigureSpec("top10_share", "Share of episodes of the top 10% of children", "pct"),
        FigureSpec(
            "open_at_end", "Still away at the end of the month", "count", "open_at_end", fewer
        ),
        FigureSpec("median_duration_hours", "Median time away", "hours", better=fewer),
        FigureSpec("p90_duration_hours", "90th percentile of time away", "hours", better=fewer),
        FigureSpec("share_over_24h", "Away more than 24 hours", "pct", better=fewer),
        FigureSpec("police_ref_pct", "Episodes with a police reference", "pct", better="higher"),
        FigureSpec(
            "median_minutes_to_report",
            "Median time from last seen to report",
            "minutes",
            better=fewer,
        ),
        FigureSpec("cost_estimate", "Estimated cost of the episodes", "money", "episodes", fewer),
    )


def return_figures(settings: Settings) -> tuple[FigureSpec, ...]:
    """Safe-and-well checks and return interviews after the month's returns: more is better."""
    window = f"{settings.rhi_window_hours:g} hours"
    more: Better = "higher"
    return (
        FigureSpec("returns", "Returns in the month", "count", "returns"),
        FigureSpec("safe_and_well_pct", "Safe-and-well check recorded", "pct", better=more),
        FigureSpec("rhi_offered_pct", "Return interview offered", "pct", better=more),
        FigureSpec(
            "rhi_offered_72h_pct",
            f"Return interview offered within {window}",
            "pct",
            better=more,
        ),
        FigureSpec("rhi_completed_pct", "Return interview completed", "pct", better=more),
        FigureSpec(
            "rhi_completed_72h_pct",
            f"Return interview completed within {window}",
            "pct",
            better=more,
        ),
    )


def all_figures(settings: Settings) -> tuple[FigureSpec, ...]:
    return volume_figures(settings) + return_figures(settings)


# The per-home table: the `homes` entries of stats(), flattened -------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the per-home table: its CSV name, heading and format."""

    name: str
    heading: str
    kind: Kind | None  # None: text or a date
    small_count: bool = False


HOME_COLUMNS = (
    Column("urn", "URN", None),
    Column("name", "Home", None),
    Column("episodes", "Episodes", "count", True),
    Column("children", "Children", "count", True),
    Column("repeat_children", "Repeat children", "count", True),
    Column("police_ref_pct", "Police reference %", "pct"),
    Column("rhi_completed_72h_pct", "RHI completed in time %", "pct"),
    Column("engagement_start", "Engagement start", None),
    Column("pre_episodes", "Episodes before", "count", True),
    Column("pre_child_days", "Child-days before", "count"),
    Column("pre_rate_per_1000", "Rate before", "rate"),
    Column("post_episodes", "Episodes after", "count", True),
    Column("post_child_days", "Child-days after", "count"),
    Column("post_rate_per_1000", "Rate after", "rate"),
    Column("rate_ratio", "Rate ratio", "ratio"),
    Column("ci95_low", "95% CI low", "ratio"),
    Column("ci95_high", "95% CI high", "ratio"),
    Column("episodes_avoided", "Episodes avoided", "tenths"),
    Column("cost_avoided", "Cost avoided", "money"),
)


def home_row(entry: dict[str, Any]) -> dict[str, Any]:
    """One `homes` entry of stats() as the flat values of HOME_COLUMNS (None: no value)."""
    demand = entry["demand"] or {}
    pre, post = demand.get("pre") or {}, demand.get("post") or {}
    ci95 = demand.get("ci95") or (None, None)
    return {
        "urn": entry["urn"],
        "name": entry["name"],
        "episodes": entry["episodes"],
        "children": entry["children"],
        "repeat_children": entry["repeat_children"],
        "police_ref_pct": entry["police_ref_pct"],
        "rhi_completed_72h_pct": entry["rhi_completed_72h_pct"],
        "engagement_start": demand.get("engagement_start"),
        "pre_episodes": pre.get("episodes"),
        "pre_child_days": pre.get("child_days"),
        "pre_rate_per_1000": pre.get("rate_per_1000"),
        "post_episodes": post.get("episodes"),
        "post_child_days": post.get("child_days"),
        "post_rate_per_1000": post.get("rate_per_1000"),
        "rate_ratio": demand.get("rate_ratio"),
        "ci95_low": ci95[0],
        "ci95_high": ci95[1],
        "episodes_avoided": demand.get("episodes_avoided"),
        "cost_avoided": demand.get("cost_avoided"),
    }


def home_rows(pack: MonthlyPack) -> list[dict[str, Any]]:
    """The per-home table of a pack: every `homes` entry of stats(), or the one home's own
    figures (a home with neither an episode nor an engagement start has no entry)."""
    if pack.home is None:
        return [home_row(entry) for entry in pack.figures["homes"]]
    entry = next(iter(pack.figures["homes"]), {"demand": None})
    figures = pack.figures
    own = {
        key: figures[key]
        for key in (
            "episodes",
            "children",
            "repeat_children",
            "police_ref_pct",
            "rhi_completed_72h_pct",
        )
    }
    return [
        home_row({**own, "urn": pack.home.urn, "name": pack.home.name, "demand": entry["demand"]})
    ]


def hidden(pack: MonthlyPack, spec: FigureSpec, figures: dict[str, Any]) -> bool:
    """Whether a figure of `figures` (one month's stats) is suppressed in this pack: a
    home's pack, small numbers suppressed, and the figure's count from 1 to 4."""
    return (
        pack.request.suppress_small
        and pack.home is not None
        and spec.count_of is not None
        and is_small(figures[spec.count_of])
    )


def hidden_text(pack: MonthlyPack, spec: FigureSpec) -> str:
    """What a suppressed figure reads: '<5', or for a cost '<£12,079.00' (5 episodes')."""
    return f"<{money_text(5 * pack.settings.unit_cost)}" if spec.kind == "money" else SUPPRESSED
