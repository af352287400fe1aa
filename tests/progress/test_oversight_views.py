"""The report → publish → confirm/dispute → answer loop through the pages, by role: what each
person sees, bad input re-shown with what was typed, and double submissions."""
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.progress import oversight, services
from app.progress.models import ProgressNote, ReportReview, ReportState
from tests.conftest import login
from tests.progress import samples
from tests.progress.test_oversight import Loop

TYPED = "Revisamos el micrositio el 3 de marzo: no hay datos de ninguna obra todavía 98765."


@pytest.fixture(scope="module")
def loop(module_worlds):
    return module_worlds.share(Loop)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def draft_through_the_form(client, loop, **changes):
    milestone = loop.commitment.milestones[0]
    data = {"status": "complete", "noted_on": date(2026, 3, 1).isoformat(),
            "note": "Se publicó el estándar de datos.", "links": "",
            "files": [(io.BytesIO(samples.pdf()), "acta.pdf")], **changes}
    return client.submit(f"/progress/milestone/{milestone.id}/report", data,
                         content_type="multipart/form-data")


def the_note() -> ProgressNote:
    return db.session.scalars(sa.select(ProgressNote)).one()


def test_the_whole_loop_by_role(loop, client, uploads):
    commitment_page = f"/commitments/{loop.commitment.id}"
    # The official drafts: told that it goes to the facilitators, and sent to the waiting list.
    login(client, loop.official.email)
    assert "Enviar el reporte a quienes facilitan" in page(
        client, f"/progress/milestone/{loop.commitment.milestones[0].id}/report")
    answer = draft_through_the_form(client, loop)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        f"/progress/commitment/{loop.commitment.id}/waiting")
    note = the_note()
    assert note.state == ReportState.submitted
    assert "Se publicó el estándar" in page(client, f"/progress/commitment/{loop.commitment.id}/waiting")
    evidence = f"/progress/evidence/{note.evidence[0].id}"
    assert client.get(evidence).status_code == 200  # the official sees the draft's file

    # Nobody else sees it: neither on the page nor its file.
    client.get("/account/logout")
    login(client, loop.citizen.email)
    assert "Se publicó el estándar" not in page(client, commitment_page)
    assert client.get(evidence).status_code == 404
    assert client.get(f"/progress/commitment/{loop.commitment.id}/waiting").status_code == 403

    # The facilitator sees it waiting and publishes it; a second click is told it is done.
    client.get("/account/logout")
    login(client, loop.facilitator.email)
    assert 'data-waiting="1"' in page(client, commitment_page)
    waiting = page(client, f"/progress/commitment/{loop.commitment.id}/waiting")
    assert f'/progress/report/{note.id}/publish' in waiting
    assert client.submit(f"/progress/report/{note.id}/publish", {}).status_code == 302
    assert client.submit(f"/progress/report/{note.id}/publish", {}).status_code == 409

    # The titular disputes: a form without a verdict or reason comes back with what was typed.
    client.get("/account/logout")
    login(client, loop.titular.email)
    shown = page(client, commitment_page)
    assert "Se publicó el estándar" in shown and f"/progress/report/{note.id}/review" in shown
    refused = client.submit(f"/progress/report/{note.id}/review", {"reason": TYPED})
    assert refused.status_code == 400 and TYPED in refused.get_data(as_text=True)
    assert 'class="error-summary"' in refused.get_data(as_text=True)
    refused = client.submit(f"/progress/report/{note.id}/review", {"verdict": "disputed", "reason": " "})
    assert refused.status_code == 400
    assert client.submit(f"/progress/report/{note.id}/review",
                         {"verdict": "disputed", "reason": TYPED}).status_code == 302
    again = client.submit(f"/progress/report/{note.id}/review", {"verdict": "disputed", "reason": TYPED})
    assert again.status_code == 409 and TYPED in again.get_data(as_text=True)  # kept, with the reason
    dispute = db.session.scalars(sa.select(ReportReview)).one()

    # Everyone reads the dispute and the light says so, with its rule.
    client.get("/account/logout")
    public = page(client, commitment_page)
    assert TYPED in public and 'data-light="disputed"' in public and "¿Cómo se decide?" in public

    # The official answers; bad input first.
    login(client, loop.official.email)
    assert f"/progress/verdict/{dispute.id}/answer" in page(client, commitment_page)
    assert client.submit(f"/progress/verdict/{dispute.id}/answer", {"answer": ""}).status_code == 400
    assert client.submit(f"/progress/verdict/{dispute.id}/answer",
                         {"answer": "Ya está en el portal: https://example.org/obras"}).status_code == 302
    assert client.submit(f"/progress/verdict/{dispute.id}/answer", {"answer": "Otra."}).status_code == 409
    client.get("/account/logout")
    assert "Ya está en el portal" in page(client, commitment_page)


