"""accounts (password hash, names grant, lock-out) and an append-only audit log

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

# The log can only grow. The one change allowed is erasing the values (`before`, `after`)
# of a row about a record that no longer exists, when a child's records are deleted at the
# end of retention: who did what, when, to which record, and why, stays.
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
    AND NEW.recipient IS OLD.recipient
    AND NEW.before IS NULL AND NEW.after IS NULL
    AND OLD.entity_id IS NOT NULL AND {RECORD_GONE}
)
BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be changed: it only grows.');
END
"""

NO_DELETE = """
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be deleted from: it only grows.');
END
"""


def upgrade() -> None:
    op.add_column("users", sa.Column("password_hash", sa.String(length=200), nullable=True))
    op.add_column(
        "users",
        sa.Column("can_see_names", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "users",
        sa.Column("failed_signins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("users", sa.Column("locked_until", sa.String(length=32), nullable=True))
    op.execute(NO_UPDATE)
    op.execute(NO_DELETE)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_events_no_delete")
    op.execute("DROP TRIGGER audit_events_no_update")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_signins")
        batch.drop_column("can_see_names")
        batch.drop_column("password_hash")
