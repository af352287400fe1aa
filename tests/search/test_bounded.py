"""Search reads a bounded number of rows whatever the size of the index (issue 15): each kind's
count and candidates come from its newest entries (app/fulltext/matching.py newest_matches), a
list sorted by relevance ranks only its newest matches, and what a search found is kept for a
few seconds under the index's version."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.fulltext import matching
from app.fulltext.models import SearchEntry
from app.proposals import listing as proposal_listing
from app.search import queries
from app.search.queries import search
from tests.comments.factories import make_comment
from tests.proposals.factories import World, make_proposal
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries, "MAX_RESULTS", 4)
    return queries


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_candidates_are_the_newest_matches(world, small_bounds):
    made = [make_proposal(world, title=f"Propuesta {n}", body="Hay axolotes en el canal.")
            for n in range(7)]
    page = search("axolotes", kinds={"proposal"})
    # Counted to the cap + 1, and the 4 ranked are the 4 newest (not the first 4 the index holds),
    # of which the cap's 3 are shown.
    assert page.counts["proposal"] == 4 and page.more and len(page.results) == 3
    assert {r.item_id for r in page.results} <= {p.id for p in made[-4:]}


def test_counts_stay_exact_past_the_window(world, monkeypatch):
    """A word rare among the newest entries is looked up in the older ones (the GIN index on
    PostgreSQL): the window only decides where reading starts."""
    monkeypatch.setattr(matching, "NEWEST_WINDOW", 2)
    old = [make_proposal(world, title=f"Propuesta vieja {n}", body="Un tepezcuintle cruzó.") for n in range(3)]
    for n in range(4):
        make_proposal(world, title=f"Propuesta nueva {n}", body="Nada que ver.")
    page = search("tepezcuintle", kinds={"proposal"})
    assert page.counts["proposal"] == 3 and not page.more
    assert {r.item_id for r in page.results} == {p.id for p in old}
    # A title match older than the window is still a candidate.
    titled = search("vieja tepezcuintle")
    assert {r.item_id for r in titled.results} == {p.id for p in old}


def test_postgresql_reads_the_window_in_order_and_stops(world):
    make_proposal(world, title="Quetzales del bosque", body="x")
    with count_queries() as statements:
        search("quetzales")
    first = statements[0]
    if db.engine.dialect.name == "postgresql":
        # The window in item order with its own LIMIT, tested row by row (ts_match_vq), and the
        # GIN index only behind a one-time test of the window's end.
        assert "ORDER BY search_entries.item_id DESC" in first and "ts_match_vq" in first
        assert f"LIMIT {matching.NEWEST_WINDOW}" in first and "IS NOT NULL" in first
    else:
        assert "ORDER BY search_entries.item_id DESC" in first


def test_a_saturated_kind_is_not_counted_again(world, app, small_bounds, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_SATURATED_SECONDS", 60)
    comments = [make_comment(make_proposal(world, title=f"Otra propuesta {n}", body="x"),
                             body="Hay coyotes aquí.") for n in range(5)]
    page = search("coyotes")
    assert page.counts["comment"] == 4 and page.more
    # Three of them leave the index behind the search's back: the kind is not counted again
    # while it is known to have more than the cap, so it still says "more than 3"...
    db.session.execute(sa.delete(SearchEntry).where(
        SearchEntry.kind == "comment", SearchEntry.item_id.in_([c.id for c in comments[:3]])))
    page = search("coyotes")
    assert page.counts["comment"] == 4 and page.more
    # ...but shows only what the index holds; and counting again says 2.
    assert len(page.results) == 2
    monkeypatch.setitem(app.config, "SEARCH_SATURATED_SECONDS", 0)
    assert search("coyotes").counts["comment"] == 2


def test_a_search_kept_under_the_index_version(world, app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_KEPT_SECONDS", 60)
    make_proposal(world, title="Cacomixtles del tejado", body="x")
    assert 'data-total="1"' in text(client.get("/search/?q=cacomixtles"))
    with count_queries() as kept:
        assert 'data-total="1"' in text(client.get("/search/?q=cacomixtles"))
    searched = [s for s in kept if "search_entries" in s]
    # The index's version and the page's rows: the counts and candidates were kept.
    assert len(searched) == 2 and "max(search_entries.id)" in searched[0]
    # A new item takes a new entry id: the version changes and it is found at once.
    make_proposal(world, title="Más cacomixtles", body="x")
    assert 'data-total="2"' in text(client.get("/search/?q=cacomixtles"))


def test_a_hidden_item_kept_in_a_count_is_never_shown(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_KEPT_SECONDS", 60)
    shown, hidden = (make_proposal(world, title=f"Tlacuaches del río {n}", body="x") for n in range(2))
    assert len(search("tlacuaches").results) == 2
    db.session.execute(sa.delete(SearchEntry).where(SearchEntry.kind == "proposal",
                                                    SearchEntry.item_id == hidden.id))
    assert [r.item_id for r in search("tlacuaches").results] == [shown.id]


# ---------------------------------------------------------------- the proposal list


def test_a_list_sorted_by_relevance_ranks_its_newest_matches_only(world, client, monkeypatch):
    monkeypatch.setattr(proposal_listing, "RANKED", 3)
    made = [make_proposal(world, title=f"Jaguares de la sierra {n}", body="x") for n in range(5)]
    page = proposal_listing.list_proposals(
        world.plan, proposal_listing.ProposalFilters(text="jaguares"), proposal_listing.RELEVANCE)
    assert page.total == 5 and page.ranked_only == 3 and page.pages == 1
    assert {p.id for p in page.items} == {p.id for p in made[-3:]}
    html = text(client.get("/proposals/?q=jaguares"))
    assert "Se muestran los 3 más relevantes" in html


def statements_for(client, url: str) -> list[str]:
    client.get(url)  # warm: the first request of a client may load its session's user
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return statements


def test_a_searched_list_statements_do_not_grow(world, client):
    for n in range(3):
        make_proposal(world, title=f"Ajolotes del lago {n}", body="x")
    few = statements_for(client, "/proposals/?q=ajolotes")
    for n in range(30):
        make_proposal(world, title=f"Ajolotes del canal {n}", body="x")
    many = statements_for(client, "/proposals/?q=ajolotes")
    assert 'data-total="33"' in text(client.get("/proposals/?q=ajolotes"))
    assert len(many) == len(few) <= 9
