"""Each permission is evaluated once per request, however many layers ask (app/core/permissions.py).

The view checks before it shows or runs a form, the service checks again before it acts, a
template asks `can` for a button: the rule itself runs once and the others reuse its decision.
A spy wraps every registered rule and counts its evaluations during the POST (the page fetched
before it, for the form, is another request).
"""
from collections import Counter

import pytest
from flask import has_request_context, request

from app.core import permissions
from app.elections import services as election_services
from tests.conftest import PASSWORD, login
from tests.consultations.factories import World as ConsultationWorld
from tests.consultations.factories import make_consultation, milestone_key
from tests.elections.factories import World as ElectionWorld
from tests.elections.factories import voting_election


@pytest.fixture
def evaluations(monkeypatch):
    counts: Counter = Counter()

    def spied(name, evaluate):
        def counted(actor, target):
            if has_request_context() and request.method == "POST":
                counts[name] += 1
            return evaluate(actor, target)
        return counted

    monkeypatch.setattr(permissions, "_RULES",
                        {name: spied(name, func) for name, func in permissions._RULES.items()})
    return counts


def _each_once(counts: Counter, must_include: set[str]) -> None:
    assert must_include <= set(counts), f"expected rules not evaluated: {must_include - set(counts)}"
    repeated = {name: n for name, n in counts.items() if n > 1}
    assert not repeated, f"rules evaluated more than once in one request: {repeated}"


def test_casting_a_ballot_checks_each_permission_once(client, evaluations):
    world = ElectionWorld()
    election = voting_election(world)
    choice = next(iter(election_services.ballot_options(election)))
    login(client, world.organisation.email)

    cast = client.submit(f"/elections/{election.id}/vote/confirm",
                         {"choice": choice, "password": PASSWORD}, page=f"/elections/{election.id}/vote")

    assert cast.status_code == 303, cast.get_data(as_text=True)[:500]
    _each_once(evaluations, {"elections.vote"})


def test_commenting_in_a_consultation_checks_each_permission_once(client, evaluations):
    world = ConsultationWorld()
    make_consultation(world.commitment)
    login(client, world.citizen.email)
    page = f"/consultations/commitment/{world.commitment.id}"

    response = client.submit(f"{page}/comment", {
        "section": milestone_key(world.milestones[0]), "body": "Una observación sobre el hito"},
        page=page)

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    _each_once(evaluations, {"consultations.comment"})


def test_the_progress_loop_checks_each_permission_once(client, evaluations, uploads):
    """Draft (the view asks whether the official publishes and may draft, the service asks
    again), publish, return, revise and review: each rule runs once in each POST."""
    from tests.progress.test_oversight import Loop
    from tests.progress.test_oversight_views import draft_through_the_form, the_note

    loop = Loop()
    login(client, loop.official.email)
    assert draft_through_the_form(client, loop).status_code == 302
    _each_once(evaluations, {"progress.draft"})
    note = the_note()

    client.get("/account/logout")
    login(client, loop.facilitator.email)
    evaluations.clear()
    returned = client.submit(f"/progress/report/{note.id}/return", {"reason": "Falta el acta firmada."},
                             page=f"/progress/commitment/{loop.commitment.id}/waiting")
    assert returned.status_code == 302, returned.get_data(as_text=True)[:500]
    _each_once(evaluations, {"progress.publish"})

    client.get("/account/logout")
    login(client, loop.official.email)
    evaluations.clear()
    revised = client.submit(f"/progress/report/{note.id}/revise", {
        "status": "complete", "noted_on": "2026-03-01", "note": "Con el acta firmada.", "links": ""},
        content_type="multipart/form-data")
    assert revised.status_code == 302, revised.get_data(as_text=True)[:500]
    _each_once(evaluations, {"progress.revise"})

    client.get("/account/logout")
    login(client, loop.facilitator.email)
    evaluations.clear()
    assert client.submit(f"/progress/report/{note.id}/publish", {},
                         page=f"/progress/commitment/{loop.commitment.id}/waiting").status_code == 302
    _each_once(evaluations, {"progress.publish"})

    client.get("/account/logout")
    login(client, loop.titular.email)
    evaluations.clear()
    reviewed = client.submit(f"/progress/report/{note.id}/review",
                             {"verdict": "disputed", "reason": "El acta no está en el micrositio."})
    assert reviewed.status_code == 302, reviewed.get_data(as_text=True)[:500]
    _each_once(evaluations, {"progress.review"})
