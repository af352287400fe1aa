"""Deleting an account removes personal data but keeps the public record: authored texts under
the deleted-account label, the election roll by name, the ballot box verifiable, results named."""
import io

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.elections import services as election_services
from app.elections import verify
from app.elections.models import (
    Candidate,
    CandidateState,
    ElectionResult,
    ElectionState,
    RollEntry,
)
from app.extensions import db
from tests.conftest import PASSWORD, login
from tests.consultations.factories import make_comment as make_consultation_comment
from tests.consultations.factories import make_commitment, make_consultation
from tests.elections.factories import (
    World,
    end_voting_window,
    make_candidate,
    make_election,
    voting_election,
)
from tests.factories import make_committee, make_organisation, make_user


@pytest.fixture
def world(app):
    return World()


def test_personal_data_of_a_citizen_is_removed_and_consultation_comments_stay_unnamed(client):
    user = make_user(name="Rosa Elena Quiñones", email="rosa@example.org")
    user.pending_email = "rosa.nueva@example.org"
    db.session.commit()
    commitment = make_commitment(make_committee())
    make_consultation(commitment)
    make_consultation_comment(commitment, author=user, body="Propongo un indicador mensual")

    services.delete_account(user, PASSWORD)

    db.session.refresh(user)
    assert (user.email, user.pending_email, user.password_hash, user.municipality) == (None,) * 4
    assert "Rosa" not in user.name
    html = client.get(f"/consultations/commitment/{commitment.id}?lang=en").get_data(as_text=True)
    assert "Propongo un indicador mensual" in html
    assert "deleted account" in html and "Rosa Elena" not in html


def test_an_organisation_loses_its_contact_data_but_not_its_name(client):
    org = make_organisation(email="org@example.org")
    org.organisation.website = "https://org.example.org"
    org.organisation.description = "Nuestra misión, teléfono 618 000 0000"
    db.session.commit()
    legal_name = org.organisation.legal_name

    services.delete_account(org, PASSWORD)

    db.session.refresh(org)
    assert org.email is None and org.password_hash is None and org.municipality is None
    assert org.organisation.contact_person == "—"
    assert (org.organisation.website, org.organisation.description) == (None, None)
    assert org.name == org.organisation.legal_name == legal_name


def _voters_delete_during_voting(world):
    """Two organisations vote, then the winner's nominator, an abstainer and the winner leave."""
    world.add_organisation()
    election = voting_election(world, candidates=2)
    codes = sorted(election_services.ballot_options(election))
    candidate = db.session.scalar(sa.select(Candidate).where(Candidate.public_code == codes[0]))
    voter = candidate.organisation
    other_voter = next(o for o in world.organisations[:2] if o.id != voter.id)
    abstainer = world.organisations[2]
    election_services.cast_ballot(voter, election, codes[0], PASSWORD)
    election_services.cast_ballot(other_voter, election, codes[0], PASSWORD)
    names = {e.organisation_id: e.name for e in db.session.scalars(sa.select(RollEntry))}
    services.delete_account(voter, PASSWORD)
    services.delete_account(abstainer, PASSWORD)
    services.delete_account(candidate.user, PASSWORD)
    return election, voter, abstainer, candidate, names


def test_a_deleted_organisation_stays_on_the_roll_by_name_and_the_box_still_verifies(world, client):
    election, voter, abstainer, candidate, names = _voters_delete_during_voting(world)
    candidate_name = candidate.name

    end_voting_window(election)
    election_services.close_election(world.admin, election)
    election = election_services.publish_result(world.admin, election)

    roll = {e.organisation_id: e for e in db.session.scalars(sa.select(RollEntry))}
    assert roll[voter.id].name == names[voter.id] and roll[voter.id].voted is True
    assert roll[abstainer.id].name == names[abstainer.id] and roll[abstainer.id].voted is False
    out = io.StringIO()
    assert verify.verify(election_services.box_document(election), out=out), out.getvalue()
    titular = db.session.scalar(sa.select(ElectionResult).where(ElectionResult.seat_index == 0))
    assert titular.winner_name == candidate_name
    html = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert candidate_name.split("<")[0] in html  # the name, escaped, on the result page
    assert names[voter.id].split("<")[0] in html  # on the published roll


def test_a_result_published_after_the_nominator_left_names_the_organisation(world):
    election, voter, _abstainer, _candidate, names = _voters_delete_during_voting(world)
    end_voting_window(election)
    election_services.close_election(world.admin, election)
    election_services.publish_result(world.admin, election)

    titular = db.session.scalar(sa.select(ElectionResult).where(ElectionResult.seat_index == 0))
    assert titular.winner_organisation == names[voter.id]


def test_published_results_keep_the_names_after_the_winner_and_its_organisation_leave(world):
    election = voting_election(world, candidates=2)
    codes = sorted(election_services.ballot_options(election))
    for org in world.organisations:
        election_services.cast_ballot(org, election, codes[0], PASSWORD)
    end_voting_window(election)
    election_services.close_election(world.admin, election)
    election = election_services.publish_result(world.admin, election)
    winner = db.session.scalar(sa.select(ElectionResult).where(ElectionResult.seat_index == 0))
    stored = (winner.winner_name, winner.winner_organisation)
    candidate = db.session.get(Candidate, winner.winner_candidate_id)

    services.delete_account(candidate.user, PASSWORD)
    services.delete_account(candidate.organisation, PASSWORD)

    db.session.expire_all()
    winner = db.session.get(ElectionResult, winner.id)
    assert (winner.winner_name, winner.winner_organisation) == stored
    assert db.session.get(Candidate, candidate.id).name == stored[0]
    assert verify.verify(election_services.box_document(election), out=io.StringIO())


def test_a_deleted_person_leaves_the_ballot_of_elections_still_taking_nominations(world):
    election = make_election(world.committee, state=ElectionState.nominating)
    person = make_user()
    open_candidacy = make_candidate(election, world.organisations[0], person,
                                    state=CandidateState.accepted)

    services.delete_account(person, PASSWORD)

    db.session.refresh(open_candidacy)
    assert open_candidacy.state == CandidateState.declined
    assert open_candidacy not in election_services.queries.validated_candidates(election.id)


def test_the_deleted_account_cannot_log_in_and_its_export_is_gone_with_it(client):
    user = make_user(email="adios@example.org")
    services.delete_account(user, PASSWORD)
    assert login(client, "adios@example.org").status_code == 400
    assert client.get("/account/my-data.json").status_code in (302, 401)
