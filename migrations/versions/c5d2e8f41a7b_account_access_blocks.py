"""Account access blocks: the guarantor body blocks an account from signing in, with a reason.

Revision ID: c5d2e8f41a7b
Revises: 5d0c3a7e91f2
Create Date: 2026-12-06 01:50:00
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "c5d2e8f41a7b"
down_revision = "5d0c3a7e91f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_blocked_at", app.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("access_blocked_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("access_blocked_reason")
        batch_op.drop_column("access_blocked_at")
