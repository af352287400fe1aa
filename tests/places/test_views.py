"""The guarantor body's pages of a plan's catalogue: who may see them, what they show, errors
re-shown with what was typed, the CSV in and out, and a bounded number of statements."""
import io
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.places import queries
from app.places.models import Place
from tests.conftest import login_as
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_places,
    make_plan,
    make_user,
)
from tests.querycount import count_queries


@pytest.fixture
def plan():
    plan = make_plan()
    make_committee(plan, slug="centro", name=f"Comité Centro {HOSTILE}")
    return plan


@pytest.fixture
def admin(client):
    user = make_admin()
    login_as(client, user)
    return user


def url(plan, rest: str = "") -> str:
    return f"/admin/plans/{plan.id}/places/{rest}"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["citizen", "organisation", "facilitator"])
def test_other_roles_are_refused(client, plan, who):
    user = {"citizen": make_user, "organisation": make_organisation,
            "facilitator": lambda: make_moderator(plan.committees[0])}[who]()
    login_as(client, user)
    for path in ("", "import", "places.csv", f"committees/{plan.committees[0].id}"):
        assert client.get(url(plan, path)).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client, plan):
    response = client.get(url(plan))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_list_shows_municipalities_localities_and_committees_escaped(client, plan, admin):
    durango = queries.place_named(plan, "Durango")
    durango.committee_id = plan.committees[0].id
    db.session.add(Place(plan_id=plan.id, name=f"Colonia {HOSTILE}", kind="locality",
                         parent_id=durango.id))
    db.session.commit()

    response = client.get(url(plan))

    html = text(response)
    assert response.status_code == 200
    assert "Durango" in html and "Gómez Palacio" in html and "Lerdo" in html
    assert "Comité Centro &lt;script&gt;" in html and "<script>alert" not in html
    assert "Colonia &lt;script&gt;" in html
    assert "Fuera de Plan &lt;script&gt;" in html  # the outside option, named after the plan
    assert f'href="/admin/plans/{plan.id}/places/import"' in html


def test_the_administration_index_links_to_the_current_plans_places(client, plan, admin):
    assert url(plan) in text(client.get("/admin/"))


def test_a_plan_that_does_not_exist_is_404(client, admin):
    assert client.get("/admin/plans/999999/places/").status_code == 404


def test_adding_a_place(client, plan, admin):
    response = client.submit(url(plan), {"name": "Mapimí", "kind": "municipality",
                                         "committee_id": plan.committees[0].id})

    assert response.status_code == 302
    assert queries.committee_for_place(plan, "Mapimí") == plan.committees[0]


def test_a_refused_place_is_shown_again_with_what_was_typed(client, plan, admin):
    response = client.submit(url(plan), {"name": "durango", "kind": "municipality"})

    html = text(response)
    assert response.status_code == 400
    assert "El catálogo ya tiene Durango ahí." in html
    assert 'value="durango"' in html


def test_editing_and_a_refused_removal(client, plan, admin):
    durango = queries.place_named(plan, "Durango")  # the admin lives there

    page = client.get(url(plan, f"{durango.id}/edit"))
    saved = client.submit(url(plan, f"{durango.id}/edit"),
                          {"name": "Durango", "committee_id": plan.committees[0].id})
    refused = client.submit(url(plan, f"{durango.id}/remove"))

    assert page.status_code == 200 and "Editar Durango" in text(page)
    assert saved.status_code == 302 and queries.committee_for_place(plan, "Durango") is not None
    assert refused.status_code == 409 and "lo mencionan 1 cuentas" in text(refused)


def test_removing_a_free_municipality(client, plan, admin):
    lerdo = queries.place_named(plan, "Lerdo")
    response = client.submit(url(plan, f"{lerdo.id}/remove"))
    assert response.status_code == 302 and queries.place_named(plan, "Lerdo") is None


