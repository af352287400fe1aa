"""Indexes for the proposal map (the plan's visible located proposals, newest first) and for the
moderation queues (proposals and comments waiting, or hidden by a moderator, by committee).

Revision ID: c8e2f0a4d917
Revises: c5f0a9e2d7b1
Create Date: 2026-12-06 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c8e2f0a4d917"
down_revision = "c5f0a9e2d7b1"
branch_labels = None
depends_on = None

LOCATED_WHERE = "hidden_at IS NULL AND latitude IS NOT NULL AND longitude IS NOT NULL"
WAITING_WHERE = "open_reports > 0 OR (hidden_at IS NOT NULL AND hidden_by_id IS NULL)"
HIDDEN_WHERE = "hidden_at IS NOT NULL AND hidden_by_id IS NOT NULL"
QUEUED = ("proposals", "comments")


def upgrade():
    op.create_index("ix_proposals_located_newest", "proposals", ["plan_id", "created_at", "id"],
                    postgresql_where=sa.text(LOCATED_WHERE), sqlite_where=sa.text(LOCATED_WHERE))
    for table in QUEUED:
        op.create_index(f"ix_{table}_moderation_waiting", table, ["committee_id"],
                        postgresql_where=sa.text(WAITING_WHERE), sqlite_where=sa.text(WAITING_WHERE))
        op.create_index(f"ix_{table}_moderation_hidden", table, ["committee_id", "hidden_at"],
                        postgresql_where=sa.text(HIDDEN_WHERE), sqlite_where=sa.text(HIDDEN_WHERE))


def downgrade():
    for table in QUEUED:
        op.drop_index(f"ix_{table}_moderation_hidden", table_name=table)
        op.drop_index(f"ix_{table}_moderation_waiting", table_name=table)
    op.drop_index("ix_proposals_located_newest", table_name="proposals")
