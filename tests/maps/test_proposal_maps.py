"""Proposals on the map: the location fieldset of the form (errors in Spanish, input kept), the
map page's list, the GeoJSON endpoint (public, visible items only), Leaflet served by the app
and the Content-Security-Policy that lets only the tile server's images in."""
import json
import re

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.security import csp_for, tile_source
from app.extensions import db
from app.proposals.models import Proposal, ProposalState
from tests.conftest import login
from tests.proposals.factories import World, make_proposal, proposal_data, set_state
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


def located(world, n: int, **changes) -> list[Proposal]:
    return [make_proposal(world, latitude=f"{20 + i / 100:.2f}", longitude="-100.5", **changes)
            for i in range(n)]


# ---------------------------------------------------------------- the form

def test_the_form_has_the_location_fieldset_with_labelled_fields(world, client):
    login(client, world.citizen.email)
    page = text(client.get("/proposals/new"))
    fieldset = page[page.index("data-location-picker"):page.index("</fieldset>", page.index("data-location-picker"))]
    assert "<legend>Ubicación (opcional)</legend>" in fieldset
    assert '<label for="latitude">Latitud</label>' in fieldset and '<label for="longitude">Longitud</label>' in fieldset
    assert 'inputmode="decimal"' in fieldset and "data-map-canvas hidden" in fieldset
    assert "/static/js/maps.js" in page and "<script>" not in page  # no inline script


