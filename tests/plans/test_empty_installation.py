"""An installation with no plan published yet: the guarantor body sees every set-up step missing,
and the pages that work on the current plan say that there is none (404 with the reason), not
"page not found" alone; the set-up pages lead to the territory and back."""
import re

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.plans.services import create_plan
from tests.conftest import login_as
from tests.factories import make_admin, make_plan, make_user

NO_PLAN = "Todavía no hay ningún plan publicado"
PLAN_FORM = {
    "name": "Plan Local de Xalapa", "jurisdiction": "Veracruz", "period": "2027–2029",
    "reference_prefix": "XAL", "guarantor_name": "Instituto Veracruzano",
    "guarantor_email": "contacto@ivai.example.org", "data_licence": "CC BY 4.0",
}


def _steps(html: str) -> list[tuple[str, str, str]]:
    """(state class, link, label) of each step of the checklist."""
    return re.findall(r'<li class="setup-step (setup-\w+)">\s*<span[^>]*>[^<]*</span>\s*'
                      r'<a href="([^"]+)">([^<]+)</a>', html)


def test_before_any_plan_the_checklist_shows_every_step_missing(client):
    login_as(client, make_admin())
    html = client.get("/admin/").get_data(as_text=True)
    steps = _steps(html)
    assert len(steps) == 8
    assert {state for state, _link, _label in steps} == {"setup-missing"}
    assert {link for _state, link, _label in steps} == {"/admin/plans/new"}
    labels = [label for _state, _link, label in steps]
    assert labels[0] == "Datos del plan y del Órgano Garante" and labels[-1] == "Publicar el plan"
    assert "Publicar la convocatoria pública" in labels


def test_a_draft_plan_has_its_own_checklist(client):
    admin = make_admin()
    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    login_as(client, admin)
    steps = _steps(client.get("/admin/").get_data(as_text=True))
    assert steps[0][0] == "setup-done"  # its data are complete
    assert steps[0][1] == f"/admin/plans/{plan.id}/edit"


@pytest.mark.parametrize("path", ["/calls/new", "/documents/new", "/declaratoria/record",
                                  "/news/manage", "/news/new"])
def test_the_guarantor_body_pages_say_there_is_no_plan_yet(client, path):
    login_as(client, make_admin())
    response = client.get(path)
    assert response.status_code == 404
    assert NO_PLAN in response.get_data(as_text=True)


def test_a_draft_is_not_the_current_plan_for_those_pages(client):
    admin = make_admin()
    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    login_as(client, admin)
    assert NO_PLAN in client.get("/news/manage").get_data(as_text=True)
    # The checklist's call step names the draft plan, whose call form works.
    assert client.get(f"/calls/new?plan={plan.id}").status_code == 200
    assert client.get("/calls/new?plan=999999").status_code == 404


def test_a_citizen_cannot_propose_before_a_plan_is_published(client):
    login_as(client, make_user(Role.citizen))
    response = client.get("/proposals/new")
    assert response.status_code == 404
    assert NO_PLAN in response.get_data(as_text=True)


def test_with_a_current_plan_those_pages_open(client):
    make_plan()
    login_as(client, make_admin())
    for path in ("/calls/new", "/documents/new", "/news/manage", "/news/new"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert NO_PLAN not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/proposals/", "/calls/", "/documents/", "/elections/",
                                  "/commitments/", "/news/", "/declaratoria"])
def test_the_public_pages_answer_on_an_empty_installation(client, path):
    assert client.get(path).status_code == 200


def test_the_set_up_page_and_the_places_pages_lead_to_each_other(client):
    plan = make_plan()
    login_as(client, make_admin())
    setup = client.get(f"/admin/plans/{plan.id}/").get_data(as_text=True)
    assert f'href="/admin/plans/{plan.id}/places/">Territorio</a>' in setup
    for path in ("", "import"):
        html = client.get(f"/admin/plans/{plan.id}/places/{path}").get_data(as_text=True)
        crumbs = re.search(r'<nav aria-label="Ruta de navegación".*?</nav>', html, re.S)
        crumbs = crumbs.group(0) if crumbs else html
        assert f'href="/admin/plans/{plan.id}/"' in crumbs, path  # back to the plan's set-up
