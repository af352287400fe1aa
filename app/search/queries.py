"""The site-wide search's reads: results with snippets, and similar proposals (the matching
itself, the same on both databases, is app/fulltext/matching.py, which the lists' own search
boxes use directly).
"""
import functools
import itertools
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.extensions import db
from app.fulltext import analyser, matching
from app.fulltext.matching import (
    CANDIDATES,
    Kept,
    Query,
    Saturated,
    catch_up,
    first_matches,
    is_postgresql,
    ranked,
    similar_ids,
    title_matches,
    words_params,
)
from app.fulltext.models import KINDS, UNTITLED_KINDS, SearchEntry
from app.plans.models import ActionPlan
from app.proposals.models import Proposal

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
SNIPPET_CHARS = 240
# A kind's matches are counted up to this many; past it the page says "more than 1,000".
COUNT_CAP = 1000
# The results one can page through: the most relevant of a bounded set of candidates (see
# matching.candidate_ids), so that a word found everywhere costs what a rare one does.
MAX_RESULTS = 200


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
    # Every kind's matches, whatever `kinds`, counted up to COUNT_CAP + 1 (more_than() says so).
    counts: dict[str, int] = field(default_factory=dict)
    searchable: bool = True  # False: the query held no word worth searching for
    shown: int | None = None  # the results one can page through (at most MAX_RESULTS)
    more: bool = False  # True: `total` is a floor, some kind had more than COUNT_CAP matches
    pages: int = field(init=False)

    def __post_init__(self):
        if self.shown is None:
            self.shown = self.total
        self.pages = max(1, math.ceil(self.shown / self.per_page))

    @property
    def all_total(self) -> int:
        """Every kind's matches together, each counted up to COUNT_CAP (for "Everything")."""
        return sum(min(n, COUNT_CAP) for n in self.counts.values())

    @property
    def all_more(self) -> bool:
        return any(map(self.more_than, self.counts.values()))

    @staticmethod
    def more_than(count: int) -> bool:
        """True when `count` was cut at COUNT_CAP: there are more matches than it says."""
        return count > COUNT_CAP

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# ------------------------------------------------------------------ published plans only


def _published_plans():
    # A plan being set up is the guarantor body's alone: nothing of it is found.
    return SearchEntry.plan_id.in_(
        sa.select(ActionPlan.id).where(ActionPlan.published_at.is_not(None)))


# ------------------------------------------------------------------ snippets


@functools.lru_cache(maxsize=50_000)
def _folded(word: str) -> str:
    # Words repeat from one snippet to the next (lru_cache is safe to call from several threads).
    return analyser.fold(word)


@functools.lru_cache(maxsize=100_000)
def _matches(word: str, tokens: tuple[str, ...], prefix: bool) -> bool:
    """Whether the query (its tokens, its last one a prefix or not) matched this word. Words and
    queries repeat from one snippet and one request to the next: kept (lru_cache is safe to call
    from several threads)."""
    # Cheap first: a word's token is the start of its folded form, so most words stop here.
    if not _folded(word).startswith(tokens):
        return False
    token = analyser.token(word)
    if token is None:
        return False
    if token in tokens:
        return True
    return prefix and token.startswith(tokens[-1])


def _spans(text: str, query: Query, start: int = 0, end: int | None = None, first: bool = False):
    spans = []
    tokens, prefix = tuple(query.tokens), bool(query.prefix)
    for m in analyser.WORD.finditer(text, start, len(text) if end is None else end):
        if _matches(m.group(), tokens, prefix):
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
    # Every piece is escaped (markupsafe's C escape) or a literal tag, joined as plain text and
    # marked safe once: Markup's own % and join escape again in Python, piece by piece (40
    # snippets of a results page cost more than its statements).
    parts = ["…" if start else ""]
    position = start
    for s, e in _spans(text, query, start, end):
        parts += (escape(text[position:s]), "<mark>", escape(text[s:e]), "</mark>")
        position = e
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return Markup("".join(parts))


