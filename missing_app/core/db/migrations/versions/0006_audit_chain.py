"""the audit log's hash chain, and rows kept across a restore marked as restored over

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from missing_app.core.db.audit_chain import rechain

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As in 0004, with the chain's columns kept as they were too: the one change allowed is
# still blanking the values of a row about a record that no longer exists.
RECORD_GONE = """
    CASE OLD.entity
        WHEN 'children' THEN NOT EXISTS (SELECT 1 FROM children WHERE id = OLD.entity_id)
        WHEN 'child_profiles' THEN
            NOT EXISTS (SELECT 1 FROM child_profiles WHERE child_id = OLD.entity_id)
        WHEN 'placements' THEN NOT EXISTS (SELECT 1 FROM placements WHERE id = OLD.entity_id)
        WHEN 'missing_episodes' THEN
            NOT EXISTS (SELECT 1 FROM missing_episodes WHERE id = OLD.entity_id)
        WHEN 'return_interviews' THEN
            NOT EXISTS (SELECT 1 FROM return_interviews WHERE id = OLD.entity_id)
        WHEN 'reporting_assessments' THEN
            NOT EXISTS (SELECT 1 FROM reporting_assessments WHERE id = OLD.entity_id)
        ELSE 0
    END
"""

NO_UPDATE = f"""
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.username = OLD.username
    AND NEW.action = OLD.action AND NEW.entity = OLD.entity
    AND NEW.entity_id IS OLD.entity_id AND NEW.why IS OLD.why
    AND NEW.recipient IS OLD.recipient AND NEW.restored_over IS OLD.restored_over
    AND NEW.values_digest IS OLD.values_digest AND NEW.chain IS OLD.chain
    AND NEW.before IS NULL AND NEW.after IS NULL
    AND OLD.entity_id IS NOT NULL AND {RECORD_GONE}
)
BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be changed: it only grows.');
END
"""


def upgrade() -> None:
    op.execute("DROP TRIGGER audit_events_no_update")
    op.add_column("audit_events", sa.Column("values_digest", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("chain", sa.String(length=64), nullable=True))
    op.add_column(
        "audit_events",
        sa.Column("restored_over", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    rechain(op.get_bind())
    op.execute(NO_UPDATE)


NO_DELETE = """
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be deleted from: it only grows.');
END
"""

# 0004's trigger, for the way back.
OLD_NO_UPDATE = NO_UPDATE.replace(" AND NEW.restored_over IS OLD.restored_over", "").replace(
    "    AND NEW.values_digest IS OLD.values_digest AND NEW.chain IS OLD.chain\n", ""
)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table("audit_events") as batch:  # a new table on SQLite: no triggers
        batch.drop_column("restored_over")
        batch.drop_column("chain")
        batch.drop_column("values_digest")
    op.execute(OLD_NO_UPDATE)
    op.execute(NO_DELETE)
