"""indexes that serve every sort of the Episodes table

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Sorting a million episodes by child, home, type, risk or time away read and sorted every
# row (2 to 8 seconds); with these, each sort reads one page down an index (or a chain of
# them: children by name, then each child's episodes by time). The expression is written
# exactly as core.queries.episodes.hours_away() writes it, or SQLite would not use it.
HOURS_AWAY = "(julianday(returned_at) - julianday(last_seen_at)) * 24"


def upgrade() -> None:
    op.create_index("ix_children_names", "children", ["first_name", "last_name"])
    op.create_index("ix_care_homes_name", "care_homes", ["name"])
    op.create_index(
        "ix_missing_episodes_type_last_seen", "missing_episodes", ["type", "last_seen_at"]
    )
    op.create_index(
        "ix_missing_episodes_risk_last_seen", "missing_episodes", ["risk", "last_seen_at"]
    )
    op.create_index("ix_missing_episodes_hours_away", "missing_episodes", [sa.text(HOURS_AWAY)])


def downgrade() -> None:
    op.drop_index("ix_missing_episodes_hours_away", table_name="missing_episodes")
    op.drop_index("ix_missing_episodes_risk_last_seen", table_name="missing_episodes")
    op.drop_index("ix_missing_episodes_type_last_seen", table_name="missing_episodes")
    op.drop_index("ix_care_homes_name", table_name="care_homes")
    op.drop_index("ix_children_names", table_name="children")
