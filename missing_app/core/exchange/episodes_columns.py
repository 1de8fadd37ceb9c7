"""The generic CSV files' columns (FORMATS.md): episodes, homes and placements, as read by
`import episodes` and written by `export episodes`."""

from __future__ import annotations

from missing_app.core import rules
from missing_app.core.exchange.tables import Column, text, whole_number
from missing_app.core.times import parse_date, parse_datetime


def _beds(value: str) -> int:
    beds = whole_number(value)
    if beds < 0:
        raise ValueError(f"{beds} beds is not possible")
    return beds


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.name: column for column in columns}


EPISODE_COLUMNS = _columns(
    Column("child_ref", text, required=True),
    Column("first_name", text),
    Column("last_name", text),
    Column("dob", parse_date, required=True),
    Column("sex", rules.sex),
    Column("home_urn", text, required=True),
    Column("home_name", text),
    Column("local_authority", text),
    Column("type", rules.episode_type),
    Column("last_seen_at", parse_datetime, required=True),
    Column("reported_at", parse_datetime),
    Column("police_ref", text),
    Column("risk", rules.risk_grade),
    Column("returned_at", parse_datetime),
    Column("return_method", rules.return_method),
    Column("found_location", text),
    Column("safe_and_well_at", parse_datetime),
    Column("rhi_offered_at", parse_datetime),
    Column("rhi_completed_at", parse_datetime),
    Column("rhi_declined", rules.yes_no),
)
HOME_COLUMNS = _columns(
    Column("urn", text, required=True),
    Column("name", text, required=True),
    Column("local_authority", text),
    Column("postcode", text),
    Column("beds", _beds),
    Column("engagement_start", parse_date),
)
PLACEMENT_COLUMNS = _columns(
    Column("child_ref", text, required=True),
    Column("home_urn", text, required=True),
    Column("start", parse_date, required=True),
    Column("end", parse_date),
)

# Episode columns of the file, as columns of missing_episodes and return_interviews.
EPISODE_FIELDS = (
    "type", "reported_at", "police_ref", "risk", "returned_at", "return_method",
    "found_location", "safe_and_well_at",
)  # fmt: skip
INTERVIEW_FIELDS = {
    "rhi_offered_at": "offered_at",
    "rhi_completed_at": "completed_at",
    "rhi_declined": "declined",
}
MERGED_FIELDS = (*EPISODE_FIELDS, *INTERVIEW_FIELDS)
