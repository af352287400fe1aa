"""A commitment's location: stored with its place's name, changed by an edit (a move alone is a
new version), refused with the field named when it is not a point."""
import pytest

from app.commitments import services as commitment_services
from app.core.errors import ValidationError
from app.extensions import db
from tests.commitments import factories as cf


@pytest.fixture(scope="module")
def cworld(module_worlds):
    return module_worlds.share(cf.World)


def test_a_commitment_stores_its_point_and_place_and_a_move_alone_is_a_new_version(cworld):
    commitment = cf.make_draft(cworld, latitude="19.5", longitude="-99.25", place="Colonia Centro")
    db.session.expire_all()
    assert (commitment.latitude, commitment.longitude, commitment.place) == (19.5, -99.25, "Colonia Centro")
    data = {**cf.commitment_data(cworld), "title": commitment.title, "latitude": "19.6",
            "longitude": "-99.25", "place": "Colonia Norte"}
    for name in ("problem", "objective", "description", "lead_institution", "other_actors_civil_society"):
        data[name] = getattr(commitment, name)
    version = commitment_services.update_draft(cworld.facilitator, commitment, data, None,
                                               "Se corrige el punto en el mapa")
    db.session.commit()
    assert version.number == 2 and commitment.latitude == 19.6 and commitment.place == "Colonia Norte"
    with pytest.raises(ValidationError) as refused:
        commitment_services.update_draft(cworld.facilitator, commitment,
                                         {**data, "latitude": "-91"}, None, "Punto fuera de rango")
    assert refused.value.field == "latitude"
