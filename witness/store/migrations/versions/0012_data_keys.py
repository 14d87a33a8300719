"""per-victim data keys wrapped by the keyring's key-encryption key (R-71, R-101a)

Revision ID: 0012_data_keys
Revises: 0011_shelter_detention_guardians

Values already stored under a keyring key (`k1:...`) still decrypt; `witness keys migrate` moves
them under data keys (resumable, like rotation).
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0012_data_keys"
down_revision = "0011_shelter_detention_guardians"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("kek_id", sa.String(16)),
        sa.Column("wrapped", sa.Text()),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("destroyed_at", UTC()),
        sa.Column("destroyed_by", sa.String(80)),
    )


def downgrade() -> None:
    op.drop_table("data_keys")
