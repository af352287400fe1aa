"""Proposals are received only while a phase of the plan that accepts them covers today."""
from datetime import date, timedelta

import pytest

from app.core.clock import today
from app.core.errors import InvalidTransition
from app.extensions import db
from app.plans.models import Phase, PhaseKind
from app.proposals.services import create_proposal
from tests.conftest import login_as
from tests.factories import make_committee, make_plan, make_user


def data(committee) -> dict:
    return {"title": "Baches en la colonia centro", "body": "Hay baches desde hace meses." * 3,
            "committee_id": committee.id, "place": "Centro"}


def plan_with(*phases):
    plan = make_plan()
    plan.phases.clear()
    for n, (starts, ends, accepts) in enumerate(phases):
        plan.phases.append(Phase(kind=PhaseKind.cocreation, position=n, starts_on=starts, ends_on=ends,
                                 accepts_proposals=accepts, name=f"Fase {n}"))
    db.session.commit()
    return plan, make_committee(plan)


def test_a_phase_that_accepts_proposals_and_covers_today_lets_them_in():
    plan, committee = plan_with((today() - timedelta(days=1), today(), True))
    assert create_proposal(make_user(), plan, data(committee)).reference.startswith("DGO-")


def test_an_upcoming_phase_is_named_with_its_dates():
    start = today() + timedelta(days=10)
    plan, committee = plan_with((today() - timedelta(days=30), today() + timedelta(days=30), False),
                                (start, start + timedelta(days=5), True))
    with pytest.raises(InvalidTransition) as refused:
        create_proposal(make_user(), plan, data(committee))
    assert "Fase 1" in refused.value.message and str(start.year) in refused.value.message


def test_an_ended_phase_and_no_phase_at_all_are_refused():
    plan, committee = plan_with((date(2020, 1, 1), date(2020, 6, 30), True))
    with pytest.raises(InvalidTransition) as refused:
        create_proposal(make_user(), plan, data(committee))
    assert "2020" in refused.value.message
    plan, committee = plan_with()
    with pytest.raises(InvalidTransition):
        create_proposal(make_user(), plan, data(committee))


def test_the_new_proposal_page_says_why(client):
    plan_with((date(2020, 1, 1), date(2020, 6, 30), True))
    login_as(client, make_user())
    response = client.get("/proposals/new")
    assert response.status_code == 409
    assert "2020" in response.get_data(as_text=True)


def test_the_proposal_list_says_when_proposals_are_received(client):
    plan_with((date(2020, 1, 1), date(2020, 6, 30), True))
    html = client.get("/proposals/").get_data(as_text=True)
    assert "terminó" in html and "2020" in html and "Inicia sesión para proponer" not in html
