"""Index for the proposal map: the plan's visible located proposals, newest first.

Revision ID: c8e2f0a4d917
Revises: b4d82c6f19e0
Create Date: 2026-12-06 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c8e2f0a4d917"
down_revision = "b4d82c6f19e0"
branch_labels = None
depends_on = None

LOCATED_WHERE = "hidden_at IS NULL AND latitude IS NOT NULL AND longitude IS NOT NULL"


def upgrade():
    op.create_index("ix_proposals_located_newest", "proposals", ["plan_id", "created_at", "id"],
                    postgresql_where=sa.text(LOCATED_WHERE), sqlite_where=sa.text(LOCATED_WHERE))


def downgrade():
    op.drop_index("ix_proposals_located_newest", table_name="proposals")
