"""A committee's public page lists its first commitments and links to the rest: the same
statements and at most COMMITTEE_COMMITMENTS cards whether it has 3 public commitments or 60."""
import re

from app.commitments.models import CommitmentState
from app.extensions import db
from app.home import views
from tests.consultations.factories import make_commitment
from tests.factories import make_committee, make_plan
from tests.querycount import count_queries


def _page(client, slug: str):
    client.get(f"/committees/{slug}")  # warm template and translation caches
    db.session.expire_all()
    with count_queries() as sent:
        response = client.get(f"/committees/{slug}")
    assert response.status_code == 200
    return sent, response.get_data(as_text=True)


def test_a_committees_page_lists_a_bounded_number_of_commitments(client, monkeypatch):
    monkeypatch.setattr(views, "COMMITTEE_COMMITMENTS", 10)
    plan = make_plan()
    small = make_committee(plan, slug="comite-chico")
    large = make_committee(plan, slug="comite-grande")
    for _n in range(3):
        make_commitment(small, state=CommitmentState.published, milestones=0)
    for _n in range(60):
        make_commitment(large, state=CommitmentState.published, milestones=0)
    make_commitment(large, state=CommitmentState.draft, milestones=0)  # never shown
    db.session.commit()

    few, html = _page(client, "comite-chico")
    assert len(re.findall(r'href="/commitments/\d+"', html)) == 3
    assert "data-more-commitments" not in html
    many, html = _page(client, "comite-grande")
    assert len(re.findall(r'href="/commitments/\d+"', html)) == 10
    assert f'href="/commitments/?committee={large.id}"' in html
    assert len(few) == len(many), (few, many)
