"""The public list of proposals: its filters, its pages (counted from the kept counts, ids read
from covering indexes, searched through app/fulltext) and the parts the list page keeps between
requests (a searched page's ids, the cards' versions, the filter choices)."""
import functools
import math
from dataclasses import astuple, dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.core import facts, pagination
from app.core.pagination import clamp_page
from app.core.text import fold
from app.extensions import db
from app.fulltext import matching as fulltext
from app.fulltext.models import SearchEntry
from app.places.queries import municipality_names
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals import counts
from app.proposals.models import Proposal, ProposalState
from app.proposals.queries import MAX_SEARCH_WORDS, person_of, visible

SORTS = {
    "newest": (Proposal.created_at.desc(), Proposal.id.desc()),
    "supported": (Proposal.support_count.desc(), Proposal.created_at.desc(), Proposal.id.desc()),
    "commented": (Proposal.comment_count.desc(), Proposal.created_at.desc(), Proposal.id.desc()),
}
DEFAULT_SORT = "newest"
# The order of a searched list when no other is asked for: the search's relevance.
RELEVANCE = "relevance"
PER_PAGE = 20
MAX_PER_PAGE = 100
# A searched list counts its matches up to this many and then says "more than": counting all of
# a common word's matches would read them all on every request.
COUNT_CAP = 1000
# A list searched and sorted by relevance ranks the newest this many matches (those that pass its
# filters): ranking every match of a common word would read them all on every request.
RANKED = 200


@dataclass
class ProposalFilters:
    committee_id: int | None = None
    theme_id: int | None = None
    state: ProposalState | None = None
    municipality: str | None = None
    text: str | None = None

    def search_words(self) -> list[str]:
        return fold(self.text or "").split()[:MAX_SEARCH_WORDS]


@dataclass
class Page(pagination.Page):
    """A page of the proposal list, whose count may stop at a cap."""
    # The total is a lower bound ("more than"): a searched list stops counting at COUNT_CAP.
    capped: bool = False
    # Sorted by relevance: only the newest this many matches are ranked and paged (RANKED).
    ranked_only: int | None = None
    # The page's proposal ids in order (list_page), whether or not `items` are loaded.
    ids: list[int] = field(default_factory=list)
    # What the page's cards show that can change (card_versions), when read with the ids.
    card_versions: tuple | None = None

    def numbers(self, around: int = 2) -> list[int | None]:
        # A capped count knows no last page, unless the ranked window bounds it.
        return super().numbers(around, with_last=not self.capped or bool(self.ranked_only))


# The list's filters other than the plan and the state: the parameter and the column each sets.
_FILTER_COLUMNS = (("committee_id", Proposal.committee_id), ("theme_id", Proposal.theme_id),
                   ("municipality", Proposal.municipality))


def _filter_values(plan: ActionPlan, filters: ProposalFilters) -> dict:
    """The plan and the filters that are set, by parameter name."""
    values = {"plan_id": plan.id, "state": filters.state, "committee_id": filters.committee_id,
              "theme_id": filters.theme_id, "municipality": filters.municipality or None}
    return {name: value for name, value in values.items() if value is not None}


def _conditions(names, value) -> list:
    """The list's conditions for the filters in `names`, each compared with `value(name)` (the
    value itself, or a parameter of that name)."""
    conditions = [Proposal.plan_id == value("plan_id"), visible()]
    if "state" in names:
        conditions.append(Proposal.state == value("state"))
    else:
        # Withdrawn proposals keep their page but leave the list unless asked for.
        conditions.append(Proposal.state != ProposalState.withdrawn)
    conditions += [column == value(name) for name, column in _FILTER_COLUMNS if name in names]
    return conditions


def _filtered(plan: ActionPlan, filters: ProposalFilters):
    values = _filter_values(plan, filters)
    return sa.select(Proposal).where(*_conditions(values, values.__getitem__))


@functools.lru_cache(maxsize=64)  # lru_cache is thread-safe; statements are immutable
def _cards_page_statement(names: frozenset, sort: str) -> sa.Select:
    """One page of a list that is not searched, by the filters set (`names`) and the order: its
    ids read from the covering index of the order (a subquery, which skips a deep page's offset
    in the index), joined to what their cards show, in the list's order. Built once per set of
    filters and order, the values as parameters (building it costs more than running it). The
    page's size and offset are written into the SQL when it runs: as parameters, PostgreSQL finds
    the plan of an unknown offset dearer than the plans it makes for each one, and plans the kept
    statement again on every request."""
    order = SORTS[sort]
    ids = (sa.select(Proposal.id).where(*_conditions(names, sa.bindparam))
           .order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer, literal_execute=True))
           .offset(sa.bindparam("offset", type_=sa.Integer, literal_execute=True)).subquery())
    return (_with_cards(sa.select(*_card_columns()).select_from(ids).join(Proposal, Proposal.id == ids.c.id))
            .where(Proposal.hidden_at.is_(None)).order_by(*order))


