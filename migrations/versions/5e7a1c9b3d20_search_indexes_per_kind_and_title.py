"""Search reads a bounded number of rows: on PostgreSQL the one GIN index over every kind's
search_vector becomes one partial GIN index per kind (each read asks for one kind, so a kind
reads only its own matches), and a GIN index over the titles' tokens finds the first title
matches without reading the texts. SQLite's FTS5 table needs nothing new (its column filter
reads the titles). The same statements as app/fulltext/models.py, repeated here because a
migration imports no application code.

Revision ID: 5e7a1c9b3d20
Revises: b7c1d2e3f4a5
Create Date: 2026-12-06 07:10:00
"""
from alembic import op

revision = "5e7a1c9b3d20"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None

KINDS = ("proposal", "commitment", "table", "comment", "document")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        op.execute(f"CREATE INDEX ix_search_entries_vector_{kind} ON search_entries "
                   f"USING gin (search_vector) WHERE kind = '{kind}'")
    op.execute("CREATE INDEX ix_search_entries_title ON search_entries "
               "USING gin (to_tsvector('simple'::regconfig, title_tokens))")
    op.execute("DROP INDEX ix_search_entries_vector")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_search_entries_vector ON search_entries USING gin (search_vector)")
    op.execute("DROP INDEX ix_search_entries_title")
    for kind in KINDS:
        op.execute(f"DROP INDEX ix_search_entries_vector_{kind}")
