"""Each election belongs to one call: its roll comes from that call's approved organisations and
it freezes only that call's applications to its committee.

Existing elections get the call that was their committee's latest (published, by opening) when
the election was created; a draft created before any call of its committee gets the committee's
earliest call; an election of a committee that no call ever included keeps NULL (it must be given
a call before its nominations or voting can go on). Plain correlated UPDATEs: the same SQL runs on
SQLite and PostgreSQL.

Revision ID: c5e1a7d3b902
Revises: 7a4c2e91b0d5
Create Date: 2026-12-06 01:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c5e1a7d3b902"
down_revision = "7a4c2e91b0d5"
branch_labels = None
depends_on = None

_CALLS_OF_THE_COMMITTEE = """
    SELECT calls.id FROM calls
    JOIN call_committees ON call_committees.call_id = calls.id
    WHERE call_committees.committee_id = elections.committee_id
      AND calls.published_at IS NOT NULL
"""


def upgrade():
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_elections_call_id"), ["call_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_elections_call_id_calls"), "calls",
                                    ["call_id"], ["id"], ondelete="RESTRICT")
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
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_elections_call_id_calls"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_elections_call_id"))
        batch_op.drop_column("call_id")
