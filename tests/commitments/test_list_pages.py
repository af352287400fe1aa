"""The public list of commitments shows one page at a time (the total counts them all), keeps its
filters in the page links, and reads a fixed number of statements and only a page of rows."""
import re

import pytest
from sqlalchemy import event

from app.commitments import queries
from app.commitments.models import Commitment, CommitmentState
from app.extensions import db
from tests.dashboard.factories import bulk_commitments, make_commitment
from tests.dashboard.helpers import counted
from tests.factories import make_committee, make_plan, make_theme

PAGE = 3


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(queries, "LIST_PER_PAGE", PAGE)
    plan = make_plan()
    return plan, [make_committee(plan), make_committee(plan)], [make_theme(plan, "Agua")]


def cards(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="card" data-commitment="(\d+)"', html)]


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_list_pages_through_every_public_commitment_once(client, world):
    plan, committees, _themes = world
    made = [make_commitment(plan, committees[0], number=i + 1) for i in range(PAGE * 2 + 1)]
    make_commitment(plan, committees[0], state=CommitmentState.draft, number=99)

    pages = [get(client, f"/commitments/?page={n}") for n in (1, 2, 3)]

    assert [i for page in pages for i in cards(page)] == [c.id for c in made]
    assert f"{len(made)} compromisos" in pages[0]
    assert 'rel="next" href="/commitments/?page=2"' in pages[0]
    assert client.get("/commitments/?page=4").status_code == 404


def test_page_links_keep_the_filters(client, world):
    plan, committees, _themes = world
    for i in range(PAGE + 1):
        make_commitment(plan, committees[1], number=i + 1)
    make_commitment(plan, committees[0], number=50)

    html = get(client, f"/commitments/?committee={committees[1].id}")

    assert len(cards(html)) == PAGE
    assert f'href="/commitments/?page=2&amp;committee={committees[1].id}"' in html


def test_the_list_reads_a_page_of_rows_in_the_same_statements_for_3_and_30(client, world):
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 3, milestones_each=2)
    get(client, "/commitments/")
    db.session.expire_all()  # both counts start from the same identity map
    with counted() as small:
        get(client, "/commitments/")
    bulk_commitments(plan, committees, themes, 27, milestones_each=2)
    db.session.expire_all()
    loaded = []

    def on_load(target, _context):
        loaded.append(target.id)

    event.listen(Commitment, "load", on_load)
    try:
        with counted() as large:
            html = get(client, "/commitments/")
    finally:
        event.remove(Commitment, "load", on_load)
    assert len(large) == len(small)
    assert len(cards(html)) == PAGE and len(loaded) <= PAGE + 2  # + drafts panel (none here)
    assert "30 compromisos" in html

