"""The pages of calls: what they show, forms kept with status 400, the registry and its CSV."""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.accounts.models import Sector
from app.calls.models import ApplicationDocument, ApplicationStatus, Call, CallApplication
from app.core.db import utcnow
from app.core.i18n import local_datetime
from app.extensions import db
from tests.calls import samples
from tests.calls.factories import World, make_application, make_org
from tests.conftest import login
from tests.factories import HOSTILE

RAW_SCRIPT = '<script>alert("x")</script>'


def text(response) -> str:
    return response.get_data(as_text=True)


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---------------------------------------------------------------- the call page

def test_the_call_page_shows_the_window_in_local_time_and_escapes_text(world, client):
    html = text(client.get(f"/calls/{world.call.id}"))
    assert 'data-window="open"' in html
    assert str(escape(local_datetime(world.call.closes_at))) in html
    assert RAW_SCRIPT not in html
    assert str(escape(world.committee.name)) in html
    assert str(escape(world.call.declarations[0])) in html


def test_the_guarantor_body_goes_from_a_calls_committee_to_its_election_form(world, client, other_client):
    """The call page links each committee to the election form with that committee and call chosen."""
    link = f"/elections/new?committee={world.committee.id}&amp;call={world.call.id}"
    login(client, world.admin.email)
    assert link in text(client.get(f"/calls/{world.call.id}"))
    form = text(client.get(link.replace("&amp;", "&")))
    for field, chosen in (("committee_id", world.committee.id), ("call_id", world.call.id)):
        select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', form, re.S).group(1)
        assert re.findall(r'<option selected value="([^"]*)"', select) == [str(chosen)]
    login(other_client, world.organisation.email)
    assert "/elections/new" not in text(other_client.get(f"/calls/{world.call.id}"))


def test_the_window_states_are_shown_in_words(app, client):
    for state in ("upcoming", "open", "closed"):
        world = World(state=state)
        html = text(client.get(f"/calls/{world.call.id}"))
        assert f'data-window="{state}"' in html
        if state == "upcoming":
            assert str(escape(local_datetime(world.call.opens_at))) in html


def test_the_apply_button_is_for_verified_organisations_while_open(world, client, other_client):
    apply_url = f"/calls/{world.call.id}/apply"
    login(client, world.organisation.email)
    assert apply_url in text(client.get(f"/calls/{world.call.id}"))
    login(other_client, world.unverified.email)
    html = text(other_client.get(f"/calls/{world.call.id}"))
    assert apply_url not in html
    world.set_window("closed")
    assert apply_url not in text(client.get(f"/calls/{world.call.id}"))


def test_the_list_shows_published_calls_only(world, client):
    hidden = World()
    hidden.call.title = "Borrador invisible"
    hidden.call.published_at = None
    db.session.commit()
    html = text(client.get("/calls/"))
    assert f'data-call-id="{world.call.id}"' in html
    assert "Borrador invisible" not in html


# ---------------------------------------------------------------- publishing and editing

def call_form(world, **changes):
    data = {"title": "Convocatoria «2026»", "body": "Texto", "requirements": "Requisitos",
            "declarations": "Sin conflicto de interés\nAcepto las bases",
            "committee_ids": [str(world.committee.id)],
            "opens_at": "2030-03-01T09:00", "closes_at": "2030-03-15T18:30"}
    data.update(changes)
    return data


@pytest.mark.csrf  # this form family through a real CSRF token
def test_publishing_a_call_goes_through_a_review_step(world, client):
    login(client, world.admin.email)
    url = f"/calls/new?plan={world.plan.id}"
    form_page = text(client.get(url))
    assert f'value="{world.committee.id}"' in form_page
    assert not re.search(r'<input[^>]*name="committee_ids"[^>]*checked', form_page)

    review = client.submit(url, call_form(world))
    assert review.status_code == 200
    html = text(review)
    assert rows(Call) == 1  # nothing published yet
    assert str(escape(world.committee.name)) in html
    assert str(escape(world.other_committee.name)) not in html
    assert "Convocatoria «2026»" in html and "Acepto las bases" in html
    assert 'name="publish"' in html and 'name="back"' in html
    assert str(escape(local_datetime(datetime(2030, 3, 1, 15, 0, tzinfo=UTC)))) in html
    assert f'<input type="hidden" name="committee_ids" value="{world.committee.id}">' in html

    response = client.submit(url, {**call_form(world), "publish": "1"})
    assert response.status_code == 302
    call = db.session.scalar(sa.select(Call).where(Call.title == "Convocatoria «2026»"))
    assert response.headers["Location"].endswith(f"/calls/{call.id}")
    assert call.opens_at.hour == 15  # 09:00 in Durango is 15:00 UTC
    assert [c.id for c in call.committees] == [world.committee.id]


