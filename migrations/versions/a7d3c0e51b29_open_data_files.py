"""Pre-built open-data files: what each dataset's files were built from and what changed since.

Revision ID: a7d3c0e51b29
Revises: 5e7a1c9b3d20
Create Date: 2026-12-06 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7d3c0e51b29"
down_revision = "5e7a1c9b3d20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open_data_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("purge", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_open_data_changes_slug_purge", "open_data_changes", ["slug", "purge"])
    op.create_table(
        "open_data_builds",
        sa.Column("slug", sa.String(60), primary_key=True),
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    )


def downgrade():
    op.drop_table("open_data_builds")
    op.drop_index("ix_open_data_changes_slug_purge", table_name="open_data_changes")
    op.drop_table("open_data_changes")