def _searched(stmt, plan: ActionPlan, text: str | None):
    """The list narrowed to what the site's search finds for the text (app/search), with its
    relevance; (stmt, None) when the text holds no word to search for."""
    found = fulltext.matching_ids("proposal", text, plan.id)
    if found is None:
        return stmt, None
    found = found.subquery()
    return stmt.join(found, found.c.item_id == Proposal.id), found.c.relevance


def _ranked(stmt, plan: ActionPlan, filters: ProposalFilters):
    """The list narrowed to the newest RANKED proposals that the site's search finds for the text
    and that pass the list's filters, with their relevance."""
    passes = sa.exists(_filtered(plan, filters).with_only_columns(Proposal.id)
                       .where(Proposal.id == SearchEntry.item_id))
    found = fulltext.newest_matching_ids("proposal", filters.text, plan.id, limit=RANKED,
                                         related=passes).subquery()
    return stmt.join(found, found.c.item_id == Proposal.id), found.c.relevance


def filter_choices(plan: ActionPlan) -> tuple[tuple, tuple, tuple]:
    """The list's filter choices: the plan's committees and themes as (id, name) pairs and its
    municipalities' names, kept per process while the data has not changed (app/core/facts.py)."""
    def read() -> tuple[tuple, tuple, tuple]:
        return (tuple((c.id, c.name) for c in plan.committees), tuple((t.id, t.name) for t in plan.themes),
                tuple(municipality_names(plan)))
    return facts.cached(f"proposals.filter_choices:{plan.id}", read)


