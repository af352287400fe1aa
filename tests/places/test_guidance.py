"""The plan's catalogue where people choose a place: registration, profile, the proposal form
(which preselects the committee covering the author's municipality, and says why) and the list's
filter."""
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.accounts import services
from app.accounts.models import User
from app.core.errors import ValidationError
from app.extensions import db
from app.places import queries
from app.proposals.models import Proposal
from tests.conftest import PASSWORD, login_as
from tests.factories import PLACES, make_committee, make_places, make_plan, make_theme, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def _select(html: str, field: str) -> str:
    return re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)


def options(html: str, field: str) -> list[str]:
    return re.findall(r'<option[^>]*value="([^"]*)"', _select(html, field))


def selected(html: str, field: str) -> list[str]:
    return re.findall(r'<option selected value="([^"]*)"', _select(html, field))


def register(client, municipality: str):
    return client.submit("/account/register/citizen", {
        "name": "María Guadalupe Soto", "email": "maria@example.org", "municipality": municipality,
        "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "y"})


def test_registration_offers_the_current_plans_catalogue_and_outside(client):
    make_plan()  # an older plan, not current any more
    plan = make_plan()
    make_places(plan, ["Mapimí"])

    values = options(text(client.get("/account/register/citizen")), "municipality")

    outside = str(escape(queries.outside_value(plan)))  # the plan's name is hostile text
    assert values == ["", "Durango", "Gómez Palacio", "Lerdo", "Mapimí", outside]


def test_before_the_first_plan_is_published_registration_offers_the_draft_plans_catalogue(client):
    """A new installation: the guarantor body's facilitators register while the first plan is
    still a draft (the set-up checklist asks for them before publishing)."""
    draft = make_plan(current=False, published=False)

    assert options(text(client.get("/account/register/citizen")), "municipality")[1:4] == list(PLACES)
    assert register(client, "Lerdo").status_code == 302
    assert db.session.scalar(sa.select(User.municipality)) == "Lerdo"
    published = make_plan()  # once a plan is published, its catalogue is the one offered
    make_places(published, ["Mapimí"])
    assert "Mapimí" in options(text(client.get("/account/register/citizen")), "municipality")
    assert draft.id != published.id


def test_registration_stores_a_catalogue_name_or_outside_and_refuses_anything_else(client):
    plan = make_plan()

    refused = register(client, "Gotham")
    outside = register(client, queries.outside_value(plan))

    assert refused.status_code == 400 and "Elige tu municipio de la lista." in text(refused)
    assert outside.status_code == 302
    assert db.session.scalar(sa.select(User.municipality)) == f"Fuera de {plan.name}"


def test_the_profile_offers_the_catalogue_and_refuses_other_values(client):
    make_plan()
    user = make_user()
    login_as(client, user)

    refused = client.submit("/account/profile", {"name": "Ana Pérez", "municipality": "Gotham",
                                                 "locale": "es_MX"})
    saved = client.submit("/account/profile", {"name": "Ana Pérez", "municipality": "Lerdo",
                                               "locale": "es_MX"})

    assert refused.status_code == 400 and "Elige tu municipio de la lista." in text(refused)
    assert saved.status_code == 302 and db.session.get(User, user.id).municipality == "Lerdo"


def _proposal_world():
    plan = make_plan()
    state = make_committee(plan, name="Comité Estatal")
    municipal = make_committee(plan, name="Comité de Gómez Palacio")
    queries.place_named(plan, "Gómez Palacio").committee_id = municipal.id
    theme = make_theme(plan)
    db.session.commit()
    return plan, state, municipal, theme


def test_the_proposal_form_preselects_the_committee_covering_the_authors_municipality(client):
    _plan, _state, municipal, _theme = _proposal_world()
    login_as(client, make_user(municipality="Gómez Palacio"))

    html = text(client.get("/proposals/new"))

    assert selected(html, "committee_id") == [str(municipal.id)]
    assert selected(html, "municipality") == ["Gómez Palacio"]
    assert ("Elegimos Comité de Gómez Palacio porque cubre Gómez Palacio, tu municipio.") in html
    assert 'aria-describedby="committee_id-hint"' in html


def test_without_a_covering_committee_nothing_is_preselected_and_nothing_is_claimed(client):
    _proposal_world()
    login_as(client, make_user(municipality="Lerdo"))  # no committee covers Lerdo

    html = text(client.get("/proposals/new"))

    assert selected(html, "municipality") == ["Lerdo"]
    assert selected(html, "committee_id") == []
    assert "Elegimos" not in html


def test_a_proposal_names_a_catalogue_municipality_or_is_refused(client):
    _plan, state, _municipal, theme = _proposal_world()
    login_as(client, make_user())
    data = {"title": "Falta de alumbrado público", "body": "Sin luz desde enero.",
            "committee_id": state.id, "theme_id": theme.id}

    refused = client.submit("/proposals/new", {**data, "municipality": "Gotham"})
    published = client.submit("/proposals/new", {**data, "municipality": "Lerdo"})

    assert refused.status_code == 400
    assert "Elige un municipio del catálogo del plan." in text(refused)
    assert published.status_code == 302
    assert db.session.scalar(sa.select(Proposal.municipality)) == "Lerdo"


def test_the_lists_filter_offers_the_catalogue_not_what_proposals_happen_to_name(client):
    plan = make_plan()
    make_places(plan, ["Mapimí"])

    html = text(client.get("/proposals/"))

    assert options(html, "municipality") == ["", "Durango", "Gómez Palacio", "Lerdo", "Mapimí"]



def test_the_accounts_services_refuse_a_municipality_outside_the_catalogue():
    make_plan()
    user = make_user()
    for act in (lambda: services.register_citizen({"email": "x@example.org", "name": "X Y",
                                                   "municipality": "Gotham", "password": PASSWORD}),
                lambda: services.update_profile(user, {"name": "X Y", "municipality": "Gotham"})):
        with pytest.raises(ValidationError) as refused:
            act()
        assert refused.value.field == "municipality"
