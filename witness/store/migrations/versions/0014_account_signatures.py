"""Accounts carry the name and office a document is signed with (issue 14, item 4).

A court filing was signed with the login ("somchai"); a court needs the person's name as they sign
and the office they act for. Both are optional: a document from an account without them leaves a
line for the name to be written by hand, never the login.

Revision ID: 0014_account_signatures
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_account_signatures"
down_revision = "0013_sweep_chunks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("display_name", sa.String(120)))
        batch.add_column(sa.Column("office", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("office")
        batch.drop_column("display_name")
