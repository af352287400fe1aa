"""An index for the roll's pages: a page of an election's roll is a range of its positions.

Revision ID: b4e1d2c9a0f7
Revises: b4d82c6f19e0
Create Date: 2026-12-06 09:45:00
"""
from alembic import op

revision = "b4e1d2c9a0f7"
down_revision = "b4d82c6f19e0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_election_roll_entries_election_position", "election_roll_entries",
                    ["election_id", "position"], unique=False)


def downgrade():
    op.drop_index("ix_election_roll_entries_election_position", table_name="election_roll_entries")
