"""shelter placements and providers, detention, victim circumstances (issue 12: items 5, 6, 9)

Revision ID: 0011_shelter_detention_guardians
Revises: 0010_return_interpreters
"""
import sqlalchemy as sa
from alembic import op

import witness.store.tables

revision = "0011_shelter_detention_guardians"
down_revision = "0010_return_interpreters"
branch_labels = None
depends_on = None
UTC = witness.store.tables.UTC


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("service_id", sa.String(36), sa.ForeignKey("services.id", name="fk_placements_service_id_services"),
                  primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_placements_case_id_cases"), nullable=False),
        sa.Column("provider", sa.String(60), nullable=False),
        sa.Column("placed_at", UTC(), nullable=False),
        sa.Column("placed_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_placements_case_id", "placements", ["case_id"])
    op.create_table(
        "detentions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_detentions_case_id_cases"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("ended_at", UTC()),
        sa.Column("place", sa.Text()),
        sa.Column("recorded_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_detentions_open", "detentions", ["ended_at", "started_at"])
    op.create_index("ix_detentions_case", "detentions", ["case_id"])
    op.create_table(
        "guardian_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_guardian_records_case_id_cases"),
                  nullable=False),
        sa.Column("recorded_at", UTC(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("accused_link", sa.String(200)),
    )
    op.create_index("ix_guardian_records_case_id", "guardian_records", ["case_id"])
    op.create_table(
        "circumstances",
        sa.Column("case_id", sa.String(12), sa.ForeignKey("cases.id", name="fk_circumstances_case_id_cases"),
                  primary_key=True),
        sa.Column("exploitation", sa.String(300), nullable=False),
        sa.Column("pregnancy", sa.Text()),
        sa.Column("accompanying_children", sa.Integer(), nullable=False),
        sa.Column("media_exposure", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("circumstances")
    op.drop_index("ix_guardian_records_case_id", "guardian_records")
    op.drop_table("guardian_records")
    op.drop_index("ix_detentions_case", "detentions")
    op.drop_index("ix_detentions_open", "detentions")
    op.drop_table("detentions")
    op.drop_index("ix_placements_case_id", "placements")
    op.drop_table("placements")
