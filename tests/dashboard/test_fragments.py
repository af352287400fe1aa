"""The dashboard's body is kept as a fragment (app/core/fragments.py) under the version of what
it shows: every kind of change shows on the next request, and a kept body is not read again."""
from datetime import date

import pytest

from app.commitments.models import CommitmentState, ImplementationStatus, MilestoneStatus
from app.core import fragments
from app.extensions import db
from tests.dashboard.factories import make_commitment
from tests.dashboard.helpers import attribute, counted, item
from tests.factories import make_committee, make_plan, make_theme


@pytest.fixture
def world():
    plan = make_plan()
    committee = make_committee(plan)
    theme = make_theme(plan, "Salud")
    commitment = make_commitment(plan, committee, theme, title="Primer título", milestones=[
        (MilestoneStatus.not_started, date(2030, 1, 31)), (MilestoneStatus.in_progress, date(2030, 3, 31))])
    return plan, committee, theme, commitment


def board(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_kept_body_is_not_read_again(app, client, world):
    board(client)
    assert len(fragments.cache_of(app).local) == 1
    with counted() as statements:
        assert "Primer título" in board(client)
    assert not any("FROM milestones" in s and "ORDER BY" in s for s in statements)


@pytest.mark.parametrize("change", ["title", "milestone", "status", "withdrawn", "theme", "committee", "new"])
def test_each_change_shows_on_the_next_request(client, world, change):
    plan, committee, theme, commitment = world
    before = board(client)
    if change == "title":
        commitment.title = "Otro título, más largo"
    elif change == "milestone":
        commitment.milestones[0].status = MilestoneStatus.complete
    elif change == "status":
        commitment.implementation_status = ImplementationStatus.substantial
    elif change == "withdrawn":
        commitment.state = CommitmentState.withdrawn
        commitment.withdrawn_reason = "Sin presupuesto"
    elif change == "theme":
        theme.name = "Salud pública"
    elif change == "committee":
        committee.name = committee.name + " (renombrada)"
    else:
        make_commitment(plan, committee, title="Recién publicado", commit=False)
    db.session.commit()
    after = board(client)
    assert after != before
    if change == "milestone":
        assert attribute(item(after, commitment.id), "data-progress") != attribute(item(before, commitment.id), "data-progress")
