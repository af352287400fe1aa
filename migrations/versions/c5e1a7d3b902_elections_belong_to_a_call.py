"""Each election belongs to one call: its roll comes from that call's approved organisations and
it freezes only that call's applications to its committee. And a plan's calls are unique by title
and registration window, so that two simultaneous clicks on "Publish" publish one call
(publish_call already returned the existing call for a repeated title and window, so existing
data holds no such repeats unless an edit made one: the upgrade then stops at the index).

Existing elections get the call that was their committee's latest (published, by opening) when
the election was created; a draft created before any call of its committee gets the committee's
earliest call; an election of a committee that no call ever included keeps NULL (it must be given
a call, by editing the draft, before voting can open). Plain correlated UPDATEs: the same SQL runs
on SQLite and PostgreSQL.

No table is rebuilt on SQLite (no batch mode): rebuilding copies the table and DROPs the old one,
and with foreign keys on (app/core/db.py) that DROP deletes, through ON DELETE CASCADE, every row
that points at it (an election's candidates, roll and results; a call's applications). So the
column is added with its REFERENCES clause in place, and the uniqueness is a unique index. For
the same reason the downgrade on SQLite empties the column and leaves it (SQLite cannot drop a
column that has a foreign key without rebuilding the table); the upgrade re-uses it.

Revision ID: c5e1a7d3b902
Revises: b5d1e7a3c902
Create Date: 2026-12-06 01:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c5e1a7d3b902"
down_revision = "b5d1e7a3c902"
branch_labels = None
depends_on = None

_CALLS_OF_THE_COMMITTEE = """
    SELECT calls.id FROM calls
    JOIN call_committees ON call_committees.call_id = calls.id
    WHERE call_committees.committee_id = elections.committee_id
      AND calls.published_at IS NOT NULL
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.create_index("uq_calls_same_title_and_window", "calls",
                    ["plan_id", "title", "opens_at", "closes_at"], unique=True)
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("elections")}
    if _sqlite():
        if "call_id" not in columns:
            op.execute(sa.text(
                "ALTER TABLE elections ADD COLUMN call_id INTEGER CONSTRAINT "
                "fk_elections_call_id_calls REFERENCES calls (id)"))
    else:
        op.add_column("elections", sa.Column("call_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_elections_call_id_calls", "elections", "calls",
                              ["call_id"], ["id"])
    op.create_index("ix_elections_call_id", "elections", ["call_id"], unique=False)
    op.execute(sa.text(
        "UPDATE elections SET call_id = (" + _CALLS_OF_THE_COMMITTEE
        + " AND calls.published_at <= elections.created_at"
        " ORDER BY calls.opens_at DESC, calls.id DESC LIMIT 1)"
    ))
    op.execute(sa.text(
        "UPDATE elections SET call_id = (" + _CALLS_OF_THE_COMMITTEE
        + " ORDER BY calls.opens_at ASC, calls.id ASC LIMIT 1) WHERE call_id IS NULL"
    ))


def downgrade():
    op.drop_index("ix_elections_call_id", table_name="elections")
    if _sqlite():
        op.execute(sa.text("UPDATE elections SET call_id = NULL"))
    else:
        op.drop_constraint("fk_elections_call_id_calls", "elections", type_="foreignkey")
        op.drop_column("elections", "call_id")
    op.drop_index("uq_calls_same_title_and_window", table_name="calls")
