"""Journeys a person makes in a real browser, without JavaScript being needed."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.accounts.models import User
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.browser.conftest import check_axe, log_in
from tests.conftest import PASSWORD
from tests.factories import make_plan

pytestmark = pytest.mark.browser

NEWCOMER_EMAIL = "rosa.nandu@example.org"


def _fresh_read():
    # The browser's requests commit in the server thread; start a new transaction to see them.
    db.session.rollback()


def confirmation_path() -> str:
    _fresh_read()
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == NEWCOMER_EMAIL)
    ).all()
    assert len(messages) == 1, "exactly one confirmation message is queued"
    match = re.search(r"https?://[^/\s]+(/account/confirm/\S+)", messages[0].body)
    assert match, f"no confirmation link in:\n{messages[0].body}"
    return match.group(1)


def test_newcomer_registers_confirms_logs_in_and_out(page):
    make_plan()  # registration offers the current plan's municipalities
    page.goto("/")
    page.locator("nav.account-nav a[href='/account/register']").click()
    page.locator("main a[href='/account/register/citizen']").click()

    page.locator("#name").fill("Rosa Ñandú Pérez")
    page.locator("#email").fill(NEWCOMER_EMAIL)
    page.locator("#municipality").select_option("Durango")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#accept_terms").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert page.url.endswith("/account/check-email")
    assert page.locator("h1").inner_text() == _es("Check your email")
    check_axe(page)

    _fresh_read()
    user = db.session.scalar(sa.select(User).where(User.email == NEWCOMER_EMAIL))
    assert user is not None and user.email_confirmed_at is None

    page.goto(confirmation_path())
    assert "/account/login" in page.url
    assert page.locator(".flash-success").count() == 1
    _fresh_read()
    assert (
        db.session.scalar(sa.select(User.email_confirmed_at).where(User.email == NEWCOMER_EMAIL))
        is not None
    )

    log_in(page, NEWCOMER_EMAIL)
    header = page.locator("header.site-header")
    account_link = header.locator("a[href='/account/profile']")
    assert account_link.is_visible()
    assert account_link.inner_text() == _es("My account")
    assert header.locator("a[href='/account/login']").count() == 0
    assert page.locator(".banner").count() == 0, "a confirmed account sees no confirmation banner"

    with page.expect_navigation():
        header.get_by_role("button", name=_es("Log out")).click()
    assert header.locator("a[href='/account/profile']").count() == 0
    assert header.locator("a[href='/account/login']").is_visible()
    page.goto("/account/profile")
    assert "/account/login" in page.url, "after logging out the account page asks to log in"


def test_switching_the_language_to_english_changes_the_page(page):
    page.goto("/open-government")
    assert page.locator("html").get_attribute("lang") == "es-MX"
    assert page.locator("h1").inner_text() == _es("What is Open Government?")
    assert page.locator("form.language-switch button").count() == 1, "one button: the other language"

    with page.expect_navigation():
        page.locator("form.language-switch button[value=en]").click()

    assert page.url.endswith("/open-government"), "the language form returns to the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "What is Open Government?"
    assert page.locator("header a[href='/account/login']").inner_text() == "Log in"
    assert page.locator("form.language-switch button").inner_text() == "Español"

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en", "the choice lasts for the session"


def test_every_page_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server, locale="es-MX", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/account/register/citizen")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator(".error-summary").count() == 1
        page.goto("/committees/municipio-durango")
        assert page.locator("h1").inner_text()
    finally:
        context.close()


def _es(message: str) -> str:
    """The Spanish text the catalogue gives (the English message until it is translated)."""
    with force_locale("es_MX"):
        return gettext(message)
