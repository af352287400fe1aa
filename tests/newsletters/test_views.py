"""The newsletter pages: the admin's list, form (errors keep the input), preview with the
unsubscribe footer, send confirmation with the segment and its count, a refused second send; the
one-click unsubscribe page (forged links get a clear page, never a 500) and the preference."""
import re

import pytest
import sqlalchemy as sa

from app.core.mail import OutboxMessage
from app.extensions import db
from app.newsletters import queries, services
from app.newsletters.models import Newsletter
from tests.conftest import login_as
from tests.factories import HOSTILE, make_admin, make_committee, make_organisation, make_user
from tests.querycount import count_queries


class World:
    def __init__(self):
        self.committee = make_committee()
        self.plan = self.committee.plan
        self.admin = make_admin()
        self.citizen = make_user()
        self.orgs = [make_organisation(), make_organisation()]
        make_organisation(verified=False)


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


def draft(world, **changes) -> Newsletter:
    data = {"subject": f"Boletín {HOSTILE}", "body": "**Hola** a todas", "segment": "organisations"}
    data.update(changes)
    newsletter = services.create_newsletter(world.admin, world.plan, data)
    db.session.commit()
    return newsletter


@pytest.mark.parametrize("path", ["/admin/newsletters/", "/admin/newsletters/new"])
def test_only_the_guarantor_body_opens_the_pages(client, world, path):
    assert client.get(path).status_code == 302  # to the login
    login_as(client, world.citizen)
    assert client.get(path).status_code == 403


def test_a_refused_form_is_shown_again_with_the_input(client, world):
    login_as(client, world.admin)
    response = client.post("/admin/newsletters/new", data={
        "subject": "Mi asunto <b>", "body": "", "segment": "committee", "committee_id": ""})
    assert response.status_code == 400
    html = text(response)
    assert 'value="Mi asunto &lt;b&gt;"' in html
    assert "Este campo es obligatorio." in html
    response = client.post("/admin/newsletters/new", data={
        "subject": "Mi asunto", "body": "Texto", "segment": "committee", "committee_id": ""})
    assert response.status_code == 400 and "Elige uno de los comités del plan." in text(response)
    assert '<input checked id="segment-2" name="segment" type="radio" value="committee">' in text(response)
    assert not db.session.scalar(sa.select(Newsletter.id).where(Newsletter.subject == "Mi asunto"))


def test_write_preview_and_send_once(client, world):
    login_as(client, world.admin)
    response = client.post("/admin/newsletters/new", data={
        "subject": "Noticias de diciembre", "body": "**Hola** a todas", "segment": "organisations"})
    assert response.status_code == 302
    newsletter = db.session.scalar(sa.select(Newsletter).where(
        Newsletter.subject == "Noticias de diciembre"))
    page = text(client.get(response.headers["Location"]))
    assert "Vista previa del correo" in page and "**Hola** a todas" in page
    assert "/newsletters/unsubscribe/" in page and "Destinatarios ahora" in page

    confirm = text(client.get(f"/admin/newsletters/{newsletter.id}/send"))
    assert "Organizaciones verificadas" in confirm and "Enviar a 2 personas" in confirm

    sent = client.post(f"/admin/newsletters/{newsletter.id}/send")
    assert sent.status_code == 302
    db.session.refresh(newsletter)
    assert newsletter.is_sent and newsletter.recipient_count == 2
    page = text(client.get(f"/admin/newsletters/{newsletter.id}"))
    assert re.search(r"Entregados</dt><dd[^>]*>0<", page) and "Ver el aviso" in page
    assert "Noticias de diciembre" in text(client.get("/news/"))

    again = client.post(f"/admin/newsletters/{newsletter.id}/send")
    assert again.status_code == 409
    assert "se envía una sola vez" in text(again)
    assert queries.delivery_counts(newsletter).recipients == 2
    assert client.get(f"/admin/newsletters/{newsletter.id}/edit").status_code == 200
    assert client.post(f"/admin/newsletters/{newsletter.id}/edit", data={
        "subject": "Otro", "body": "x", "segment": "everyone"}).status_code == 409


def test_the_list_costs_the_same_whatever_its_length(client, world):
    login_as(client, world.admin)
    draft(world)
    with count_queries() as few:
        assert client.get("/admin/newsletters/").status_code == 200
    for _ in range(6):
        draft(world)
    with count_queries() as many:
        html = text(client.get("/admin/newsletters/"))
    assert html.count("/admin/newsletters/") > 6
    assert len(many) == len(few)


def test_the_admin_home_links_to_newsletters(client, world):
    login_as(client, world.admin)
    assert 'href="/admin/newsletters/"' in text(client.get("/admin/"))


# ---------------------------------------------------------------- recipients

def unsubscribe_path(user) -> str:
    return services.unsubscribe_url(user.id).split("localhost", 1)[-1].split(":5000", 1)[-1]


def test_one_click_unsubscribe_without_login(client, world):
    path = unsubscribe_path(world.citizen)
    assert path.startswith("/newsletters/unsubscribe/")
    page = client.get(path)
    assert page.status_code == 200 and "Dejar de recibir boletines" in text(page)
    assert queries.receives_newsletters(world.citizen.id)
    done = client.post(path)
    assert done.status_code == 200 and "ya no recibirás" in text(done)
    assert not queries.receives_newsletters(world.citizen.id)
    assert client.post(path).status_code == 200  # a second click: still done


@pytest.mark.csrf
def test_a_mail_programs_one_click_post_unsubscribes_without_a_csrf_token(client, world):
    # RFC 8058: the mail program posts this body to the List-Unsubscribe address, nothing else.
    done = client.post(unsubscribe_path(world.citizen), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "ya no recibirás" in text(done)
    assert not queries.receives_newsletters(world.citizen.id)


@pytest.mark.csrf
def test_the_confirm_page_works_with_csrf_protection_on(client, world):
    path = unsubscribe_path(world.citizen)
    page = text(client.get(path))
    assert 'method="post"' in page
    assert client.post(path).status_code == 200
    assert not queries.receives_newsletters(world.citizen.id)


@pytest.mark.parametrize("token", ["forged", "eyJ1Ijo5OTk5OTl9.AAAA.BBBB", "%00", "x" * 2000])
def test_a_forged_link_gets_a_clear_page(client, world, token):
    for response in (client.get(f"/newsletters/unsubscribe/{token}"),
                     client.post(f"/newsletters/unsubscribe/{token}")):
        assert response.status_code in (400, 404)
        if response.status_code == 400:
            assert "Este enlace no es válido" in text(response)


def test_a_link_of_a_deleted_account_is_not_valid(client, world):
    from app.core.clock import now

    path = unsubscribe_path(world.orgs[0])
    world.orgs[0].deleted_at = now()
    db.session.commit()
    assert client.get(path).status_code == 400


def test_the_preference_page_turns_newsletters_off_and_on(client, world):
    login_as(client, world.citizen)
    page = text(client.get("/notifications/preferences"))
    assert "Recibir por correo los boletines del órgano garante" in page
    assert re.search(r'<input[^>]*checked[^>]*id="receive"|<input[^>]*id="receive"[^>]*checked', page)
    assert client.post("/newsletters/preference", data={}).status_code == 302
    assert not queries.receives_newsletters(world.citizen.id)
    page = text(client.get("/notifications/preferences"))
    assert "Ya no recibirás los boletines." in page
    client.post("/newsletters/preference", data={"receive": "y"})
    assert queries.receives_newsletters(world.citizen.id)


def test_no_mail_is_queued_before_sending(world):
    draft(world)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
