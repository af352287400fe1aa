"""Matching words against the full-text index, the same way on both databases.

One query language: the query goes through the same analyser as the text (analyser.py) and
every word must match, the last one as a prefix (so that "señal" finds "señalética" while it is
being typed). PostgreSQL matches the tsvector column with a tsquery and ranks with ts_rank;
SQLite matches the FTS5 table and ranks with bm25. The tokens hold letters and digits only, so
nobody's query is read as either database's query syntax.

What changed since the index was last brought up to date is re-indexed before any read: the
search area (which knows every kind's sources) registers how, with `on_read`; this module
imports no area.
"""
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.fulltext import analyser
from app.fulltext.models import KINDS, SearchEntry

# A prefix this short would match half the dictionary: shorter last words match whole.
MIN_PREFIX = 3
# Title matches count this much more than matches in the text (ts_rank's A and B weights).
TITLE_WEIGHT, BODY_WEIGHT = 1.0, 0.4
# Significant words of a proposal being written that the "similar proposals" check looks for.
MAX_SIMILAR_WORDS = 30

# Thread-safe: set once while the app is created (before the first request), read-only after.
_before_reading: list[Callable[[], None]] = []


def on_read(catch_up: Callable[[], None]) -> None:
    """`catch_up()` runs before every read of the index (the search area's re-indexing)."""
    if catch_up not in _before_reading:
        _before_reading.append(catch_up)


def catch_up() -> None:
    for run in _before_reading:
        run()


@dataclass
class Query:
    """The analysed query: its tokens, and whether the last one is matched as a prefix."""

    tokens: list[str]
    prefix: bool

    @classmethod
    def of(cls, text: str | None) -> "Query":
        tokens = analyser.query_tokens(text)
        # Numbers are whole: "100" does not find "1000".
        return cls(tokens, bool(tokens) and len(tokens[-1]) >= MIN_PREFIX
                   and not tokens[-1].isdigit())


