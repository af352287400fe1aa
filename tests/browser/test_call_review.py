"""Publishing a call in a real browser: no committee is ticked at first, a missing committee is
refused with the input kept, the review shows what will be published, "Back to edit" brings the
form back with every line of the texts, and a double click on "Publish" publishes one call."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.calls.models import Call
from app.extensions import db
from tests.browser.conftest import (
    PHONE,
    _new_page,
    assert_no_sideways_scroll,
    check_axe,
    log_in,
    screenshot,
)
from tests.factories import make_admin, make_committee, make_plan

pytestmark = pytest.mark.browser

TITLE = "Convocatoria para el segundo ciclo del Comité de Salud"
BODY = "Primer párrafo de las bases.\n\n- Requisito uno\n- Requisito dos"
DECLARATIONS = "No tenemos conflicto de interés\nAceptamos las bases"


def _calls() -> list[Call]:
    db.session.rollback()  # see what the server committed
    return list(db.session.scalars(sa.select(Call).where(Call.title == TITLE)))


def _fill(page, committee_name: str | None):
    page.locator("#title").fill(TITLE)
    page.locator("#body").fill(BODY)
    page.locator("#declarations").fill(DECLARATIONS)
    if committee_name:
        page.get_by_label(committee_name, exact=True).check()
    page.locator("#opens_at").fill("2030-03-01T09:00")
    page.locator("#closes_at").fill("2030-03-15T18:30")


def _submit(page, name: str = ""):
    selector = f'main form button[name="{name}"]' if name else "main form button[type=submit]"
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_a_call_is_reviewed_before_it_is_published(page, browser, live_server):
    admin = make_admin()
    plan = make_plan()
    health = make_committee(plan, name="Comité de Salud")
    make_committee(plan, name="Comité de Movilidad")
    admin_email, plan_id = admin.email, plan.id
    health_name = health.name

    log_in(page, admin_email)
    page.goto(f"/calls/new?plan={plan_id}")
    assert page.locator('input[name="committee_ids"]:checked').count() == 0
    check_axe(page)
    screenshot(page, "call-new-desktop")

    _fill(page, None)
    _submit(page)
    assert page.locator("#committee_ids-error").is_visible()
    assert page.locator("#title").input_value() == TITLE
    assert page.locator("#body").input_value() == BODY
    page.get_by_label(health_name, exact=True).check()
    _submit(page)

    assert page.locator('button[name="publish"]').is_visible()
    preview = page.locator(".call-preview-committees").inner_text()
    assert "Comité de Salud" in preview and "Movilidad" not in preview
    assert page.locator(".call-preview-declarations li").count() == 2
    check_axe(page)
    screenshot(page, "call-review-desktop")
    assert _calls() == []

    _submit(page, "back")
    assert page.locator("#body").input_value() == BODY
    assert page.locator("#declarations").input_value() == DECLARATIONS
    assert page.locator('input[name="committee_ids"]:checked').count() == 1
    assert page.locator("#closes_at").input_value() == "2030-03-15T18:30"
    _submit(page)

    # A double click sends the form twice: the browser drops the first navigation for the
    # second, so wait for where the pair lands (the call's page), not for the first to load.
    # page.wait_for_url failed with ERR_ABORTED when the dropped one had already been redirected
    # to the call's page; expect() polls the address until it matches, then the page loads.
    page.locator('button[name="publish"]').dblclick()
    expect(page).to_have_url(re.compile(r"/calls/\d+$"), timeout=10_000)  # as the pages' own
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
    [call] = _calls()
    assert [c.name for c in call.committees] == ["Comité de Salud"]
    assert call.body.replace("\r\n", "\n") == BODY

    # The same two steps at a phone's width, without sideways scrolling.
    context, phone = _new_page(browser, live_server, PHONE | {"width": 390, "height": 844})
    try:
        log_in(phone, admin_email)
        phone.goto(f"/calls/new?plan={plan_id}")
        assert_no_sideways_scroll(phone)
        screenshot(phone, "call-new-phone")
        phone.locator("#title").fill(TITLE + " (teléfono)")
        phone.locator("#body").fill(BODY)
        phone.locator("#declarations").fill(DECLARATIONS)
        phone.get_by_label(health_name, exact=True).check()
        phone.locator("#opens_at").fill("2030-04-01T09:00")
        phone.locator("#closes_at").fill("2030-04-15T18:30")
        _submit(phone)
        assert phone.locator('button[name="publish"]').is_visible()
        assert_no_sideways_scroll(phone)
        screenshot(phone, "call-review-phone")
    finally:
        context.close()
