"""axe-core finds no serious or critical accessibility problem on the public and account pages."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.plans.models import Phase, PhaseKind
from tests.browser.conftest import assert_no_sideways_scroll, check_axe, screenshot, sign_in
from tests.factories import make_committee, make_plan, make_user

pytestmark = [pytest.mark.browser, pytest.mark.shared_context]


def test_home_page_with_the_demo_plan_is_accessible(page, demo):
    page.goto("/")
    assert page.locator("h1").count() == 1
    assert page.locator("ol.timeline > li").count() >= 6, "the implementation route is shown"
    screenshot(page, "home-desktop")
    check_axe(page)


def test_home_page_without_a_plan_is_accessible(page):
    page.goto("/")
    check_axe(page)


def test_home_page_on_a_phone_is_accessible_and_does_not_overflow(phone_page, demo):
    phone_page.goto("/")
    screenshot(phone_page, "home-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_plan_in_progress_with_long_hostile_names_fits_a_phone(phone_page):
    """The timeline marks the current phase, and unbroken or hostile text never overflows."""
    plan = make_plan()
    plan.description = "Descripción-" + "x" * 300
    plan.phases.clear()  # the factory's phase: this plan has one phase of each kind
    today = date.today()
    for position, kind in enumerate(PhaseKind):
        start = today + timedelta(days=30 * (position - 2))
        plan.phases.append(
            Phase(
                kind=kind,
                position=position,
                starts_on=start,
                ends_on=start + timedelta(days=29),
                description="Ñ" * 200,
            )
        )
    db.session.commit()
    committee = make_committee(plan, name="Comité" + "ñ" * 190, scope="Municipio-" + "z" * 100)

    phone_page.goto("/")
    steps = phone_page.locator("ol.timeline > li")
    assert steps.count() == len(PhaseKind)
    assert phone_page.locator("ol.timeline > li[aria-current=step]").count() == 1
    assert phone_page.locator("ol.timeline .badge-upcoming").count() >= 1
    assert phone_page.locator("script:not([src])").count() == 0, "hostile text stays text"
    screenshot(phone_page, "home-in-progress-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)

    phone_page.goto(f"/committees/{committee.slug}")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_login_page_is_accessible(page):
    page.goto("/account/login")
    screenshot(page, "login-desktop")
    check_axe(page)


def test_login_page_after_a_failed_attempt_is_accessible(page):
    page.goto("/account/login")
    page.locator("#email").fill("nadie@example.org")
    page.locator("#password").fill("not the password at all")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".flash-error[role=alert]").count() == 1
    check_axe(page)


def test_citizen_registration_page_is_accessible(page):
    page.goto("/account/register/citizen")
    check_axe(page)


def test_citizen_registration_with_errors_ties_each_error_to_its_field(page, phone_page):
    for p, name in (
        (page, "register-citizen-errors-desktop"),
        (phone_page, "register-citizen-errors-phone"),
    ):
        p.goto("/account/register/citizen")
        p.locator("#email").fill("no-es-un-correo")
        p.locator("#password").fill("corta")
        with p.expect_navigation():
            p.locator("main form button[type=submit]").click()
        assert p.locator(".error-summary").count() == 1
        for field_id in ("name", "email", "municipality", "password", "accept_terms"):
            field = p.locator(f"#{field_id}")
            assert field.get_attribute("aria-invalid") == "true", field_id
            described = (field.get_attribute("aria-describedby") or "").split()
            assert f"{field_id}-error" in described, field_id
            assert p.locator(f"#{field_id}-error").inner_text().strip()
        screenshot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)


def test_organisation_registration_page_is_accessible(page):
    page.goto("/account/register/organisation")
    check_axe(page)


def test_organisation_registration_with_errors_is_accessible(page):
    page.goto("/account/register/organisation")
    page.locator("#website").fill("no es una dirección")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1
    assert page.locator("#legal_name").get_attribute("aria-invalid") == "true"
    screenshot(page, "register-organisation-errors-desktop")
    check_axe(page)


def test_registration_choice_page_is_accessible(page):
    page.goto("/account/register")
    check_axe(page)


def test_committee_page_is_accessible(page, phone_page, demo):
    page.goto("/committees/municipio-durango")
    assert page.locator("h1").count() == 1
    screenshot(page, "committee-desktop")
    check_axe(page)
    phone_page.goto("/committees/municipio-durango")
    screenshot(phone_page, "committee-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_open_government_page_is_accessible(page):
    page.goto("/open-government")
    check_axe(page)


def test_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    check_axe(page)


def test_profile_page_logged_in_is_accessible(page):
    user = make_user()
    sign_in(page, user.email)
    page.goto("/account/profile")
    assert page.locator("h1").count() == 1
    screenshot(page, "profile-desktop")
    check_axe(page)
