"""The proposal list's results are kept as a fragment (app/proposals/views.py index): what a card
shows changes on the next request, a kept page loads no proposal, and a searched page is kept for
SEARCH_KEPT_SECONDS but never across a change made in the same process."""
import re

import pytest
import sqlalchemy as sa

from app.core import fragments
from app.extensions import db
from app.moderation import services as moderation
from app.proposals import services
from app.proposals.models import Proposal, ProposalState
from tests.proposals.factories import World, make_proposal
from tests.querycount import count_queries

LOADS_ROWS = re.compile(r"SELECT proposals\.id, proposals\.plan_id, .*proposals\.body", re.S)


def listing(client, **args) -> str:
    response = client.get("/proposals/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(html: str, proposal) -> str:
    match = re.search(rf'<li class="card proposal-item" data-reference="{proposal.reference}">.*?</li>', html, re.S)
    assert match, f"{proposal.reference} is not listed"
    return match.group(0)


def kept_lists(app) -> int:
    return sum(1 for key in fragments.cache_of(app).local if key.startswith("proposals.list:"))


def test_the_results_are_rendered_once_and_a_kept_page_loads_no_proposal(app, client):
    world = World()
    make_proposal(world, title="Bache en la avenida Juárez")
    with count_queries() as first:
        assert "Bache en la avenida Juárez" in listing(client)
    assert kept_lists(app) == 1
    with count_queries() as second:
        assert "Bache en la avenida Juárez" in listing(client)
    assert kept_lists(app) == 1
    assert any(LOADS_ROWS.search(s) for s in first), "the first request renders the cards"
    assert not any(LOADS_ROWS.search(s) for s in second), "a kept page does not load the proposals"
    assert len(second) < len(first)


def test_a_kept_page_reads_its_count_then_its_ids_with_the_cards_versions(client, kept_facts):
    """A list that is not searched costs two statements, the first page, a later one and a filtered
    one alike: its count (from the kept counts) and its page, whose ids come with what their cards
    show (listing._cards_page_statement)."""
    world = World()
    for n in range(25):
        make_proposal(world, title=f"Luminaria apagada {n}")
    shown = []
    for args in ({}, {"page": 2}, {"committee": world.committee.id, "sort": "supported"}):
        html = listing(client, **args)
        with count_queries() as kept:
            assert listing(client, **args) == html
        assert len(kept) == 2, (args, kept)
        assert "FROM proposal_counts" in kept[0] and "users_1.deleted_at" in kept[1], kept
        # The page's size and offset are written in the SQL (a parameter there makes PostgreSQL
        # plan the kept statement again on every request).
        assert re.search(r"LIMIT 20\b", kept[1]), kept[1]
        shown.append(re.findall(r'data-reference="([^"]+)"', html))
    assert len(shown[0]) == 20 and len(shown[1]) == 5 and not set(shown[0]) & set(shown[1])


def test_supports_comments_state_and_names_show_on_the_next_request(client):
    world = World()
    proposal = make_proposal(world, title="Alumbrado apagado en la colonia Centro")
    before = card(listing(client), proposal)
    assert 'data-supports="0"' in before and 'data-comments="0"' in before

    services.support_proposal(world.citizen, proposal)
    db.session.commit()
    assert 'data-supports="1"' in card(listing(client), proposal)

    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(comment_count=3))
    db.session.commit()
    assert 'data-comments="3"' in card(listing(client), proposal)

    services.change_state(world.facilitator, proposal, ProposalState.under_review, "La revisa el comité.")
    db.session.commit()
    assert 'data-state="under_review"' in card(listing(client), proposal)

    world.author.name = "Autora Renombrada"
    world.committee.name = "Comité Renombrado"
    world.theme.name = "Tema Renombrado"
    db.session.commit()
    shown = card(listing(client), proposal)
    assert "Autora Renombrada" in shown and "Comité Renombrado" in shown and "Tema Renombrado" in shown


def test_a_new_and_a_hidden_proposal_change_the_list(client):
    world = World()
    first = make_proposal(world, title="Primera problemática")
    assert 'data-total="1"' in listing(client)
    second = make_proposal(world, title="Segunda problemática")
    html = listing(client)
    assert 'data-total="2"' in html and second.reference in html
    moderation.hide_content(world.admin, first, "Contenido fuera de lugar")
    db.session.commit()
    html = listing(client)
    assert 'data-total="1"' in html and first.reference not in html


def test_pages_and_filters_are_kept_apart(client):
    world = World()
    mine = make_proposal(world, title="Fuga de agua en el mercado")
    other = make_proposal(world, committee=world.other_committee, title="Parque sin mantenimiento")
    assert other.reference not in listing(client, committee=str(world.committee.id))
    assert mine.reference not in listing(client, committee=str(world.other_committee.id))
    both = listing(client)
    assert mine.reference in both and other.reference in both


@pytest.fixture
def searches_kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_KEPT_SECONDS", 30)


def test_a_searched_page_is_kept_but_a_change_here_shows_at_once(client, searches_kept):
    world = World()
    make_proposal(world, title="Alumbrado público en la plaza")
    assert 'data-total="1"' in listing(client, q="alumbrado")
    with count_queries() as again:
        assert 'data-total="1"' in listing(client, q="alumbrado")
    assert not any("search_entries" in s and "max(" not in s.lower() for s in again), \
        "a kept searched page is not matched again: it reads the index's version only"
    make_proposal(world, title="Alumbrado público en el parque")
    assert 'data-total="2"' in listing(client, q="alumbrado")


def test_a_kept_searched_page_never_shows_a_proposal_hidden_since(client, searches_kept, monkeypatch):
    """Hidden in this process: the page is searched again. Hidden in another process (its change
    count unseen here), the kept ids still hold it, but its card is not shown."""
    from app.core import facts

    world = World()
    elsewhere = make_proposal(world, title="Alumbrado público intermitente")
    here = make_proposal(world, title="Alumbrado público roto")
    make_proposal(world, title="Alumbrado público nuevo")  # the index's newest entry stays
    html = listing(client, q="alumbrado")
    assert here.reference in html and elsewhere.reference in html

    moderation.hide_content(world.admin, here, "Contenido fuera de lugar")
    db.session.commit()
    html = listing(client, q="alumbrado")
    assert 'data-total="2"' in html and here.reference not in html

    monkeypatch.setattr(facts, "local_changes", lambda: -1)
    listing(client, q="alumbrado")  # kept under the frozen change count
    moderation.hide_content(world.admin, elsewhere, "Contenido fuera de lugar")
    db.session.commit()
    assert elsewhere.reference not in listing(client, q="alumbrado")
