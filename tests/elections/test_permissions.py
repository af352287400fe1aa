"""Who may do what in elections: the rules, table-driven, and direct POSTs to every action."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.core.permissions import can, check
from app.elections import services
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.elections.permissions import already_voted_message
from app.extensions import db
from tests.conftest import PASSWORD, FormClient, login
from tests.elections.factories import (
    end_voting_window,
    make_candidate,
    make_election,
    voting_election,
)
from tests.factories import make_user

ACTORS = ["anonymous", "citizen", "organisation", "candidate", "facilitator", "other_facilitator",
          "admin"]


@pytest.fixture(scope="module")
def people(module_worlds, world):
    return module_worlds.share(_people, world)


def _people(world):
    from tests.factories import make_moderator

    election = make_election(world.committee, state=ElectionState.nominating,
                             nominations_in=timedelta(days=-1))
    person = make_user()
    candidate = make_candidate(election, world.organisation, person, state=CandidateState.pending)
    return {
        "anonymous": None, "citizen": world.citizen, "organisation": world.organisation,
        "candidate": person, "facilitator": world.facilitator,
        "other_facilitator": make_moderator(world.other_committee), "admin": world.admin,
        "election": election, "nomination": candidate, "voting": voting_election(world),
    }


EXPECTED = {
    # rule: the actors for whom it holds
    "elections.manage": {"admin"},
    "elections.nominate": {"organisation"},
    "elections.vote": {"organisation"},
    "elections.answer_nomination": {"candidate"},
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
@pytest.mark.parametrize("actor", ACTORS)
def test_rules(people, rule, actor):
    target = {"elections.answer_nomination": people["nomination"],
              "elections.vote": people["voting"]}.get(rule, people["election"])
    decision = check(people[actor], rule, target)
    assert decision.allowed == (actor in EXPECTED[rule])
    if actor != "anonymous":
        assert decision.allowed or decision.reason, "a refusal says why"


@pytest.mark.parametrize("rule, target", [("elections.nominate", "voting"),
                                          ("elections.vote", "election"),
                                          ("elections.answer_nomination", None)])
def test_outside_their_windows_the_rules_refuse_because_of_the_state(world, people, rule, target):
    if target is None:  # the nominated person, once nominations are over
        people["election"].state = ElectionState.voting
        target, actor = people["nomination"], people["candidate"]
    else:
        target, actor = people[target], people["organisation"]
    decision = check(actor, rule, target)
    assert not decision and decision.not_now and decision.reason


def test_an_organisation_that_voted_is_refused_because_of_the_state(world, people):
    election = people["voting"]
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    decision = check(world.organisation, "elections.vote", election)
    assert not decision and decision.not_now
    assert decision.reason == already_voted_message()


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_sees_counts_before_the_close_and_everybody_after(world, people, actor):
    election = voting_election(world)
    assert not can(people[actor], "elections.see_counts", election)
    end_voting_window(election)
    services.close_election(world.admin, election)
    assert can(people[actor], "elections.see_counts", election)


def test_an_unverified_organisation_neither_nominates_nor_votes(world):
    assert not can(world.unverified_organisation, "elections.nominate", None)
    assert not can(world.unverified_organisation, "elections.vote", None)


def _client(app, user):
    client = FormClient(app.test_client())
    if user is not None:
        login(client, user.email)
    return client


def _admin_actions(election_id, candidate_id):
    return [
        ("/elections/new", {}),
        (f"/elections/{election_id}/edit", {"title": "Otra"}),
        (f"/elections/{election_id}/open-nominations", {}),
        (f"/elections/{election_id}/open-voting", {}),
        (f"/elections/candidates/{candidate_id}/validate", {}),
        (f"/elections/candidates/{candidate_id}/reject", {"reason": "No"}),
        (f"/elections/{election_id}/close", {"reason": "No"}),
        (f"/elections/{election_id}/publish", {"term_start": "2026-01-01"}),
        (f"/elections/{election_id}/agreement", {"titular_name": "X"}),
        (f"/elections/{election_id}/agreement/publish", {}),
    ]


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "admin"])
def test_direct_posts_to_every_administrative_action_are_refused(app, people, actor):
    election, candidate = people["election"], people["nomination"]
    candidate.state = CandidateState.accepted
    election.min_participants = 100
    db.session.commit()
    client = _client(app, people[actor])
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    for url, data in _admin_actions(election.id, candidate.id):
        response = client.submit(url, data, page="/elections/")
        if actor == "anonymous":
            assert response.status_code == 302 and "/account/login" in response.headers["Location"], url
        else:
            assert response.status_code == 403, url
        assert client.get(url).status_code in (302, 403, 405), url
    db.session.expire_all()
    assert db.session.get(Election, election.id).state == ElectionState.nominating
    assert candidate.state == CandidateState.accepted
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before
    assert client.get(f"/elections/{election.id}/manage").status_code in (302, 403)


@pytest.mark.parametrize("actor", ["citizen", "organisation", "facilitator", "admin"])
def test_only_the_person_nominated_answers_the_nomination(app, people, actor):
    candidate = people["nomination"]
    client = _client(app, people[actor])
    for action in ("accept", "decline"):
        response = client.submit(f"/elections/candidates/{candidate.id}/{action}",
                                 page="/elections/nominations")
        assert response.status_code == 403
    db.session.refresh(candidate)
    assert candidate.state == CandidateState.pending


@pytest.mark.parametrize("who", ["citizen", "pending_organisation", "other_organisation",
                                 "unverified_organisation", "facilitator", "admin"])
def test_direct_posts_to_cast_a_ballot_are_refused_with_a_message(app, world, who):
    election = voting_election(world)
    code = next(iter(services.ballot_options(election)))
    client = _client(app, getattr(world, who))
    for url, data in ((f"/elections/{election.id}/vote", {"choice": code}),
                      (f"/elections/{election.id}/vote/confirm",
                       {"choice": code, "password": PASSWORD})):
        response = client.submit(url, data, page="/elections/")
        assert response.status_code == 403, (who, url)
        body = response.get_data(as_text=True)
        assert 'class="error-page"' in body and "<p>" in body
    db.session.refresh(election)
    assert election.ballot_count == 0


def test_anonymous_is_sent_to_log_in_to_vote(app, world):
    election = voting_election(world)
    client = FormClient(app.test_client())
    response = client.get(f"/elections/{election.id}/vote")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_nominating_by_another_committee_s_organisation_is_refused(app, world):
    election = make_election(world.committee, state=ElectionState.nominating,
                             nominations_in=timedelta(days=-1))
    client = _client(app, world.other_organisation)
    response = client.submit(f"/elections/{election.id}/nominate",
                             {"name": "X", "email": world.citizen.email, "bio": "b", "statement": "s"},
                             page="/elections/")
    assert response.status_code == 403
    # The module's worlds hold other elections' candidates: none for this one.
    assert not db.session.scalar(sa.select(sa.func.count(Candidate.id)).where(
        Candidate.election_id == election.id))
