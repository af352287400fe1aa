"""The dashboard's cost does not grow with the plan: its figures are counted by the database
(GROUP BY) and it lists one page of commitments, so a request loads at most a page of
commitments and their milestones, and sends the same statements for 3 commitments as for 30.
The printable plan lists them all, streamed a batch at a time."""
import re
from datetime import date

import pytest
from sqlalchemy import event

from app.commitments.models import Commitment, CommitmentState, ImplementationStatus, Milestone
from app.commitments.models import MilestoneStatus as MS
from app.dashboard import figures, queries
from app.extensions import db
from tests.dashboard.factories import bulk_commitments, make_commitment
from tests.dashboard.helpers import counted, table_rows
from tests.factories import make_committee, make_plan, make_theme

PAGE = 4  # commitments a page, small for the tests


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", PAGE)
    plan = make_plan()
    committees = [make_committee(plan) for _ in range(3)]
    themes = [make_theme(plan, f"Tema {i}") for i in range(2)]
    return plan, committees, themes


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="dash-item" id="commitment-(\d+)"', html)]


@pytest.fixture
def loaded():
    """The commitments and milestones a block loads as rows (ORM instances), by class."""
    counts = {Commitment: 0, Milestone: 0}

    def on_load(target, _context):
        counts[type(target)] += 1

    for cls in counts:
        event.listen(cls, "load", on_load)
    yield counts
    for cls in counts:
        event.remove(cls, "load", on_load)


def statements(client, url: str) -> list[str]:
    get(client, url)  # warm the client's session
    db.session.expire_all()
    from app.core import fragments

    fragments.cache_of().clear()  # render the body: the figures' statements are what we count
    with counted() as sent:
        get(client, url)
    return sent


def test_statements_are_the_same_for_3_and_30_commitments_with_10_milestones_each(client, world):
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 3, milestones_each=10)
    urls = ["/dashboard/", f"/dashboard/committee/{committees[0].slug}", "/dashboard/?page=2"]
    urls = urls[:2]  # 3 commitments fit on one page
    small = {url: len(statements(client, url)) for url in urls}

    bulk_commitments(plan, committees, themes, 27, milestones_each=10)
    large = {url: len(statements(client, url)) for url in urls}

    assert large == small
    # The version, the session's reads and the nine of the body (status, theme, committee and
    # timeline counts, a page of commitments and their milestones, the lights' milestones and
    # verdicts, the sessions' agreements): a small fixed number.
    assert all(n <= 15 for n in large.values()), large


def test_a_request_loads_one_page_of_commitments_not_the_plan(client, world, loaded):
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 30, milestones_each=10)
    get(client, "/dashboard/")  # warm
    from app.core import fragments

    fragments.cache_of().clear()
    db.session.expire_all()
    loaded[Commitment] = loaded[Milestone] = 0

    html = get(client, "/dashboard/")

    assert len(listed_ids(html)) == PAGE
    assert loaded[Commitment] <= PAGE and loaded[Milestone] <= PAGE * 10, loaded
    # ...while the figures count every commitment and milestone of the plan.
    assert re.search(r'data-figure="commitments"><strong>30<', html)
    assert re.search(r'data-figure="milestones"><strong>300<', html)
    assert sum(int(cells[0]) for cells in table_rows(html, "status").values()) == 30


def test_the_pages_list_every_commitment_once_in_the_plans_order(client, world):
    plan, committees, _themes = world
    made = [make_commitment(plan, committees[i % 3], number=100 + i) for i in range(PAGE * 2 + 1)]
    expected = [c.id for c in sorted(made, key=lambda c: (c.committee.position, c.committee_id, c.number))]

    pages = [get(client, f"/dashboard/?page={n}") for n in (1, 2, 3)]

    assert [i for page in pages for i in listed_ids(page)] == expected
    assert 'rel="next" href="/dashboard/?page=2"' in pages[0]
    assert 'rel="prev" href="/dashboard/?page=2"' in pages[2]
    assert f'data-listed="1-{PAGE}"' in pages[0]
    assert client.get("/dashboard/?page=4").status_code == 404
    assert listed_ids(get(client, "/dashboard/?page=abc")) == listed_ids(pages[0])  # not a number


