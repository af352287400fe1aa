"""Reads of the search index: the site-wide search, the lists' search boxes, similar proposals.

One query language on both databases: the query goes through the same analyser as the text
(app/search/analyser.py) and every word must match, the last one as a prefix (so that "señal"
finds "señalética" while it is being typed). PostgreSQL matches the tsvector column with a
tsquery and ranks with ts_rank; SQLite matches the FTS5 table and ranks with bm25. The tokens hold
letters and digits only, so nobody's query is read as either database's query syntax.
"""
import functools
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.extensions import db
from app.plans.models import ActionPlan
from app.search import analyser
from app.search.indexing import catch_up
from app.search.models import KINDS, SearchEntry

KIND_LABELS = {
    "proposal": _l("Proposal"),
    "commitment": _l("Commitment"),
    "table": _l("Dialogue table"),
    "comment": _l("Comment"),
    "document": _l("Document"),
}
KIND_PLURALS = {
    "proposal": _l("Proposals"),
    "commitment": _l("Commitments"),
    "table": _l("Dialogue tables"),
    "comment": _l("Comments"),
    "document": _l("Documents"),
}
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
# A prefix this short would match half the dictionary: shorter last words match whole.
MIN_PREFIX = 3
# Title matches count this much more than matches in the text (ts_rank's A and B weights).
TITLE_WEIGHT, BODY_WEIGHT = 1.0, 0.4
# Significant words of a proposal being written that the "similar proposals" check looks for.
MAX_SIMILAR_WORDS = 30
SNIPPET_CHARS = 240


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


@dataclass
class SearchResult:
    kind: str
    item_id: int
    plan_id: int
    title: Markup  # escaped, matched words in <mark>
    url: str
    snippet: Markup  # escaped, matched words in <mark>
    plan_name: str = ""
    plan_is_current: bool = True

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class SearchPage:
    query: str
    results: list[SearchResult]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)  # every kind's matches, whatever `kinds`
    searchable: bool = True  # False: the query held no word worth searching for
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# ------------------------------------------------------------------ the two databases


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _matching(query: Query, *, any_word: bool = False):
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


def _published_plans():
    # A plan being set up is the guarantor body's alone: nothing of it is found.
    return SearchEntry.plan_id.in_(
        sa.select(ActionPlan.id).where(ActionPlan.published_at.is_not(None)))


# ------------------------------------------------------------------ snippets


@functools.lru_cache(maxsize=50_000)
def _folded(word: str) -> str:
    # Words repeat from one snippet to the next (lru_cache is safe to call from several threads).
    return analyser.fold(word)


def _matches(word: str, query: Query) -> bool:
    folded = _folded(word)
    # Cheap first: a word's token is the start of its folded form, so most words stop here.
    if not any(folded.startswith(t) for t in query.tokens):
        return False
    token = analyser.token(word)
    if token is None:
        return False
    if token in query.tokens[:-1] or token == query.tokens[-1]:
        return True
    return query.prefix and token.startswith(query.tokens[-1])


def _spans(text: str, query: Query, start: int = 0, end: int | None = None, first: bool = False):
    spans = []
    for m in analyser.WORD.finditer(text, start, len(text) if end is None else end):
        if _matches(m.group(), query):
            spans.append(m.span())
            if first:
                break
    return spans


def highlight(text: str, query: Query, limit: int | None = None) -> Markup:
    """The text escaped, the words the query matched in <mark>; with `limit`, a window of about
    that many characters around the first match (or the start, when nothing matched)."""
    text = text or ""
    start, end = 0, len(text)
    if limit is not None and len(text) > limit:
        found = _spans(text, query, first=True)
        first = found[0][0] if found else 0
        start = max(0, first - limit // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
        end = min(len(text), start + limit)
        space = text.rfind(" ", start, end)
        if end < len(text) and space > start:
            end = space
    parts = [Markup("…") if start else Markup("")]
    position = start
    for s, e in _spans(text, query, start, end):
        parts.append(escape(text[position:s]))
        parts.append(Markup("<mark>%s</mark>") % text[s:e])
        position = e
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)


# ------------------------------------------------------------------ the reads


def _clamp(value, default: int, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(number, maximum))


def search(query: str, *, kinds: set[str] | None = None, plan_id: int | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """One page of what matches every word of the query, most relevant first, with the number of
    matches of each kind (for the filters). Two statements whatever the data size."""
    per_page = _clamp(per_page, PER_PAGE, MAX_PER_PAGE)
    page = _clamp(page, 1, MAX_PAGE)
    text = (query or "")[:analyser.MAX_QUERY_CHARS]
    parsed = Query.of(text)
    if not parsed.tokens:
        return SearchPage(text, [], 0, 1, per_page, searchable=False)
    catch_up()
    condition, relevance, source = _matching(parsed)
    scope = [condition, _published_plans()]
    if plan_id is not None:
        scope.append(SearchEntry.plan_id == plan_id)
    counts = dict(db.session.execute(
        sa.select(SearchEntry.kind, sa.func.count()).select_from(source)
        .where(*scope).group_by(SearchEntry.kind)
    ).all())
    counts = {kind: counts.get(kind, 0) for kind in KINDS}
    wanted = [k for k in KINDS if not kinds or k in kinds]
    total = sum(counts[k] for k in wanted)
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    rows = db.session.execute(
        sa.select(SearchEntry.kind, SearchEntry.item_id, SearchEntry.plan_id, SearchEntry.title,
                  SearchEntry.url, SearchEntry.excerpt, ActionPlan.name.label("plan_name"),
                  ActionPlan.is_current.label("plan_is_current"))
        .select_from(source)
        .join(ActionPlan, ActionPlan.id == SearchEntry.plan_id)
        .where(*scope, SearchEntry.kind.in_(wanted))
        .order_by(relevance.desc(), SearchEntry.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all() if total else []
    results = [
        SearchResult(kind=r.kind, item_id=r.item_id, plan_id=r.plan_id,
                     title=highlight(r.title, parsed), url=r.url,
                     snippet=highlight(r.excerpt, parsed, SNIPPET_CHARS),
                     plan_name=r.plan_name, plan_is_current=bool(r.plan_is_current))
        for r in rows
    ]
    return SearchPage(text, results, total, page, per_page, counts=counts)


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
    condition, relevance, source = _matching(parsed)
    stmt = (sa.select(SearchEntry.item_id, relevance.label("relevance")).select_from(source)
            .where(condition, SearchEntry.kind == kind))
    if plan_id is not None:
        stmt = stmt.where(SearchEntry.plan_id == plan_id)
    return stmt


def similar_proposals(plan_id: int, text: str, *, limit: int = 5,
                      exclude_id: int | None = None) -> list:
    """Public proposals of the plan that share ANY significant word with the text (a title and
    body being written), the closest first: two statements."""
    from app.proposals.models import Proposal

    tokens = []
    for token in analyser.analyse((text or "")[:20_000]):
        if token not in tokens:
            tokens.append(token)
        if len(tokens) == MAX_SIMILAR_WORDS:
            break
    if not tokens or limit < 1:
        return []
    catch_up()
    condition, relevance, source = _matching(Query(tokens, False), any_word=True)
    stmt = (sa.select(SearchEntry.item_id).select_from(source)
            .where(condition, SearchEntry.kind == "proposal", SearchEntry.plan_id == plan_id)
            .order_by(relevance.desc(), SearchEntry.id).limit(min(limit, 50)))
    if exclude_id is not None:
        stmt = stmt.where(SearchEntry.item_id != exclude_id)
    ids = db.session.scalars(stmt).all()
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
