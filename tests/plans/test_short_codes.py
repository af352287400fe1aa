"""Committees' short codes: made from the name's initials, editable in the plan back office,
unique within a plan, and shown before every commitment number ("MD-1"), since numbers count
within a committee."""

import re

import pytest

from app.core.errors import ValidationError
from app.extensions import db
from app.plans import services
from app.plans.models import Committee, initials
from tests.commitments.factories import World, make_draft, make_published
from tests.conftest import login_as
from tests.factories import make_admin, make_plan


@pytest.mark.parametrize("name, code", [
    ("Mesa de Diálogo", "MD"),
    ("Comité Coordinador del Municipio de Gómez Palacio", "CCMGP"),
    ("Comité de Ñandúes y Pingüinos", "CNP"),
    ("Mesa 12 de la Sierra", "M12S"),
    ("de la", "C"),  # nothing but small words
])
def test_the_default_code_is_the_names_initials(name, code):
    assert initials(name) == code


def test_a_new_committee_gets_its_initials_and_a_digit_when_taken():
    admin, plan = make_admin(), make_plan()
    first = services.create_committee(admin, plan, {"name": "Mesa de Diálogo", "scope": "Norte"})
    second = services.create_committee(admin, plan, {"name": "Mesa del Desierto", "scope": "Sur"})
    typed = services.create_committee(admin, plan, {"name": "Otra", "scope": "Este", "short_code": " ot9 "})
    other_plan = services.create_committee(admin, make_plan(), {"name": "Mesa de Diálogo", "scope": "X"})
    db.session.commit()
    assert (first.short_code, second.short_code, typed.short_code) == ("MD", "MD2", "OT9")
    assert other_plan.short_code == "MD"  # unique within a plan, not across plans


@pytest.mark.parametrize("code, message", [
    ("M-D", "letras (sin acentos) o dígitos"),
    ("MÉXICO", "letras (sin acentos) o dígitos"),
    ("ABCDEFGHI", "letras (sin acentos) o dígitos"),
    ("md", "ya usa esta clave"),
])
def test_a_wrong_or_taken_code_is_refused(code, message):
    admin, plan = make_admin(), make_plan()
    services.create_committee(admin, plan, {"name": "Mesa de Diálogo", "scope": "Norte"})
    other = services.create_committee(admin, plan, {"name": "Comité Sur", "scope": "Sur"})
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        services.update_committee(admin, other, {"name": "Comité Sur", "scope": "Sur", "short_code": code})
    assert refused.value.field == "short_code" and message in refused.value.message


def test_the_back_office_form_edits_the_code_and_reshows_a_refusal_in_spanish(client):
    admin, plan = make_admin(), make_plan()
    services.create_committee(admin, plan, {"name": "Mesa de Diálogo", "scope": "Norte"})
    other = services.create_committee(admin, plan, {"name": "Comité Sur", "scope": "Sur"})
    db.session.commit()
    login_as(client, admin)
    url = f"/admin/plans/committees/{other.id}/"
    assert 'name="short_code" type="text" value="CS"' in client.get(url).get_data(as_text=True)

    refused = client.post(url, data={"name": "Comité Sur", "scope": "Sur", "short_code": "md"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Otro comité del plan ya usa esta clave." in page and 'value="md"' in page

    saved = client.post(url, data={"name": "Comité Sur", "scope": "Sur", "short_code": "sur"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Committee, other.id).short_code == "SUR"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", response.get_data(as_text=True)))


def test_two_committees_commitment_1_show_distinct_codes(client):
    world = World()
    world.committee.short_code, world.other_committee.short_code = "MD", "CS"
    db.session.commit()
    first = make_published(world)
    second = make_published(world, committee=world.other_committee, actor=world.other_facilitator)
    assert first.number == second.number == 1

    listing = _text(client.get("/commitments/"))
    assert "Compromiso MD-1 " in listing and "Compromiso CS-1 " in listing
    assert "Compromiso 1 " not in listing
    page = client.get(f"/commitments/{second.id}").get_data(as_text=True)
    assert 'Compromiso <span class="commitment-code">CS-1</span>' in page  # kept on one line
    assert "Compromiso MD-1 . " in _text(client.get("/dashboard/"))
    assert "Commitment CS-1 " in _text(client.get(f"/commitments/{second.id}?lang=en"))


def test_open_data_keeps_the_number_and_adds_the_code():
    world = World()
    world.committee.short_code = "MD"
    db.session.commit()
    make_published(world)
    make_draft(world)  # not public: not in the data
    from app.opendata.records import commitments

    rows = [dict(row._mapping) for row in db.session.execute(commitments.query())]
    assert [(row["number"], row["code"]) for row in rows] == [(1, "MD-1")]
