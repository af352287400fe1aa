"""The sessions' pages through the client: a facilitator records a session (bad input re-shown
with what was typed), adds an agreement and marks it done, publishes the minutes; everyone reads
the session, its quorum and agreements, on its page, the committee's and the dashboard."""
import re
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.meetings.models import CommitteeSession, SessionAgreement
from tests.conftest import login

TYPED = "1. Revisión del micrositio de obra pública 24680."


def test_a_facilitator_records_a_session_and_everyone_reads_it(world, client):
    new = f"/sessions/committee/{world.committee.id}/new"
    assert client.get(new).status_code == 302  # to sign in
    login(client, world.facilitator.email)
    form = client.get(new).get_data(as_text=True)
    assert "Rodrigo Quiñones" in form and 'name="stand_in"' in form

    refused = client.submit(new, {"held_on": "2026-03-02", "agenda": TYPED, "stand_in": "y",
                                  "present": [str(world.mayor.id), str(world.titular.id)]})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert TYPED in html and 'class="error-summary"' in html

    done = client.submit(new, {"held_on": "2026-03-02", "agenda": TYPED, "stand_in": "y",
                               "present": [str(world.mayor.id), str(world.comptroller.id),
                                           str(world.suplente.id)]})
    assert done.status_code == 302
    session = db.session.scalars(sa.select(CommitteeSession)).one()
    page = f"/sessions/{session.id}"
    assert done.headers["Location"].endswith(page)

    refused = client.submit(f"{page}/agreements", {"text": "Publicar el calendario 13579.", "owner": ""})
    assert refused.status_code == 400 and "Publicar el calendario 13579." in refused.get_data(as_text=True)
    assert client.submit(f"{page}/agreements", {"text": "Publicar el calendario.", "owner": "Obras",
                                                "due_on": "2026-03-10"}).status_code == 302
    agreement = db.session.scalars(sa.select(SessionAgreement)).one()
    assert client.submit(f"/sessions/agreement/{agreement.id}/done",
                         {"done_on": "2026-03-09"}).status_code == 302
    again = client.submit(f"/sessions/agreement/{agreement.id}/done", {"done_on": "2026-03-09"})
    assert again.status_code == 409
    assert client.submit(f"{page}/minutes", {"minutes": "Acta de la sesión."}).status_code == 302

    client.get("/account/logout")
    public = client.get(page).get_data(as_text=True)
    assert 'data-quorum="yes"' in public and "en lugar de Ana Medina, ausente" in public
    assert 'data-agreement-state="done"' in public and "Acta de la sesión." in public
    assert "Marcarlo como cumplido" not in public and "Publicar el acta" not in public
    committee = client.get(f"/committees/{world.committee.slug}").get_data(as_text=True)
    assert re.search(r'data-agreements="done"><strong>1</strong>', committee)
    assert f"/sessions/{session.id}" in committee
    board = client.get("/dashboard/").get_data(as_text=True)
    assert re.search(r'data-agreements="done"><strong>1</strong>', board)


def test_a_session_without_quorum_says_so(world, client):
    from app.meetings import services

    held = services.record_session(world.facilitator, world.committee, {
        "held_on": date(2026, 3, 2), "agenda": "1. Avance.", "present": [world.mayor.id]})
    db.session.commit()
    html = client.get(f"/sessions/{held.id}").get_data(as_text=True)
    assert 'data-quorum="no"' in html and "La sesión no tuvo quórum" in html
    listed = client.get(f"/sessions/committee/{world.committee.id}").get_data(as_text=True)
    assert "Sin quórum (1 de 3 necesarios)" in listed


def test_other_people_cannot_record(world, client):
    login(client, world.other_facilitator.email)
    assert client.get(f"/sessions/committee/{world.committee.id}/new").status_code == 403
    assert client.get("/sessions/committee/999999").status_code == 404