def test_a_returned_report_shows_its_reason_to_the_official_only(loop, client):
    note = services.report_progress(
        loop.official, loop.commitment.milestones[1], "in_progress", "Avance del micrositio.", date(2026, 3, 1))
    db.session.commit()
    login(client, loop.facilitator.email)
    refused = client.submit(f"/progress/report/{note.id}/return", {"reason": ""})
    assert refused.status_code == 400 and 'class="error-summary"' in refused.get_data(as_text=True)
    assert client.submit(f"/progress/report/{note.id}/return",
                         {"reason": "Falta la liga a la evidencia."}).status_code == 302
    client.get("/account/logout")
    login(client, loop.official.email)
    waiting = page(client, f"/progress/commitment/{loop.commitment.id}/waiting")
    assert "Falta la liga a la evidencia." in waiting and 'data-state="returned"' in waiting
    assert "Falta la liga" not in page(client, f"/commitments/{loop.commitment.id}")


def test_the_official_revises_a_returned_report_on_the_page_and_sends_it_again(loop, client, uploads):
    note = services.report_progress(
        loop.official, loop.commitment.milestones[1], "in_progress", "Avance del micrositio.", date(2026, 3, 1))
    oversight.return_report(loop.facilitator, note, "Falta la liga a la evidencia.")
    db.session.commit()
    url = f"/progress/report/{note.id}/revise"
    login(client, loop.official.email)
    waiting = page(client, f"/progress/commitment/{loop.commitment.id}/waiting")
    assert url in waiting
    form = page(client, url)  # the reason, the report as returned, its fields filled in
    assert "Falta la liga a la evidencia." in form and "Avance del micrositio." in form
    assert 'value="2026-03-01"' in form and "<title>Corregir el reporte devuelto" in form

    refused = client.submit(url, {"status": "in_progress", "noted_on": "2026-03-04", "note": TYPED,
                                  "links": "javascript:alert(1)"})
    assert refused.status_code == 400
    assert TYPED in refused.get_data(as_text=True) and 'class="error-summary"' in refused.get_data(as_text=True)
    assert db.session.get(ProgressNote, note.id).state == ReportState.returned

    data = {"status": "in_progress", "noted_on": "2026-03-04", "note": TYPED,
            "links": "https://durango.gob.mx/obras", "files": [(io.BytesIO(samples.pdf()), "liga.pdf")]}
    sent = client.submit(url, data, content_type="multipart/form-data")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(
        f"/progress/commitment/{loop.commitment.id}/waiting#report-{note.id}")
    again = client.submit(url, {**data, "files": []}, content_type="multipart/form-data")
    assert again.status_code == 409  # the second tab: it is waiting now
    db.session.expire_all()
    revised = db.session.get(ProgressNote, note.id)
    assert revised.state == ReportState.submitted and revised.note == TYPED
    assert [e.url or e.original_name for e in revised.evidence] == ["https://durango.gob.mx/obras", "liga.pdf"]

    # The facilitator sees it waiting, without the old reason; nobody else may revise.
    client.get("/account/logout")
    login(client, loop.facilitator.email)
    waiting = page(client, f"/progress/commitment/{loop.commitment.id}/waiting")
    assert TYPED in waiting and url not in waiting
    assert client.get(url).status_code == 403


def test_the_facilitator_names_an_official_on_the_page(loop, client):
    login(client, loop.facilitator.email)
    url = f"/progress/commitment/{loop.commitment.id}/officials"
    assert "Sofía Meraz" in page(client, url)
    refused = client.submit(url, {"email": "nadie@example.org", "institution": "Secretaría 4321"})
    assert refused.status_code == 400 and "Secretaría 4321" in refused.get_data(as_text=True)
    assert client.submit(url, {"email": loop.citizen.email, "institution": "Secretaría"}).status_code == 302
    assert client.submit(url, {"email": loop.citizen.email, "institution": "Secretaría"}).status_code == 400
    login(client, loop.citizen.email)
    assert f"/commitments/{loop.commitment.id}#progress" in page(client, "/progress/mine")


def test_the_committee_page_and_the_dashboard_show_the_lights_and_the_rule(loop, client):
    note = services.report_progress(
        loop.facilitator, loop.commitment.milestones[0], "complete", "Hecho.", date(2026, 3, 1))
    oversight.review_report(loop.suplente, note, "disputed", "No coincide.")
    db.session.commit()
    committee = page(client, f"/committees/{loop.committee.slug}")
    assert 'data-light="disputed"' in committee and "¿Cómo se decide el semáforo?" in committee
    board = page(client, "/dashboard/")
    assert re.search(r'data-light-count="disputed"><strong>1</strong>', board)
    assert 'data-light="disputed"' in board and "Un hito está objetado" in board


def test_the_commitment_page_reads_the_readers_standing_with_its_version(loop, client):
    """Who is an official of the commitment decides what its page offers; that is read in the
    page's version statement, not in one of its own (app/commitments/queries.py page_version)."""
    from tests.querycount import count_queries

    url = f"/commitments/{loop.commitment.id}"
    report = f"/progress/milestone/{loop.commitment.milestones[0].id}/report"
    for person, offered in ((loop.official, True), (loop.former_official, False), (loop.follower, False)):
        login(client, person.email)
        page(client, url)
        with count_queries() as statements:
            html = page(client, url)
        assert (report in html) == offered, person.name
        standing = [statement for statement in statements if "commitment_officials" in statement]
        assert len(standing) == 1 and "target_follows" in standing[0], statements
        client.get("/account/logout")
