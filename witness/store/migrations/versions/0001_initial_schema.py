"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 01:36:31.100600
"""
from alembic import op
import sqlalchemy as sa
import witness.store.tables


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accused',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('custody', sa.String(length=12), nullable=False),
    sa.Column('custody_changed_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accused'))
    )
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('record', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('prev', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    op.create_table('cases',
    sa.Column('id', sa.String(length=12), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('coordinator', sa.String(length=80), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('opened_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('age_status', sa.String(length=10), nullable=False),
    sa.Column('gender', sa.String(length=12), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('preferred_language', sa.String(length=16), nullable=False),
    sa.Column('escort_gender_preference', sa.String(length=12), nullable=True),
    sa.Column('safe_channels', sa.String(length=60), nullable=False),
    sa.Column('reflection_started_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('reflection_ends_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('reflection_max_ends_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('decided_at', witness.store.tables.UTC(timezone=True), nullable=True),
    sa.Column('updated_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_stage_reflection', ['stage', 'reflection_ends_at'], unique=False)

    op.create_table('proceedings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('docket', sa.String(length=80), nullable=False),
    sa.Column('prosecutor', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proceedings')),
    sa.UniqueConstraint('jurisdiction', 'docket', name='uq_proceedings_docket')
    )
    op.create_table('appointments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('cancelled_at', witness.store.tables.UTC(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_appointments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_case_id'), ['case_id'], unique=False)

    op.create_table('case_proceedings',
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('proceeding_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_proceedings_case_id_cases')),
    sa.ForeignKeyConstraint(['proceeding_id'], ['proceedings.id'], name=op.f('fk_case_proceedings_proceeding_id_proceedings')),
    sa.PrimaryKeyConstraint('case_id', 'proceeding_id', name=op.f('pk_case_proceedings'))
    )
    with op.batch_alter_table('case_proceedings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_proceedings_proceeding_id'), ['proceeding_id'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('interpreter', sa.String(length=80), nullable=True),
    sa.Column('guardian_agreed', sa.Boolean(), nullable=False),
    sa.Column('given_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('withdrawn_at', witness.store.tables.UTC(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consents_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_case_id'), ['case_id'], unique=False)

    op.create_table('identities',
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('legal_name', sa.Text(), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=True),
    sa.Column('date_of_birth', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('guardian_name', sa.Text(), nullable=True),
    sa.Column('guardian_relationship', sa.Text(), nullable=True),
    sa.Column('guardian_phone', sa.Text(), nullable=True),
    sa.Column('guardian_language', sa.String(length=16), nullable=True),
    sa.Column('name_index', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_identities_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_identities'))
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_name_index'), ['name_index'], unique=False)

    op.create_table('proceeding_accused',
    sa.Column('proceeding_id', sa.String(length=36), nullable=False),
    sa.Column('accused_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['accused_id'], ['accused.id'], name=op.f('fk_proceeding_accused_accused_id_accused')),
    sa.ForeignKeyConstraint(['proceeding_id'], ['proceedings.id'], name=op.f('fk_proceeding_accused_proceeding_id_proceedings')),
    sa.PrimaryKeyConstraint('proceeding_id', 'accused_id', name=op.f('pk_proceeding_accused'))
    )
    op.create_table('relationships',
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('accused_id', sa.String(length=36), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['accused_id'], ['accused.id'], name=op.f('fk_relationships_accused_id_accused')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_relationships_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', 'accused_id', name=op.f('pk_relationships'))
    )
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relationships_accused_id'), ['accused_id'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('ended_at', witness.store.tables.UTC(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_services_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_case_id'), ['case_id'], unique=False)

    op.create_table('stage_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=12), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_stage_history_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_history'))
    )
    with op.batch_alter_table('stage_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_history_case_id'), ['case_id'], unique=False)

    op.create_table('worklist',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('case_id', sa.String(length=12), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('assignee', sa.String(length=80), nullable=False),
    sa.Column('due_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('created_at', witness.store.tables.UTC(timezone=True), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('done_at', witness.store.tables.UTC(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_worklist_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worklist')),
    sa.UniqueConstraint('key', name=op.f('uq_worklist_key'))
    )
    with op.batch_alter_table('worklist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worklist_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_worklist_case_kind_due', ['case_id', 'kind', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('worklist', schema=None) as batch_op:
        batch_op.drop_index('ix_worklist_case_kind_due')
        batch_op.drop_index(batch_op.f('ix_worklist_case_id'))

    op.drop_table('worklist')
    with op.batch_alter_table('stage_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_history_case_id'))

    op.drop_table('stage_history')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_case_id'))

    op.drop_table('services')
    with op.batch_alter_table('relationships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relationships_accused_id'))

    op.drop_table('relationships')
    op.drop_table('proceeding_accused')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_name_index'))

    op.drop_table('identities')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_case_id'))

    op.drop_table('consents')
    with op.batch_alter_table('case_proceedings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_proceedings_proceeding_id'))

    op.drop_table('case_proceedings')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_case_id'))

    op.drop_table('appointments')
    op.drop_table('proceedings')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_stage_reflection')

    op.drop_table('cases')
    op.drop_table('audit_log')
    op.drop_table('audit_head')
    op.drop_table('accused')
