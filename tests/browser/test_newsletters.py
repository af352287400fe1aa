"""Newsletters and share links in Chromium: the guarantor body writes, previews and sends a
newsletter to the verified organisations; a proposal's page offers its share links. axe-core finds
nothing serious at desktop and phone widths, and nothing scrolls sideways on the phone."""
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.core.mail import OutboxMessage
from app.extensions import db
from app.newsletters import services
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, log_in, screenshot
from tests.comments.factories import make_proposal
from tests.factories import HOSTILE, make_admin, make_committee, make_organisation

pytestmark = pytest.mark.browser


class World:
    def __init__(self):
        self.committee = make_committee()
        self.admin = make_admin()
        self.organisations = [make_organisation(email=f"org{n}.con.un.correo.largo@ejemplo.org.mx")
                              for n in range(2)]
        make_organisation(verified=False)
        self.proposal = make_proposal(self.committee)
        db.session.commit()


@pytest.fixture
def world():
    return World()


def look(viewer, name: str) -> None:
    assert_no_sideways_scroll(viewer)
    check_axe(viewer)
    screenshot(viewer, name)


def test_the_guarantor_body_writes_previews_and_sends_to_organisations(page, phone_page, world):
    log_in(page, world.admin.email)
    page.goto("/admin/")
    with page.expect_navigation():
        page.get_by_role("link", name="Boletines").click()
    look(page, "newsletters-index-desktop")
    with page.expect_navigation():
        page.get_by_role("link", name="Escribir un boletín").click()
    page.locator("#subject").fill(f"Boletín {HOSTILE}")
    page.locator("#body").fill("**Hola**, organizaciones.\n\n- Mesas de diálogo en marzo")
    page.get_by_label("Organizaciones verificadas").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar el borrador").click()
    assert page.locator(".mail-preview-body").inner_text().startswith("Hola, ")
    assert "/newsletters/unsubscribe/" in page.locator(".mail-preview-body").inner_text()
    look(page, "newsletters-preview-desktop")

    with page.expect_navigation():
        page.get_by_role("link", name="Enviar…").click()
    assert page.locator(".newsletter-recipients").inner_text() == "2"
    look(page, "newsletters-send-desktop")
    send_url = page.url

    log_in(phone_page, world.admin.email)
    for path, name in ((send_url, "send"), (send_url.rsplit("/", 1)[0], "preview"),
                       ("/admin/newsletters/new", "form")):
        phone_page.goto(path)
        look(phone_page, f"newsletters-{name}-phone")

    with page.expect_navigation():
        page.get_by_role("button", name="Enviar a 2 personas").click()
    assert "va en camino a 2 personas" in page.locator(".flash").first.inner_text()
    assert page.locator("dt:has-text('Destinatarios') + dd").first.inner_text() == "2"
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient.in_([o.email for o in world.organisations]))) == 2

    # A recipient's unsubscribe link, opened without logging in.
    phone_page.context.clear_cookies()
    link = urlsplit(services.unsubscribe_url(world.organisations[0].id))
    phone_page.goto(link.path)
    look(phone_page, "newsletters-unsubscribe-phone")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Dejar de recibir boletines").click()
    assert "ya no recibirás" in phone_page.locator("main").inner_text()


def test_a_proposal_page_offers_plain_share_links(page, phone_page, world):
    path = f"/proposals/{world.proposal.reference}"
    for viewer, width in ((page, "desktop"), (phone_page, "phone")):
        viewer.goto(path)
        box = viewer.locator("section.share")
        address = box.locator("#share-url").input_value()
        assert address.endswith(path)
        whatsapp = box.get_by_role("link", name="Compartir en WhatsApp").get_attribute("href")
        assert parse_qs(urlsplit(whatsapp).query)["text"] == [f"{world.proposal.title} {address}"]
        for name in ("Compartir en Facebook", "Compartir en X", "Compartir por correo"):
            assert box.get_by_role("link", name=name).get_attribute("rel") == "noopener noreferrer"
        assert box.get_by_role("button", name="Copiar enlace").is_visible()  # the script ran
        look(viewer, f"share-proposal-{width}")
