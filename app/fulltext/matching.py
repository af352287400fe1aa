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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.sql.util import ClauseAdapter

from app.extensions import db
from app.fulltext import analyser
from app.fulltext.models import KINDS, SearchEntry

# A prefix this short would match half the dictionary: shorter last words match whole.
MIN_PREFIX = 3
# Title matches count this much more than matches in the text (ts_rank's A and B weights).
TITLE_WEIGHT, BODY_WEIGHT = 1.0, 0.4
# The newest entries of a kind that a search reads in order before it asks the kind's GIN index
# for older ones (newest_matches): a common word's first matches are found among them.
NEWEST_WINDOW = 20_000
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


def is_postgresql() -> bool:
    return _is_postgresql()


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
        return _matched(True, (" | " if any_word else " & ").join(terms))
    terms = [f'"{t}"' for t in tokens]
    if query.prefix and not any_word:
        terms[-1] += "*"
    return _matched(False, (" OR " if any_word else " AND ").join(terms))


def _matched(postgresql: bool, words):
    """match_clause's (condition, relevance, FROM clause) for `words`, the text of a tsquery or of
    an FTS5 MATCH (a value, or a bound parameter)."""
    if postgresql:
        tsquery = sa.func.to_tsquery("simple", words)
        vector = sa.literal_column("search_entries.search_vector")
        weights = sa.literal(f"{{0.1, 0.2, {BODY_WEIGHT}, {TITLE_WEIGHT}}}")
        weights = sa.cast(weights, sa.ARRAY(sa.REAL))
        return (vector.bool_op("@@")(tsquery), sa.func.ts_rank(weights, vector, tsquery),
                SearchEntry.__table__)
    fts = sa.table("search_fts", sa.column("rowid"))
    source = SearchEntry.__table__.join(fts, fts.c.rowid == SearchEntry.id)
    table = sa.literal_column("search_fts")
    # bm25 is lower for better matches; its weights follow the columns' order.
    relevance = -sa.func.bm25(table, TITLE_WEIGHT, BODY_WEIGHT)
    return table.op("MATCH")(words), relevance, source


# The bound parameters that newest_matches' statements take (words_params gives their values):
# the statements are the same for every query, so they are built once and cached.
WORDS, TITLE_WORDS = "words", "title_words"
# The ids that `ranked` ranks (a list).
CANDIDATES = "candidates"


def _pg_terms(query: Query, *, title: bool = False) -> str:
    """The tsquery text of every word, the last one as a prefix; with `title`, each word must stand
    in the title (weight A of search_vector, which holds the title's tokens alone)."""
    terms = [f"'{t}'" for t in query.tokens]
    if query.prefix:
        terms[-1] += ":*"
    if title:
        terms = [f"{t}A" if t.endswith(":*") else f"{t}:A" for t in terms]
    return " & ".join(terms)


def _fts_terms(query: Query, *, title: bool = False) -> str:
    """The FTS5 MATCH text of every word, the last one as a prefix; with `title`, in the title."""
    terms = [f'{"title_tokens : " if title else ""}"{t}"' for t in query.tokens]
    if query.prefix:
        terms[-1] += "*"
    return " AND ".join(terms)


def words_params(query: Query) -> dict[str, str]:
    """The values of WORDS and TITLE_WORDS for newest_matches' statements on this database."""
    terms = _pg_terms if _is_postgresql() else _fts_terms
    return {WORDS: terms(query), TITLE_WORDS: terms(query, title=True)}


def _title_clause(query: Query):
    """(the condition, the FROM clause) for entries whose TITLE holds every word of the query:
    PostgreSQL asks search_vector for the words with the title's weight (A), SQLite asks the FTS5
    table's title column."""
    if _is_postgresql():
        vector = sa.literal_column("search_entries.search_vector")
        tsquery = sa.func.to_tsquery("simple", _pg_terms(query, title=True))
        return vector.bool_op("@@")(tsquery), SearchEntry.__table__
    fts = sa.table("search_fts", sa.column("rowid"))
    source = SearchEntry.__table__.join(fts, fts.c.rowid == SearchEntry.id)
    return sa.literal_column("search_fts").op("MATCH")(_fts_terms(query, title=True)), source


