"""Once voting opens in a committee's election, the decisions on its call's applications to the
committee are frozen; a later call's are not."""
import pytest
import sqlalchemy as sa

from app.calls import locks
from app.calls import services as call_services
from app.calls.models import ApplicationStatus, CallApplication
from app.core.errors import InvalidTransition
from app.elections import queries
from app.elections.models import ElectionState
from app.extensions import db
from tests.elections.factories import (
    World,
    approve,
    make_call,
    make_election,
    voting_election,
)
from tests.factories import make_organisation


@pytest.mark.parametrize("state,locked", [
    (ElectionState.draft, False), (ElectionState.nominating, False),
    (ElectionState.voting, True), (ElectionState.closed, True),
    (ElectionState.published, True), (ElectionState.self_selected, True),
])
def test_voting_has_opened_follows_the_election_state(state, locked):
    world = World()
    make_election(world.committee, state=state)

    assert queries.voting_has_opened(world.call.id, world.committee.id) is locked
    assert queries.voting_has_opened(world.call.id, world.other_committee.id) is False


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
    assert locks.applications_locked(world.call.id, world.committee.id) is True
    assert locks.applications_locked(world.call.id, world.other_committee.id) is False


def test_a_later_call_to_the_same_committee_is_not_locked_by_the_first_calls_election():
    """The old dead end: any election of the committee that had opened voting, ever, froze every
    application to it in every later call."""
    world = World()
    election = voting_election(world)
    election.state = ElectionState.published
    second = make_call(world.plan, [world.committee])
    newcomer = make_organisation()
    application = approve(second, world.committee, newcomer, ApplicationStatus.pending)

    assert locks.applications_locked(world.call.id, world.committee.id) is True
    assert locks.applications_locked(second.id, world.committee.id) is False
    assert call_services.decide_application(world.admin, application, "approve")
    assert application.status == ApplicationStatus.approved