def test_a_double_click_on_publish_publishes_once(world, client):
    login(client, world.admin.email)
    url = f"/calls/new?plan={world.plan.id}"
    first = client.submit(url, {**call_form(world), "publish": "1"})
    second = client.submit(url, {**call_form(world), "publish": "1"})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert rows(Call) == 2  # the world's call and this one


def test_back_to_edit_shows_the_form_with_the_input_kept(world, client):
    login(client, world.admin.email)
    url = f"/calls/new?plan={world.plan.id}"
    body = "Primer párrafo\n\n- uno\n- dos"
    response = client.submit(url, {**call_form(world, body=body), "back": "1"})
    assert response.status_code == 200
    html = text(response)
    assert rows(Call) == 1
    assert 'id="committee_ids-error"' not in html
    assert re.search(rf'<input[^>]*checked[^>]*value="{world.committee.id}"'
                     rf'|<input[^>]*value="{world.committee.id}"[^>]*checked', html)
    assert "Primer párrafo\n\n- uno\n- dos" in html and 'value="2030-03-15T18:30"' in html


def test_a_call_without_committees_is_refused_with_the_input_kept(world, client):
    login(client, world.admin.email)
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             call_form(world, committee_ids=[]))
    assert response.status_code == 400
    html = text(response)
    assert 'id="committee_ids-error"' in html and "Elige al menos un comité" in html
    assert "Convocatoria «2026»" in html and 'value="2030-03-01T09:00"' in html
    assert rows(Call) == 1


def test_publish_rechecks_the_input_and_shows_the_form_again(world, client):
    login(client, world.admin.email)
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             {**call_form(world, opens_at="2020-03-01T09:00",
                                          closes_at="2020-03-15T18:30"), "publish": "1"})
    assert response.status_code == 400
    assert 'id="closes_at-error"' in text(response)
    assert rows(Call) == 1


def test_a_call_without_declarations_is_shown_again_with_the_input(world, client):
    login(client, world.admin.email)
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             call_form(world, declarations="  ", committee_ids=[]))
    assert response.status_code == 400
    html = text(response)
    assert 'id="declarations-error"' in html and 'id="committee_ids-error"' in html
    assert "Convocatoria «2026»" in html
    assert 'value="2030-03-01T09:00"' in html
    assert rows(Call) == 1


def test_a_window_in_the_wrong_order_is_refused_next_to_the_field(world, client):
    login(client, world.admin.email)
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             call_form(world, closes_at="2030-02-01T09:00"))
    assert response.status_code == 400
    assert 'id="closes_at-error"' in text(response)


def test_an_unknown_committee_is_refused(world, client):
    login(client, world.admin.email)
    response = client.submit(f"/calls/new?plan={world.plan.id}",
                             call_form(world, committee_ids=["999999"]))
    assert response.status_code == 400
    assert rows(Call) == 1


