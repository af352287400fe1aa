"""An optional point on the map for proposals and commitments (latitude, longitude), and the
name of a commitment's place (a proposal's `place` already names it).

No table is rebuilt on SQLite (no batch mode): rebuilding DROPs the old table, and with foreign
keys on that DROP would delete, through ON DELETE CASCADE, every row that points at it (a
proposal's supports and versions; a commitment's milestones). So on SQLite each column is added
with its CHECK in place (ALTER TABLE ... ADD COLUMN ... CHECK), and the downgrade drops the
columns (SQLite 3.35+ drops a column that no index, key or other table constraint names).

Revision ID: dd11197eec75
Revises: e9f34c54e98f
Create Date: 2026-12-06 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "dd11197eec75"
down_revision = "e9f34c54e98f"
branch_labels = None
depends_on = None

TABLES = ("proposals", "commitments")
CHECKS = {
    "latitude": ("latitude_in_range", "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)"),
    "longitude": ("longitude_in_range",
                  "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)"),
}
PAIR = ("location_pair", "(latitude IS NULL) = (longitude IS NULL)")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    for table in TABLES:
        if _sqlite():
            for column, (name, check) in CHECKS.items():
                # The pair's check goes with the second column, once both exist.
                extra = f" CONSTRAINT ck_{table}_{PAIR[0]} CHECK ({PAIR[1]})" if column == "longitude" else ""
                op.execute(sa.text(
                    f"ALTER TABLE {table} ADD COLUMN {column} NUMERIC(9, 6) "
                    f"CONSTRAINT ck_{table}_{name} CHECK ({check}){extra}"))
        else:
            for column, (name, check) in CHECKS.items():
                op.add_column(table, sa.Column(column, sa.Numeric(9, 6), nullable=True))
                op.create_check_constraint(f"ck_{table}_{name}", table, check)
            op.create_check_constraint(f"ck_{table}_{PAIR[0]}", table, PAIR[1])
    op.add_column("commitments", sa.Column("place", sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column("commitments", "place")
    for table in TABLES:
        if not _sqlite():
            for name, _check in (*CHECKS.values(), PAIR):
                op.drop_constraint(f"ck_{table}_{name}", table, type_="check")
        # On SQLite a column CHECK goes with its column.
        op.drop_column(table, "longitude")
        op.drop_column(table, "latitude")
