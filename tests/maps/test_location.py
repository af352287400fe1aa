"""Locations of proposals and commitments: the services check the numbers, the pair and the
territory's box, store them, and keep them when a caller does not name them."""
import pytest
import sqlalchemy as sa

from app.core.errors import ValidationError
from app.extensions import db
from app.maps.location import validated_location
from app.proposals import services
from app.proposals.models import Proposal
from tests.proposals.factories import World, make_proposal, proposal_data


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"latitude": "abc", "longitude": "-99.1"}, "latitude", "número decimal"),
    ({"latitude": "20.5", "longitude": "1e400"}, "longitude", "número decimal"),
    ({"latitude": "nan", "longitude": "-99.1"}, "latitude", "número decimal"),
    ({"latitude": "91", "longitude": "-99.1"}, "latitude", "entre -90 y 90"),
    ({"latitude": "-90.0001", "longitude": "0"}, "latitude", "entre -90 y 90"),
    ({"latitude": "20.5", "longitude": "180.5"}, "longitude", "entre -180 y 180"),
    ({"latitude": "20.5", "longitude": ""}, "longitude", "las dos vacías"),
    ({"latitude": "", "longitude": "-99.1"}, "latitude", "las dos vacías"),
    ({"latitude": "20.5"}, "longitude", "las dos vacías"),
])
def test_bad_points_are_refused_naming_the_field(app, data, field, words):
    with pytest.raises(ValidationError) as refused:
        validated_location(data)
    assert refused.value.field == field and words in refused.value.message


def test_a_point_is_rounded_and_a_comma_is_a_decimal_point(app):
    assert validated_location({"latitude": " 20,1234567 ", "longitude": "-99.1"}) == {
        "latitude": 20.123457, "longitude": -99.1}
    assert validated_location({"latitude": "", "longitude": " "}) == {"latitude": None, "longitude": None}
    assert validated_location({"latitude": 90, "longitude": -180}) == {"latitude": 90.0, "longitude": -180.0}


def test_the_territory_box_refuses_a_point_outside_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_BOUNDS", "10,-20,12,-18")
    assert validated_location({"latitude": "11", "longitude": "-19"})["latitude"] == 11.0
    with pytest.raises(ValidationError) as refused:
        validated_location({"latitude": "13", "longitude": "-19"})
    assert refused.value.field == "latitude" and "fuera del territorio del plan" in refused.value.message
    monkeypatch.setitem(app.config, "MAP_BOUNDS", "not,a,box")  # a broken setting checks nothing
    assert validated_location({"latitude": "13", "longitude": "-19"})["latitude"] == 13.0


def test_a_proposal_stores_its_point_and_an_edit_changes_or_keeps_it(world):
    p = make_proposal(world, latitude="20.654321", longitude="-100.5")
    db.session.expire_all()
    assert (p.latitude, p.longitude) == (20.654321, -100.5) and p.has_location
    data = proposal_data(world, latitude="21", longitude="-101")
    data.pop("committee_id")
    services.edit_proposal(world.author, p, data)
    db.session.commit()
    assert (p.latitude, p.longitude) == (21.0, -101.0)
    data = proposal_data(world)  # a caller that names no point keeps it
    services.edit_proposal(world.author, p, data)
    db.session.commit()
    assert (p.latitude, p.longitude) == (21.0, -101.0)
    services.edit_proposal(world.author, p, {**data, "latitude": "", "longitude": ""})
    db.session.commit()
    assert p.latitude is None and p.longitude is None and not p.has_location


def test_a_bad_point_stores_no_proposal(world):
    with pytest.raises(ValidationError):
        services.create_proposal(world.author, world.plan,
                                 proposal_data(world, latitude="20", longitude=""))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_the_database_refuses_half_a_point_or_one_out_of_range(world):
    p = make_proposal(world)
    for values in ({"latitude": 20.0}, {"latitude": 95.0, "longitude": 0.0},
                   {"latitude": 0.0, "longitude": 190.0}):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Proposal).where(Proposal.id == p.id).values(**values))
            db.session.flush()
        db.session.rollback()
