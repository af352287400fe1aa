"""The progress panel issues a fixed number of SQL statements, whatever the milestones and notes."""
import pytest

from app.commitments.models import MilestoneStatus
from app.extensions import db
from app.progress import services
from tests.conftest import login
from tests.factories import make_user
from tests.progress.factories import add_note, follow, make_commitment
from tests.progress.helpers import count_queries

MEASURED: dict[str, int] = {}
PAGES = {"progress page": "/progress/commitment/{id}", "commitment page": "/commitments/{id}"}


def with_notes(world, n: int):
    """n milestones in mixed states, each with two notes carrying a link and a file."""
    statuses = [MilestoneStatus.complete, MilestoneStatus.in_progress, MilestoneStatus.not_started]
    commitment = make_commitment(world, milestones=n, statuses=[statuses[i % 3] for i in range(n)])
    for milestone in commitment.milestones:
        add_note(milestone, world.facilitator, links=1, files=1)
        add_note(milestone, world.admin, links=2, files=2)
    for _ in range(3):
        follow(make_user(), commitment)
    services.set_implementation_status(world.admin, commitment, "limited", "Primer avance.")
    return commitment


def statements_for(client, url: str) -> int:
    client.get(url)  # warm: the first request of a client may load its session's user
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    assert "data-progress-panel" in response.get_data(as_text=True), url
    return len(statements)


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("who", ["anonymous", "citizen", "facilitator"])
def test_the_panel_does_not_grow_with_milestones_and_notes(world, client, page, who):
    if who != "anonymous":
        login(client, getattr(world, who).email)
    few, many = with_notes(world, 2), with_notes(world, 20)
    follow(world.citizen, many)  # following or not costs the same
    small = statements_for(client, PAGES[page].format(id=few.id))
    large = statements_for(client, PAGES[page].format(id=many.id))
    assert small == large
    MEASURED[f"{page} ({who}), 2 milestones / 4 notes"] = small
    MEASURED[f"{page} ({who}), 20 milestones / 40 notes"] = large


def teardown_module(module):
    if MEASURED:
        print("\nSQL statements per page:")
        for key, value in MEASURED.items():
            print(f"  {key}: {value}")
