"""Each plan's catalogue of places: municipalities, their localities and the committee covering each.

Revision ID: b5d1e7a3c902
Revises: b81d3e5a7c20
Create Date: 2026-12-06 01:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b5d1e7a3c902"
down_revision = "b81d3e5a7c20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.Enum("municipality", "locality", name="placekind", native_enum=False,
                                  length=32, create_constraint=True), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("(kind = 'municipality') = (parent_id IS NULL)",
                           name=op.f("ck_places_locality_has_parent")),
        sa.ForeignKeyConstraint(["committee_id"], ["committees.id"],
                                name=op.f("fk_places_committee_id_committees"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["parent_id"], ["places.id"],
                                name=op.f("fk_places_parent_id_places"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plans.id"],
                                name=op.f("fk_places_plan_id_action_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("plan_id", "parent_id", "name",
                            name=op.f("uq_places_plan_id_parent_id_name")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_places_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index("uq_places_plan_municipality_name", ["plan_id", "name"], unique=True,
                              sqlite_where=sa.text("parent_id IS NULL"),
                              postgresql_where=sa.text("parent_id IS NULL"))


def downgrade():
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index("uq_places_plan_municipality_name")
        batch_op.drop_index(batch_op.f("ix_places_committee_id"))
        batch_op.drop_index(batch_op.f("ix_places_parent_id"))
        batch_op.drop_index(batch_op.f("ix_places_plan_id"))
    op.drop_table("places")
