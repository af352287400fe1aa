"""Transparency pages: the counts of a hand-built dataset, what is left out, and bad input."""
import re

import pytest

from app.accounts.models import Sector
from app.calls.models import ApplicationStatus
from app.commitments.models import CommitmentState
from app.consultations.models import ConsultationOutcome
from app.dialogues.models import RegistrationStatus, TableState
from app.elections.models import ElectionState
from app.extensions import db
from app.proposals.models import ProposalState
from app.transparency import queries
from tests.dashboard.helpers import svgs, table_rows
from tests.factories import make_admin, make_committee, make_plan, make_theme
from tests.transparency import factories as f

PRIVATE = "private-transparency@example.org"


@pytest.fixture
def world():
    """A plan with two committees and a little of everything, visible and not."""
    w = type("World", (), {})()
    w.plan = make_plan()
    w.a = make_committee(w.plan, slug="comite-a")
    w.b = make_committee(w.plan, slug="comite-b")
    w.health = make_theme(w.plan, "Salud")
    w.water = make_theme(w.plan, "Agua")

    # People: 3 counted citizens, 2 organisations here (one approved for A) and 4 further down.
    w.ana = f.citizen("Durango", email=PRIVATE)
    w.beto = f.citizen("Lerdo")
    w.caro = f.citizen("Lerdo")
    f.citizen("Durango", confirmed=False)  # never confirmed: not counted
    gone = f.citizen("Durango")
    gone.deleted_at = gone.created_at  # deleted: not counted
    db.session.commit()
    w.academia = f.organisation(Sector.academia, "Gómez Palacio")
    w.ngo = f.organisation(Sector.civil_society, "Durango")
    f.organisation(Sector.union, "Durango", verified=False)  # pending verification: not counted
    make_admin()  # staff are not citizens
    call = f.published_call(w.plan, [w.a, w.b])
    f.application(call, w.academia, w.a)
    f.application(call, w.ngo, w.a, ApplicationStatus.rejected)
    draft_call = f.published_call(w.plan, [w.a], published=False)
    f.application(draft_call, w.ngo, w.a)  # approved in an unpublished call: not counted

    # Proposals: 3 visible (2 in A), 1 hidden; one of another plan.
    w.p1 = f.proposal(w.a, w.ana, w.health)
    w.p2 = f.proposal(w.a, w.beto, w.health, ProposalState.accepted)
    w.p3 = f.proposal(w.b, w.ana, None)
    w.hidden = f.proposal(w.a, w.ana, w.water, hidden_at=w.ana.created_at)
    elsewhere = make_committee(make_plan(current=False))  # a past plan: none of its figures count here
    f.proposal(elsewhere, w.ana, None)
    f.comment(w.beto, on_proposal=f.proposal(elsewhere, w.ana, w.health))

    # Comments on proposals: 3 public (2 in A), plus hidden, deleted, and on a hidden proposal.
    f.comment(w.beto, on_proposal=w.p1)
    f.comment(w.caro, on_proposal=w.p1)
    f.comment(w.caro, on_proposal=w.p3)
    f.comment(w.beto, on_proposal=w.p1, hidden=True)
    f.comment(w.beto, on_proposal=w.p2, deleted=True)
    f.comment(w.beto, on_proposal=w.hidden)

    # A commitment in consultation in A: 3 public comments (2 answered), 1 hidden answered.
    w.draft = f.commitment(w.a, CommitmentState.consultation)
    f.consultation(w.draft)
    f.consultation(w.draft, opened_hours_ago=-48)  # scheduled, not held yet
    c1 = f.comment(w.ana, on_commitment=w.draft)
    c2 = f.comment(w.beto, on_commitment=w.draft)
    f.comment(w.caro, on_commitment=w.draft)
    f.answer(c1, ConsultationOutcome.incorporated)
    f.answer(c2, ConsultationOutcome.not_incorporated)
    f.answer(f.comment(w.caro, on_commitment=w.draft, hidden=True), ConsultationOutcome.incorporated)
    secret = f.commitment(w.a, CommitmentState.draft)
    f.comment(w.ana, on_commitment=secret)  # on a draft: not public

    # Tables: one held in A (3 confirmed, 2 attended, minutes v2 says 6), one to come, one cancelled.
    held = f.table(w.a)
    f.registration(held, w.ana, attended=True)
    f.registration(held, w.beto, attended=True)
    f.registration(held, w.caro, attended=False)
    f.registration(held, w.ngo, RegistrationStatus.waiting)  # waiting: not counted
    f.minutes(held, 1, 5)
    f.minutes(held, 2, 6)
    f.table(w.b, days_from_now=5)
    cancelled = f.table(w.a, state=TableState.cancelled)
    f.registration(cancelled, w.ana, attended=True)

    # Elections: one published in A (roll 4, 3 ballots), one still voting.
    orgs = [f.organisation() for _ in range(4)]
    w.election = f.election(w.a, roll=orgs, ballots=3)
    w.open_election = f.election(w.b, state=ElectionState.voting, roll=orgs[:2], ballots=1)
    return w


