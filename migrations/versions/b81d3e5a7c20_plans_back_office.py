"""The guarantor body's back office for plans: a plan's jurisdiction, guarantor body, licence and
publication; at most one current plan; phases with their own name that say whether they accept
proposals (several may share a kind); a member's institution.

Existing plans count as published (they were public already), and their co-creation phases accept
proposals, as every phase did in effect before.

Revision ID: b81d3e5a7c20
Revises: c5d2e8f41a7b
Create Date: 2026-12-06 01:45:00
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "b81d3e5a7c20"
down_revision = "c5d2e8f41a7b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("guarantor_name", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("guarantor_email", sa.String(length=254), server_default="", nullable=False))
        batch_op.add_column(sa.Column("guarantor_address", sa.String(length=300), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("data_licence", sa.String(length=80), server_default="CC BY 4.0",
                                      nullable=False))
        batch_op.add_column(sa.Column("published_at", app.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column("reference_prefix", existing_type=sa.String(length=10), server_default=None,
                              existing_nullable=False)
    op.execute("UPDATE action_plans SET published_at = created_at")
    # Only the newest current plan stays current, so that the unique index can be made.
    op.execute(
        "UPDATE action_plans SET is_current = false WHERE is_current AND id <> "
        "(SELECT id FROM (SELECT id FROM action_plans WHERE is_current "
        "ORDER BY created_at DESC, id DESC LIMIT 1) AS newest)"
    )
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.create_index("uq_action_plans_one_current", ["is_current"], unique=True,
                              sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"))

    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("accepts_proposals", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.drop_constraint("uq_phases_plan_id_kind", type_="unique")
        batch_op.create_unique_constraint("uq_phases_plan_id_kind_starts_on", ["plan_id", "kind", "starts_on"])
    op.execute("UPDATE phases SET accepts_proposals = true WHERE kind = 'cocreation'")

    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("institution", sa.String(length=300), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.drop_column("institution")
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_constraint("uq_phases_plan_id_kind_starts_on", type_="unique")
        batch_op.create_unique_constraint("uq_phases_plan_id_kind", ["plan_id", "kind"])
        batch_op.drop_column("accepts_proposals")
        batch_op.drop_column("name")
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.drop_index("uq_action_plans_one_current", sqlite_where=sa.text("is_current"),
                            postgresql_where=sa.text("is_current"))
        batch_op.drop_column("published_at")
        batch_op.drop_column("data_licence")
        batch_op.drop_column("guarantor_address")
        batch_op.drop_column("guarantor_email")
        batch_op.drop_column("guarantor_name")
        batch_op.drop_column("jurisdiction")