def newest_matches(kind: str, scope: list, *, limit: int, title: bool = False,
                   postgresql: bool = True, words: str | None = None):
    """A SELECT of the ids of at most `limit` entries of `kind` in `scope` that match every word
    of the bound parameter WORDS (with `title`, every word of TITLE_WORDS, in their title), the
    newest items first: what a page ranks and a count counts. Execute it with words_params().

    Its cost does not grow with the index. On PostgreSQL a GIN index gives every match of a word
    at once, so that reading the first thousand matches of a common word costs all of its hundreds
    of thousands; instead the NEWEST_WINDOW newest entries of the kind are read in order (the
    (kind, item_id) index) and tested one by one, which stops as soon as `limit` matched: a
    common word costs `limit` / its frequency entries, whatever the size of the index. Only when
    the window holds fewer than `limit` matches are the older entries looked up in the kind's GIN
    index (ix_search_entries_vector_<kind>); that part is never started otherwise (the LIMIT over
    the UNION ALL stops first), and for such a word the index is cheap. SQLite's FTS5 reads its
    matches in order and stops at the LIMIT by itself. `words` (words_params' value) binds the
    parameter in the statement itself, for a statement that is not kept."""
    words = sa.bindparam(TITLE_WORDS if title else WORDS, words, type_=sa.String)
    if postgresql:
        return _newest_matches_postgresql(kind, scope, words, limit=limit)
    fts = sa.table("search_fts", sa.column("rowid"))
    source = SearchEntry.__table__.join(fts, fts.c.rowid == SearchEntry.id)
    condition = sa.literal_column("search_fts").op("MATCH")(words)
    first = (sa.select(SearchEntry.id).select_from(source).where(condition, of_kind(kind), *scope)
             .order_by(SearchEntry.item_id.desc()).limit(limit).subquery())
    return sa.select(first.c.id)


def _newest_matches_postgresql(kind: str, scope: list, words, *, limit: int):
    entries = SearchEntry.__table__
    vector = sa.literal_column("search_entries.search_vector")
    tsquery = sa.func.to_tsquery("simple", words)
    newest = (sa.select(entries.c.id, entries.c.item_id, entries.c.plan_id,
                        vector.label("search_vector"))
              .where(of_kind(kind)).order_by(entries.c.item_id.desc())
              .limit(sa.literal(NEWEST_WINDOW, literal_execute=True)).subquery("newest"))
    in_window = ClauseAdapter(newest)
    # ts_match_vq is what @@ calls; written as a function, PostgreSQL takes it to keep a third of
    # the rows (for @@ it guesses from its statistics, often a thousandth) and so reads the window
    # in order and stops, rather than reading the whole kind to sort it when the kind holds fewer
    # entries than the window. Its own LIMIT too: planned alone, it is known to need few rows.
    recent = (sa.select(newest.c.id)
              .where(sa.func.ts_match_vq(newest.c.search_vector, tsquery),
                     *(in_window.traverse(c) for c in scope))
              # In the window's order, said again: the plan keeps it (no sort: it knows the
              # subquery's order), and a join the planner picks for the scope cannot lose it.
              .order_by(newest.c.item_id.desc())
              .limit(sa.literal(limit, literal_execute=True)))
    # The item_id where the window ends (none when the kind has fewer entries than it holds).
    window_end = (sa.select(entries.c.item_id).where(of_kind(kind))
                  .order_by(entries.c.item_id.desc())
                  .offset(sa.literal(NEWEST_WINDOW - 1, literal_execute=True)).limit(1)
                  .correlate(None).scalar_subquery())
    # "window_end IS NOT NULL" alone is a one-time test: a kind the window held whole never
    # reaches its GIN index.
    older = sa.select(entries.c.id).where(window_end.is_not(None), vector.bool_op("@@")(tsquery),
                                          of_kind(kind), *scope, entries.c.item_id < window_end)
    both = sa.union_all(recent.subquery().select(), older).subquery()
    return sa.select(both.c.id).limit(sa.literal(limit, literal_execute=True))


def first_matches(scope: list, *, count_to: dict[str, int], ids: dict[str, int],
                  postgresql: bool) -> list:
    """SELECTs (one per kind of `count_to`, to be joined by UNION ALL) of (id, kind, n): for each
    kind, the number n of its entries in `scope` that match every word, counted no further than
    `count_to[kind]`, and the ids of the first `ids[kind]` of them, newest first (not ranked; a
    kind asked for 0 ids still gives one row for its count, or none when it has no match). The
    rows read are bounded whatever the words and the size of the index (newest_matches)."""
    members = []
    for kind, limit in count_to.items():
        first = newest_matches(kind, scope, limit=limit, postgresql=postgresql).subquery()
        numbered = sa.select(first.c.id, sa.literal(kind).label("kind"),
                             sa.func.count().over().label("n"),
                             sa.func.row_number().over().label("position")).subquery()
        members.append(sa.select(numbered.c.id, numbered.c.kind, numbered.c.n)
                       .where(numbered.c.position <= max(ids.get(kind, 0), 1)))
    return members


def title_matches(kinds: list[str], scope: list, *, limit: int, postgresql: bool,
                  label: str = "title"):
    """SELECTs (one per kind) of (id, `label`, 0): the newest `limit` entries of each kind in
    `scope` whose TITLE holds every word (what is most relevant usually has the words in its
    title), read as newest_matches reads."""
    members = []
    for kind in kinds:
        first = newest_matches(kind, scope, limit=limit, title=True,
                               postgresql=postgresql).subquery()
        members.append(sa.select(first.c.id, sa.literal(label).label("kind"),
                                 sa.literal(0).label("n")))
    return members