def _figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}"><strong>(\d+)</strong>', html).group(1)


def test_plan_page_counts_only_what_is_public(client, world):
    html = client.get("/transparency/?lang=en").get_data(as_text=True)
    assert _figure(html, "citizens") == "3"
    # The ngo, the academia and the four organisations of the election's roll.
    assert _figure(html, "organisations") == "6"
    assert table_rows(html, "registered") == {"Citizens": ["3"], "Organisations": ["6"]}
    sectors = table_rows(html, "sectors")
    assert sectors["Academia"] == ["1"] and sectors["Civil society organisation"] == ["5"]
    assert sectors["Union"] == ["0"]
    assert table_rows(html, "municipalities") == {
        "Durango": ["6"], "Lerdo": ["2"], "Gómez Palacio": ["1"],
    }
    assert table_rows(html, "themes") == {"Salud": ["2"], "No theme": ["1"]}
    states = table_rows(html, "states")
    assert states["Submitted"] == ["2"] and states["Accepted"] == ["1"] and states["Withdrawn"] == ["0"]
    assert table_rows(html, "comments") == {"On proposals": ["3"], "On commitments": ["3"]}
    assert _figure(html, "tables-held") == "1" and _figure(html, "tables-scheduled") == "1"
    assert table_rows(html, "tables") == {
        "Confirmed registrations": ["3"], "Registered people who attended": ["2"],
        "Attendance stated in the minutes": ["6"],
    }
    assert _figure(html, "consultations-held") == "1"
    assert _figure(html, "consultation-comments") == "3"
    assert table_rows(html, "outcomes") == {
        "Incorporated": ["1"], "Partially incorporated": ["0"], "Not incorporated": ["1"],
        "Not answered yet": ["1"],
    }
    turnout = table_rows(html, "turnout")
    assert list(turnout.values()) == [[world.a.name, "4", "3", "75.0 %"]]
    assert PRIVATE not in html


def test_committee_page_counts_its_committee_only(client, world):
    html = client.get("/transparency/committees/comite-a?lang=en").get_data(as_text=True)
    assert _figure(html, "citizens") == "3"  # citizens register for the whole plan
    assert _figure(html, "organisations") == "1"  # approved for A in a published call
    assert table_rows(html, "sectors")["Academia"] == ["1"]
    assert table_rows(html, "sectors")["Civil society organisation"] == ["0"]
    assert table_rows(html, "themes") == {"Salud": ["2"]}
    assert table_rows(html, "comments") == {"On proposals": ["2"], "On commitments": ["3"]}
    assert _figure(html, "tables-held") == "1" and _figure(html, "tables-scheduled") == "0"
    assert len(table_rows(html, "turnout")) == 1

    other = client.get("/transparency/committees/comite-b?lang=en").get_data(as_text=True)
    assert _figure(other, "organisations") == "0"
    assert table_rows(other, "comments") == {"On proposals": ["1"], "On commitments": ["0"]}
    assert _figure(other, "tables-scheduled") == "1"
    assert "No election result has been published yet." in other  # the voting one is not shown


def test_every_chart_is_a_named_image_with_its_table(client, world):
    html = client.get("/transparency/?lang=en").get_data(as_text=True)
    charts = svgs(html)
    assert len(charts) == 9
    for _source, svg in charts:
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby")
    assert html.count("<caption") == 9
    assert 'scope="row"' in html and 'scope="col"' in html
    assert "<script>alert" not in html  # theme, committee and election names are escaped


def test_municipalities_beyond_the_top_are_added_up(app, world):
    for i in range(queries.TOP_MUNICIPALITIES + 2):
        f.citizen(f"Pueblo {i:02d}")
    people = queries.people()
    assert len(people.by_municipality) == queries.TOP_MUNICIPALITIES + 1
    assert people.by_municipality[-1][0] == queries.OTHERS
    assert sum(n for _m, n in people.by_municipality) == people.total


def test_unknown_committee_is_404(client, world):
    assert client.get("/transparency/committees/no-such-committee").status_code == 404
    assert client.get("/transparency/committees/" + "x" * 5000).status_code == 404


def test_committee_of_another_plan_is_404(client, world):
    make_committee(make_plan(current=False), slug="ajeno")
    assert client.get("/transparency/committees/ajeno").status_code == 404


def test_no_plan_page(client):
    response = client.get("/transparency/?lang=en")
    assert response.status_code == 200
    assert "No action plan has been opened yet" in response.get_data(as_text=True)
    assert client.get("/transparency/committees/any").status_code == 404


@pytest.mark.parametrize("lang,marker", [("en", 'lang="en"'), ("es_MX", 'lang="es-MX"')])
def test_pages_render_in_both_languages(client, world, lang, marker):
    for url in ("/transparency/", "/transparency/committees/comite-a"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200
        assert marker in response.get_data(as_text=True)


def test_spanish_page_uses_spanish_labels(client, world):
    html = client.get("/transparency/?lang=es_MX").get_data(as_text=True)
    assert "Sociedad civil" in html or "sociedad civil" in html  # the sector labels' msgstr
