"""claims area: restitution and compensation claims, items, instalments, payments

Money columns are integer minor units (see witness/store/claim_tables.py for why).

Revision ID: 0006_claims
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0006_claims"
down_revision = "0001"
branch_labels = ("claims",)
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_claims_case_id_cases"), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("minor_units", sa.Integer(), nullable=False),
        sa.Column("lawyer", sa.String(80), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("guardian_acts", sa.Boolean(), nullable=False),
        sa.Column("judgment_date", sa.Date()),
        sa.Column("filed_on", sa.Date()),
        sa.Column("demanded_minor", sa.BigInteger()),
        sa.Column("demanded_on", sa.Date()),
        sa.Column("demanded_by", sa.String(80)),
        sa.Column("awarded_minor", sa.BigInteger()),
        sa.Column("order_date", sa.Date()),
        sa.Column("payer", sa.Text()),
        sa.Column("resolved_at", UTC()),
        sa.Column("resolution_reason", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
    )
    op.create_index("ix_claims_case_id", "claims", ["case_id"])
    op.create_index("ix_claims_lawyer_status", "claims", ["lawyer", "status"])
    op.create_index("ix_claims_status_jurisdiction", "claims", ["status", "jurisdiction"])
    op.create_table(
        "claim_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("claim_id", sa.String(12), sa.ForeignKey("claims.id", name="fk_claim_items_claim_id_claims"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("working", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("added_at", UTC(), nullable=False),
        sa.Column("added_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_claim_items_claim_id", "claim_items", ["claim_id"])
    op.create_table(
        "claim_instalments",
        sa.Column("claim_id", sa.String(12), sa.ForeignKey("claims.id", name="fk_claim_instalments_claim_id_claims"),
                  primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_claim_instalments_due_on", "claim_instalments", ["due_on"])
    op.create_table(
        "claim_payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("claim_id", sa.String(12), sa.ForeignKey("claims.id", name="fk_claim_payments_claim_id_claims"), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_claim_payments_claim_id", "claim_payments", ["claim_id"])


def downgrade() -> None:
    for t in ("claim_payments", "claim_instalments", "claim_items", "claims"):
        op.drop_table(t)