def test_a_committees_dashboard_pages_through_its_own_commitments(client, world):
    plan, committees, _themes = world
    mine = [make_commitment(plan, committees[1]) for _ in range(PAGE + 1)]
    make_commitment(plan, committees[0])
    slug = committees[1].slug

    first, second = (get(client, f"/dashboard/committee/{slug}?page={n}") for n in (1, 2))

    assert listed_ids(first) + listed_ids(second) == [c.id for c in mine]
    assert f'href="/dashboard/committee/{slug}?page=2"' in first


def test_the_plans_dashboard_counts_each_committee_and_links_to_its_dashboard(client, world):
    plan, committees, _themes = world
    past, future = date(2020, 1, 1), date(2100, 1, 1)
    make_commitment(plan, committees[0], milestones=[(MS.complete, past), (MS.in_progress, past)])
    make_commitment(plan, committees[0], state=CommitmentState.withdrawn, milestones=[(MS.not_started, future)])
    make_commitment(plan, committees[1], milestones=[(MS.not_started, past)])
    make_commitment(plan, committees[1], state=CommitmentState.draft, milestones=[(MS.not_started, past)])

    html = get(client, "/dashboard/")

    rows = table_rows(html, "committee")
    names = [c.name for c in committees]
    # Commitments, milestones, complete, late (drafts are not counted).
    assert [rows[n] for n in names] == [["2", "3", "1", "1"], ["1", "1", "0", "1"], ["0", "0", "0", "0"]]
    assert f'href="/dashboard/committee/{committees[2].slug}"' in html


def test_figures_in_sql_match_the_same_figures_counted_in_python(client, world):
    """The GROUP BY figures agree with counting the loaded rows (the definition they replace)."""
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 25, milestones_each=5)
    make_commitment(plan, committees[0], None, status=ImplementationStatus.limited)
    today = date(2025, 6, 15)

    board = queries.dashboard(plan, today=today)
    everything = queries.public_commitments(plan.id)
    milestones = [m for c in everything for m in c.milestones]

    assert board.total == len(everything) == 26
    assert board.timeline == figures.build_timeline(milestones, today)
    assert board.milestone_counts["total"] == len(milestones)
    assert board.milestone_counts["late"] == sum(m.is_late(today) for m in milestones)
    assert sum(f.commitments for f in board.by_committee) == 26
    assert dict(board.by_theme)[""] == 1


def test_the_printable_plan_streams_every_commitment_a_batch_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr(queries, "PRINT_BATCH", 2)
    plan, committees, _themes = world
    made = [make_commitment(plan, committees[0], number=10 + i, milestones=[(MS.complete, date(2025, 1, 1))])
            for i in range(5)]

    response = client.get("/dashboard/plan/print")

    assert response.is_streamed
    html = response.get_data(as_text=True)
    sheets = [int(n) for n in re.findall(r'<article class="doc-commitment" id="commitment-(\d+)"', html)]
    assert sheets == [c.id for c in made]
    assert html.count("data-milestone=") == 5


def test_a_kept_body_reads_nothing_of_the_plan_and_a_change_still_shows(client, world, kept_facts):
    """With facts kept (as in production), the version of the body is read once, not per request:
    a kept body costs no statement on commitments or milestones; a change made here shows on
    the next request."""
    plan, committees, _themes = world
    commitment = make_commitment(plan, committees[0], title="Antes")
    get(client, "/dashboard/")

    with counted() as sent:
        assert "Antes" in get(client, "/dashboard/")
    assert not [s for s in sent if "commitments" in s or "milestones" in s], sent

    commitment.title = "Después"
    db.session.commit()
    assert "Después" in get(client, "/dashboard/")
