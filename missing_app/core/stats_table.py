"""The figures of `stats` as a table a person reads in a terminal."""

from __future__ import annotations

from typing import Any

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _value(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") + unit
    return f"{value:,}{unit}"


def money(value: float | None) -> str:
    """Pounds and pence, a minus sign before the pound sign: -£4,831.60."""
    if value is None:
        return "-"
    return f"{'-' if value < 0 else ''}£{abs(value):,.2f}"


def _pair(figures: dict[str, Any], first: str, second: str, unit: str = "%") -> str:
    return f"{_value(figures[first], unit)} / {_value(figures[second], unit)}"


def stats_table(figures: dict[str, Any]) -> str:
    """Every figure, labelled in words, then one line per home."""
    where = f"home {figures['home']}" if figures["home"] else "every home"
    rows = [
        ("Episodes", _value(figures["episodes"])),
        ("  missing / absent", f"{figures['missing_episodes']:,} / {figures['absent_episodes']:,}"),
        ("Children", _value(figures["children"])),
        ("Episodes per child", _value(figures["episodes_per_child"])),
        ("Repeat children (2 or more)", _value(figures["repeat_children"])),
        ("Children by episodes", "  ".join(f"{k}: {v}" for k, v in figures["bands"].items())),
        ("Top 10% of children's share", _value(figures["top10_share"], "%")),
        ("Crossed the repeat threshold", _value(figures["triggered_children"])),
        ("Open at the end of the period", _value(figures["open_at_end"])),
        ("Median / 90th percentile hours away",
         _pair(figures, "median_duration_hours", "p90_duration_hours", "")),
        ("Away over 24 hours", _value(figures["share_over_24h"], "%")),
        ("With a police reference", _value(figures["police_ref_pct"], "%")),
        ("Median minutes to report", _value(figures["median_minutes_to_report"])),
        ("Returns", _value(figures["returns"])),
        ("  safe-and-well check", _value(figures["safe_and_well_pct"], "%")),
        ("  RHI offered / within 72 h", _pair(figures, "rhi_offered_pct", "rhi_offered_72h_pct")),
        ("  RHI completed / within 72 h",
         _pair(figures, "rhi_completed_pct", "rhi_completed_72h_pct")),
        ("Estimated cost", money(figures["cost_estimate"])),
        ("By hour (0-23)", " ".join(str(n) for n in figures["by_hour"])),
        ("By weekday", "  ".join(f"{d} {n}" for d, n in zip(WEEKDAYS, figures["by_weekday"],
                                                             strict=True))),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    lines = [f"Homeward figures, {figures['from']} to {figures['to']}, {where}", ""]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    if figures["homes"]:
        lines += ["", _homes(figures["homes"])]
    return "\n".join(lines)


def _homes(homes: list[dict[str, Any]]) -> str:
    lines = [f"{'URN':<10} {'Home':<28} {'Episodes':>8} {'Children':>8} {'Repeat':>6} "
             f"{'Police ref':>10} {'RHI 72h':>8}  Demand: rate ratio, cost avoided"]  # fmt: skip
    for home in homes:
        demand = home["demand"]
        said = "-"
        if demand is not None:
            ratio = demand["rate_ratio"]
            said = f"{'-' if ratio is None else f'{ratio:.3f}'}, {money(demand['cost_avoided'])}"
        lines.append(
            f"{home['urn']:<10} {home['name'][:28]:<28} {home['episodes']:>8,} "
            f"{home['children']:>8,} {home['repeat_children']:>6,} "
            f"{_value(home['police_ref_pct'], '%'):>10} "
            f"{_value(home['rhi_completed_72h_pct'], '%'):>8}  {said}"
        )
    return "\n".join(lines)