def of_kind(kind: str):
    """The condition "entries of `kind`", the kind written into the SQL rather than bound: a
    statement prepared by the driver and run with PostgreSQL's generic plan must still see which
    partial GIN index (ix_search_entries_vector_<kind>) it may read."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of search: {kind!r}")
    return SearchEntry.kind == sa.literal(kind, literal_execute=True)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def match_clause(query: Query, *, any_word: bool = False):
    """(the condition, the relevance, the FROM clause to use) for the query on this database;
    higher relevance is better on both."""
    tokens = query.tokens
    if _is_postgresql():
        terms = [f"'{t}'" for t in tokens]
        if query.prefix and not any_word:
            terms[-1] += ":*"
        tsquery = sa.func.to_tsquery("simple", (" | " if any_word else " & ").join(terms))
        vector = sa.literal_column("search_entries.search_vector")
        weights = sa.literal(f"{{0.1, 0.2, {BODY_WEIGHT}, {TITLE_WEIGHT}}}")
        weights = sa.cast(weights, sa.ARRAY(sa.REAL))
        return (vector.bool_op("@@")(tsquery), sa.func.ts_rank(weights, vector, tsquery),
                SearchEntry.__table__)
    terms = [f'"{t}"' for t in tokens]
    if query.prefix and not any_word:
        terms[-1] += "*"
    fts = sa.table("search_fts", sa.column("rowid"))
    source = SearchEntry.__table__.join(fts, fts.c.rowid == SearchEntry.id)
    table = sa.literal_column("search_fts")
    # bm25 is lower for better matches; its weights follow the columns' order.
    relevance = -sa.func.bm25(table, TITLE_WEIGHT, BODY_WEIGHT)
    return table.op("MATCH")((" OR " if any_word else " AND ").join(terms)), relevance, source


def _title_clause(query: Query):
    """(the condition, the FROM clause) for entries whose TITLE holds every word of the query.
    On PostgreSQL it reads the title's own GIN index (ix_search_entries_title), so that a word
    found in thousands of texts but few titles costs the few titles."""
    tokens = query.tokens
    if _is_postgresql():
        terms = [f"'{t}'" for t in tokens]
        if query.prefix:
            terms[-1] += ":*"
        tsquery = sa.func.to_tsquery("simple", " & ".join(terms))
        vector = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"),
                                     SearchEntry.title_tokens)
        return vector.bool_op("@@")(tsquery), SearchEntry.__table__
    terms = [f'title_tokens : "{t}"' for t in tokens]
    if query.prefix:
        terms[-1] += "*"
    fts = sa.table("search_fts", sa.column("rowid"))
    source = SearchEntry.__table__.join(fts, fts.c.rowid == SearchEntry.id)
    return sa.literal_column("search_fts").op("MATCH")(" AND ".join(terms)), source


def first_matches(query: Query, scope: list, *, count_to: int, ids: dict[str, int]) -> list:
    """SELECTs (one per kind of `ids`, to be joined by UNION ALL) of (id, kind, n): for each kind,
    the number n of its entries in `scope` that match every word, counted no further than
    `count_to`, and the ids of the first `ids[kind]` of them in the index's own order (not
    ranked; a kind asked for 0 ids still gives one row for its count, or none when it has no
    match). Reading stops at `count_to` entries of a kind, so the rows read are bounded whatever
    the words. On PostgreSQL each kind reads its own partial GIN index
    (ix_search_entries_vector_<kind>), so a kind costs its own matches only."""
    condition, _, source = match_clause(query)
    members = []
    for kind, wanted in ids.items():
        first = (sa.select(SearchEntry.id, SearchEntry.kind).select_from(source)
                 .where(condition, of_kind(kind), *scope).limit(count_to).subquery())
        numbered = sa.select(first.c.id, first.c.kind,
                             sa.func.count().over().label("n"),
                             sa.func.row_number().over().label("position")).subquery()
        members.append(sa.select(numbered.c.id, numbered.c.kind, numbered.c.n)
                       .where(numbered.c.position <= max(wanted, 1)))
    return members


def title_matches(query: Query, scope: list, *, limit: int, label: str = "title"):
    """A SELECT of (id, `label`) of the first `limit` entries in `scope` whose TITLE holds every word
    (what is most relevant usually has the words in its title). On PostgreSQL it reads the
    title's own GIN index (ix_search_entries_title): a word in thousands of texts and a few titles
    costs the few titles."""
    condition, source = _title_clause(query)
    first = (sa.select(SearchEntry.id).select_from(source).where(condition, *scope)
             .limit(limit).subquery())
    return sa.select(first.c.id, sa.literal(label).label("kind"), sa.literal(0).label("n"))


def ranked(query: Query, ids: list[int]):
    """(the FROM clause, the conditions, the relevance) that rank the entries of `ids`: higher
    relevance is better on both databases, and it is computed for those entries only."""
    condition, relevance, source = match_clause(query)
    if _is_postgresql():
        # One array parameter rather than hundreds of bound values.
        among = SearchEntry.id == sa.any_(sa.cast(sa.bindparam("candidates", ids),
                                                  sa.ARRAY(sa.Integer)))
        # ts_rank needs no match condition, and leaving it out keeps PostgreSQL from reading
        # every match again through the GIN index.
        return source, [among], relevance
    # bm25 can only be read in a statement that MATCHes (FTS5 computes it per matching row).
    return source, [condition, SearchEntry.id.in_(ids)], relevance


def matching_ids(kind: str, query: str | None, plan_id: int | None):
    """For a list's own search box: a SELECT of (item_id, relevance) of the public items of
    `kind` that match every word of the query; None when the query is blank (the list is then not
    filtered). A query with no word worth searching for ("%", "de la") matches nothing. Use it as
    `m = matching_ids(...).subquery()`, then `.join(m, m.c.item_id == Model.id)` (or
    `Model.id.in_(sa.select(m.c.item_id))`), ordering by `m.c.relevance.desc()`."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of search: {kind!r}")
    if not (query or "").strip():
        return None
    parsed = Query.of(query)
    if not parsed.tokens:
        return sa.select(SearchEntry.item_id, sa.literal(0.0).label("relevance")).where(sa.false())
    catch_up()
    condition, relevance, source = match_clause(parsed)
    stmt = (sa.select(SearchEntry.item_id, relevance.label("relevance")).select_from(source)
            .where(condition, of_kind(kind)))
    if plan_id is not None:
        stmt = stmt.where(SearchEntry.plan_id == plan_id)
    return stmt


def similar_ids(plan_id: int, text: str, *, limit: int = 5, exclude_id: int | None = None) -> list[int]:
    """Ids of the plan's public proposals that share ANY significant word with the text (a title
    and body being written), the closest first: one statement."""
    tokens = []
    for token in analyser.analyse((text or "")[:20_000]):
        if token not in tokens:
            tokens.append(token)
        if len(tokens) == MAX_SIMILAR_WORDS:
            break
    if not tokens or limit < 1:
        return []
    catch_up()
    condition, relevance, source = match_clause(Query(tokens, False), any_word=True)
    stmt = (sa.select(SearchEntry.item_id).select_from(source)
            .where(condition, of_kind("proposal"), SearchEntry.plan_id == plan_id)
            .order_by(relevance.desc(), SearchEntry.id).limit(min(limit, 50)))
    if exclude_id is not None:
        stmt = stmt.where(SearchEntry.item_id != exclude_id)
    return list(db.session.scalars(stmt).all())
