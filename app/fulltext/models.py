"""The search index: one row per public item that search can find, its text already analysed.

The row is written by Python (app/search/indexing.py) the same way on every database; what each
database builds from it is its own business, declared here next to the table so that
`db.create_all()` (tests) and the migration make the same thing:
- PostgreSQL: a stored generated `search_vector` tsvector column ('simple' configuration over the
  pre-analysed tokens, the title weighted A and the text B) with one partial GIN index per kind
  (every read asks for one kind, so a kind's search reads only that kind's matches), and a GIN
  index over the title's tokens alone (the first title matches, found without reading the texts');
- SQLite: an FTS5 virtual table `search_fts` over the same two columns (external content: the
  text lives once, in search_entries), kept in step by three triggers.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# A new kind needs its own partial GIN index on PostgreSQL (POSTGRESQL_DDL, and a migration).
KINDS = ("proposal", "commitment", "table", "comment", "document")
# Kinds whose title_tokens stay empty: a comment shows its host's title but is not found by it.
UNTITLED_KINDS = frozenset({"comment"})


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (
        sa.UniqueConstraint("kind", "item_id"),
        sa.Index("ix_search_entries_plan_kind", "plan_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    item_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False
    )
    # The item's page (and anchor), built when indexed: results link to it with no further query.
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    # The title shown (for a comment: the title of what it was written on).
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    # The analyser's tokens (app/fulltext/analyser.py), space-separated.
    title_tokens: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    body_tokens: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Plain text the snippet is cut from, where the matched words are marked.
    excerpt: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")


# The text-search structures each database derives from search_entries. The migration repeats
# these statements (a migration is a snapshot and imports no application code).
POSTGRESQL_DDL = (
    "ALTER TABLE search_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', body_tokens), 'B')) STORED",
    *(f"CREATE INDEX ix_search_entries_vector_{kind} ON search_entries USING gin (search_vector) "
      f"WHERE kind = '{kind}'" for kind in KINDS),
    "CREATE INDEX ix_search_entries_title ON search_entries "
    "USING gin (to_tsvector('simple'::regconfig, title_tokens))",
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

for _statement in POSTGRESQL_DDL:
    sa.event.listen(SearchEntry.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_DDL:
    sa.event.listen(SearchEntry.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="sqlite"))
sa.event.listen(SearchEntry.__table__, "after_drop",
                sa.DDL("DROP TABLE IF EXISTS search_fts").execute_if(dialect="sqlite"))

# What the databases hold beyond the models (the comparison of models and migrations, and
# autogenerate, leave these alone): the FTS5 table and its shadow tables, the tsvector column.
DATABASE_ONLY_TABLE_PREFIX = "search_fts"
DATABASE_ONLY_COLUMNS = {("search_entries", "search_vector")}
DATABASE_ONLY_INDEXES = {*(f"ix_search_entries_vector_{kind}" for kind in KINDS),
                         "ix_search_entries_title"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: False for the text-search structures the databases derive."""
    if type_ == "table" and reflected and (name or "").startswith(DATABASE_ONLY_TABLE_PREFIX):
        return False
    if type_ == "column" and reflected and (obj.table.name, name) in DATABASE_ONLY_COLUMNS:
        return False
    if type_ == "index" and reflected and name in DATABASE_ONLY_INDEXES:
        return False
    return True