# ------------------------------------------------------------------ the reads


# Thread-safe: lru_cache locks its bookkeeping, and the statements it keeps are immutable.
@functools.lru_cache(maxsize=512)
def _first_statement(postgresql: bool, reads: tuple, ids: tuple, titled: tuple, title_limit: int,
                     by_plan: bool, window: int):
    """Statement 1 of search(), built once per shape (the words are bound parameters): building
    a dozen bounded subqueries costs more than running them. `window` (matching.NEWEST_WINDOW,
    which newest_matches reads) is part of the shape."""
    scope = [_published_plans()]
    if by_plan:
        scope.append(SearchEntry.plan_id == sa.bindparam("plan_id", type_=sa.Integer))
    return sa.union_all(
        *first_matches(scope, count_to=dict(reads), ids=dict(zip(KINDS, ids, strict=True)),
                       postgresql=postgresql),
        *title_matches(list(titled), scope, limit=title_limit, postgresql=postgresql))


def _clamp(value, default: int, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(number, maximum))


def _first_reads(parsed: Query, wanted: list[str], plan_id: int | None):
    """Statement 1 of search(): ({kind or "title": candidate ids}, {kind: count})."""
    saturated = Saturated.of_app()
    keys = {kind: (tuple(parsed.tokens), parsed.prefix, plan_id, kind, COUNT_CAP) for kind in KINDS}
    known = {kind for kind in KINDS if saturated.knows(keys[kind])}
    firsts = {kind: [] for kind in (*KINDS, "title")}
    counts = {kind: COUNT_CAP + 1 if kind in known else 0 for kind in KINDS}
    titled = [k for k in wanted if k not in UNTITLED_KINDS]
    reads = {k: MAX_RESULTS if k in known else COUNT_CAP + 1 for k in KINDS
             if k not in known or k in wanted}
    statement = _first_statement(
        is_postgresql(), tuple(reads.items()),
        tuple(MAX_RESULTS if k in wanted else 0 for k in KINDS), tuple(titled),
        max(1, MAX_RESULTS // max(1, len(titled))), plan_id is not None, matching.NEWEST_WINDOW)
    params = words_params(parsed) | ({} if plan_id is None else {"plan_id": plan_id})
    for entry_id, kind, n in db.session.execute(statement, params):
        firsts[kind].append(entry_id)
        if kind in counts and kind not in known:
            counts[kind] = n
    for kind in KINDS:
        if kind not in known and SearchPage.more_than(counts[kind]):
            saturated.note(keys[kind])
    return {k: tuple(v) for k, v in firsts.items()}, counts


class FirstReads(Kept):
    """Statement 1's answer for a search (each kind's count and candidates), kept for
    SEARCH_KEPT_SECONDS under the index's version, its highest entry id (every item indexed or
    indexed again takes a new one): the same search again in those seconds reads only the page it
    shows. An item only taken out of the index (hidden, withdrawn) leaves the version as it was;
    for those seconds a count may still count it, but it is never shown (statement 2 reads the
    entries themselves)."""

    SETTING = "SEARCH_KEPT_SECONDS"
    DEFAULT_SECONDS = 30


@functools.cache
def _page_statement(postgresql: bool) -> sa.Select:
    """Statement 2 of search(): the candidates ranked, one page of them read whole. Built once per
    process, the words, the candidates and the page as parameters (building it cost more than
    running it). Thread-safe: a statement is immutable."""
    source, ranking_scope, relevance = ranked(postgresql)
    return (
        sa.select(SearchEntry.kind, SearchEntry.item_id, SearchEntry.plan_id, SearchEntry.title,
                  SearchEntry.url, SearchEntry.excerpt, ActionPlan.name.label("plan_name"),
                  ActionPlan.is_current.label("plan_is_current"))
        .select_from(source)
        .join(ActionPlan, ActionPlan.id == SearchEntry.plan_id)
        .where(*ranking_scope)
        .order_by(relevance.desc(), SearchEntry.id)
        .limit(sa.bindparam("limit", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer))
    )


def search(query: str, *, kinds: set[str] | None = None, plan_id: int | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """One page of what matches every word of the query, most relevant first, with the number of
    matches of each kind (for the filters). Two statements whatever the data size (three when
    answers are kept, SEARCH_KEPT_SECONDS, one of them the index's version), and each reads
    a bounded number of rows, whatever the size of the index: counts stop past COUNT_CAP, and only
    the newest matches of each kind and the newest title matches (matching.newest_matches) are
    ranked, of which at most MAX_RESULTS are shown; only the page's rows are read whole and marked."""
    per_page = _clamp(per_page, PER_PAGE, MAX_PER_PAGE)
    page = _clamp(page, 1, MAX_PAGE)
    text = (query or "")[:analyser.MAX_QUERY_CHARS]
    parsed = Query.of(text)
    if not parsed.tokens:
        return SearchPage(text, [], 0, 1, per_page, searchable=False)
    catch_up()
    wanted = [k for k in KINDS if not kinds or k in kinds]
    # Statement 1: each kind's matches counted up to COUNT_CAP + 1 with the newest of them (the
    # candidates found anywhere in the text), and the newest matches in titles (the likeliest
    # best), of the kinds wanted. A kind lately found to have more than COUNT_CAP matches is not
    # counted again (Saturated); only its candidates are read. The same search again while the
    # index is unchanged reuses its answer for SEARCH_KEPT_SECONDS (FirstReads: one statement
    # reads the index's version instead).
    kept = FirstReads.of_app()
    kept_key = None
    if kept.seconds > 0:
        version = db.session.scalar(sa.select(sa.func.max(SearchEntry.id)))
        kept_key = (version, tuple(parsed.tokens), parsed.prefix, plan_id, tuple(wanted),
                    COUNT_CAP, MAX_RESULTS)
    found = kept.get(kept_key) if kept_key else None
    if found is None:
        found = _first_reads(parsed, wanted, plan_id)
        if kept_key:
            kept.put(kept_key, found)
    firsts, counts = found
    total = sum(min(counts[k], COUNT_CAP) for k in wanted)
    more = any(SearchPage.more_than(counts[k]) for k in wanted)
    shown = min(total, MAX_RESULTS)
    pages = max(1, math.ceil(shown / per_page))
    page = min(page, pages)
    # Statement 2: rank the candidates, the titles' and the text's (every wanted kind in turn,
    # so that none crowds the others out), and read one page of them.
    anywhere = [i for turn in itertools.zip_longest(*(firsts[k] for k in wanted))
                for i in turn if i is not None][:MAX_RESULTS]
    candidates = sorted(set(firsts["title"]) | set(anywhere))
    rows = db.session.execute(_page_statement(is_postgresql()), {
        **words_params(parsed), CANDIDATES: candidates,
        "limit": min(per_page, shown - (page - 1) * per_page), "offset": (page - 1) * per_page,
    }).all() if total else []
    results = [
        SearchResult(kind=r.kind, item_id=r.item_id, plan_id=r.plan_id,
                     title=highlight(r.title, parsed), url=r.url,
                     snippet=highlight(r.excerpt, parsed, SNIPPET_CHARS),
                     plan_name=r.plan_name, plan_is_current=bool(r.plan_is_current))
        for r in rows
    ]
    return SearchPage(text, results, total, page, per_page, counts=counts, shown=shown,
                      more=more)


def similar_proposals(plan_id: int, text: str, *, limit: int = 5,
                      exclude_id: int | None = None) -> list[Proposal]:
    """Public proposals of the plan that share ANY significant word with the text (a title and
    body being written), the closest first: two statements."""
    ids = similar_ids(plan_id, text, limit=limit, exclude_id=exclude_id)
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
