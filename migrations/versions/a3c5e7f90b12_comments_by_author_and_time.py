"""Comments by author and time: the posting limit counts a person's last minutes by one index.

Replaces ix_comments_author_id, whose column leads the new index.

Revision ID: a3c5e7f90b12
Revises: 7ce79f4c4a6a
Create Date: 2026-12-08 00:45:00
"""
from alembic import op

revision = "a3c5e7f90b12"
down_revision = "7ce79f4c4a6a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_author_recent", ["author_id", "created_at"], unique=False)
        batch_op.drop_index("ix_comments_author_id")


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_author_id", ["author_id"], unique=False)
        batch_op.drop_index("ix_comments_author_recent")