def test_a_place_of_another_plan_is_404(client, plan, admin):
    elsewhere = make_places(make_plan(), ["Mapimí"])[0]
    assert client.get(url(plan, f"{elsewhere.id}/edit")).status_code == 404


def test_a_bad_paste_lists_every_bad_line_and_keeps_the_text(client, plan, admin):
    pasted = "municipality,locality,committee\nMapimí,,nadie\n,Sin municipio,\n"

    response = client.submit(url(plan, "import"), {"text": pasted})

    html = text(response)
    assert response.status_code == 400
    assert "El archivo tiene 2 problemas; no se importó nada." in html
    assert "Línea 2: el plan no tiene el comité nadie." in html
    assert "Línea 3: falta el municipio." in html
    assert "Mapimí,,nadie" in html
    assert queries.place_named(plan, "Mapimí") is None


def test_an_uploaded_file_with_a_byte_order_mark_is_imported(client, plan, admin):
    data = "\ufeffmunicipality,locality,committee\nMapimí,,centro\n".encode()

    response = client.submit(url(plan, "import"), {"file": (io.BytesIO(data), "lugares.csv")},
                             content_type="multipart/form-data")

    assert response.status_code == 302
    assert queries.committee_for_place(plan, "Mapimí") == plan.committees[0]


def test_a_file_that_is_not_utf8_is_refused_with_the_reason(client, plan, admin):
    data = "municipality,locality,committee\nMapimí,,\n".encode("latin-1")

    response = client.submit(url(plan, "import"), {"file": (io.BytesIO(data), "lugares.csv")},
                             content_type="multipart/form-data")

    assert response.status_code == 400 and "no es texto UTF-8" in text(response)


def test_nothing_to_import_is_refused(client, plan, admin):
    response = client.submit(url(plan, "import"), {"text": "  "})
    assert response.status_code == 400 and "Elige un archivo o pega las líneas." in text(response)


def test_the_download_is_the_import_format(client, plan, admin):
    response = client.get(url(plan, "places.csv"))

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    assert body.splitlines() == ["municipality,locality,committee", "Durango,,",
                                 "Gómez Palacio,,", "Lerdo,,"]


def test_a_committees_places_are_ticked_and_saved(client, plan, admin):
    committee = plan.committees[0]
    gomez, lerdo = queries.place_named(plan, "Gómez Palacio"), queries.place_named(plan, "Lerdo")

    saved = client.submit(url(plan, f"committees/{committee.id}"), {"place_ids": [gomez.id, lerdo.id]})
    page = client.get(url(plan, f"committees/{committee.id}"))

    assert saved.status_code == 302
    assert queries.municipalities_covered_by(committee) == ["Gómez Palacio", "Lerdo"]
    ticked = re.findall(r'<input checked[^>]*value="(\d+)"', text(page))
    assert sorted(map(int, ticked)) == sorted([gomez.id, lerdo.id])


def test_the_list_costs_the_same_whatever_the_catalogue_size(client, plan, admin):
    # One of each kind of row the page loads: a covered municipality, a covered locality.
    durango = queries.place_named(plan, "Durango")
    durango.committee_id = plan.committees[0].id
    db.session.add(Place(plan_id=plan.id, name="Centro", kind="locality", parent_id=durango.id,
                         committee_id=plan.committees[0].id))
    db.session.commit()
    client.get(url(plan))  # warm the session and the caches

    def statements() -> int:
        with count_queries() as seen:
            assert client.get(url(plan)).status_code == 200
        return len(seen)

    small = statements()
    towns = make_places(plan, [f"Municipio {n}" for n in range(30)], committee=plan.committees[0])
    db.session.add_all(Place(plan_id=plan.id, name=f"Localidad {n}", kind="locality",
                             parent_id=town.id) for n, town in enumerate(towns))
    db.session.commit()  # expires the test's rows, which the next request would load again
    client.get(url(plan))

    assert statements() == small
    assert small <= 15
    assert db.session.scalar(sa.select(sa.func.count(Place.id))) >= 60
