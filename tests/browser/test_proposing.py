"""Proposing in a browser: a citizen writes a proposal, attaches a described photo, previews it,
is shown a similar proposal, and publishes; the form and the preview are accessible at desktop
and phone widths."""
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.proposals.models import Proposal, ProposalAttachment
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, log_in, screenshot
from tests.factories import make_user
from tests.proposals.factories import World, make_proposal

pytestmark = pytest.mark.browser

TITLE = "Baches profundos en la avenida Hidalgo"
BODY = "Los **baches** dañan coches y bicicletas desde enero."
ALT = "Bache lleno de agua frente a la escuela"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def fill_form(p, world) -> None:
    p.locator("#title").fill(TITLE)
    p.locator("#committee_id").select_option(str(world.committee.id))
    p.locator("#theme_id").select_option(str(world.theme.id))
    p.locator("#body").fill(BODY)


def test_a_citizen_previews_sees_a_similar_proposal_attaches_a_photo_and_publishes(
        page, phone_page, uploads):
    world = World()
    similar = make_proposal(world, author=world.author, title="Baches en la avenida Hidalgo norte",
                            body="Hay muchos baches.")
    citizen = make_user()
    db.session.commit()

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        log_in(p, citizen.email)
        p.goto("/proposals/new")
        fill_form(p, world)
        screenshot(p, f"issue14/proposal-form-{width}")
        check_axe(p)
        assert_no_sideways_scroll(p)

    # Desktop: the similar proposal is listed while the title is written (JavaScript), ...
    page.locator("#title").fill("")
    page.locator("#title").type("Baches profundos", delay=20)
    page.locator(f"#similar-live a[href='/proposals/{similar.reference}']").wait_for()
    page.locator("#title").fill(TITLE)
    # ... then the whole journey, with a photo and its description.
    page.locator("#file-1").set_input_files(
        files=[{"name": "bache.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    page.locator("#file-1-alt").fill(ALT)
    with page.expect_navigation():
        page.locator("main form button[name=step][value=preview]").click()
    assert page.locator("h1").inner_text() == "Vista previa de tu propuesta"
    assert page.locator(".proposal-preview-title").inner_text() == TITLE
    assert page.locator(".proposal-body strong").inner_text() == "baches"
    assert page.locator(f".proposal-attachments img[alt='{ALT}']").count() == 1
    item = page.locator(f".similar-item[data-reference='{similar.reference}']")
    assert item.locator("a").count() == 1 and "Apoyar esta" in item.inner_text()
    screenshot(page, "issue14/proposal-preview-desktop")
    check_axe(page)

    with page.expect_navigation():
        page.locator("main form.preview-actions button[value=publish]").click()
    db.session.expire_all()
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.author_id == citizen.id))
    assert proposal is not None and proposal.title == TITLE
    assert page.url.endswith(f"/proposals/{proposal.reference}")
    assert page.locator(f"#attachments img[alt='{ALT}']").count() == 1
    [attachment] = db.session.scalars(sa.select(ProposalAttachment)).all()
    assert attachment.proposal_id == proposal.id and attachment.alt_text == ALT

    # Phone: the preview fits, with the similar proposal offered.
    with phone_page.expect_navigation():
        phone_page.locator("main form button[name=step][value=preview]").click()
    assert phone_page.locator(".similar-item").count() >= 1
    screenshot(phone_page, "issue14/proposal-preview-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
