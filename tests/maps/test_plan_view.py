"""Where a plan's maps open: the box of the current plan's places that have a point (set by the
guarantor body in the catalogue), else the installation's MAP_CENTER or MAP_BOUNDS, else the world."""
import html
import json
import re

import pytest

from app.extensions import db
from app.maps.views import map_settings
from app.places import services
from tests.conftest import login_as
from tests.factories import make_admin, make_committee, make_places, make_plan, make_user
from tests.querycount import count_queries


@pytest.fixture
def plan():
    plan = make_plan()
    make_committee(plan, slug="centro")
    return plan


def settings_in(page: str) -> dict:
    found = re.search(r'data-map="([^"]*)"', page)
    assert found, "no map in the page"
    return json.loads(html.unescape(found.group(1)))


def view(app) -> dict:
    with app.test_request_context("/"):
        return map_settings()


def test_the_view_is_the_box_of_the_plans_places_with_a_point(app, plan, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_CENTER", "5.5,6.5")  # the installation's: second choice
    north, south, unplaced = make_places(plan, ["Norte", "Sur", "Sin punto"])
    assert view(app)["view"] is None and view(app)["center"] == [5.5, 6.5]
    admin = make_admin()
    services.update_place(admin, north, {"latitude": "25,5", "longitude": "-105.25"})
    services.update_place(admin, south, {"latitude": "23.75", "longitude": "-103.5"})
    db.session.commit()
    settings = view(app)
    assert settings["view"] == [[23.75, -105.25], [25.5, -103.5]] and settings["configured"]
    # Another plan's places say nothing of the current plan's maps.
    old = make_plan(current=False)
    services.add_place(admin, old, {"name": "Lejos", "latitude": "-40", "longitude": "170"})
    db.session.commit()
    assert view(app)["view"] == [[23.75, -105.25], [25.5, -103.5]]


def test_one_place_opens_a_small_box_around_it_and_none_falls_back(app, plan):
    assert view(app)["view"] is None and not view(app)["configured"]  # the world, as before
    assert view(app)["center"] == [0.0, 0.0]
    services.add_place(make_admin(), plan, {"name": "Único", "latitude": "20", "longitude": "-100"})
    db.session.commit()
    (south, west), (north, east) = view(app)["view"]
    assert south < 20 < north and west < -100 < east and north - south == pytest.approx(0.05)


def test_the_admin_sets_a_places_point_with_errors_in_spanish(client, plan):
    place, = make_places(plan, ["Centro"])
    login_as(client, make_admin())
    url = f"/admin/plans/{plan.id}/places/{place.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "<legend>Ubicación (opcional)</legend>" in page
    response = client.submit(url, {"name": "Centro", "committee_id": "", "latitude": "91",
                                   "longitude": "-100"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "La latitud debe estar entre -90 y 90." in page
    assert 'value="91"' in page
    assert client.submit(url, {"name": "Centro", "committee_id": "", "latitude": "24.1",
                               "longitude": "-104.6"}).status_code == 302
    db.session.expire_all()
    assert (place.latitude, place.longitude) == (24.1, -104.6)


def test_a_map_page_reads_the_view_in_one_statement(client, plan):
    login_as(client, make_user())
    make_places(plan, ["Uno"])
    with count_queries() as before:
        page = client.get("/proposals/new").get_data(as_text=True)
    assert settings_in(page)["view"] is None
    admin = make_admin()
    for i, place in enumerate(make_places(plan, [f"Lugar {n}" for n in range(20)])):
        services.update_place(admin, place, {"latitude": 20 + i / 10, "longitude": -100})
    db.session.commit()
    with count_queries() as after:
        page = client.get("/proposals/new").get_data(as_text=True)
    assert settings_in(page)["view"] == [[20.0, -100.025], [21.9, -99.975]]
    assert len(after) == len(before)
