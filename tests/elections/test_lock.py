"""Once voting opens in a committee's election, its applications' decisions are frozen."""
import pytest
import sqlalchemy as sa

from app.calls import locks
from app.calls import services as call_services
from app.calls.models import ApplicationStatus, CallApplication
from app.core.errors import InvalidTransition
from app.elections import queries
from app.elections.models import ElectionState
from app.extensions import db
from tests.elections.factories import World, make_election, voting_election


@pytest.mark.parametrize("state,locked", [
    (ElectionState.draft, False), (ElectionState.nominating, False),
    (ElectionState.voting, True), (ElectionState.closed, True),
    (ElectionState.published, True), (ElectionState.self_selected, True),
])
def test_voting_has_opened_follows_the_election_state(state, locked):
    world = World()
    make_election(world.committee, state=state)

    assert queries.voting_has_opened(world.committee.id) is locked
    assert queries.voting_has_opened(world.other_committee.id) is False


def _pending_application(world):
    return db.session.scalar(sa.select(CallApplication).where(
        CallApplication.organisation_id == world.pending_organisation.id,
        CallApplication.committee_id == world.committee.id))


def test_an_application_decision_is_allowed_before_voting_opens():
    world = World()
    make_election(world.committee, state=ElectionState.nominating)

    assert call_services.decide_application(world.admin, _pending_application(world), "approve")
    assert _pending_application(world).status == ApplicationStatus.approved


def test_an_application_decision_is_refused_once_voting_opened():
    world = World()
    voting_election(world)
    application = _pending_application(world)

    with pytest.raises(InvalidTransition):
        call_services.decide_application(world.admin, application, "approve")

    db.session.rollback()
    assert _pending_application(world).status == ApplicationStatus.pending
    assert locks.committee_locked(world.committee.id) is True
    assert locks.committee_locked(world.other_committee.id) is False
