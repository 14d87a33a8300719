"""per-victim data keys (R-71, R-101a): placeholder, being written by helper S

Revision ID: 0012_data_keys
Revises: 0011_shelter_detention_guardians
"""
revision = "0012_data_keys"
down_revision = "0011_shelter_detention_guardians"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
