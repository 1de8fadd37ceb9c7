"""index police references for the child search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Case-blind, so that a reference typed in any case is found from its first characters.
    op.create_index(
        "ix_missing_episodes_police_ref",
        "missing_episodes",
        [sa.text("police_ref COLLATE NOCASE")],
    )


def downgrade() -> None:
    op.drop_index("ix_missing_episodes_police_ref", table_name="missing_episodes")
