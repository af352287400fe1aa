"""An index on the audit log by target: an item's public record is read by (target_type, target_id).

Revision ID: c5f0a9e2d7b1
Revises: b4e1d2c9a0f7
Create Date: 2026-12-06 10:30:00
"""
from alembic import op

revision = "c5f0a9e2d7b1"
down_revision = "b4e1d2c9a0f7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_entries_target", "audit_entries", ["target_type", "target_id"])


def downgrade():
    op.drop_index("ix_audit_entries_target", table_name="audit_entries")
