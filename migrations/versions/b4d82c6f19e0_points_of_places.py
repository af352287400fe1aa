"""An optional point for each place of a plan's catalogue (latitude, longitude): the plan's maps
open on the box of its places' points instead of an installation-wide setting.

As in dd11197eec75: no table rebuilt on SQLite (its DROP would cascade to the localities), each
column added with its CHECK in place.

Revision ID: b4d82c6f19e0
Revises: a7c3e91b52d4
Create Date: 2026-12-06 09:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b4d82c6f19e0"
down_revision = "a7c3e91b52d4"
branch_labels = None
depends_on = None

TABLE = "places"
CHECKS = {
    "latitude": ("latitude_in_range", "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)"),
    "longitude": ("longitude_in_range",
                  "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)"),
}
PAIR = ("location_pair", "(latitude IS NULL) = (longitude IS NULL)")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite():
        for column, (name, check) in CHECKS.items():
            extra = f" CONSTRAINT ck_{TABLE}_{PAIR[0]} CHECK ({PAIR[1]})" if column == "longitude" else ""
            op.execute(sa.text(
                f"ALTER TABLE {TABLE} ADD COLUMN {column} NUMERIC(9, 6) "
                f"CONSTRAINT ck_{TABLE}_{name} CHECK ({check}){extra}"))
        return
    for column, (name, check) in CHECKS.items():
        op.add_column(TABLE, sa.Column(column, sa.Numeric(9, 6), nullable=True))
        op.create_check_constraint(f"ck_{TABLE}_{name}", TABLE, check)
    op.create_check_constraint(f"ck_{TABLE}_{PAIR[0]}", TABLE, PAIR[1])


def downgrade():
    if not _sqlite():
        for name, _check in (*CHECKS.values(), PAIR):
            op.drop_constraint(f"ck_{TABLE}_{name}", TABLE, type_="check")
    op.drop_column(TABLE, "longitude")
    op.drop_column(TABLE, "latitude")