def test_editing_an_upcoming_call_shows_local_times(app, client):
    world = World(state="upcoming")
    world.call.opens_at = world.call.opens_at.replace(hour=15, minute=0, second=0, microsecond=0)
    db.session.commit()
    login(client, world.admin.email)
    html = text(client.get(f"/calls/{world.call.id}/edit"))
    local = world.call.opens_at - timedelta(hours=6)
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in html
    response = client.submit(f"/calls/{world.call.id}/edit",
                             call_form(world, title="Título nuevo",
                                       opens_at=f"{local + timedelta(days=1):%Y-%m-%dT%H:%M}",
                                       closes_at=f"{local + timedelta(days=30):%Y-%m-%dT%H:%M}"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Call, world.call.id).title == "Título nuevo"


def test_an_open_call_offers_only_a_later_closing_date(world, client):
    login(client, world.admin.email)
    html = text(client.get(f"/calls/{world.call.id}/edit"))
    assert 'name="closes_at"' in html and 'name="title"' not in html
    earlier = world.call.closes_at - timedelta(days=3)
    response = client.submit(f"/calls/{world.call.id}/edit",
                             {"closes_at": f"{earlier:%Y-%m-%dT%H:%M}"})
    assert response.status_code == 400
    assert f'value="{earlier:%Y-%m-%dT%H:%M}"' in text(response)
    response = client.submit(f"/calls/{world.call.id}/edit", {"closes_at": "2040-01-01T12:00"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Call, world.call.id).closes_at.year == 2040


def test_a_closed_call_cannot_be_edited_and_the_page_says_since_when(app, client):
    world = World(state="closed")
    login(client, world.admin.email)
    for response in (client.get(f"/calls/{world.call.id}/edit"),
                     client.submit(f"/calls/{world.call.id}/edit",
                                   {"closes_at": "2040-01-01T09:00"}, page="/")):
        assert response.status_code == 409
        html = text(response)
        assert 'class="error-page"' in html
        assert str(escape(local_datetime(world.call.closes_at))) in html
    db.session.expire_all()
    assert db.session.get(Call, world.call.id).closes_at.year != 2040


# ---------------------------------------------------------------- applying

def test_applying_with_a_document(world, client, uploads):
    login(client, world.organisation.email)
    page = client.get(f"/calls/{world.call.id}/apply")
    assert page.status_code == 200
    assert 'type="checkbox"' in text(page) and 'type="file"' in text(page)
    response = client.submit(f"/calls/{world.call.id}/apply", {
        "committee_ids": [str(world.committee.id), str(world.other_committee.id)],
        "declarations": ["0", "1"],
        "documents": [(io.BytesIO(samples.pdf()), "acta.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/calls/mine")
    assert rows(CallApplication) == 2 and rows(ApplicationDocument) == 2
    mine = text(client.get("/calls/mine"))
    assert mine.count('data-status="pending"') == 2


def test_a_missing_declaration_keeps_the_chosen_committees(world, client):
    login(client, world.organisation.email)
    response = client.submit(f"/calls/{world.call.id}/apply", {
        "committee_ids": [str(world.other_committee.id)], "declarations": ["0"],
    })
    assert response.status_code == 400
    html = text(response)
    assert 'id="declarations-error"' in html
    checked = re.search(rf'<input[^>]*value="{world.other_committee.id}"[^>]*>', html).group(0)
    assert "checked" in checked
    declaration = re.search(r'<input[^>]*name="declarations"[^>]*value="0"[^>]*>', html).group(0)
    assert "checked" in declaration
    assert rows(CallApplication) == 0


def test_a_refused_document_is_named_and_the_form_kept(world, client):
    login(client, world.organisation.email)
    response = client.submit(f"/calls/{world.call.id}/apply", {
        "committee_ids": [str(world.committee.id)], "declarations": ["0", "1"],
        "documents": [(io.BytesIO(samples.EXE), "informe.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="documents-error"' in text(response) and "informe.pdf" in text(response)
    assert rows(CallApplication) == 0


def test_a_double_submission_creates_one_application_and_no_error(world, client):
    login(client, world.organisation.email)
    data = {"committee_ids": [str(world.committee.id)], "declarations": ["0", "1"]}
    first = client.submit(f"/calls/{world.call.id}/apply", data)
    second = client.submit(f"/calls/{world.call.id}/apply", data)
    assert first.status_code == second.status_code == 302
    assert rows(CallApplication) == 1
    assert 'class="flash flash-info"' in text(client.get(second.headers["Location"]))


def test_applying_after_the_close_is_refused_with_the_local_closing_time(world, client):
    login(client, world.organisation.email)
    world.set_window("closed")
    closes_at = world.call.closes_at
    response = client.submit(f"/calls/{world.call.id}/apply",
                             {"committee_ids": [str(world.committee.id)],
                              "declarations": ["0", "1"]}, page="/")
    assert response.status_code == 409
    html = text(response)
    assert 'class="error-page"' in html
    assert str(escape(local_datetime(closes_at))) in html
    assert client.get(f"/calls/{world.call.id}/apply").status_code == 409
    assert rows(CallApplication) == 0


# ---------------------------------------------------------------- reviewing

def test_the_review_page_lists_applications_with_documents(world, client, uploads):
    application = make_application(world.call, world.organisation, world.committee)
    from app.core import storage

    upload = storage.Upload(f"{HOSTILE}.pdf", "application/pdf", samples.pdf(), "0" * 64)
    document = ApplicationDocument(application_id=application.id, original_name=upload.original_name,
                                   stored_name=storage.write(upload),
                                   content_type="application/pdf", size_bytes=upload.size,
                                   sha256=upload.sha256)
    db.session.add(document)
    db.session.commit()
    login(client, world.admin.email)
    html = text(client.get(f"/calls/{world.call.id}/applications"))
    assert f'/calls/documents/{document.id}' in html
    assert RAW_SCRIPT not in html
    response = client.get(f"/calls/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == samples.pdf()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]


def test_a_rejection_without_reason_is_shown_again_with_the_choice(world, client):
    application = make_application(world.call, world.organisation, world.committee)
    login(client, world.admin.email)
    prefix = f"application-{application.id}"
    response = client.submit(f"/calls/applications/{application.id}/decide",
                             {f"{prefix}-decision": "reject", f"{prefix}-reason": ""},
                             page=f"/calls/{world.call.id}/applications")
    assert response.status_code == 400
    html = text(response)
    assert f'id="{prefix}-reason-error"' in html
    assert f'href="#application-{application.id}"' in html  # the alert at the top leads to it
    radio = re.search(rf'<input[^>]*name="{prefix}-decision"[^>]*value="reject"[^>]*>', html)
    assert "checked" in radio.group(0)
    db.session.expire_all()
    assert db.session.get(CallApplication, application.id).status == ApplicationStatus.pending


def test_a_rejection_with_reason_is_recorded_and_shown_to_the_organisation(world, client,
                                                                          other_client):
    application = make_application(world.call, world.organisation, world.committee)
    login(client, world.admin.email)
    prefix = f"application-{application.id}"
    response = client.submit(f"/calls/applications/{application.id}/decide",
                             {f"{prefix}-decision": "reject", f"{prefix}-reason": "Sin acta"},
                             page=f"/calls/{world.call.id}/applications")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/calls/{world.call.id}/applications#application-{application.id}")
    login(other_client, world.organisation.email)
    html = text(other_client.get("/calls/mine"))
    assert 'data-status="rejected"' in html and "Sin acta" in html


# ---------------------------------------------------------------- the public registry

def registry_world(world):
    private = make_org(name="Visible A.C.", sector=Sector.academia, municipality="Lerdo",
                       email="privado-registro@example.org")
    private.organisation.contact_person = "Persona De Contacto Privada"
    db.session.commit()
    hostile = make_org(sector=Sector.union, municipality=HOSTILE)
    pending = make_org(name="Todavía Pendiente")
    make_application(world.call, private, world.committee, ApplicationStatus.approved)
    make_application(world.call, hostile, world.other_committee, ApplicationStatus.approved)
    make_application(world.call, pending, world.committee)
    return private, hostile, pending


def test_the_registry_shows_approved_organisations_only_and_no_private_data(world, client):
    private, hostile, pending = registry_world(world)
    html = text(client.get(f"/calls/{world.call.id}/registry"))
    assert f'data-organisation-id="{private.id}"' in html
    assert f'data-organisation-id="{hostile.id}"' in html
    assert "Todavía Pendiente" not in html
    assert "privado-registro@example.org" not in html and "@example.org" not in html
    assert "Persona De Contacto Privada" not in html
    assert 'data-organisations="2"' in html
    assert RAW_SCRIPT not in html
    assert str(escape(HOSTILE)) in html


def test_the_registry_charts_are_accessible_svg(world, client):
    registry_world(world)
    html = text(client.get(f"/calls/{world.call.id}/registry"))
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert "style=" not in svg and "<script" not in svg
        assert re.search(r">\s*1\s*</text>", svg)  # the numbers are written on the bars
    assert 'id="count-sector"' in html and 'id="count-committee"' in html
    assert 'id="count-municipality"' in html


def test_the_registry_csv_has_a_bom_and_the_same_rows(world, client):
    private, hostile, pending = registry_world(world)
    hostile.organisation.legal_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    response = client.get(f"/calls/{world.call.id}/registry.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    body = response.data.decode("utf-8-sig")
    lines = body.strip().split("\r\n")
    assert len(lines) == 3  # a header and two organisations
    assert "Visible A.C." in body and "Todavía Pendiente" not in body
    assert "'=HYPERLINK" in body  # never a formula
    assert "@example.org" not in body and "Persona De Contacto Privada" not in body


def test_the_registry_page_of_an_empty_call(world, client):
    response = client.get(f"/calls/{world.call.id}/registry")
    assert response.status_code == 200
    assert 'data-organisations="0"' in text(response)


def test_the_mine_page_of_a_citizen_is_empty(world, client):
    login(client, world.citizen.email)
    response = client.get("/calls/mine")
    assert response.status_code == 200
    assert "data-application-id" not in text(response)


def test_times_on_pages_are_local(world, client):
    world.call.closes_at = utcnow().replace(hour=5, minute=30, second=0, microsecond=0) + timedelta(days=3)
    db.session.commit()
    html = text(client.get(f"/calls/{world.call.id}"))
    assert str(escape(local_datetime(world.call.closes_at))) in html
    # 05:30 UTC is 11:30 p.m. of the day before in Durango (es_MX writes 12-hour times).
    assert "11:30" in html


def test_once_voting_opens_the_review_page_offers_no_decision(world, client, monkeypatch):
    from app.calls import locks

    application = make_application(world.call, world.organisation, world.committee)
    monkeypatch.setattr(locks, "_LOCKS", [lambda call_id, committee_id: True])
    login(client, world.admin.email)
    html = text(client.get(f"/calls/{world.call.id}/applications"))
    assert f'action="/calls/applications/{application.id}/decide"' not in html
    prefix = f"application-{application.id}"
    response = client.submit(f"/calls/applications/{application.id}/decide",
                             {f"{prefix}-decision": "approve"}, page="/")
    assert response.status_code == 409
    assert 'class="error-page"' in text(response)
    assert "las decisiones sobre sus solicitudes ya no pueden cambiar" in text(response)
    db.session.expire_all()
    assert db.session.get(CallApplication, application.id).status == ApplicationStatus.pending