@pytest.mark.parametrize(("latitude", "longitude", "field", "message"), [
    ("veinte", "-100.5", "latitude", "Escribe la latitud como número decimal"),
    ("95", "-100.5", "latitude", "La latitud debe estar entre -90 y 90."),
    ("20.5", "-200", "longitude", "La longitud debe estar entre -180 y 180."),
    ("20.5", "", "longitude", "Escribe la latitud y la longitud, o deja las dos vacías."),
])
def test_a_bad_location_is_refused_in_spanish_keeping_what_was_typed(world, client, latitude, longitude,
                                                                    field, message):
    login(client, world.citizen.email)
    response = client.submit("/proposals/new", proposal_data(
        world, title="Alumbrado apagado en la plaza", latitude=latitude, longitude=longitude))
    page = text(response)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert f'value="{latitude}"' in page and 'value="Alumbrado apagado en la plaza"' in page
    if longitude:
        assert f'value="{longitude}"' in page
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_a_location_is_stored_shown_on_the_page_and_prefilled_in_the_edit(world, client):
    login(client, world.citizen.email)
    response = client.submit("/proposals/new", proposal_data(
        world, title="Bache profundo frente al mercado", latitude="20,5123456", longitude="-100.25"))
    assert response.status_code == 302
    p = db.session.scalar(sa.select(Proposal))
    assert (p.latitude, p.longitude) == (20.512346, -100.25)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert 'aria-labelledby="location-title"' in page and "20.51235, -100.25000" in page
    assert 'href="/proposals/map"' in page
    features = json.loads(re.search(r'data-features="([^"]*)"', page).group(1).replace("&#34;", '"')
                          .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'"))
    assert features["features"][0]["geometry"]["coordinates"] == [-100.25, 20.512346]
    login(client, p.author.email)
    edit = text(client.get(f"/proposals/{p.reference}/edit"))
    assert 'value="20.512346"' in edit and 'value="-100.25"' in edit


def test_a_proposal_without_a_location_has_no_location_section(world, client):
    p = make_proposal(world)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert 'id="location-title"' not in page and "data-map" not in page


# ---------------------------------------------------------------- the map page and the GeoJSON

def test_the_map_page_lists_located_visible_proposals_only(world, client):
    shown, hidden, withdrawn = located(world, 3, title="Fuga de agua en la calle principal")
    unlocated = make_proposal(world, title="Sin ubicación en el mapa")
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Datos personales"
    db.session.commit()
    set_state(withdrawn, ProposalState.withdrawn)
    page = text(client.get("/proposals/map"))
    assert "1 propuesta con ubicación" in page
    assert f'data-reference="{shown.reference}"' in page and f'href="/proposals/{shown.reference}"' in page
    assert "20.00000, -100.50000" in page
    for absent in (hidden, withdrawn, unlocated):
        assert f'data-reference="{absent.reference}"' not in page
    assert 'data-geojson="/api/v1/proposals.geojson"' in page
    assert '<a href="/proposals/map">' in text(client.get("/proposals/"))


def test_an_empty_map_page_says_so_without_a_map(world, client):
    page = text(client.get("/proposals/map"))
    assert "Todavía ninguna propuesta tiene ubicación." in page and "data-geojson" not in page


def test_the_geojson_has_public_located_proposals_as_points(world, client):
    shown, hidden, withdrawn = located(world, 3)
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Datos personales"
    db.session.commit()
    set_state(withdrawn, ProposalState.withdrawn)
    make_proposal(world)  # no location
    response = client.get("/api/v1/proposals.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.get_json(force=True)
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == [shown.reference]
    feature = collection["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"] == {"type": "Point", "coordinates": [-100.5, 20.0]}
    assert feature["properties"]["url"].endswith(f"/proposals/{shown.reference}")
    assert feature["properties"]["title"] == shown.title and feature["properties"]["state"] == "submitted"
    assert client.get("/api/v1/proposals.geojson?bogus=1").status_code == 400
    assert client.get("/api/v1/proposals.geojson?plan=no-such-plan").status_code == 404


def test_the_map_page_and_the_geojson_do_not_grow_with_proposals(world, client):
    located(world, 2)
    counts = []
    for more in (0, 8):
        located(world, more)
        for url in ("/proposals/map", "/api/v1/proposals.geojson"):
            client.get(url)
            db.session.expire_all()
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts
    assert counts[0] <= 8, counts


# ---------------------------------------------------------------- Leaflet and the policy

@pytest.mark.parametrize(("name", "mimetype"), [
    ("leaflet.js", "text/javascript"), ("leaflet.css", "text/css"),
    ("images/marker-icon.png", "image/png"), ("images/layers-2x.png", "image/png"),
])
def test_leaflet_is_served_by_the_app_with_long_caching(client, name, mimetype):
    from app.maps.views import LEAFLET_VERSION

    response = client.get(f"/assets/leaflet/{LEAFLET_VERSION}/{name}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()


@pytest.mark.parametrize("path", ["0.0.1/leaflet.js", "{v}/leaflet-src.js", "{v}/../__init__.py",
                                  "{v}/leaflet.js.map"])
def test_nothing_else_of_the_package_is_served(client, path):
    from app.maps.views import LEAFLET_VERSION

    assert client.get("/assets/leaflet/" + path.format(v=LEAFLET_VERSION)).status_code == 404


def test_the_policy_lets_the_tile_server_in_for_images_only(client, app):
    policy = client.get("/proposals/map").headers["Content-Security-Policy"]
    host = tile_source(app.config["MAP_TILE_URL"])
    assert host == "https://tile.openstreetmap.org"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert host in directives["img-src"].split()
    assert [name for name, sources in directives.items() if host in sources] == ["img-src"]
    assert directives["script-src"] == "'self'" and directives["connect-src"] == "'self'"


def test_the_policy_without_tiles_is_the_plain_one():
    assert csp_for("") == csp_for(None) == csp_for("javascript:alert(1)")
    assert "img-src 'self' data:;" in csp_for("")
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp_for(
        "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert tile_source("https://evil.example.org';script-src *") is None


def test_the_open_data_item_carries_the_point(world, client):
    p = make_proposal(world, latitude="20.25", longitude="-100.5")
    data = client.get(f"/api/v1/proposals/{p.reference}").get_json()["data"]
    assert (data["latitude"], data["longitude"]) == (20.25, -100.5)


def test_map_settings_come_from_the_configuration(app, monkeypatch):
    from app.maps.views import map_settings

    with app.test_request_context("/"):
        default = map_settings()
        assert default["center"] == [0.0, 0.0] and default["zoom"] == 2 and not default["configured"]
        assert default["tiles"].startswith("https://tile.openstreetmap.org/") and default["bounds"] is None
        monkeypatch.setitem(app.config, "MAP_BOUNDS", "10,-20,12,-18")
        boxed = map_settings()
        assert boxed["center"] == [11.0, -19.0] and boxed["configured"] and boxed["zoom"] == 12
        assert boxed["bounds"] == [[10.0, -20.0], [12.0, -18.0]]
        monkeypatch.setitem(app.config, "MAP_CENTER", "5.5,6.5")
        monkeypatch.setitem(app.config, "MAP_ZOOM", "99")
        monkeypatch.setitem(app.config, "MAP_TILE_URL", "")
        centred = map_settings()
        assert centred["center"] == [5.5, 6.5] and centred["zoom"] == 19 and centred["tiles"] == ""
