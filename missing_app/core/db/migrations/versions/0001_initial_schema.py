"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('why', sa.Text(), nullable=True),
    sa.Column('recipient', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_username'), ['username'], unique=False)

    op.create_table('children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_ref', sa.String(length=64), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('dob', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('ethnicity', sa.String(length=8), nullable=True),
    sa.Column('placing_authority', sa.String(length=100), nullable=True),
    sa.Column('legal_status', sa.String(length=8), nullable=True),
    sa.Column('social_worker', sa.String(length=200), nullable=True),
    sa.Column('cse_flagged_on', sa.Date(), nullable=True),
    sa.Column('cce_flagged_on', sa.Date(), nullable=True),
    sa.CheckConstraint("sex IS NULL OR sex IN ('M', 'F', 'U')", name=op.f('ck_children_sex')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children')),
    sa.UniqueConstraint('local_ref', name=op.f('uq_children_local_ref'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("role IN ('pcso', 'supervisor', 'analyst', 'administrator')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('care_homes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('urn', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('local_authority', sa.String(length=100), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('beds', sa.Integer(), nullable=True),
    sa.Column('pcso_id', sa.Integer(), nullable=True),
    sa.Column('engagement_start', sa.Date(), nullable=True),
    sa.CheckConstraint('beds IS NULL OR beds >= 0', name=op.f('ck_care_homes_beds')),
    sa.ForeignKeyConstraint(['pcso_id'], ['users.id'], name=op.f('fk_care_homes_pcso_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_homes')),
    sa.UniqueConstraint('urn', name=op.f('uq_care_homes_urn'))
    )
    op.create_table('child_profiles',
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('associates', sa.Text(), nullable=True),
    sa.Column('places_frequented', sa.Text(), nullable=True),
    sa.Column('phones_and_social_media', sa.Text(), nullable=True),
    sa.Column('medical_needs', sa.Text(), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_profiles_child_id_children'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id', name=op.f('pk_child_profiles'))
    )
    op.create_table('liaison_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['home_id'], ['care_homes.id'], name=op.f('fk_liaison_meetings_home_id_care_homes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liaison_meetings'))
    )
    with op.batch_alter_table('liaison_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_liaison_meetings_home_held', ['home_id', 'held_on'], unique=False)

    op.create_table('missing_episodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('last_seen_at', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.String(length=32), nullable=True),
    sa.Column('police_ref', sa.String(length=64), nullable=True),
    sa.Column('risk', sa.String(length=20), nullable=True),
    sa.Column('circumstances', sa.Text(), nullable=True),
    sa.Column('clothing', sa.Text(), nullable=True),
    sa.Column('last_seen_location', sa.Text(), nullable=True),
    sa.Column('returned_at', sa.String(length=32), nullable=True),
    sa.Column('return_method', sa.String(length=20), nullable=True),
    sa.Column('found_location', sa.Text(), nullable=True),
    sa.Column('found_with', sa.Text(), nullable=True),
    sa.Column('safe_and_well_at', sa.String(length=32), nullable=True),
    sa.Column('arrested', sa.Boolean(), nullable=False),
    sa.Column('harm_disclosed', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("return_method IS NULL OR return_method IN ('self', 'found_by_police', 'found_by_carer', 'other')", name=op.f('ck_missing_episodes_return_method')),
    sa.CheckConstraint("risk IS NULL OR risk IN ('no_apparent_risk', 'low', 'medium', 'high')", name=op.f('ck_missing_episodes_risk')),
    sa.CheckConstraint("type IN ('missing', 'absent')", name=op.f('ck_missing_episodes_type')),
    sa.CheckConstraint('returned_at IS NULL OR returned_at >= last_seen_at', name=op.f('ck_missing_episodes_returned')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_missing_episodes_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['home_id'], ['care_homes.id'], name=op.f('fk_missing_episodes_home_id_care_homes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missing_episodes')),
    sa.UniqueConstraint('child_id', 'last_seen_at', name=op.f('uq_missing_episodes_child_id'))
    )
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.create_index('ix_missing_episodes_home_last_seen', ['home_id', 'last_seen_at'], unique=False)
        batch_op.create_index('ix_missing_episodes_last_seen', ['last_seen_at'], unique=False)
        batch_op.create_index('ix_missing_episodes_open', ['last_seen_at'], unique=False, sqlite_where=sa.text('returned_at IS NULL'))
        batch_op.create_index('ix_missing_episodes_returned', ['returned_at'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.CheckConstraint('"end" IS NULL OR "end" >= start', name=op.f('ck_placements_dates')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_placements_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['home_id'], ['care_homes.id'], name=op.f('fk_placements_home_id_care_homes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements')),
    sa.UniqueConstraint('child_id', 'home_id', 'start', name=op.f('uq_placements_child_id'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index('ix_placements_home_start', ['home_id', 'start'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['liaison_meetings.id'], name=op.f('fk_actions_meeting_id_liaison_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_actions_open_due', ['due_on'], unique=False, sqlite_where=sa.text('done_on IS NULL'))

    op.create_table('reporting_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessed_by', sa.String(length=200), nullable=True),
    sa.Column('searched_first', sa.Boolean(), nullable=True),
    sa.Column('reported_within_policy', sa.Boolean(), nullable=True),
    sa.Column('profile_current', sa.Boolean(), nullable=True),
    sa.Column('police_ref_kept', sa.Boolean(), nullable=True),
    sa.Column('placing_authority_told', sa.Boolean(), nullable=True),
    sa.Column('social_worker_told', sa.Boolean(), nullable=True),
    sa.Column('each_night_reported', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['missing_episodes.id'], name=op.f('fk_reporting_assessments_episode_id_missing_episodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_assessments')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_reporting_assessments_episode_id'))
    )
    op.create_table('return_interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('offered_at', sa.String(length=32), nullable=True),
    sa.Column('offered_by', sa.String(length=200), nullable=True),
    sa.Column('completed_at', sa.String(length=32), nullable=True),
    sa.Column('declined', sa.Boolean(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('push_factors', sa.Text(), nullable=True),
    sa.Column('pull_factors', sa.Text(), nullable=True),
    sa.Column('exploitation_indicators', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['missing_episodes.id'], name=op.f('fk_return_interviews_episode_id_missing_episodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_interviews')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_return_interviews_episode_id'))
    )
    


def downgrade() -> None:
    
    op.drop_table('return_interviews')
    op.drop_table('reporting_assessments')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_open_due', sqlite_where=sa.text('done_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_actions_meeting_id'))

    op.drop_table('actions')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index('ix_placements_home_start')

    op.drop_table('placements')
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.drop_index('ix_missing_episodes_returned')
        batch_op.drop_index('ix_missing_episodes_open', sqlite_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('ix_missing_episodes_last_seen')
        batch_op.drop_index('ix_missing_episodes_home_last_seen')

    op.drop_table('missing_episodes')
    with op.batch_alter_table('liaison_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_meetings_home_held')

    op.drop_table('liaison_meetings')
    op.drop_table('child_profiles')
    op.drop_table('care_homes')
    op.drop_table('users')
    op.drop_table('settings')
    op.drop_table('children')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_username'))
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    
