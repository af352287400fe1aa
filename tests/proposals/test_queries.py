"""The list of proposals: filters, search without accents, sort and pagination, on both databases."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.proposals import listing, queries, services
from app.proposals.listing import ProposalFilters, list_proposals
from app.proposals.models import Proposal, ProposalState
from tests.factories import make_plan, make_theme
from tests.proposals.factories import (
    World,
    add_supports,
    make_proposal,
    make_users,
    set_state,
)

S = ProposalState


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def refs(page):
    return [p.reference for p in page.items]


def test_search_ignores_accents_and_case(world):
    poblacion = make_proposal(world, title="Falta de agua en la Población Norte",
                              body="La colonia no recibe agua.")
    make_proposal(world, title="Baches en la avenida principal", body="Muchos baches.")
    for text in ("poblacion", "POBLACIÓN", "Población", "pobLacion norte", "  poblacion   agua "):
        page = list_proposals(world.plan, ProposalFilters(text=text))
        assert refs(page) == [poblacion.reference], text


def test_search_needs_every_word_and_looks_in_body_place_and_reference(world):
    a = make_proposal(world, title="Alumbrado público deficiente", body="Las lámparas del parque no sirven.",
                      place="Colonia Jardines de Cancún")
    b = make_proposal(world, title="Alumbrado en la escuela primaria", body="Sin luz en el patio.")
    assert refs(list_proposals(world.plan, ProposalFilters(text="alumbrado"))) == [b.reference, a.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(text="alumbrado lamparas"))) == [a.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(text="cancun"))) == [a.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(text=b.reference.lower()))) == [b.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(text="alumbrado inexistente"))) == []


@pytest.mark.parametrize("text", ["%", "_", "100%", "a_b", "\\", "' OR 1=1 --"])
def test_search_wildcards_are_literal(world, text):
    make_proposal(world, title="Un título cualquiera sin comodines", body="nada especial")
    assert list_proposals(world.plan, ProposalFilters(text=text)).total == 0


def test_search_finds_literal_percent_and_underscore(world):
    p = make_proposal(world, title="Cobro del 100% en el predial_urbano", body="x")
    make_proposal(world, title="Cobro del 1000 en otra cosa distinta", body="x")
    assert refs(list_proposals(world.plan, ProposalFilters(text="100%"))) == [p.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(text="predial_urbano"))) == [p.reference]


def test_filters_by_committee_theme_state_and_municipality(world):
    second_theme = make_theme(world.plan, name="Agua potable")
    a = make_proposal(world, committee=world.committee)
    b = make_proposal(world, committee=world.other_committee, theme=second_theme)
    c = set_state(make_proposal(world, committee=world.other_committee), S.under_review)
    assert refs(list_proposals(world.plan, ProposalFilters(committee_id=world.committee.id))) == [a.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(theme_id=second_theme.id))) == [b.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(state=S.under_review))) == [c.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(municipality="Gómez Palacio"))) == [a.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(
        committee_id=world.other_committee.id, state=S.submitted))) == [b.reference]


def test_hidden_proposals_never_listed_and_withdrawn_only_on_request(world):
    shown = make_proposal(world)
    # A title of its own: a number in a factory title could match the year in another's reference.
    hidden = make_proposal(world, title="Basurero clandestino junto al arroyo Seco")
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Datos personales"
    withdrawn = make_proposal(world)
    services.withdraw_proposal(world.author, withdrawn, "Ya se atendió el problema.")
    db.session.commit()
    assert refs(list_proposals(world.plan)) == [shown.reference]
    assert refs(list_proposals(world.plan, ProposalFilters(state=S.withdrawn))) == [withdrawn.reference]
    assert list_proposals(world.plan, ProposalFilters(text=hidden.title)).total == 0
    assert queries.proposal_detail(hidden.reference).id == hidden.id  # the page still exists


def test_only_the_plans_own_proposals(world):
    make_proposal(world)
    other_plan = make_plan()
    assert list_proposals(other_plan).total == 0


def test_sorts_newest_most_supported_most_commented(world):
    old, middle, new = (make_proposal(world) for _ in range(3))
    now = utcnow()
    for p, age in ((old, 3), (middle, 2), (new, 1)):
        p.created_at = now - timedelta(days=age)
    old.comment_count, middle.comment_count = 1, 5
    db.session.commit()
    add_supports(middle, make_users(1))
    add_supports(old, make_users(2))
    assert refs(list_proposals(world.plan, sort="newest")) == [new.reference, middle.reference, old.reference]
    assert refs(list_proposals(world.plan, sort="supported")) == [old.reference, middle.reference, new.reference]
    assert refs(list_proposals(world.plan, sort="commented")) == [middle.reference, old.reference, new.reference]
    assert refs(list_proposals(world.plan, sort="'; DROP TABLE proposals")) == refs(
        list_proposals(world.plan, sort="newest"))


def test_pagination_counts_pages_and_clamps_bad_numbers(world):
    made = [make_proposal(world) for _ in range(5)]
    newest_first = [p.reference for p in sorted(made, key=lambda p: p.id, reverse=True)]
    first = list_proposals(world.plan, page=1, per_page=2)
    assert (first.total, first.pages, first.page, refs(first)) == (5, 3, 1, newest_first[:2])
    assert not first.has_prev and first.has_next
    last = list_proposals(world.plan, page=3, per_page=2)
    assert refs(last) == newest_first[4:] and last.has_prev and not last.has_next
    assert list_proposals(world.plan, page=99, per_page=2).page == 3
    for bad in (0, -4, "abc", None, "1e9", 10**30):
        assert list_proposals(world.plan, page=listing.clamp_page(bad), per_page=2).page in (1, 3)
    assert list_proposals(world.plan, per_page=10_000).per_page == listing.MAX_PER_PAGE


def test_page_numbers_show_gaps():
    page = listing.Page(items=[], total=200, page=6, per_page=10)
    assert page.numbers() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert listing.Page(items=[], total=0, page=1, per_page=10).numbers() == [1]


def test_search_text_matches_on_the_database_not_in_python(world):
    """The stored folded text is what the database compares: no Python post-filtering."""
    p = make_proposal(world, title="Contaminación del río Tunal", body="Descargas.")
    stored = db.session.scalar(sa.select(Proposal.search_text).where(Proposal.id == p.id))
    assert "contaminacion del rio tunal" in stored
