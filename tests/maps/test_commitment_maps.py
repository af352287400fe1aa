"""Commitments on the map: the facilitator's edit form sets the point (errors in Spanish, input
kept), the map page and the GeoJSON show public located commitments only."""
import pytest

from app.commitments import services
from app.commitments.models import CommitmentState
from app.extensions import db
from tests.commitments.factories import (
    World,
    edit_form_data,
    form_data,
    make_draft,
    make_proposal,
    make_published,
)
from tests.conftest import login
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_edit_form_sets_the_point_and_keeps_input_on_error(world, client):
    commitment = make_draft(world)
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/edit"
    page = text(client.get(url))
    assert "<legend>Ubicación (opcional)</legend>" in page and 'id="place"' in page
    bad = edit_form_data(commitment, reason="Se agrega la ubicación", latitude="24,5",
                         longitude="", place="Colonia Centro")
    response = client.submit(url, bad)
    page = text(response)
    assert response.status_code == 400 and 'id="longitude-error"' in page
    assert "Escribe la latitud y la longitud, o deja las dos vacías." in page
    assert 'value="24,5"' in page and 'value="Colonia Centro"' in page
    good = edit_form_data(commitment, reason="Se agrega la ubicación", latitude="24,5",
                          longitude="-104.25", place="Colonia Centro")
    assert client.submit(url, good).status_code == 302
    db.session.expire_all()
    assert (commitment.latitude, commitment.longitude, commitment.place) == (24.5, -104.25, "Colonia Centro")
    assert commitment.version == 2  # a move alone is a new version, with its reason
    page = text(client.get(f"/commitments/{commitment.id}"))
    assert 'id="location-title"' in page and "Colonia Centro" in page and "24.50000, -104.25000" in page


def test_the_new_draft_form_sets_the_point_as_the_proposal_form_does(world, client):
    from app.commitments.models import Commitment

    source = make_proposal(world.committee, world.author)
    login(client, world.facilitator.email)
    url = f"/commitments/new?committee={world.committee.id}"
    page = text(client.get(url))
    assert "<legend>Ubicación (opcional)</legend>" in page and 'id="place"' in page
    assert 'data-geojson="/api/v1/commitments.geojson"' in page
    bad = form_data(world, [source], latitude="", longitude="-104.25", place="Barrio de Analco")
    response = client.submit(url, bad)
    page = text(response)
    assert response.status_code == 400 and 'id="latitude-error"' in page
    assert "Escribe la latitud y la longitud, o deja las dos vacías." in page
    assert 'value="-104.25"' in page and 'value="Barrio de Analco"' in page
    good = form_data(world, [source], latitude="24,02", longitude="-104.66", place="Barrio de Analco")
    response = client.submit(url, good)
    assert response.status_code == 302
    commitment = db.session.get(Commitment, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (commitment.latitude, commitment.longitude, commitment.place) == (24.02, -104.66, "Barrio de Analco")
    page = text(client.get(f"/commitments/{commitment.id}"))
    assert 'id="location-title"' in page and "Barrio de Analco" in page and "24.02000, -104.66000" in page
    # On the map once public.
    commitment.state = CommitmentState.consultation
    db.session.commit()
    assert f'data-commitment="{commitment.id}"' in text(client.get("/commitments/map"))


def test_the_map_and_geojson_show_public_located_commitments_only(world, client):
    point = {"latitude": "24.5", "longitude": "-104.25"}
    public = make_published(world, **point, place="Plaza de Armas")
    draft = make_draft(world, **point)
    withdrawn = make_published(world, **point)
    services.withdraw_commitment(world.facilitator, withdrawn, "Se retira por falta de presupuesto asignado")
    db.session.commit()
    assert withdrawn.state == CommitmentState.withdrawn
    unlocated = make_published(world)
    page = text(client.get("/commitments/map"))
    assert "1 compromiso con ubicación" in page and f'data-commitment="{public.id}"' in page
    assert "Plaza de Armas" in page
    for absent in (draft, withdrawn, unlocated):
        assert f'data-commitment="{absent.id}"' not in page
    response = client.get("/api/v1/commitments.geojson")
    assert response.mimetype == "application/geo+json"
    features = response.get_json(force=True)["features"]
    assert [f["id"] for f in features] == [public.id]
    assert features[0]["geometry"]["coordinates"] == [-104.25, 24.5]
    assert features[0]["properties"]["state"] == "published" and features[0]["properties"]["place"] == "Plaza de Armas"
    assert '<a href="/commitments/map">' in text(client.get("/commitments/"))


def test_the_commitment_map_does_not_grow_with_commitments(world, client):
    counts = []
    for more in (1, 6):
        for _ in range(more):
            make_published(world, latitude="24.5", longitude="-104.25")
        client.get("/commitments/map")
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/commitments/map").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 8, counts
