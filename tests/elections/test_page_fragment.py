"""An election's page keeps its shared body as a fragment once the result is final (published or
chosen by an agreement): a kept body reads neither the candidates nor the seats nor the public
record again, a correction to any of them shows on the next request, and the visiting
organisation's own part and the manager's link stay theirs. Before that it is rendered on every
request (the ballot box's head is read live)."""
from markupsafe import escape

from app.accounts.models import Organisation
from app.core import fragments
from app.core.audit import record
from app.elections import services
from app.elections.models import ElectionResult
from app.extensions import db
from tests.conftest import PASSWORD, login
from tests.elections.factories import end_voting_window, voting_election
from tests.querycount import count_queries


def _published(world):
    election = voting_election(world)
    code = next(iter(services.ballot_options(election)))
    services.cast_ballot(world.organisation, election, code, PASSWORD)
    end_voting_window(election)
    services.close_election(world.admin, election)
    services.publish_result(world.admin, election)
    db.session.commit()
    return election


def page(client, election) -> str:
    response = client.get(f"/elections/{election.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kept(app) -> int:
    return sum(1 for key in fragments.cache_of(app).local if key.startswith("elections.page:"))


def test_a_final_result_is_kept_and_read_again_only_as_its_version(app, world, client, kept_facts):
    election = _published(world)
    first = page(client, election)
    page(client, election)  # the facts kept between requests are read once
    assert kept(app) == 1
    db.session.expire_all()
    with count_queries() as sent:
        assert page(client, election) == first
    shown = ("FROM election_candidates", "FROM election_results", "FROM audit_entries")
    assert not [s for s in sent if any(part in s for part in shown) and "string_agg" not in s
                and "group_concat" not in s], sent
    # The follow box's state is read alongside the body's version (app/core/read_along.py),
    # not by a statement of its own.
    follows = [s for s in sent if "FROM target_follows" in s]
    assert len(follows) == 1 and ("string_agg" in follows[0] or "group_concat" in follows[0]), sent


def test_corrections_to_a_final_result_show_on_the_next_request(app, world, client):
    election = _published(world)
    page(client, election)

    candidate = election.candidates[0]
    organisation = db.session.scalar(db.select(Organisation).where(Organisation.user_id == candidate.organisation_id))
    organisation.legal_name = "Colectivo Renombrado A.C."
    db.session.commit()
    assert "Colectivo Renombrado A.C." in page(client, election)

    seat = db.session.scalar(db.select(ElectionResult).where(ElectionResult.election_id == election.id))
    seat.winner_name = "Nombre Corregido En Acta"
    db.session.commit()
    assert "Nombre Corregido En Acta" in page(client, election)

    record(world.admin, "election.result_published", election, public=True, reason="Fe de erratas del acta.")
    db.session.commit()
    assert "Fe de erratas del acta." in page(client, election)

    election.title = "Elección con título corregido"
    db.session.commit()
    assert escape("Elección con título corregido") in page(client, election)


def test_the_visitor_and_manager_parts_stay_theirs(app, world, client, other_client):
    election = _published(world)
    login(other_client, world.admin.email)
    manage = f"/elections/{election.id}/manage"
    assert manage in page(other_client, election)
    assert manage not in page(client, election)          # anonymous, from the same kept body
    login(client, world.organisation.email)
    html = page(client, election)
    assert 'class="election-own"' in html and manage not in html
    assert kept(app) == 1


def test_a_running_election_is_not_kept(app, world, client):
    election = voting_election(world)
    assert "data-ballots" in page(client, election)
    assert kept(app) == 0
