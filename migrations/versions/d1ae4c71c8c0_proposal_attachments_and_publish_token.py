"""Images and PDFs attached to proposals (pending ones belong to their uploader until published),
and the one-time token of the proposal form, unique, so that publishing the same form twice
creates one proposal.

The token is added as a plain nullable column with a unique index: no table rebuild on SQLite
(rebuilding proposals would DROP it, and with foreign keys on, that DROP cascades).

Revision ID: d1ae4c71c8c0
Revises: 4bace039000f
Create Date: 2026-12-06 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d1ae4c71c8c0"
down_revision = "4bace039000f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proposal_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("image", "pdf", name="attachmentkind", native_enum=False,
                                  length=16, create_constraint=True), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("thumb_stored_name", sa.String(length=64), nullable=True),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("alt_text", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index("ix_proposal_attachments_owner_id", "proposal_attachments", ["owner_id"])
    op.create_index("ix_proposal_attachments_proposal_id", "proposal_attachments", ["proposal_id"])
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("proposals")}
    if "submission_token" not in columns:  # a SQLite downgrade leaves it (see downgrade)
        op.add_column("proposals", sa.Column("submission_token", sa.String(length=64), nullable=True))
    op.create_index("ix_proposals_submission_token", "proposals", ["submission_token"], unique=True)


def downgrade():
    op.drop_index("ix_proposals_submission_token", table_name="proposals")
    if op.get_bind().dialect.name == "sqlite":
        # No rebuild of proposals on SQLite (see above): the column is emptied and stays.
        op.execute(sa.text("UPDATE proposals SET submission_token = NULL"))
    else:
        op.drop_column("proposals", "submission_token")
    op.drop_index("ix_proposal_attachments_proposal_id", table_name="proposal_attachments")
    op.drop_index("ix_proposal_attachments_owner_id", table_name="proposal_attachments")
    op.drop_table("proposal_attachments")