def list_proposals(
    plan: ActionPlan,
    filters: ProposalFilters | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the plan's visible proposals: two statements plus the eager loads."""
    result = list_page(plan, filters, sort, page, per_page)
    result.items = listed(result.ids)
    return result


def list_page(
    plan: ActionPlan,
    filters: ProposalFilters | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page:
    """One page of the plan's visible proposals, counted and with its ids in order (`ids`), the
    rows not loaded (`items` empty; `listed(ids)` reads them): two statements. The list page
    renders the rows only when its kept fragment of them is missing (`card_versions`)."""
    filters = filters or ProposalFilters()
    per_page = max(1, min(clamp_page(per_page, PER_PAGE), MAX_PER_PAGE))
    kept = SearchedPages.of_app() if filters.text else None
    key = None
    if kept is not None and kept.seconds > 0:
        key = (db.session.scalar(_index_version_statement()), facts.local_changes(), plan.id, astuple(filters), sort,
               page, per_page)
        found = kept.get(key)
        if found is not None:
            return replace(found, items=[])  # a copy: the caller sets its items
    result = _list_page(plan, filters, sort, page, per_page)
    if key is not None:  # kept without the cards' versions, which are read afresh each time
        kept.put(key, replace(result, items=[], card_versions=None))
    return result


@functools.cache
def _index_version_statement() -> sa.Select:
    """The search index's version: its highest entry id (every item indexed or indexed again takes
    a new one). Built on first use; immutable, so thread-safe."""
    return sa.select(sa.func.max(SearchEntry.id))


class SearchedPages(fulltext.Kept):
    """A searched list's page (its count, pages and ids in order) kept for SEARCH_KEPT_SECONDS
    under the search index's version and this process's own changes, as the site search keeps its
    answers (app/search/queries.py FirstReads): the same searched page again in those seconds
    reads one small statement instead of matching and ranking. What the cards show is read afresh
    each time (card_versions); a change in another process that leaves the index as it was (a
    proposal answered, so out of a "submitted" filter) shows in a searched list within those seconds."""

    SETTING = "SEARCH_KEPT_SECONDS"
    DEFAULT_SECONDS = 30


def _list_page(plan: ActionPlan, filters: ProposalFilters, sort: str, page: int, per_page: int) -> Page:
    stmt = relevance = None  # built only for a searched list; the others' page is one kept statement
    if filters.text:
        stmt, relevance = _searched(_filtered(plan, filters), plan, filters.text)
    counted = stmt
    ranked_only = None
    if sort == RELEVANCE and relevance is not None:
        # Ranked among the newest RANKED matches that pass the filters, read in a bounded number
        # of rows whatever the plan's size (fulltext.newest_matching_ids); not among them all.
        ranked_only = RANKED
        stmt, relevance = _ranked(_filtered(plan, filters), plan, filters)
        order = (relevance.desc(), Proposal.created_at.desc(), Proposal.id.desc())
    else:
        order = SORTS[sort if sort in SORTS else DEFAULT_SORT]
    total, capped = _count(plan, filters, counted)
    pages = max(1, math.ceil(min(total, ranked_only or total) / per_page))
    # Past a capped count the pages go on as long as there are rows (an empty page says so).
    page = clamp_page(page) if capped and ranked_only is None else min(clamp_page(page), pages)
    # The page's ids, read from a covering index of the order (models.py: LIST_COLUMNS), so
    # that a deep page skips its offset's rows in the index and not in the table.
    versions = None
    if relevance is None:  # not searched: the cards' versions are read with the ids
        values = _filter_values(plan, filters)
        rows = db.session.execute(
            _cards_page_statement(frozenset(values), sort if sort in SORTS else DEFAULT_SORT),
            {**values, "limit": per_page, "offset": (page - 1) * per_page}).all()
        ids, versions = [row[0] for row in rows], _versions_of(rows)
    else:
        ids = db.session.scalars(
            stmt.with_only_columns(Proposal.id).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        ).all()
    result = Page(items=[], total=total, page=page, per_page=per_page, capped=capped, ids=list(ids),
                  card_versions=versions)
    if ranked_only is not None and (capped or total > ranked_only):
        result.ranked_only = ranked_only
        result.pages = min(result.pages, math.ceil(ranked_only / per_page))
    elif capped:
        result.pages = max(result.pages, page + 1 if len(ids) == per_page else page)
    return result


def listed(ids: list[int]) -> list[Proposal]:
    """The visible proposals of these ids, in this order, with what a list's card shows (a page
    of ids kept from before a proposal was hidden never shows it)."""
    if not ids:
        return []
    return _in_order(ids, db.session.scalars(
        sa.select(Proposal).where(Proposal.id.in_(ids), Proposal.hidden_at.is_(None)).options(
            joinedload(Proposal.committee),
            joinedload(Proposal.theme),
            person_of(Proposal.author),
        )
    ).unique().all())


@functools.cache
def _card_versions_statement() -> sa.Select:
    """The statement of card_versions, built once (its construction costs more than running it),
    on first use (built at import it would configure the mappers before every model is known).
    Thread-safe: SQLAlchemy statements are immutable; two threads may both build it, equal."""
    return (
        _with_cards(sa.select(*_card_columns()))
        .where(Proposal.id.in_(sa.bindparam("ids", expanding=True)), Proposal.hidden_at.is_(None))
    )


@functools.cache
def _author():
    """The cards' author, an alias of users built once (building an alias and its attributes costs
    more than the statement's run). Thread-safe: immutable once built."""
    return aliased(User)


@functools.cache
def _card_columns() -> tuple:
    """What a list's card shows that can change, the proposal's id first: which are visible, their
    counters, state, edit time, place, committee's and theme's names and the author's name. Built
    once (thread-safe: immutable)."""
    author = _author()
    return (Proposal.id, Proposal.updated_at, Proposal.state, Proposal.support_count,
            Proposal.comment_count, Proposal.municipality,
            Committee.name, Theme.name, author.name, author.deleted_at.is_(None))


def _with_cards(stmt: sa.Select) -> sa.Select:
    """`stmt` (over proposals) joined to the rows `_card_columns` read."""
    author = _author()
    return (stmt.join(Committee, Committee.id == Proposal.committee_id)
            .outerjoin(Theme, Theme.id == Proposal.theme_id)
            .join(author, author.id == Proposal.author_id))


def _versions_of(rows) -> tuple:
    return tuple(sorted(tuple(row) for row in rows))


def card_versions(ids: list[int]) -> tuple:
    """What the cards of these proposals show that can change (_card_columns), in one statement of
    a few columns (no ORM objects). The list's kept fragment is keyed by it; list_page reads it
    with the page's ids (Page.card_versions) unless the page is ordered by relevance or kept."""
    if not ids:
        return ()
    return _versions_of(db.session.execute(_card_versions_statement(), {"ids": list(ids)}).all())


def _in_order(ids: list[int], rows) -> list[Proposal]:
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _count(plan: ActionPlan, filters: ProposalFilters, stmt) -> tuple[int, bool]:
    """(total, capped): from the plan's kept counts (app/proposals/counts.py) unless the list is
    searched; a search counts its matches up to COUNT_CAP, on the ids alone."""
    if not filters.text:
        return counts.count_matching(
            plan.id, committee_id=filters.committee_id, theme_id=filters.theme_id,
            municipality=filters.municipality, state=filters.state,
            exclude_state=ProposalState.withdrawn if filters.state is None else None), False
    # A list found to have more than COUNT_CAP matches is not counted again for a while.
    saturated = fulltext.Saturated.of_app()
    key = ("proposals", plan.id, tuple(fulltext.Query.of(filters.text).tokens), filters.committee_id,
           filters.theme_id, filters.state, filters.municipality, COUNT_CAP)
    if saturated.knows(key):
        return COUNT_CAP, True
    found = db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.with_only_columns(Proposal.id).limit(COUNT_CAP + 1).subquery())) or 0
    if found > COUNT_CAP:
        saturated.note(key)
    return min(found, COUNT_CAP), found > COUNT_CAP
