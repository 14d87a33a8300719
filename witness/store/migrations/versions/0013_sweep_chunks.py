"""sweep chunks: units of one sweep that several workers claim under a lease (R-102, issue 15 §3)

Revision ID: 0013_sweep_chunks
Revises: 0012_data_keys
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0013_sweep_chunks"
down_revision = "0012_data_keys"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "sweep_chunks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sweep_at", UTC(), nullable=False),
        sa.Column("follow_up", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_ids", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("lease_owner", sa.String(120)),
        sa.Column("lease_expires_at", UTC()),
        sa.Column("claims", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("changed", sa.Integer()),
        sa.Column("done_at", UTC()),
        sa.UniqueConstraint("sweep_at", "follow_up", "seq", name="uq_sweep_chunks_unit"),
    )
    op.create_index("ix_sweep_chunks_sweep_status", "sweep_chunks", ["sweep_at", "status"])


def downgrade() -> None:
    op.drop_index("ix_sweep_chunks_sweep_status", table_name="sweep_chunks")
    op.drop_table("sweep_chunks")
