"""documents area: the register of generated documents

Revision ID: 0005_documents
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0005_documents"
down_revision = "0001"
branch_labels = ("documents",)
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_documents_case_id_cases"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.String(36)),
        sa.Column("claim_id", sa.String(36)),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(20), nullable=False),
        sa.Column("includes_identity", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("generated_at", UTC(), nullable=False),
        sa.Column("generated_by", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_index("ix_documents_case_kind", "documents", ["case_id", "kind", "generated_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_case_kind", "documents")
    op.drop_table("documents")