def ranked(postgresql: bool):
    """(the FROM clause, the conditions, the relevance) that rank the entries whose ids are the
    parameter CANDIDATES by how they match the parameter WORDS (words_params): higher relevance is
    better on both databases, and it is computed for those entries only. The same for every
    query: a statement built of it is built once."""
    condition, relevance, source = _matched(postgresql, sa.bindparam(WORDS, type_=sa.String))
    if postgresql:
        # One array parameter rather than hundreds of bound values.
        among = SearchEntry.id == sa.any_(sa.cast(sa.bindparam(CANDIDATES), sa.ARRAY(sa.Integer)))
        # ts_rank needs no match condition, and leaving it out keeps PostgreSQL from reading
        # every match again through the GIN index.
        return source, [among], relevance
    # bm25 can only be read in a statement that MATCHes (FTS5 computes it per matching row).
    return source, [condition, SearchEntry.id.in_(sa.bindparam(CANDIDATES, expanding=True))], relevance


def _list_query(kind: str, query: str | None) -> Query | None:
    """A list's search box, parsed (None when blank), after checking `kind`."""
    if kind not in KINDS:
        raise ValueError(f"not a kind of search: {kind!r}")
    return Query.of(query) if (query or "").strip() else None


def _matches_nothing():
    """The (item_id, relevance) SELECT of a query with no word worth searching for ("%", "de la")."""
    return sa.select(SearchEntry.item_id, sa.literal(0.0).label("relevance")).where(sa.false())


def matching_ids(kind: str, query: str | None, plan_id: int | None):
    """For a list's own search box: a SELECT of (item_id, relevance) of the public items of
    `kind` that match every word of the query; None when the query is blank (the list is then not
    filtered). A query with no word worth searching for ("%", "de la") matches nothing. Use it as
    `m = matching_ids(...).subquery()`, then `.join(m, m.c.item_id == Model.id)` (or
    `Model.id.in_(sa.select(m.c.item_id))`), ordering by `m.c.relevance.desc()`."""
    parsed = _list_query(kind, query)
    if parsed is None or not parsed.tokens:
        return _matches_nothing() if parsed is not None else None
    catch_up()
    condition, relevance, source = match_clause(parsed)
    stmt = (sa.select(SearchEntry.item_id, relevance.label("relevance")).select_from(source)
            .where(condition, of_kind(kind)))
    if plan_id is not None:
        stmt = stmt.where(SearchEntry.plan_id == plan_id)
    return stmt


def newest_matching_ids(kind: str, query: str | None, plan_id: int, *, limit: int,
                        related=None):
    """For a list's search box sorted by relevance: a SELECT of (item_id, relevance) of the newest
    `limit` public items of `kind` in the plan that match every word and `related` (a condition
    on SearchEntry.item_id, such as an EXISTS of the list's own filters); None when the query is
    blank. Its cost does not grow with the index (newest_matches): the list ranks these only."""
    parsed = _list_query(kind, query)
    if parsed is None or not parsed.tokens:
        return _matches_nothing() if parsed is not None else None
    catch_up()
    scope = [SearchEntry.plan_id == plan_id, *([related] if related is not None else [])]
    postgresql = _is_postgresql()
    newest = newest_matches(kind, scope, limit=limit, postgresql=postgresql,
                            words=words_params(parsed)[WORDS]).subquery()
    condition, relevance, source = match_clause(parsed)
    among = SearchEntry.id.in_(sa.select(newest.c.id))
    # bm25 can only be read in a statement that MATCHes; ts_rank needs no match condition.
    return (sa.select(SearchEntry.item_id, relevance.label("relevance")).select_from(source)
            .where(among, *([] if postgresql else [condition])))


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


class Kept:
    """Values kept per app and process for a few seconds (the app's config[SETTING]; 0: nothing is
    kept), at most MAX of them, the oldest going first. Locked: every request thread reads and
    writes `_entries` under `_lock`."""

    MAX = 10_000
    SETTING = ""
    DEFAULT_SECONDS = 0

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()

    @classmethod
    def of_app(cls):
        seconds = float(current_app.config.get(cls.SETTING, cls.DEFAULT_SECONDS))
        name = f"{cls.SETTING}:{cls.__qualname__}"  # kinds that share a setting keep apart
        store = current_app.extensions.get(name)
        if store is None or store.seconds != seconds:
            store = current_app.extensions[name] = cls(seconds)
        return store

    def get(self, key: tuple):
        if self.seconds <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: tuple, value) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.MAX:
                self._entries.popitem(last=False)


class Saturated(Kept):
    """The searches (words, plan, kind, filters: a key the caller makes) lately found to have more
    matches than their count's cap, kept for SEARCH_SATURATED_SECONDS. A search of common words
    then reads only the candidates it ranks, not the thousand matches that prove "more than
    1,000" again. What had that many matches keeps them: only deleting or hiding hundreds of
    matching items within those seconds could make the "more than" wrong, and the results
    themselves are always read afresh."""

    SETTING = "SEARCH_SATURATED_SECONDS"
    DEFAULT_SECONDS = 120

    def knows(self, key: tuple) -> bool:
        return self.get(key) is not None

    def note(self, key: tuple) -> None:
        self.put(key, True)
