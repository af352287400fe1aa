"""The list and the proposal page issue a fixed number of SQL statements, whatever the data size."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.core.clock import today
from app.core.db import utcnow
from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal, ProposalVersion
from tests.conftest import login
from tests.proposals.factories import (
    World,
    add_comments,
    add_supports,
    bulk_proposals,
    make_proposal,
    make_users,
)
from tests.querycount import count_queries

# Filled by the tests and printed at the end, for the closing note.
MEASURED: dict[str, int] = {}


def statements_for(client, url: str) -> int:
    client.get(url)  # warm: the first request of a client may load its session's user
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "logged-in"])
def test_list_page_statements_do_not_grow_with_proposals(world, client, as_user):
    supporters = make_users(4)
    if as_user:
        login(client, world.citizen.email)
    bulk_proposals(world, 10, supporters=supporters)
    small = statements_for(client, "/proposals/")
    small_search = statements_for(client, "/proposals/?q=colonia&sort=supported")
    bulk_proposals(world, 50, supporters=supporters, start=11)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 60
    large = statements_for(client, "/proposals/")
    large_search = statements_for(client, "/proposals/?q=colonia&sort=supported")
    large_page_2 = statements_for(client, "/proposals/?page=2")
    assert small == large == large_page_2
    assert small_search == large_search
    who = "logged-in" if as_user else "anonymous"
    MEASURED[f"list page ({who}), 10 proposals"] = small
    MEASURED[f"list page ({who}), 60 proposals"] = large


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "logged-in"])
def test_proposal_page_statements_do_not_grow_with_comments_supports_answers(
    world, client, as_user
):
    if as_user:
        login(client, world.citizen.email)
    few, many = make_proposal(world), make_proposal(world)
    commenters = make_users(3)
    add_supports(few, make_users(2))
    add_comments(few, commenters[0], 2)
    services.change_state(world.facilitator, few, "under_review", "Respuesta razonada número uno.")
    add_supports(many, make_users(30))
    for i in range(15):
        add_comments(many, commenters[i % 3], 2)  # a comment and a reply to it
    for state in ("under_review", "in_dialogue", "under_review", "in_dialogue"):
        services.change_state(world.facilitator, many, state, "Respuesta razonada del comité.")
    for _ in range(3):
        services.merge_proposal(world.facilitator, make_proposal(world), many, "Es el mismo problema.")
    small = statements_for(client, f"/proposals/{few.reference}")
    large = statements_for(client, f"/proposals/{many.reference}")
    assert small == large
    who = "logged-in" if as_user else "anonymous"
    MEASURED[f"proposal page ({who}), 2 comments / 2 supports"] = small
    MEASURED[f"proposal page ({who}), 30 comments / 30 supports / 3 merged"] = large


def test_facilitator_sees_the_panel_with_the_same_statement_count(world, client):
    login(client, world.facilitator.email)
    few, many = make_proposal(world), make_proposal(world)
    add_comments(few, world.citizen, 2)
    add_supports(many, make_users(25))
    add_comments(many, world.citizen, 25)
    small = statements_for(client, f"/proposals/{few.reference}")
    large = statements_for(client, f"/proposals/{many.reference}")
    assert small == large
    MEASURED["proposal page (facilitator), 2 vs 25 comments"] = small


def test_the_proposal_page_reads_its_versions_and_the_readers_support_with_the_proposal(world, client):
    """Its number of versions and whether the reader supports it come in the proposal's own
    statement (one each before), and the page shows them as before."""
    supported, other = make_proposal(world), make_proposal(world)
    services.edit_proposal(world.author, other, {"title": "Título corregido de la problemática",
                                                 "body": "Cuerpo corregido", "theme_id": world.theme.id})
    db.session.commit()
    add_supports(supported, [world.citizen])
    login(client, world.citizen.email)
    for proposal, versions, supports in ((supported, "1 versión", True), (other, "2 versiones", False)):
        client.get(f"/proposals/{proposal.reference}")
        db.session.expire_all()
        with count_queries() as statements:
            page = client.get(f"/proposals/{proposal.reference}").get_data(as_text=True)
        assert f">{versions}</a>" in page
        assert ("Apoyas esta propuesta." in page) is supports
        alone = [s for s in statements if ("proposal_versions" in s or "supports" in s)
                 and "proposals.reference" not in s]
        assert alone == [], alone


def test_ten_thousand_proposals(world, client):
    """The issue's closing note asks for the counts at 10 and at 10,000 proposals."""
    bulk_proposals(world, 10)
    ten = statements_for(client, "/proposals/")
    detail_ten = statements_for(client, "/proposals/" + db.session.scalar(sa.select(Proposal.reference).limit(1)))
    year, now = today().year, utcnow()
    rows = [
        {"plan_id": world.plan.id, "committee_id": world.committee.id, "theme_id": world.theme.id,
         "author_id": world.author.id, "reference": f"DGO-{year}-{i:05d}", "year": year, "sequence": i,
         "title": f"Problemática {i} de la colonia", "body": "Descripción", "search_text": f"problematica {i}",
         "municipality": "Durango", "state": "submitted", "created_at": now, "updated_at": now,
         "support_count": i % 7, "comment_count": i % 5, "open_reports": 0}
        for i in range(11, 10_001)
    ]
    db.session.execute(sa.insert(Proposal), rows)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 10_000
    many = statements_for(client, "/proposals/?sort=supported&page=300")
    detail_many = statements_for(client, f"/proposals/DGO-{year}-09999")
    assert ten == many and detail_ten == detail_many
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 10
    MEASURED["list page (anonymous), 10 proposals / 10,000 proposals"] = many
    MEASURED["proposal page (anonymous), among 10 / among 10,000"] = detail_many


def teardown_module(module):
    if MEASURED:
        print("\nSQL statements per page:")
        for key, value in MEASURED.items():
            print(f"  {key}: {value}")


def test_the_map_reads_its_proposals_from_the_located_index(world):
    """The map's statement walks the partial index of visible located proposals (newest first,
    stopping after MAP_LIMIT), not every proposal of the plan: on a big plan with few located
    proposals (bench10: none of 200,000) the list's index was read to its end."""
    from app.proposals.queries import located_proposals

    proposals = bulk_proposals(world, 300, start=5000)
    for p in proposals[:3]:
        p.latitude, p.longitude = 24.02, -104.65
    db.session.commit()
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert len(located_proposals(world.plan, 10)) == 3
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = statements[-1]
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE proposals" if connection.dialect.name == "postgresql"
                               else "ANALYZE")
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    plan_text = "\n".join(str(row[-1]) for row in rows)
    assert "ix_proposals_located_newest" in plan_text, plan_text
