"""Indexes for the proposal list: newest first within a plan, and the municipality filter.

Revision ID: f371dde4d613
Revises: e056b186363c
Create Date: 2026-11-26 01:31:53.340692
"""
from alembic import op

revision = "f371dde4d613"
down_revision = "e056b186363c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_plan_municipality", ["plan_id", "municipality"], unique=False)
        batch_op.create_index("ix_proposals_plan_newest", ["plan_id", "created_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_plan_newest")
        batch_op.drop_index("ix_proposals_plan_municipality")
