"""The search index: search_entries (one row per public item, its text analysed by the app's
Spanish analyser), with what each database builds from it: on PostgreSQL a generated tsvector
column ('simple' configuration over the analysed tokens) with a GIN index; on SQLite an FTS5
table over the same columns (external content) kept in step by triggers. The same statements as
app/fulltext/models.py, repeated here because a migration imports no application code.

The table starts empty: `flask search reindex` fills it from the data (the app keeps it in step
from then on). `make run` runs it after upgrading.

Revision ID: 4bace039000f
Revises: dd11197eec75
Create Date: 2026-12-06 04:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "4bace039000f"
down_revision = "dd11197eec75"
branch_labels = None
depends_on = None

POSTGRESQL_DDL = (
    "ALTER TABLE search_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', body_tokens), 'B')) STORED",
    "CREATE INDEX ix_search_entries_vector ON search_entries USING gin (search_vector)",
)
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title_tokens, body_tokens, content='search_entries', content_rowid='id')",
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); END",
    "CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); "
    "INSERT INTO search_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
)


def upgrade():
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_tokens", sa.Text(), nullable=False),
        sa.Column("body_tokens", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["action_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "item_id"),
    )
    op.create_index("ix_search_entries_plan_kind", "search_entries", ["plan_id", "kind"])
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_DDL if dialect == "postgresql" else SQLITE_DDL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")  # its triggers go with search_entries
    op.drop_index("ix_search_entries_plan_kind", table_name="search_entries")
    op.drop_table("search_entries")
