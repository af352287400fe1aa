"""Committees get a short code ("MD"), shown before their commitments' numbers ("MD-1"): the
numbers count within a committee, so "Commitment 1" alone named several commitments.

Existing committees get their name's initials (the small words skipped, accents removed), with a
digit added where two committees of a plan would share them. This copy of the rule is frozen
here on purpose: a migration must give the same result whatever the application's code becomes.

The column is added in place (ALTER TABLE ... ADD COLUMN, no batch rebuild): rebuilding the
committees table on SQLite would DROP it and, with foreign keys on, cascade-delete every row
that points at it. The downgrade drops the column in place too (SQLite 3.35 and later).

Revision ID: e9f34c54e98f
Revises: 5229805ad9f0
Create Date: 2026-12-06 04:40:00
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "e9f34c54e98f"
down_revision = "5229805ad9f0"
branch_labels = None
depends_on = None

_MINOR_WORDS = frozenset("a al con de del e el en la las los para por y and for of the".split())


def _initials(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.findall(r"[a-z0-9]+", folded)
    letters = "".join(w if w.isdigit() else w[0] for w in words if w not in _MINOR_WORDS)
    return letters.upper()[:8] or "C"


def upgrade():
    op.add_column("committees", sa.Column("short_code", sa.String(length=8), server_default="",
                                          nullable=False))
    committees = sa.table("committees", sa.column("id", sa.Integer), sa.column("plan_id", sa.Integer),
                          sa.column("name", sa.String), sa.column("short_code", sa.String))
    connection = op.get_bind()
    used: dict[int, set[str]] = {}
    rows = connection.execute(sa.select(committees.c.id, committees.c.plan_id, committees.c.name)
                              .order_by(committees.c.plan_id, committees.c.id)).all()
    for committee_id, plan_id, name in rows:
        taken = used.setdefault(plan_id, set())
        stem = code = _initials(name)
        n = 1
        while code in taken:
            n += 1
            code = f"{stem[:8 - len(str(n))]}{n}"
        taken.add(code)
        connection.execute(committees.update().where(committees.c.id == committee_id)
                           .values(short_code=code))


def downgrade():
    op.drop_column("committees", "short_code")
