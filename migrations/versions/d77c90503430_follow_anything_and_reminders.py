"""Follow anything (proposals, commitments, committees, dialogue tables, elections) and send each
reminder once.

The commitment-only `follows` table becomes `target_follows` (user, target type, target id), its
rows copied as target type "commitment"; then the old table is dropped. `reminders_sent` records
each reminder mailed, unique per kind, moment and person; the outbox gets a `headers` column
(List-Unsubscribe of reminders). The downgrade copies the commitment
follows back (follows of other kinds cannot be kept there) and drops both tables. Plain
CREATE / INSERT … SELECT / DROP: the same SQL runs on SQLite and PostgreSQL, and no table that
others point to is rebuilt.

Revision ID: d77c90503430
Revises: c5e1a7d3b902
Create Date: 2026-12-06 04:40:00
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "d77c90503430"
down_revision = "c5e1a7d3b902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "target_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "target_type IN ('proposal', 'commitment', 'committee', 'table', 'election')",
            name=op.f("ck_target_follows_known_type"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_target_follows_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_follows")),
        sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_target_follows_user_target"),
    )
    op.create_index("ix_target_follows_target", "target_follows", ["target_type", "target_id"])
    op.create_index(op.f("ix_target_follows_user_id"), "target_follows", ["user_id"])
    op.execute(
        "INSERT INTO target_follows (user_id, target_type, target_id, created_at) "
        "SELECT user_id, 'commitment', commitment_id, created_at FROM follows ORDER BY id"
    )
    op.drop_index(op.f("ix_follows_user_id"), table_name="follows")
    op.drop_index(op.f("ix_follows_commitment_id"), table_name="follows")
    op.drop_table("follows")

    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target_key", sa.String(length=120), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["users.id"],
                                name=op.f("fk_reminders_sent_recipient_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("kind", "target_key", "recipient_id", name="uq_reminders_sent_once"),
    )
    op.create_index(op.f("ix_reminders_sent_recipient_id"), "reminders_sent", ["recipient_id"])
    op.add_column("outbox_messages", sa.Column("headers", sa.JSON(), nullable=True))


def downgrade():
    # Nothing points at the outbox: rebuilding it on SQLite loses nothing.
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("headers")
    op.drop_index(op.f("ix_reminders_sent_recipient_id"), table_name="reminders_sent")
    op.drop_table("reminders_sent")

    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitments.id"],
                                name=op.f("fk_follows_commitment_id_commitments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("commitment_id", "user_id", name=op.f("uq_follows_commitment_id_user_id")),
    )
    op.create_index(op.f("ix_follows_commitment_id"), "follows", ["commitment_id"])
    op.create_index(op.f("ix_follows_user_id"), "follows", ["user_id"])
    op.execute(
        "INSERT INTO follows (commitment_id, user_id, created_at) "
        "SELECT target_follows.target_id, target_follows.user_id, target_follows.created_at "
        "FROM target_follows JOIN commitments ON commitments.id = target_follows.target_id "
        "WHERE target_follows.target_type = 'commitment' ORDER BY target_follows.id"
    )
    op.drop_index(op.f("ix_target_follows_user_id"), table_name="target_follows")
    op.drop_index("ix_target_follows_target", table_name="target_follows")
    op.drop_table("target_follows")
