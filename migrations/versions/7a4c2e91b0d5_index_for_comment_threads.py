"""Indexes for comment threads: a thread's replies and a commitment's consultation comments,
each with the order they are shown in.

Revision ID: 7a4c2e91b0d5
Revises: 1df586e9f69c
Create Date: 2026-12-05 23:59:00
"""
from alembic import op

revision = "7a4c2e91b0d5"
down_revision = "1df586e9f69c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_thread", ["parent_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_comments_commitment_thread", ["commitment_id", "created_at", "id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_commitment_thread")
        batch_op.drop_index("ix_comments_thread")
