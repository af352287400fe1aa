"""Stored HTML of user text: `rendered` (HTML and plain text of the Markdown fields) and
`rendered_version` on every table whose text pages show (app/core/rendered.py).

Both nullable: existing rows are filled by `flask content rerender` (run after `flask db upgrade`,
as `make run` and docs/deploy.md do); until then pages render them as before.

Revision ID: a7c3e91b52d4
Revises: a7d3c0e51b29
Create Date: 2026-12-06 06:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c3e91b52d4"
down_revision = "a7d3c0e51b29"
branch_labels = None
depends_on = None

TABLES = (
    "action_plans", "announcements", "audit_entries", "calls", "comments", "commitments",
    "consultation_answers", "dialogue_tables", "election_agreements", "election_candidates",
    "milestones", "minutes_versions", "progress_notes", "proposal_answers", "proposal_versions",
    "proposals",
)


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("rendered", sa.JSON(), nullable=True))
        op.add_column(table, sa.Column("rendered_version", sa.SmallInteger(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite has it since 3.35): a batch would copy each table, and SQLite
    # refuses to drop tables that others reference.
    for table in TABLES:
        op.drop_column(table, "rendered_version")
        op.drop_column(table, "rendered")
