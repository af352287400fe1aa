"""The guarantor body's people pages in Chromium: accessible, no sideways scroll at desktop and
phone widths with long names and emails, and a refused form shown again accessibly."""
import pytest

from app.extensions import db
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, log_in, screenshot
from tests.calls.factories import make_application, make_call
from tests.factories import make_admin, make_committee, make_organisation, make_plan, make_user

pytestmark = pytest.mark.browser

LONG = "Colectivo Ciudadano por la Transparencia y la Rendición de Cuentas de la Región Lagunera A.C."


@pytest.fixture
def people():
    admin = make_admin()
    plan = make_plan()
    committee = make_committee(plan)
    call = make_call(plan, [committee])
    for n in range(4):
        organisation = make_organisation(verified=False, name=f"{LONG} {n}",
                                         email=f"contacto{n}.de.una.organizacion.con.nombre.largo@ejemplo-municipio.gob.mx")
        organisation.organisation.website = "https://www.ejemplo-de-organizacion-con-un-sitio-largo.org.mx/quienes-somos"
        make_application(call, organisation, committee)
    blocked = make_user(email="una.persona.con.un.correo.bastante.largo@ejemplo-municipio.gob.mx")
    blocked.access_blocked_at, blocked.access_blocked_reason = blocked.created_at, "Suplantación"
    make_user(confirmed=False)
    db.session.commit()
    return admin


@pytest.mark.parametrize("url", ["/admin/users", "/admin/organisations", "/admin/users?state=blocked"])
def test_people_pages_are_accessible_and_fit_desktop_and_phone(page, phone_page, people, url):
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        log_in(p, people.email)
        p.goto(url)
        assert_no_sideways_scroll(p)
        check_axe(p)
        screenshot(p, f"admin-people-{url.strip('/').replace('/', '-').replace('?', '-')}-{width}")


def test_a_refused_decision_is_shown_accessibly(page, people):
    log_in(page, people.email)
    page.goto("/admin/organisations")
    form = page.locator("form.org-decision").first
    form.locator("input[value=reject]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    assert page.locator(".error-summary").is_visible()
    assert page.locator(".org-decision .error-message").count() == 1
    assert page.locator("form.org-decision input[value=reject]:checked").count() == 1
    assert_no_sideways_scroll(page)
    check_axe(page)


def test_an_account_page_with_a_refused_block_is_accessible(page, phone_page, people):
    for p in (page, phone_page):
        log_in(p, people.email)
        p.goto(f"/admin/users/{people.id}")
        p.locator("#block_reason").fill("Probando")
        with p.expect_navigation():
            p.locator("form[action$='/block'] button[type=submit]").click()

        assert p.locator("#block_reason-error").is_visible()
        assert p.locator("#block_reason").input_value() == "Probando"
        assert_no_sideways_scroll(p)
        check_axe(p)
